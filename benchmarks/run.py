"""Run every benchmark: ``python -m benchmarks.run`` (``make bench``).

Extra arguments go to the consolidation benchmark (``--lines``, ``--keep``,
``--no-migrations``...; see ``python -m benchmarks.consolidation --help``). The exit status
is non-zero when a benchmark misses its target.
"""

from __future__ import annotations

import sys

from benchmarks import consolidation


def main(argv: list[str] | None = None) -> int:
    return consolidation.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
