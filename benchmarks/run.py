"""Run every chefe benchmark: ``python benchmarks/run.py`` (after ``pip install -e .``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cli  # noqa: E402
import bench_engine  # noqa: E402

if __name__ == "__main__":
    print("== CHE engine ==")
    bench_engine.main([])
    print("\n== CLI start-up ==")
    bench_cli.main([])
