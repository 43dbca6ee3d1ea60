"""Damaged copies of real DFT outputs: every reader gives the undamaged energy or a flag.

Hypothesis draws a real output file from tests/files and one damage of the kinds met on HPC
file systems and in data releases: a cut at any byte, a flipped byte, a deleted or duplicated
line, a number replaced by NaN/inf/``********``/``1e999``, a letter inside a number, a binary
block, a NUL tail, UTF-16 encoding, a broken gzip stream. For each, the reader must not raise,
and its energy is either the undamaged file's final energy or the record carries a flag the
undamaged file does not have.

Two damages no parser can see without more redundancy than the file holds are exempt from the
energy check (they are still read without an exception): a digit rewritten into another digit
(the result is another valid number), and an OSZICAR cut exactly at the end of an ionic-step
line (the result is a valid, shorter OSZICAR).

CI runs the ``ci`` profile (bounded examples); a larger budget::

    pytest tests/test_damaged_outputs.py --hypothesis-profile=deep
"""

from __future__ import annotations

import gzip
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chefe.io.espresso import read_pw
from chefe.io.gpaw import read_gpaw_text
from chefe.io.vasp import read_oszicar, read_outcar, read_vasprun

FILES = Path(__file__).parent / "files"

# (file, reader, name the reader expects, files copied beside it undamaged)
SOURCES = [
    ("vasp/Fe2O2_relax/OUTCAR.gz", read_outcar, "OUTCAR", ("OSZICAR", "INCAR", "KPOINTS")),
    ("vasp/Fe2O2_relax/vasprun.xml.gz", read_vasprun, "vasprun.xml", ("INCAR",)),
    ("vasp/Fe2O2_relax/OSZICAR", read_oszicar, "OSZICAR", ("CONTCAR", "INCAR", "KPOINTS")),
    ("vasp/misc/custodian_OUTCAR_vasp6.2.1_CO_molecule_singlepoint", read_outcar, "OUTCAR", ()),
    ("qe/pw_relax_success.out", read_pw, "pw.out", ()),
    ("qe/pw_RuO2_bulk_hubbardU_ase_espresso.pwo", read_pw, "pw.pwo", ()),
    ("gpaw/h2_relax_gpaw26.txt", read_gpaw_text, "gpaw.txt", ()),
]

_NUMBER = re.compile(rb"-?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?")
_BAD_NUMBERS = [b"NaN", b"nan", b"inf", b"-Infinity", b"********", b"1e999", b"-1e999", b"-1.0E+30"]


def _plain(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _read(source, data: bytes):
    rel, reader, name, beside = source
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for other in beside:
            shutil.copy(FILES / rel.rsplit("/", 1)[0] / other, folder / other)
        path = folder / name
        path.write_bytes(data)
        return reader(path)


CLEAN = {}


def _clean(source):
    if source[0] not in CLEAN:
        record = _read(source, _plain(FILES / source[0]))
        assert record.energy is not None and not record.flags, (source[0], record.flags)
        CLEAN[source[0]] = record
    return CLEAN[source[0]]


@st.composite
def damaged(draw):
    """``(source, damaged bytes, kind, exempt)``: one damage of one real file."""
    source = draw(st.sampled_from(SOURCES))
    data = _plain(FILES / source[0])
    lines = data.splitlines(keepends=True)
    kind = draw(st.sampled_from(["cut", "flip", "delete_line", "duplicate_line", "bad_number",
                                 "letter_in_number", "binary_block", "nul_tail", "utf16", "broken_gzip",
                                 "cut_near_end", "flip_near_end"]))
    exempt = False
    near = max(0, len(data) - 4000)  # the final records sit at the end: damage them often
    if kind in ("cut", "cut_near_end"):
        at = draw(st.integers(near if kind == "cut_near_end" else 0, len(data) - 1))
        out = data[:at]
        # a cut right after an ionic-step line leaves a valid, shorter OSZICAR
        exempt = source[2] == "OSZICAR" and out.endswith(b"\n") and re.search(rb"F=[^\n]*\n\Z", out) is not None
    elif kind in ("flip", "flip_near_end"):
        at = draw(st.integers(near if kind == "flip_near_end" else 0, len(data) - 1))
        new = draw(st.integers(0, 255).filter(lambda b: b != data[at]))
        out = data[:at] + bytes([new]) + data[at + 1:]
        exempt = chr(data[at]).isdigit() and chr(new).isdigit()
    elif kind in ("delete_line", "duplicate_line"):
        i = draw(st.integers(max(0, len(lines) - 80), len(lines) - 1) | st.integers(0, len(lines) - 1))
        out = b"".join(lines[:i] + ([] if kind == "delete_line" else [lines[i], lines[i]]) + lines[i + 1:])
    elif kind in ("bad_number", "letter_in_number"):
        numbers = list(_NUMBER.finditer(data, near))
        m = numbers[draw(st.integers(0, len(numbers) - 1))]
        if kind == "bad_number":
            token = draw(st.sampled_from(_BAD_NUMBERS))
        else:
            cut = draw(st.integers(1, max(1, len(m.group()) - 1)))
            token = m.group()[:cut] + draw(st.sampled_from([b"x", b"q", b"#", b"?"])) + m.group()[cut:]
        out = data[:m.start()] + token + data[m.end():]
    elif kind == "binary_block":
        at = draw(st.integers(near, len(data)))
        out = data[:at] + draw(st.binary(min_size=8, max_size=200)) + data[at:]
    elif kind == "nul_tail":
        at = draw(st.integers(near, len(data)))
        out = data[:at] + b"\x00" * draw(st.integers(1, 4096))
    elif kind == "utf16":
        out = data.decode("latin-1").encode("utf-16")
    else:  # broken gzip: the stream cut short
        packed = gzip.compress(data)
        out = packed[: draw(st.integers(10, len(packed) - 1))]
    return Case(source, out, kind, exempt)


class Case:
    """One damaged file (its repr stays short in hypothesis reports)."""

    def __init__(self, source, data: bytes, kind: str, exempt: bool):
        self.source, self.data, self.kind, self.exempt = source, data, kind, exempt

    def __repr__(self) -> str:
        return f"Case({self.source[0]!r}, {self.kind!r}, {len(self.data)} bytes, exempt={self.exempt})"


DAMAGE_FLAGS = {"unreadable", "empty", "truncated", "unfinished", "no_energy", "final_step_unreadable",
                "final_structure_unreadable", "bad_number", "inconsistent"}


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(damaged())
def test_a_damaged_output_gives_its_energy_or_a_flag(case):
    source, data, kind, exempt = case.source, case.data, case.kind, case.exempt
    clean = _clean(source)
    try:
        record = _read(source, data)
    except Exception as exc:  # noqa: BLE001 - the property: nothing escapes a reader
        pytest.fail(f"{source[0]} ({kind}): {type(exc).__name__}: {exc}")
    if exempt:
        return
    if record.energy is not None and abs(record.energy - clean.energy) <= 1e-6:
        return
    assert set(record.flags) & DAMAGE_FLAGS, (
        f"{source[0]} ({kind}): energy {record.energy} instead of {clean.energy} with flags {record.flags}")


def test_whole_numbers_only():
    """The issue's cases by hand: a letter inside the final energy, a cut inside E0=, NaN and
    -1e999 in vasprun, a NaN e_fr_energy."""
    outcar = ("vasp/Fe2O2_relax/OUTCAR.gz", read_outcar, "OUTCAR", ("INCAR",))
    text = _plain(FILES / outcar[0])
    last = text.rfind(b"energy(sigma->0) =")
    line_end = text.index(b"\n", last)
    value = text[last + len(b"energy(sigma->0) ="): line_end]
    damaged = text[:last] + b"energy(sigma->0) =" + value.replace(b"8.2", b"8.2x", 1) + text[line_end:]
    record = _read(outcar, damaged)
    assert "final_step_unreadable" in record.flags
    assert record.energy is None or abs(record.energy - _clean(SOURCES[0]).energy) > 1e-6
    assert any("kept the energy of the step before it (ionic step 27)" in m for m in record.messages), record.messages

    oszicar = SOURCES[2]
    text = _plain(FILES / oszicar[0])
    cut = text.rfind(b"E0= -.28") + len(b"E0= -.28")
    record = _read(oszicar, text[:cut])
    assert record.energy == pytest.approx(-28.218235)  # step 27, not -0.28
    assert {"final_step_unreadable", "truncated"} <= set(record.flags)

    vasprun = SOURCES[1]
    text = _plain(FILES / vasprun[0])
    i = text.rfind(b'<i name="e_fr_energy">')
    j = text.index(b"</i>", i)
    for bad in (b"NaN", b"-1e999", b"********"):
        record = _read(vasprun, text[:i] + b'<i name="e_fr_energy">' + bad + text[j:])
        assert record.energy is None and "bad_number" in record.flags, (bad, record)


def test_vasp5_entropy_term_is_never_the_energy():
    """VASP 5 prints the entropy term as the <energy> block's e_0_energy: with the last
    electronic step unreadable, that number (-0.0000 eV here) must not become the run's energy."""
    vasprun = SOURCES[1]
    text = _plain(FILES / vasprun[0])
    last = text.rfind(b"<scstep>")
    inner = text.find(b"<energy>", last)
    inner_end = text.find(b"</energy>", inner) + len(b"</energy>")
    record = _read(vasprun, text[:inner] + text[inner_end:])
    assert record.energy is None and "final_step_unreadable" in record.flags, record
    assert any("entropy term" in m for m in record.messages)


def test_restarted_pw_run_appended_to_its_output(tmp_path):
    first = (FILES / "qe" / "pw_relax_failed_not_converged_nstep.out").read_bytes()
    second = (FILES / "qe" / "pw_relax_success.out").read_bytes()
    expected = read_pw(FILES / "qe" / "pw_relax_success.out").energy
    path = tmp_path / "pw.out"
    path.write_bytes(first + second)
    record = read_pw(path)
    assert record.energy == pytest.approx(expected, abs=1e-9) and not record.flags, record
    assert any("2 pw.x runs appended" in m for m in record.messages)
    # the restart has not reached its first energy yet: not the first run's energy
    path.write_bytes(first + second[: second.index(b"!    total energy")])
    record = read_pw(path)
    assert record.energy is None and {"no_energy", "unfinished"} <= set(record.flags)


def test_empty_binary_and_utf16_outputs_are_reported_not_dropped(tmp_path):
    from chefe.io.tree import find_runs

    clean = (FILES / "qe" / "pw_relax_success.out").read_bytes()
    (tmp_path / "Cu").mkdir()
    (tmp_path / "Cu" / "empty.out").write_bytes(b"")
    (tmp_path / "Cu" / "binary.out").write_bytes(b"\x00\x17\xff" * 300)
    (tmp_path / "Cu" / "windows.out").write_bytes(clean.decode("latin-1").encode("utf-16"))
    (tmp_path / "Cu" / "nul_tail.pwo").write_bytes(clean[:20000] + b"\x00" * 5000)
    found, problems = find_runs(tmp_path)
    assert sorted(Path(f.path).name for f in found) == ["nul_tail.pwo", "windows.out"]
    assert any("empty.out: empty file" in p for p in problems), problems
    assert any("binary.out: binary content" in p for p in problems), problems
    utf16 = read_pw(tmp_path / "Cu" / "windows.out")
    assert utf16.energy == pytest.approx(read_pw(FILES / "qe" / "pw_relax_success.out").energy)
    assert any("UTF-16" in m for m in utf16.messages)
    assert "truncated" in read_pw(tmp_path / "Cu" / "nul_tail.pwo").flags
