"""Run independent tasks (relaxations, batches of run folders) on an existing executor.

chefe schedules nothing itself: every task goes to a :class:`concurrent.futures.Executor`, which
is a local process pool by default, a Parsl ``ParslPoolExecutor`` built from a Parsl
configuration file (a HighThroughputExecutor with a SLURM provider on a cluster, say), or a Dask
``Client.get_executor()``. Results come back to the calling process, one at a time, so a single
writer stores them; a task that fails (its worker died, or it raised) is submitted once more and
then reported.

Executor specifications, as on the command line::

    local            a process pool with one worker per CPU core
    local:4          a process pool of 4 workers
    parsl:CONFIG.py  the Parsl Config named ``config`` in CONFIG.py
    dask:ADDRESS     the Dask scheduler at ADDRESS (tcp://host:8786)
    dask:local       a Dask LocalCluster on this machine
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

SPEC_HELP = "local[:N], parsl:CONFIG.py or dask:ADDRESS (dask:local for a LocalCluster)"


@dataclass(frozen=True)
class TaskFailure:
    """A task that failed twice: its item, the error of the last attempt and how many were made."""

    item: object
    error: str
    attempts: int


def parse_spec(spec: str | None) -> tuple[str, str]:
    """``(kind, argument)`` of an executor specification; see the module docstring."""
    if spec is None or spec == "" or spec == "local":
        return "local", ""
    kind, sep, arg = spec.partition(":")
    if kind == "local" and sep:
        if not arg.isdigit() or int(arg) < 1:
            raise InputError(f"executor {spec!r}: local:N takes a number of workers (local:4)")
        return "local", arg
    if kind in ("parsl", "dask") and arg:
        return kind, arg
    raise InputError(f"executor {spec!r} is not one chefe knows; write {SPEC_HELP}")


def _missing(package: str, extra: str) -> InputError:
    return InputError(f"the {package} executor needs {package}: pip install 'chefe[{extra}]' (or pip install {package})")


@contextlib.contextmanager
def open_executor(spec: str | None = None, *, workers: int | None = None,
                  initializer: Callable | None = None) -> Iterator[cf.Executor]:
    """An executor for ``spec``, shut down on exit. ``workers`` sizes a local pool when the spec
    does not; ``initializer`` runs once in every local worker (to set thread counts, say)."""
    kind, arg = parse_spec(spec)
    if kind == "local":
        n = int(arg) if arg else (workers or os.cpu_count() or 1)
        pool = cf.ProcessPoolExecutor(max_workers=n, initializer=initializer)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if kind == "parsl":
        try:
            from parsl.concurrent import ParslPoolExecutor
        except ImportError:
            raise _missing("parsl", "cluster") from None
        config = _parsl_config(Path(arg))
        pool = ParslPoolExecutor(config)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise _missing("dask", "cluster") from None
    with contextlib.ExitStack() as stack:
        if arg == "local":
            cluster = stack.enter_context(LocalCluster(n_workers=workers or 2, threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(arg, timeout=30))
            except OSError as error:
                raise InputError(f"executor dask:{arg}: cannot reach the Dask scheduler ({error})") from None
        yield client.get_executor(pure=False)


def _parsl_config(path: Path):
    """The ``config`` object of a Parsl configuration file."""
    import runpy

    if not path.is_file():
        raise InputError(f"executor parsl:{path}: no such configuration file")
    try:
        namespace = runpy.run_path(str(path))
    except Exception as error:  # the user's file: say which and why
        raise InputError(f"executor parsl:{path}: the configuration file fails: {type(error).__name__}: {error}") from None
    config = namespace.get("config")
    if config is None:
        raise InputError(f"executor parsl:{path}: the file defines no `config` (write config = Config(executors=[...]))")
    return config


def run_tasks(executor: cf.Executor | Callable[[], cf.Executor], function: Callable, items: Iterable, *,
              retries: int = 1) -> Iterator[tuple[object, object | TaskFailure]]:
    """Yield ``(item, function(item))`` as tasks finish, in the calling process (the single writer).

    A task that raises, or whose worker dies, is submitted again up to ``retries`` times and then
    yielded as ``(item, TaskFailure)``; the other tasks go on. ``executor`` may be a callable that
    opens a fresh executor: a local pool broken by a dead worker is then replaced for the retries.
    """
    factory = executor if callable(executor) and not isinstance(executor, cf.Executor) else None
    pool = factory() if factory else executor
    attempts: dict[int, int] = {}
    pending: dict[cf.Future, tuple[int, object]] = {}
    items = list(items)

    def submit(k):
        attempts[k] = attempts.get(k, 0) + 1
        pending[pool.submit(function, items[k])] = (k, items[k])

    try:
        for k in range(len(items)):
            submit(k)
        while pending:
            done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            broken = False
            again = []
            for future in done:
                k, item = pending.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # the task's own failure or a lost worker
                    broken = broken or isinstance(error, cf.process.BrokenProcessPool)
                    if attempts[k] <= retries:
                        again.append(k)
                    else:
                        yield item, TaskFailure(item, f"{type(error).__name__}: {error}", attempts[k])
                    continue
                yield item, result
            if broken and factory:
                # a dead worker breaks the whole local pool: every pending task is lost with it
                for future, (k, _) in list(pending.items()):
                    pending.pop(future)
                    attempts[k] -= 1
                    again.append(k)
                pool.shutdown(wait=False, cancel_futures=True)
                pool = factory()
            for k in again:
                submit(k)
    finally:
        if factory:
            pool.shutdown(wait=True, cancel_futures=True)
