"""`python -m drafter.service [--host H] [--port P]`: the same as `drafter serve`."""

from __future__ import annotations

import argparse
import sys

from ..config import Settings
from ..errors import DrafterError
from .server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drafter.service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        serve(Settings.from_env(), host=args.host, port=args.port)
    except DrafterError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
