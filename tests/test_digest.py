"""Provenance digests of collected files, and gzipped outputs decompressed once."""

from __future__ import annotations

import hashlib
import shutil

import pytest


@pytest.fixture()
def tree(tmp_path, files_dir):
    root = tmp_path / "runs"
    shutil.copytree(files_dir / "vasp" / "Fe2O2_relax", root / "FeO" / "slab")
    (root / "FeO" / "slab" / "OUTCAR.gz").unlink()  # the vasprun.xml.gz is the run's output
    return root


@pytest.mark.parametrize("digest", ["blake3", "xxh3", "sha256", "none"])
def test_each_row_says_which_digest_it_holds(tree, tmp_path, digest):
    from ase.db import connect

    from chefe.collect import collect

    db = tmp_path / f"{digest}.db"
    collect(tree, str(db), workers=1, progress=False, digest=digest)
    row = connect(str(db)).get(species="*")
    assert row.digest == digest
    entry = next(f for f in row.data["files"] if f["path"].endswith("vasprun.xml.gz"))
    raw = (tree / "FeO" / "slab" / "vasprun.xml.gz").read_bytes()  # the file as stored, compressed
    if digest == "blake3":
        from blake3 import blake3  # the reference implementation's bindings, called directly

        assert entry["digest"] == "blake3:" + blake3(raw).hexdigest()
    elif digest == "xxh3":
        import xxhash

        assert entry["digest"] == "xxh3:" + xxhash.xxh3_128(raw).hexdigest()
    elif digest == "sha256":
        assert entry["digest"] == "sha256:" + hashlib.sha256(raw).hexdigest() and entry["sha256"]
    else:
        assert entry["digest"].startswith("none") and entry["size"] == len(raw)


def test_unknown_digest_is_refused(tree, tmp_path):
    from chefe.collect import collect
    from chefe.errors import InputError

    with pytest.raises(InputError, match="choose one of blake3, xxh3, sha256, none"):
        collect(tree, str(tmp_path / "x.db"), workers=1, progress=False, digest="md5")


def test_xxh3_is_xxh128_of_the_reference_vector(tmp_path):
    from chefe.io.record import file_digest

    # XXH3-128 of no bytes, as `xxh128sum` of an empty file prints it (xxHash's own test vector)
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert file_digest(empty, "xxh3") == "xxh3:99aa06d3014798d86001c324468d497f"


@pytest.mark.parametrize("name", ["vasprun.xml.gz", "OUTCAR.gz"])
def test_a_gzipped_output_is_decompressed_once(files_dir, monkeypatch, name):
    import gzip
    import zlib

    import chefe.io.tail as tail
    from chefe.io.vasp import read_outcar, read_vasprun

    calls = []
    real = tail.gunzip

    def counted(raw, where=""):
        calls.append(where)
        return real(raw, where)

    def refuse(*args, **kwargs):
        raise AssertionError("a second decompression")

    import chefe.io.vasp as vasp

    monkeypatch.setattr(tail, "gunzip", counted)
    monkeypatch.setattr(vasp, "gunzip", counted)
    monkeypatch.setattr(gzip, "open", refuse)
    path = files_dir / "vasp" / "Fe2O2_relax" / name
    record = (read_vasprun if name.startswith("vasprun") else read_outcar)(path)
    assert record.energy == pytest.approx(-28.218515, abs=1e-6)
    assert len(calls) == 1, calls
    # and what it decompressed is the file's content (zlib itself, independent of isal)
    assert len(real(path.read_bytes())) == len(zlib.decompress(path.read_bytes(), 31))


def test_truncated_gzip_is_reported_not_raised(tmp_path, files_dir):
    from chefe.io.vasp import read_vasprun

    raw = (files_dir / "vasp" / "Fe2O2_relax" / "vasprun.xml.gz").read_bytes()
    cut = tmp_path / "vasprun.xml.gz"
    cut.write_bytes(raw[: len(raw) // 2])
    record = read_vasprun(cut)
    assert "unreadable" in record.flags and any("ended before the end-of-stream" in m for m in record.messages)


def test_a_file_that_grew_while_read_is_read_again(tmp_path):
    """A job still appending: the row records the bytes read, so the next collect sees a change."""
    from chefe.io.record import FileInfo
    from chefe.io.store import unchanged

    path = tmp_path / "vasprun.xml"
    path.write_bytes(b"<modeling>" + b"x" * 100)
    read = path.read_bytes()
    with open(path, "ab") as handle:
        handle.write(b"y" * 50)  # the job goes on writing after the reader took its bytes
    info = FileInfo.of(path, "blake3", data=read)
    assert info.size == len(read) and not unchanged([info.to_dict()])
    from blake3 import blake3

    assert info.digest == "blake3:" + blake3(read).hexdigest()
