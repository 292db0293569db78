"""The Keras module names written into ``.keras`` files, so that Keras 3 can load them.

gpulayers' built-in classes carry Keras's names and configs; in a saved model's config their
``module`` becomes the Keras module of the same class (``gpulayers.layers`` ->
``keras.layers``, a Sequential model -> ``keras``), which is what Keras's loader looks up.
User classes keep their own module and registered name. gpulayers reads either spelling.
"""

from __future__ import annotations

from typing import Any

__all__ = ["with_keras_modules"]

_PACKAGES = ("layers", "initializers", "regularizers", "constraints", "optimizers", "losses",
             "metrics", "activations")
_MODELS = {"Sequential": "keras", "Model": "keras", "Functional": "keras.src.models.functional"}


def with_keras_modules(config: Any) -> Any:
    """A copy of ``config`` (nested dicts and lists) with Keras module names for gpulayers'
    built-in objects.

    Example: ``with_keras_modules({"module": "gpulayers.layers", "class_name": "Dense",
    "config": {}})["module"] == "keras.layers"``.
    """
    if isinstance(config, list):
        return [with_keras_modules(item) for item in config]
    if not isinstance(config, dict):
        return config
    converted = {key: with_keras_modules(value) for key, value in config.items()}
    module = converted.get("module")
    if isinstance(module, str) and not converted.get("registered_name"):
        converted["module"] = _keras_module(module, converted.get("class_name"))
    return converted


def _keras_module(module: str, class_name: Any) -> str:
    if module == "gpulayers.models" and class_name in _MODELS:
        return _MODELS[class_name]
    package = module.removeprefix("gpulayers.")
    if package != module and package in _PACKAGES:
        return f"keras.{package}"
    return module
