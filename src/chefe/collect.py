"""``chefe collect``: sweep a tree of finished runs into an ASE database, with checks.

Workers read runs in parallel (processes); one writer stores them in batches, each batch a
transaction, so a collect killed midway leaves a consistent database and a re-run finishes it.
Rows whose files have the same size and mtime as recorded are skipped without being read;
changed runs are re-read and their rows replaced. After writing, every adsorbate run is checked
against its catalyst's slab run (settings, cell, atoms) and the flags are stored on its row.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .io.consistency import check_pair, imaginary_flags
from .io.readers import read_run
from .io.store import all_rows, existing_rows, flag_keys, iter_rows, row_payload, run_ok, unchanged
from .io.tree import Found, find_runs, load_manifest

BATCH = 200


@dataclass
class CollectReport:
    """What a collect did: counts and every problem by path."""

    root: str
    db: str
    found: int = 0
    skipped: int = 0
    written: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)
    flagged: dict[str, list[str]] = field(default_factory=dict)
    repaired: int = 0
    stopped_by: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The report as JSON-ready data (``chefe collect --json``)."""
        return {"root": self.root, "db": self.db, "found": self.found, "written": self.written,
                "updated": self.updated, "skipped": self.skipped, "repaired": self.repaired,
                "stopped_by_signal": self.stopped_by, "flagged": self.flagged, "problems": self.problems,
                "notes": self.notes}

    def summary(self, report: str | None = None, shown: int = 5) -> list[str]:
        """The report in a screen: :meth:`lines` with one row per flag (how many runs, one
        example) instead of every flagged run, and the first ``shown`` problems; the full list is
        :meth:`lines` (``--report FILE`` on the CLI)."""
        from collections import Counter

        full = self.lines()
        out = [full[0]]
        if self.flagged:
            count = Counter(f for flags in self.flagged.values() for f in dict.fromkeys(flags))
            example = {}
            for path, flags in sorted(self.flagged.items()):
                for f in flags:
                    example.setdefault(f, path)
            width = max(len(f) for f in count)
            out.append(f"{len(self.flagged)} runs flagged:")
            out.append(f"  {'flag':<{width}}  runs  example")
            for f, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0])):
                out.append(f"  {f:<{width}}  {n:>4}  {example[f]}")
        rest = full[1 + (len(self.flagged) + 1 if self.flagged else 0):]
        if len(self.problems) > shown:  # the problems block: its head line, then `shown` of them
            k = rest.index(f"{len(self.problems)} problems:")
            rest = rest[:k + 1 + shown] + [f"  ... {len(self.problems) - shown} more"] + rest[k + 1 + len(self.problems):]
        stop = [rest.pop()] if self.stopped_by is not None else []
        out += rest
        if self.flagged or len(self.problems) > shown:
            out.append(f"full list: {report}" if report else
                       "full list of flagged runs and problems: --report FILE (or --json FILE)")
        return out + stop

    def lines(self) -> list[str]:
        """The whole report: every flagged run with its flags, every problem and note."""
        out = [f"{self.found} runs found under {self.root}; {self.written} new, {self.updated} "
               f"updated, {self.skipped} unchanged -> {self.db}"]
        if self.flagged:
            out.append(f"{len(self.flagged)} runs flagged:")
            for path, flags in sorted(self.flagged.items()):
                out.append(f"  {path}: {', '.join(flags)}")
        if self.repaired:
            out.append(f"{self.repaired} duplicate rows of runs stored twice (older chefe versions, other "
                       "spellings of one path) removed")
        if self.problems:
            out.append(f"{len(self.problems)} problems:")
            out.extend(f"  {p}" for p in self.problems)
        if self.notes:
            out.append("notes:")
            out.extend(f"  {n}" for n in self.notes)
        if self.stopped_by is not None:
            import signal

            name = signal.Signals(self.stopped_by).name
            out.append(f"stopped by {name}: every batch written so far is stored; run the same command "
                       "again to finish")
        return out


def _read(found: Found, digest: bool | str = True):
    record = read_run(found.path, found.code, digest=digest)
    if record.energy is not None and record.atoms is None and found.key.role in ("slab", "adsorbate", "gas"):
        from dataclasses import replace

        # the energy is kept; the cell and composition checks against it cannot be made
        record = replace(record, flags=record.flags + ("no_structure",),
                         messages=record.messages + (f"{found.path}: an energy but no final structure "
                                                     "(no CONTCAR or structure block): cell and composition "
                                                     "checks against this run are skipped",))
    if found.key.role == "vibrations" and found.code == "vasp":
        from dataclasses import replace

        from .io.vibrations import frequencies

        try:
            freqs = tuple(frequencies(found.path))
        except Exception as exc:  # noqa: BLE001
            freqs = ()
            record = replace(record, messages=record.messages + (f"{found.path}: frequencies unreadable ({exc})",))
        flags = _mode_flags(found, record, freqs)
        if not freqs:
            flags += ("no_frequencies",)
        record = replace(record, frequencies=freqs, flags=record.flags + flags)
    elif found.key.role == "vibrations" and found.code == "ase-vib" and record.frequencies:
        from dataclasses import replace

        record = replace(record, flags=record.flags + _mode_flags(found, record, record.frequencies))
    return found, record


def _mode_flags(found: Found, record, freqs) -> tuple[str, ...]:
    """Imaginary-mode flags of a vibration run. A gas molecule's full spectrum holds its
    translations and rotations (near zero, often slightly imaginary): only its 3N-6 (3N-5)
    vibrations are judged, as the ideal-gas thermochemistry uses them."""
    if found.key.catalyst or not freqs or record.atoms is None:
        return tuple(imaginary_flags(freqs))
    from .gas import molecule_shape, select_vibrations

    try:
        shape = molecule_shape(record.atoms, name=str(found.path))
        selected = select_vibrations(freqs, len(shape.atoms), shape.geometry, name=str(found.path))
    except InputError:  # not a whole molecule's spectrum: judge every mode
        return tuple(imaginary_flags(freqs))
    extra = tuple(f for f in selected.flags if f == "rotations_not_separated")
    return tuple(imaginary_flags(selected.vibrations)) + extra


def _watch_parent(parent: int) -> None:
    """In a reader process: exit as soon as the collect that started it is gone (a collect
    killed with SIGKILL cannot stop its workers itself)."""
    import threading
    import time

    try:  # Linux: the kernel sends SIGTERM when the parent dies
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the collect decides
    for name in ("SIGTERM", "SIGHUP"):  # not the collect's handlers, inherited through fork
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="chefe-parent-watch").start()


def _read_chunk(chunk: list[Found], digest: bool | str = True) -> list:
    return [_read(found, digest) for found in chunk]


def _read_in_pool(pool, todo: list[Found], workers: int, chunk: int = 64, digest: bool | str = True):
    """``map(_read, todo)`` in the pool's processes, in order, with at most ``4 * workers``
    chunks read ahead of the writer: a slow database does not pile every record up in memory."""
    from collections import deque

    size = max(1, min(chunk, len(todo) // (workers * 8)))
    pending: deque = deque()
    for start in range(0, len(todo), size):
        pending.append(pool.submit(_read_chunk, todo[start: start + size], digest))
        if len(pending) >= 4 * workers:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _progress(iterable: Iterable, total: int, enabled: bool, desc: str):
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency; fall back quietly
        return iterable
    return tqdm(iterable, total=total, desc=desc, unit="run", file=sys.stderr, leave=False)


def collect(
    root: str | Path,
    db: str = "results.db",
    *,
    manifest: str | Path | None = None,
    workers: int | None = None,
    progress: bool = True,
    force: bool = False,
    wait: float | None = None,
    digest: str = "blake3",
) -> CollectReport:
    """Collect every run under ``root`` into the ASE database ``db`` (a path or ase.db URL).

    Args:
        manifest: YAML/CSV rules mapping paths to (catalyst, species, role); default: the
            folder convention of :mod:`chefe.io.tree`.
        workers: reader processes (default: CPU count; 1 = read in this process).
        progress: show a progress bar on stderr.
        force: re-read runs even when their files are unchanged.
        wait: seconds to wait for another collect writing the same SQLite file (default
            :data:`chefe.io.writelock.DEFAULT_WAIT`).
        digest: provenance digest stored for every file read: ``"blake3"`` (default),
            ``"xxh3"`` (XXH3-128: fastest, not cryptographic), ``"sha256"``, or ``"none"`` (size and modification time only, stated on the rows).

    A run is identified by its resolved path: ``runs``, ``$PWD/runs`` and ``../x/runs`` name one
    run. SIGTERM and SIGINT stop the collect between two rows: the batch being written is
    rolled back, every batch before it stays, ``report.stopped_by`` holds the signal and a
    re-run finishes the store.
    """
    from .io.record import digest_name
    from .io.writelock import DEFAULT_WAIT, WriterLock

    digest = digest_name(digest)
    _require_digest(digest)
    check_database_folder(db)
    rules = load_manifest(manifest) if manifest else None
    found, problems = find_runs(root, rules)
    report = CollectReport(str(root), str(db), found=len(found), problems=list(problems))
    try:
        with WriterLock(db, DEFAULT_WAIT if wait is None else wait), _stopping(report):
            _collect_into(db, found, report, workers, progress, force, digest)
    except _Stop:
        pass
    return report


class _Stop(BaseException):
    """Raised between two rows once SIGTERM/SIGINT/SIGHUP has arrived during a collect."""


#: The signal that asked the running collect to stop (None while none has).
_STOP_REQUESTED: list[int] = []


def _check_stop() -> None:
    """Stop here if a signal asked to: called between rows, never inside library code."""
    if _STOP_REQUESTED:
        raise _Stop


class _stopping:
    """SIGTERM, SIGINT and SIGHUP ask the collect to stop (recorded in the report); the
    collect stops at its next row (:func:`_check_stop`), so the signal never interrupts ASE,
    SQLite or the process pool in the middle of something."""

    SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")

    def __init__(self, report: CollectReport):
        self.report = report
        self.previous: dict = {}

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return self

        owner = os.getpid()

        def handler(signum, frame):
            if os.getpid() != owner:  # a reader process forked before it reset the handler
                os._exit(128 + signum)
            if self.report.stopped_by is None:
                self.report.stopped_by = signum
                _STOP_REQUESTED.append(signum)

        for name in self.SIGNALS:
            sig = getattr(signal, name, None)
            if sig is not None:
                self.previous[sig] = signal.signal(sig, handler)
        return self

    def __exit__(self, *exc):
        import signal

        for sig, old in self.previous.items():
            signal.signal(sig, old)
        _STOP_REQUESTED.clear()
        return False


def check_database_folder(db) -> None:
    """Refuse a database file whose folder does not exist (before any work, and before the
    writer lock beside it would be created)."""
    if isinstance(db, (str, Path)) and "://" not in str(db):
        path = Path(str(db))
        if not path.parent.is_dir():
            raise InputError(f"--db {db}: the folder {path.parent} does not exist; create it or give another path")
        if path.is_dir():
            raise InputError(f"--db {db}: is a folder; give a database file name")


def connect_for_writing(db):
    """An ase.db connection for collect: ase.db's own lock file is off (chefe's writer lock
    replaces it; a killed writer leaves ase.db's behind, blocking every later one)."""
    from ase.db import connect

    check_database_folder(db)
    try:
        if isinstance(db, (str, Path)) and "://" not in str(db):
            return connect(str(db), use_lock_file=False)
        return connect(db)
    except ValueError as exc:
        if "Unknown database type" not in str(exc):
            raise
        raise InputError(f"--db {db}: not a database name ASE knows; give a .db (SQLite) or .json file, or a "
                         "postgresql:// URL") from None


def _require_digest(digest: str) -> None:
    """The package behind a digest, or an error saying which to install or choose instead."""
    package = {"blake3": "blake3", "xxh3": "xxhash"}.get(digest)
    if package is None:
        return
    try:
        __import__(package)
    except ImportError:
        raise InputError(f"the {digest} digest needs the {package} package: pip install {package}, "
                         "or choose --digest sha256 (slower) or --digest none (size and mtime only)") from None


def _collect_into(db, found: list[Found], report: CollectReport, workers, progress: bool, force: bool,
                  digest: str = "blake3") -> None:
    database = connect_for_writing(db)
    index_row_ids(database)
    stored = existing_rows(database)
    report.repaired = repair_duplicates(database, stored)
    slabs = SlabIndex.from_database(database)
    todo = []
    for f in found:
        if f.key.role == "unknown":
            report.problems.append(f"{f.path}: not mapped to (catalyst, species, role); add a manifest rule")
        if not force and f.path in stored and unchanged(stored[f.path][1]):
            report.skipped += 1
            continue
        todo.append(f)
    # slab runs first: every adsorbate run is then written with its flags against its slab
    todo.sort(key=lambda f: f.key.role != "slab")
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers > 1 and len(todo) > 8:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_watch_parent, initargs=(os.getpid(),))
        results = _read_in_pool(pool, todo, workers, digest=digest)
    else:
        pool = None
        results = (_read(f, digest) for f in todo)
    batch = []
    checked: set[str] = set()
    try:
        for found_run, record in _progress(results, len(todo), progress, "reading runs"):
            _check_stop()
            batch.append((found_run, record))
            if len(batch) >= BATCH:
                checked |= _write(database, batch, stored, report, slabs)
                batch = []
        if batch:
            checked |= _write(database, batch, stored, report, slabs)
    except BaseException:
        if pool is not None:  # stop the readers now: nothing they read would be written
            processes = list((getattr(pool, "_processes", None) or {}).values())
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(5)
            pool.shutdown(wait=True, cancel_futures=True)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown()
    check_consistency(database, report, skip=checked)


def repair_duplicates(database, stored: dict) -> int:
    """Delete the extra rows of runs stored more than once; returns how many were removed.

    Older versions keyed rows by the path as spelled (``runs/A``, ``/home/u/runs/A``), and
    nested roots collected one run twice. Rows whose ``run_path`` resolves to the same real
    path are one run: the newest row is kept (its ``run_path`` rewritten to the real path) and
    ``stored`` is updated to match.
    """
    groups: dict[str, list[tuple[int, str]]] = {}
    for path, (row_id, _files) in stored.items():
        if "@id=" in path:  # rows imported from another database: not paths
            continue
        groups.setdefault(os.path.realpath(path), []).append((row_id, path))
    removed: list[int] = []
    renamed: list[tuple[int, str, str]] = []
    for real, rows in groups.items():
        rows.sort()
        keep_id, keep_path = rows[-1]
        removed += [row_id for row_id, _ in rows[:-1]]
        for _, path in rows[:-1]:
            stored.pop(path, None)
        if keep_path != real:
            renamed.append((keep_id, keep_path, real))
    if removed or renamed:
        with database:
            if removed:
                database.delete(removed)
            for row_id, old, real in renamed:
                database.update(row_id, run_path=real)
                stored[real] = stored.pop(old)
    return len(removed)


def index_row_ids(database) -> None:
    """Index ase.db's SQLite key tables by row id.

    ase.db indexes them by key only, and every update or overwrite of a row deletes that row's
    keys by id: a scan of the whole table per row, O(n²) over a collect (2,000 runs: 2.5 s of
    6.4 s). Other backends, and databases that already have the indices, are left alone.
    """
    if type(database).__name__ != "SQLite3Database":
        return
    with database.managed_connection() as con:
        for table in ("species", "keys", "text_key_values", "number_key_values"):
            con.execute(f"CREATE INDEX IF NOT EXISTS chefe_{table}_id ON {table}(id)")


def _write(database, batch, stored, report: CollectReport,
           slabs: SlabIndex | None = None) -> set[str]:
    """Store a batch in one transaction.

    With ``slabs``, each adsorbate and gas row is written with its consistency flags against
    the slab runs known so far (the batch's slab rows are added first) and its problems go to
    the report; the run paths so checked are returned.
    """
    checked = set()
    if slabs is not None:
        for found_run, record in batch:
            if found_run.key.role == "slab":
                slabs.add(found_run.key.catalyst, record)
    from .io.store import validated_once

    with database, validated_once():  # one transaction per batch (a stop inside rolls it back)
        for found_run, record in batch:
            _check_stop()
            key = found_run.key
            extra, messages, values = [], [], {}
            if slabs is not None:
                extra, messages = slabs.flags(key.role, key.catalyst, key.species, record, values)
            atoms, kvp, data = row_payload(record, key, tuple(extra))
            kvp.update(values)
            old = stored.get(found_run.path)
            if old is not None:
                database.write(atoms, key_value_pairs=kvp, data=data, id=old[0])
                report.updated += 1
            else:
                new_id = database.write(atoms, key_value_pairs=kvp, data=data)
                stored[found_run.path] = (new_id, data["files"])
                report.written += 1
            report.problems.extend(record.messages)
            if slabs is not None:
                checked.add(kvp["run_path"])
                report.problems.extend(messages)
                if kvp["flags"]:
                    report.flagged[kvp["run_path"]] = kvp["flags"].split(",")
    return checked


def _row_record(row, with_atoms: bool = True):
    """The parts of a stored row the consistency checks compare, as a RunRecord."""
    from .io.record import RunRecord

    atoms = row.toatoms() if with_atoms and row.natoms else None
    return RunRecord(row.get("run_path"), row.get("code"), row.get("reader"), row.get("e_dft"),
                     atoms=atoms, settings=row.data.get("settings", {}))


class SlabIndex:
    """The slab runs that adsorbate and gas runs are checked against, by catalyst.

    A catalyst's first slab run (first stored) is its reference; gas runs are compared with
    the first catalyst's, on the settings molecules must share with slabs.
    """

    def __init__(self) -> None:
        self.by_catalyst: dict[str, list] = {}

    @classmethod
    def from_database(cls, database) -> SlabIndex:
        index = cls()
        for row in all_rows(database, role="slab"):
            index.add(row.get("catalyst"), _row_record(row))
        return index

    def add(self, catalyst: str, record) -> None:
        """Add a slab run, or replace the one stored under the same path."""
        runs = self.by_catalyst.setdefault(catalyst, [])
        for k, old in enumerate(runs):
            if old.path == record.path:
                runs[k] = record
                return
        runs.append(record)

    def flags(self, role: str, catalyst: str, species: str, record,
              values: dict | None = None) -> tuple[list[str], list[str]]:
        """Consistency flags and messages of one run (none for slab and vibration runs);
        ``values`` receives the numbers behind them (``lattice_strain``)."""
        extra: list[str] = []
        messages: list[str] = []
        if role == "adsorbate":
            from .io.tree import slab_owner

            candidates = self.by_catalyst.get(slab_owner(catalyst or "", self.by_catalyst), [])
            if not candidates:
                extra.append("no_slab")
                messages.append(f"{record.path}: no slab run for catalyst {catalyst!r}")
            else:
                flags, msgs = check_pair(candidates[0], record, species, values)
                extra += flags
                messages += msgs
        if role == "gas" and self.by_catalyst:
            # molecules legitimately differ in k-points, dipole and spin; not in the rest
            from .io.consistency import compare_settings

            reference = next(iter(self.by_catalyst.values()))[0]
            shared = ("functional", "ENCUT", "PREC", "IVDW", "LSOL", "potcars")
            for d in compare_settings(reference.settings, record.settings, keys=shared):
                extra.append(f"settings_mismatch:{d}")
                messages.append(f"{record.path}: {d} differs from the slab run {reference.path}")
        return extra, messages


def check_consistency(database, report: CollectReport | None = None, skip=frozenset()) -> None:
    """Compare every adsorbate row with its catalyst's slab row; store the flags on the rows.

    Rows written by :func:`collect` already carry these flags (``skip``: the run paths it has
    just written, checked and reported); this pass catches the rows whose slab run changed
    since they were written, and reports the flags of every other row.
    """
    updates = []
    seen = set(report.problems) if report is not None else set()
    rows = iter_rows(database)  # one row at a time: a large database is never all in memory
    if skip:
        # rows just written and checked are not decoded again: their ids first (keys only)
        with database:
            todo = [r.id for r in database.select(columns=["id", "key_value_pairs"], include_data=False)
                    if r.get("run_path") not in skip]
        if not todo:
            return
        rows = (database.get(id=i) for i in todo)
    slabs = SlabIndex.from_database(database)
    for row in rows:
        _check_stop()
        if row.get("run_path") in skip:
            continue
        role = row.get("role")
        read_flags = list(row.data.get("read_flags", []))
        record = None
        if role in ("adsorbate", "gas"):
            record = _row_record(row, with_atoms=role == "adsorbate")
        values: dict = {}
        extra, messages = slabs.flags(role, row.get("catalyst"), row.get("species"), record, values)
        flags = list(dict.fromkeys(read_flags + extra))
        text = ",".join(flags)
        ok = run_ok(role, row.get("e_dft"), row.data.get("frequencies"), flags)
        if text != row.get("flags", "") or ok != bool(row.get("ok")) or \
                any(row.get(k) != v for k, v in values.items()):
            old_keys = [k for k in row.key_value_pairs if k.startswith("flag_")]
            updates.append((row.id, text, ok, old_keys, {**flag_keys(flags), **values}))
        if report is not None:
            if flags:
                report.flagged[row.get("run_path")] = flags
            for m in messages:
                if m not in seen:
                    seen.add(m)
                    report.problems.append(m)
    if updates:
        with database:
            for row_id, text, ok, old_keys, new_keys in updates:
                stale = [k for k in old_keys if k not in new_keys]
                database.update(row_id, delete_keys=stale, flags=text, ok=ok, **new_keys)


def _row_energy(row) -> float | None:
    """Energy of an ase.db row: its calculator energy, else a PIF 'Total Energy' property."""
    energy = row.get("energy")
    if energy is not None:
        return float(energy)
    for prop in row.data.get("properties", []) if isinstance(row.data.get("properties"), list) else []:
        if isinstance(prop, dict) and prop.get("name") == "Total Energy" and prop.get("units", "eV") == "eV":
            scalars = prop.get("scalars") or []
            if scalars and isinstance(scalars[0], dict) and "value" in scalars[0]:
                return float(scalars[0]["value"])
    return None


def collect_ase_db(
    source: str | Path,
    db: str = "results.db",
    *,
    catalyst_key: str = "catalyst",
    species_key: str = "species",
    site_names: tuple[str, ...] = ("clean", "slab", "*", "star", "site"),
) -> CollectReport:
    """Import the rows of another ASE database (SQLite or JSON, PIF data included) as runs.

    Each row becomes a run ``source@id=N``; ``catalyst_key`` and ``species_key`` name the
    key-value pairs that say what it is (species ``clean``/``slab`` = the clean site).
    A Catalysis-Hub publication database is recognised by its reaction tables and imported
    structure by structure, each reaction checked (:mod:`chefe.io.cathub`).
    """
    from ase.db import connect

    from .io.store import open_existing

    source = Path(source)
    _refuse_reaction_table(source)
    _check_sqlite_source(source)
    open_existing(str(source))  # an ASE database (SQLite or JSON), or a one-line error
    with open(source, "rb") as handle:
        kind = "json" if handle.read(1) == b"{" else "db"
    if source.resolve() == Path(str(db)).resolve():
        raise InputError(f"{source}: the database to import is also the one to write; give another --db")
    check_database_folder(db)
    from .io.cathub import is_cathub_db
    from .io.writelock import WriterLock

    if kind == "db" and is_cathub_db(source):
        with WriterLock(db):
            return _import_cathub(source, connect_for_writing(db), db)
    src = connect(str(source), type=kind)
    with WriterLock(db):
        return _import_rows(src, source, connect_for_writing(db), db, catalyst_key, species_key, site_names)


def _check_sqlite_source(source: Path) -> None:
    """An SQLite file to import is checked read-only first: damaged, or not an ASE database (ASE
    would add its tables to it), it is refused with a one-line error and left untouched."""
    import sqlite3

    try:
        with open(source, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = con.execute("pragma quick_check").fetchone()
            tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise InputError(f"{source}: a damaged SQLite file ({exc}); nothing imported") from None
    if not check or check[0] != "ok":
        raise InputError(f"{source}: a damaged SQLite file (integrity check: {check[0] if check else 'no answer'}); "
                         "nothing imported")
    if "systems" not in tables:
        raise InputError(f"{source}: an SQLite file that is not an ASE database (tables: "
                         f"{', '.join(sorted(tables)) or 'none'}); give a database written by ASE, chefe or "
                         "Catalysis-Hub")


def _refuse_reaction_table(source: Path) -> None:
    """A Catalysis-Hub reaction table (CSV/TSV of reaction energies) is not a set of runs: say so."""
    try:
        with open(source, "rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace").splitlines()[:1]
    except OSError:
        return
    columns = {c.strip().strip('"').lower() for c in re.split(r"[,\t]", head[0])} if head else set()
    if {"reactants", "products"} <= columns and columns & {"reactionenergy", "reaction_energy"}:
        raise InputError(
            f"{source}: a table of reaction energies, each against its own gases, not runs: chefe needs "
            "every species' total energy. Give the publication's Catalysis-Hub database instead (the SQLite "
            "file with the reaction, reaction_system and systems tables, as `cathub folder2db` writes it); "
            "chefe.interop.import_cathub reads such a table's reaction energies in Python")


def _stored_digest(entry: dict) -> str:
    """The digest of a stored file entry (rows written before digests were named hold sha256)."""
    if entry.get("digest", "").split(":")[0] in ("blake3", "xxh3", "sha256"):
        return entry["digest"]
    return f"sha256:{entry['sha256']}" if entry.get("sha256") else ""


def _store_imported(database, batch, stored, report: CollectReport) -> CollectReport:
    """Write imported runs (slabs first, each adsorbate with its checks), then the closing pass."""
    checked: set[str] = set()
    if batch:
        batch.sort(key=lambda item: item[0].key.role != "slab")
        checked = _write(database, batch, stored, report, SlabIndex.from_database(database))
    check_consistency(database, report, skip=checked)
    return report


def _import_cathub(source: Path, database, db) -> CollectReport:
    from .io.cathub import cathub_records
    from .io.record import FileInfo

    index_row_ids(database)
    stored = existing_rows(database)
    report = CollectReport(str(source), str(db))
    info = FileInfo.of(source)
    records, found = cathub_records(source, info)
    # one publication per database: gases of two publications (two setups) cannot share the
    # references of one analysis
    ours = f"{source.resolve()}@"
    gases = {key.species for key, record in records if key.role == "gas"}
    for row in all_rows(database, role="gas"):
        path = str(row.get("run_path", ""))
        if row.get("species") in gases and not path.startswith(ours):
            raise InputError(f"{db}: already holds a gas run of {row.get('species')} from {path.split('@')[0]}; "
                             f"import {source.name} into a database of its own (each publication's gases "
                             "are its own references)")
    report.problems.extend(found.problems)
    report.notes.extend(found.notes)
    pub = found.publication
    if pub:
        report.notes.insert(0, f"Catalysis-Hub publication {pub.get('pub_id')}: {pub.get('title')}"
                            + (f" (doi:{pub['doi']})" if str(pub.get("doi") or "").strip("-") else "")
                            + f"; {found.n_reactions} reactions")
    batch = []
    for key, record in records:
        report.found += 1
        if record.path in stored and stored[record.path][1] and \
                _stored_digest(stored[record.path][1][0]) == info.digest:
            report.skipped += 1
            continue
        batch.append((Found(record.path, record.path, record.code, key), record))
    return _store_imported(database, batch, stored, report)


def _import_rows(src, source: Path, database, db, catalyst_key: str, species_key: str, site_names) -> CollectReport:
    from .io.record import FileInfo, RunRecord, with_flags
    from .io.tree import RunKey, _species_from_folder

    index_row_ids(database)
    stored = existing_rows(database)
    report = CollectReport(str(source), str(db))
    info = FileInfo.of(source)
    batch = []
    for row in src.select(include_data=True):
        report.found += 1
        path = f"{source}@id={row.id}"
        catalyst = str(row.get(catalyst_key, ""))
        raw = str(row.get(species_key, ""))
        species = "*" if raw in site_names else (_species_from_folder(raw) if raw else "")
        role = "slab" if species == "*" else ("adsorbate" if species else "unknown")
        if role == "unknown" or not catalyst:
            report.problems.append(f"{path}: no {catalyst_key!r}/{species_key!r} key-value pair")
        energy = _row_energy(row)
        atoms = row.toatoms() if row.natoms else None
        record = RunRecord(path, "ase", "ase-db", energy, energy_kind="ase.db energy",
                           atoms=atoms, flags=tuple(with_flags([], energy, None, None, None)),
                           files=(info,), settings={"source_key_value_pairs": dict(row.key_value_pairs)})
        found = Found(path, path, "ase", RunKey(catalyst, species, role))
        if path in stored and stored[path][1] and _stored_digest(stored[path][1][0]) == info.digest:
            report.skipped += 1
            continue
        batch.append((found, record))
    return _store_imported(database, batch, stored, report)
