"""Train a small convnet on scikit-learn's handwritten digits with gpulayers, end to end.

The data are ``sklearn.datasets.load_digits()``: 1797 grayscale 8x8 images of the digits 0-9,
bundled with scikit-learn (nothing is downloaded). 20% of them, stratified by class, are held
out as the test set; 10% of the rest is used for validation during training.

Run it (after ``python -m pip install ".[examples]"`` in the repository root)::

    python examples/digits_convnet.py                  # 20 epochs, about 10 s on a 2-core CPU
    python examples/digits_convnet.py --backend cupy   # the same model on an NVIDIA GPU

It prints a progress bar per epoch (loss, accuracy, validation loss and accuracy, ETA) and
ends with ``Test accuracy: 0.9xxx``. With the defaults on the NumPy backend it reaches
0.9889 test accuracy (seed 0; 0.975-0.989 over seeds 0-4) after about 8 s of training and
evaluation on an idle 2-core CPU.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from gpulayers import backend, layers, utils
from gpulayers.models import Sequential

# The train/test split is fixed (independent of --seed) so runs with different seeds are
# scored on the same test images.
SPLIT_RANDOM_STATE = 0
TEST_FRACTION = 0.2


def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits as ``(x_train, y_train, x_test, y_test)``.

    Images are float32 in [0, 1] with shape (N, 8, 8, 1) (channels last, as Conv2D expects);
    labels are int32 class ids 0-9 (for sparse categorical cross-entropy).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., np.newaxis]  # pixels are 0..16
    labels = digits.target.astype("int32")
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=TEST_FRACTION, stratify=labels,
        random_state=SPLIT_RANDOM_STATE)
    return x_train, y_train, x_test, y_test


def build_model() -> Sequential:
    """Two 3x3 convolutions, 2x2 max pooling, then a dense classifier, with dropout."""
    return Sequential([
        layers.Input(shape=(8, 8, 1)),
        # "same" padding: the images are only 8x8, so keep the border pixels.
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="digits_convnet")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds weight initialization, dropout and shuffling")
    parser.add_argument("--backend", choices=("numpy", "cupy"), default=None,
                        help="array backend (default: cupy if a GPU is usable, else numpy)")
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                        help="fit() output: 0 silent, 1 progress bar, 2 one line per epoch")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train and evaluate; returns ``{"loss", "accuracy", "backend", "seconds"}`` where loss
    and accuracy are on the test set and seconds is the wall time of training + evaluation.

    ``argv`` are command-line arguments (``None``: ``sys.argv[1:]``), e.g.
    ``main(["--epochs", "5", "--backend", "numpy"])``.
    """
    args = parse_args(argv)
    if args.backend is not None:
        backend.set_backend(args.backend)  # before any layer creates weights
    utils.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data()
    print(f"Backend: {backend.backend()}; {len(x_train)} training and {len(x_test)} test "
          f"images of shape {x_train.shape[1:]}")

    model = build_model()
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=0.1, verbose=args.verbose)
    results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    seconds = time.perf_counter() - start

    print(f"Test loss: {results['loss']:.4f}")
    print(f"Backend: {backend.backend()}; training + evaluation wall time: {seconds:.1f} s")
    print(f"Test accuracy: {results['accuracy']:.4f}")
    return {**results, "backend": backend.backend(), "seconds": seconds}


if __name__ == "__main__":
    main()
