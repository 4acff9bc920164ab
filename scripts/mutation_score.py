"""Print the score of the last `make mutate` from mutmut's exported counts.

Score = killed / (killed + survived + timeout + suspicious): the share of the mutants that
were run which some test noticed. Mutants that no fast test reaches ("no tests") and those
not yet run (an interrupted run) are reported apart, not counted as killed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    stats = json.loads(Path(path).read_text())
    judged = sum(stats.get(k, 0) for k in ("killed", "survived", "timeout", "suspicious"))
    score = 100.0 * stats["killed"] / judged if judged else 0.0
    pending = stats["total"] - judged - stats.get("no_tests", 0) - stats.get("skipped", 0)
    print(
        f"mutation score {score:.1f}%: {stats['killed']} killed, {stats['survived']} survived, "
        f"{stats.get('timeout', 0)} timed out, {stats.get('suspicious', 0)} suspicious, "
        f"{stats.get('no_tests', 0)} without a fast test, {pending} not run, "
        f"of {stats['total']} mutants"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "mutants/mutmut-cicd-stats.json"))
