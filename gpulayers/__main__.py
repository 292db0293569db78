"""Command line: ``python -m gpulayers demo [--backend numpy|cupy] [--epochs N]``."""

from __future__ import annotations

import argparse
import sys

from gpulayers.demo import run_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gpulayers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train a small MLP on synthetic data")
    demo.add_argument("--backend", choices=("numpy", "cupy"), default=None,
                      help="array backend (default: cupy if a GPU is usable, else numpy)")
    demo.add_argument("--epochs", type=int, default=30)
    demo.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "demo":
        result = run_demo(backend_name=args.backend, epochs=args.epochs, seed=args.seed)
        print(f"final training accuracy: {result['accuracy']:.3f}")
        return 0 if result["accuracy"] > 0.9 else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
