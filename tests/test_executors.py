"""Tasks on an existing executor: a local pool, Parsl and Dask give the same results; a task that
fails or whose worker dies is retried once, then reported, and the others complete."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chefe.errors import InputError
from chefe.executors import TaskFailure, open_executor, parse_spec, run_tasks

FILES = Path(__file__).parent / "files"


def square(x):
    return x * x


def fails_once(args):
    """Raises on the first attempt (no marker file yet), succeeds on the second."""
    x, marker = args
    if not os.path.exists(marker):
        Path(marker).write_text("tried")
        raise RuntimeError(f"first attempt at {x}")
    return x * x


def always_fails(x):
    raise ValueError(f"bad item {x}")


def dies_once(args):
    """Kills its worker process on the first attempt, as a node lost mid-task would."""
    x, marker = args
    if x == 3 and not os.path.exists(marker):
        Path(marker).write_text("died")
        os._exit(1)
    return x * x


def test_specs():
    assert parse_spec(None) == ("local", "") and parse_spec("local:3") == ("local", "3")
    assert parse_spec("dask:tcp://node1:8786") == ("dask", "tcp://node1:8786")
    assert parse_spec("parsl:cfg.py") == ("parsl", "cfg.py")
    for bad in ("slurm", "local:x", "dask:", "parsl"):
        with pytest.raises(InputError, match="local\\[:N\\], parsl:CONFIG.py or dask:ADDRESS"
                           if bad in ("slurm", "dask:", "parsl") else "local:N"):
            parse_spec(bad)


def test_local_pool_results_and_failures(tmp_path):
    with open_executor("local:2") as pool:
        got = dict(run_tasks(pool, square, range(6)))
        assert got == {x: x * x for x in range(6)}
        out = list(run_tasks(pool, always_fails, [7]))
        assert len(out) == 1 and isinstance(out[0][1], TaskFailure)
        assert out[0][1].attempts == 2 and "ValueError: bad item 7" in out[0][1].error
        items = [(x, str(tmp_path / f"m{x}")) for x in range(4)]
        assert sorted(r for _, r in run_tasks(pool, fails_once, items)) == [0, 1, 4, 9]


def test_dead_worker_retried_on_a_fresh_pool(tmp_path):
    import concurrent.futures as cf

    marker = str(tmp_path / "died")
    items = [(x, marker) for x in range(6)]
    results = dict(run_tasks(lambda: cf.ProcessPoolExecutor(max_workers=2), dies_once, items))
    assert Path(marker).exists()  # the worker did die once
    assert {k[0]: v for k, v in results.items()} == {x: x * x for x in range(6)}


def test_missing_parsl_config(tmp_path):
    pytest.importorskip("parsl")
    with pytest.raises(InputError, match="no such configuration file"):
        with open_executor(f"parsl:{tmp_path / 'none.py'}"):
            pass
    (tmp_path / "empty.py").write_text("x = 1\n")
    with pytest.raises(InputError, match="defines no `config`"):
        with open_executor(f"parsl:{tmp_path / 'empty.py'}"):
            pass


@pytest.mark.parametrize("spec", ["dask:local", f"parsl:{FILES / 'parsl' / 'local_threads.py'}"])
def test_parsl_and_dask_give_the_local_rows(spec, tmp_path, monkeypatch):
    import sys

    pytest.importorskip(spec.split(":")[0] if spec.startswith("parsl") else "distributed")
    # Parsl starts its interchange and workers as commands of the environment it is installed in
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    # and its workers import the task functions by module name: this file's package must be found
    root = str(Path(__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    with open_executor("local:2") as pool:
        expected = dict(run_tasks(pool, square, range(8)))
    monkeypatch.chdir(tmp_path)  # parsl writes its run directory into the working directory
    with open_executor(spec, workers=2) as pool:
        assert dict(run_tasks(pool, square, range(8))) == expected
        out = list(run_tasks(pool, always_fails, [5]))
        assert isinstance(out[0][1], TaskFailure) and out[0][1].attempts == 2
