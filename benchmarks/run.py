"""Run every benchmark: ``python -m benchmarks.run`` (``make bench``).

Extra arguments go to the consolidation benchmark (``--lines``, ``--keep``,
``--no-migrations``...; see ``python -m benchmarks.consolidation --help``). The exit status
is non-zero when a benchmark misses its target. The prioritisation ranking benchmark
(``python -m benchmarks.prioritisation``) runs after it with its defaults, then the plan
page benchmark (``python -m benchmarks.plan_page``: 5 and 500 lines).
"""

from __future__ import annotations

import sys

from benchmarks import consolidation, plan_page, prioritisation


def main(argv: list[str] | None = None) -> int:
    status = consolidation.main(sys.argv[1:] if argv is None else argv)
    # the ranking of all 1,121 municipalities × 6 criteria (issue 11): its own database
    status = prioritisation.main([]) or status
    # the plan page: queries and server time with 5 and 500 lines (issue 11, section 10)
    return plan_page.main([]) or status


if __name__ == "__main__":
    sys.exit(main())
