"""Command line: ``python -m gpulayers demo [--backend numpy|cupy] [--epochs N] [--seed N]``.

``demo`` trains a small MLP, written with ops and GradientTape only, on two synthetic spirals
(no extra dependencies; about a second on a CPU) and names the backend it ran on. The
Keras-style training API (``model.fit``) on real data is in ``examples/digits_convnet.py``.
"""

from __future__ import annotations

import argparse
import sys

from gpulayers import backend
from gpulayers.demo import run_demo


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0: the demo learned the spirals)."""
    parser = argparse.ArgumentParser(
        prog="gpulayers", description="gpulayers: Keras-compatible layers on NumPy and CuPy")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="train a small MLP (ops + GradientTape) on synthetic spirals")
    demo.add_argument("--backend", choices=backend.BACKENDS, default=None,
                      help="array backend (default: cupy if a GPU is usable, else numpy)")
    demo.add_argument("--epochs", type=int, default=30)
    demo.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.backend is not None:
            try:
                backend.set_backend(args.backend)
            except RuntimeError as error:  # e.g. cupy asked for on a machine without a GPU
                parser.exit(2, f"gpulayers demo: {error}\n")
        result = run_demo(epochs=args.epochs, seed=args.seed)
        print(f"final training accuracy: {result['accuracy']:.3f} "
              f"(backend: {backend.backend()})")
        return 0 if result["accuracy"] > 0.9 else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
