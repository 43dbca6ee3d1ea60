"""``chefe --help`` wall time as a ratio to ``python -c "import numpy"``. Goal: at most 2x."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    chefe = shutil.which("chefe") or str(__import__("pathlib").Path(sys.executable).with_name("chefe"))
    for cmd in ([sys.executable, "-c", "import numpy"], [chefe, "--help"]):
        wall(cmd, 2)  # warm the page cache
    t_numpy = wall([sys.executable, "-c", "import numpy"], args.repeat)
    t_help = wall([chefe, "--help"], args.repeat)
    t_py = wall([sys.executable, "-c", "pass"], args.repeat)
    print(f"python -c pass          : {t_py * 1e3:7.1f} ms (median of {args.repeat})")
    print(f"python -c 'import numpy': {t_numpy * 1e3:7.1f} ms")
    print(f"chefe --help            : {t_help * 1e3:7.1f} ms   ratio to import numpy {t_help / t_numpy:4.2f}x")
    return {"numpy_ms": t_numpy * 1e3, "help_ms": t_help * 1e3, "ratio": t_help / t_numpy}


if __name__ == "__main__":
    main()
