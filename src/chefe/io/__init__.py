"""Reading finished DFT runs: fast final-state readers, convergence flags, settings, provenance."""

from __future__ import annotations

from .record import FLAGS, FileInfo, RunRecord

__all__ = ["FLAGS", "FileInfo", "RunRecord"]
