"""Start-up time of `rtagent --help` (lazy imports and click's plain help keep it short). Goal: <= 0.3 s.

Prints the median and best of several runs of the installed console script, next to a bare `python -c pass`
(the interpreter's own start, the floor no command can beat). tests/cli/test_commands.py keeps the heavy modules
(rich, pydantic, numpy) out of the help path.

    .venv/bin/python bench/cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 0.3


def _time(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rtagent = str(Path(sys.executable).parent / "rtagent")
    rows = [("python -c pass", _time([sys.executable, "-c", "pass"], args.runs)),
            ("rtagent --help", _time([rtagent, "--help"], args.runs)),
            ("rtagent talk --help", _time([rtagent, "talk", "--help"], args.runs)),
            ("rtagent --version", _time([rtagent, "--version"], args.runs)),
            ("rtagent examples", _time([rtagent, "examples"], args.runs))]
    print(f"{'command':24} {'median s':>9} {'best s':>8}")
    for name, times in rows:
        print(f"{name:24} {statistics.median(times):9.3f} {min(times):8.3f}")
    median = statistics.median(rows[1][1])
    print(f"\ngoal: rtagent --help <= {GOAL_S} s: {median:.3f} s -> {'PASS' if median <= GOAL_S else 'MISS'}")


if __name__ == "__main__":
    main()
