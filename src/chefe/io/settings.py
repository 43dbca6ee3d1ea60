"""The settings that matter for energy differences, normalised so two runs can be compared.

Two runs whose energies are subtracted (slab and slab + adsorbate, or a reference molecule)
must share functional, cutoff, precision, spin treatment (ISPIN, non-collinear, spin-orbit),
DFT+U values per element, dispersion correction, dipole correction, implicit solvent, k-point
mesh and pseudopotentials; the cell and the electron count enter separately (see
:mod:`chefe.io.consistency`).
"""

from __future__ import annotations

import math
import re

#: Settings compared between runs whose energies are combined.
COMPARED = ("functional", "ENCUT", "PREC", "ISPIN", "LNONCOLLINEAR", "LSORBIT", "LASPH", "LDAU", "U", "IVDW",
            "LDIPOL", "IDIPOL", "LSOL", "ISMEAR", "SIGMA", "kpoints", "potcars")


def run_kind(nsw, ibrion) -> str:
    """``single point``, ``relaxation``, ``vibrations`` or ``MD`` from NSW and IBRION (VASP's
    defaults: NSW = 0; IBRION = -1 when NSW is 0, else 0)."""
    nsw = int(nsw) if nsw is not None else 0
    ibrion = int(ibrion) if ibrion is not None else (-1 if nsw == 0 else 0)
    if ibrion in (5, 6, 7, 8):
        return "vibrations"
    if nsw == 0 or ibrion == -1:
        return "single point"
    return "MD" if ibrion == 0 else "relaxation"


def _bool(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().upper().lstrip(".")
    if text.startswith("T"):
        return True
    if text.startswith("F"):
        return False
    return None


def _number(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:  # the common case: a plain number
        number = float(value)
        if math.isfinite(number):
            return number
    except ValueError:
        pass
    m = re.match(r"\s*([-+]?\d*\.?\d+(?:[eEdD][-+]?\d+)?)", str(value))
    return float(m.group(1).replace("D", "E").replace("d", "e")) if m else None


def _floats(value) -> list[float]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [float(x) for x in value]
    out = []
    for token in str(value).split():
        if "*" in token:
            n, v = token.split("*", 1)
            out.extend([float(v)] * int(n))
        else:
            try:
                out.append(float(token))
            except ValueError:
                pass
    return out


def _elements(potcars: list[str]) -> list[str]:
    out = []
    for title in potcars:
        parts = title.split()
        name = parts[1] if len(parts) > 1 else (parts[0] if parts else "?")
        out.append(re.split(r"[_.]", name)[0])
    return out


_PREC = {"a": "accurate", "n": "normal", "h": "high", "l": "low", "m": "medium", "s": "single"}


def vasp_settings(incar: dict, header: dict, potcars: list[str], kpoints: dict) -> dict:
    """Normalised VASP settings from INCAR (user intent, first), OUTCAR/vasprun parameters, POTCARs."""

    def get(key, default=None):
        if key in incar and str(incar[key]).strip() != "":
            return incar[key]
        if key in header and header[key] not in (None, ""):
            return header[key]
        return default

    gga = str(get("GGA", "--")).strip().upper()
    metagga = str(get("METAGGA", "F")).strip().upper()
    functional = f"GGA={gga}"
    if metagga not in ("F", ".FALSE.", "--", "NONE", ""):
        functional = f"METAGGA={metagga}"
    if _bool(get("LHFCALC", False)):
        functional += f"+HF(AEXX={_number(get('AEXX', 0.25))},HFSCREEN={_number(get('HFSCREEN', 0.0))})"
    if _bool(get("LUSE_VDW", False)):
        functional += "+vdW-DF"
    prec = str(get("PREC", "normal")).strip().lower()
    elements = _elements(potcars)
    ldau = _bool(get("LDAU", False)) or False
    u_values: dict[str, list[float]] = {}
    if ldau:
        ul, uu, uj = (_floats(get(t)) for t in ("LDAUL", "LDAUU", "LDAUJ"))
        for k, el in enumerate(elements):
            if k < len(uu):
                u_values[el] = [ul[k] if k < len(ul) else -1.0, uu[k], uj[k] if k < len(uj) else 0.0]
    mesh = kpoints.get("mesh") if kpoints else None
    if mesh is None and header.get("kmesh"):
        mesh = header["kmesh"]
    # every KPOINTS mode gives a comparable text: 'g4x4x1' / 'm4x4x1' (Gamma / Monkhorst-Pack),
    # an automatic length as the Gamma-centred mesh VASP generated from it (when the OUTCAR says)
    # or 'auto L=20', an explicit list as 'N explicit k-points'; the mesh alone when only the
    # OUTCAR/vasprun says it
    mode = str(kpoints.get("mode", "")).lower() if kpoints else ""
    if mode == "auto" and header.get("kmesh"):
        mesh, mode = header["kmesh"], "gamma"
    kp = ""
    if mode in ("gamma", "monkhorst", "g", "m") and mesh:
        kp = f"{mode[0]}{'x'.join(str(int(m)) for m in mesh)}"
    elif mode == "auto":
        kp = f"auto L={_number(kpoints.get('length'))}"
    elif mode == "explicit" and kpoints.get("n", -1) > 0:
        kp = f"{kpoints['n']} explicit k-points"
    elif mesh:
        kp = "x".join(str(int(m)) for m in mesh)
    elif header.get("NKPTS"):
        kp = f"{header['NKPTS']} k-points"
    return {
        "functional": functional,
        "ENCUT": _number(get("ENCUT")),
        "PREC": _PREC.get(prec[:1], prec),
        "ISPIN": int(_number(get("ISPIN", 1)) or 1),
        # spin-orbit coupling needs (and VASP switches on) the non-collinear treatment
        "LNONCOLLINEAR": bool(_bool(get("LNONCOLLINEAR", False)) or _bool(get("LSORBIT", False))),
        "LSORBIT": bool(_bool(get("LSORBIT", False))),
        "LDAU": ldau,
        "U": u_values,
        # LVDW = .TRUE. is VASP's old switch for DFT-D2, which VASP reads as IVDW = 1
        "IVDW": int(_number(get("IVDW", 1 if _bool(get("LVDW", False)) else 0)) or 0),
        "LDIPOL": bool(_bool(get("LDIPOL", False))),
        "IDIPOL": int(_number(get("IDIPOL", 0)) or 0),
        "LSOL": bool(_bool(get("LSOL", False))),
        "NELECT": _number(get("NELECT")),
        "kpoints": kp,
        "potcars": list(potcars),
        "ISMEAR": _number(get("ISMEAR")),
        "SIGMA": _number(get("SIGMA")),
        "NELM": _number(get("NELM")),
        "EDIFF": _number(get("EDIFF")),
        "EDIFFG": _number(get("EDIFFG")),
        "LASPH": bool(_bool(get("LASPH", False))),
        "NSW": _number(get("NSW")),
        "IBRION": _number(get("IBRION")),
        "ISIF": _number(get("ISIF")),
        "run": run_kind(_number(get("NSW")), _number(get("IBRION"))),
    }
