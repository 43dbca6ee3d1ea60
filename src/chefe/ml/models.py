"""The machine-learned potentials chefe offers by name, with licence, version and weights checksum.

Every model here ships its weights inside its PyPI package, so it runs offline on a CPU:

=============  =========  ============================================================
name           package    training data, reference
=============  =========  ============================================================
7net-0         sevenn     MPtrj (PBE/PBE+U); Park et al., J. Chem. Theory Comput. 20,
                          4857 (2024), doi:10.1021/acs.jctc.4c00190
7net-l3i5      sevenn     MPtrj, l_max = 3, 5 layers (about 3x slower than 7net-0)
7net-mf-0      sevenn     multi-fidelity PBE + r2SCAN, its PBE fidelity used; Kim et al.,
                          J. Am. Chem. Soc. 147, 1042 (2024), doi:10.1021/jacs.4c14455
chgnet         chgnet     CHGNet 0.3.0, MPtrj; Deng et al., Nat. Mach. Intell. (2023),
                          doi:10.1038/s42256-023-00716-3
=============  =========  ============================================================

The licence of each model is read from its installed package's metadata and stored on every row
(``sevenn`` 0.13: MIT; ``chgnet`` 0.4: modified BSD); MPtrj-trained models come with the
Materials Project terms of use for their training data. Models that their package downloads at
first use (7net-omat, 7net-mf-ompa, 7net-omni, MACE, ...) are refused by name: give the
checkpoint file instead (``sevenn:PATH.pth``), or pass any ASE calculator through the API.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import InputError

PIP_HINT = "pip install 'chefe[ml]'"


@dataclass(frozen=True)
class MLModel:
    """One offered potential: its package, the weights file inside it and how to load it."""

    name: str
    package: str
    weights: str  #: path of the weights file inside the installed package
    reference: str
    options: tuple[tuple[str, str], ...] = ()  #: keyword arguments of the calculator (modal=PBE)


MODELS: dict[str, MLModel] = {
    m.name: m for m in (
        MLModel("7net-0", "sevenn", "pretrained_potentials/SevenNet_0__11Jul2024/checkpoint_sevennet_0.pth", "Park et al., J. Chem. Theory Comput. 20, 4857 (2024)"),
        MLModel("7net-l3i5", "sevenn", "pretrained_potentials/SevenNet_l3i5/checkpoint_l3i5.pth", "Park et al., J. Chem. Theory Comput. 20, 4857 (2024)"),
        MLModel("7net-mf-0", "sevenn", "pretrained_potentials/SevenNet_MF_0/checkpoint_sevennet_mf_0.pth", "Kim et al., J. Am. Chem. Soc. 147, 1042 (2024), doi:10.1021/jacs.4c14455", (("modal", "PBE"),)),
        MLModel("chgnet", "chgnet", "pretrained/0.3.0/chgnet_0.3.0_e29f68s314m37.pth.tar", "Deng et al., Nat. Mach. Intell. (2023), doi:10.1038/s42256-023-00716-3"),
    )
}

@dataclass(frozen=True)
class CustomModel:
    """Any ASE calculator as a quick-look model: ``factory()`` returns the calculator (it runs in
    each worker, so it must be picklable for a process pool: a module-level function or a
    ``functools.partial``). ``weights`` (a file) is checksummed onto every row; ``package`` names
    the distribution whose version and licence are recorded."""

    name: str
    factory: object
    package: str = ""
    weights: str | None = None
    reference: str = ""


def model_name(model) -> str:
    """The name stored on every row: an offered model's name, or a CustomModel's."""
    return model.name if isinstance(model, CustomModel) else str(model)


#: names a package knows but downloads at first use: refused here, with what to do instead
DOWNLOADED = ("7net-omat", "7net-mf-ompa", "7net-omni", "7net-omni-i8", "7net-omni-i12", "mace", "mace-mp",
              "mattersim", "orb", "eqv2", "uma")

DEFAULT_MODEL = "7net-0"


def _package_dir(package: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"the ML quick look needs {package}, which is not installed: {PIP_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def _resolve(name: str) -> tuple[MLModel, Path]:
    """(model, weights file) of a model name or ``sevenn:PATH`` / ``chgnet:PATH``."""
    kind, sep, path = name.partition(":")
    if sep and kind in ("sevenn", "chgnet"):
        file = Path(path)
        if not file.is_file():
            raise InputError(f"model {name!r}: no checkpoint file {path}")
        model = MLModel(f"{kind}:{file.name}", kind, str(file), str(file))
        _package_dir(kind)
        return model, file
    if name not in MODELS:
        low = name.lower()
        if any(low.startswith(d) for d in DOWNLOADED):
            how = ("give its file as sevenn:PATH.pth" if low.startswith("7net") else
                   "use it from Python as chefe.ml.CustomModel(name, factory) around its ASE calculator")
            raise InputError(f"model {name!r} does not ship inside its package: the package downloads its "
                             f"weights at first use, which fails offline. Download the checkpoint where a "
                             f"network is available and {how}")
        import difflib

        close = difflib.get_close_matches(name, MODELS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"unknown ML model {name!r}{hint} Offered: {', '.join(MODELS)} (or sevenn:PATH.pth)")
    model = MODELS[name]
    file = _package_dir(model.package) / model.weights
    if not file.is_file():
        raise InputError(f"model {name!r}: {model.package} is installed without its weights {model.weights}; "
                         f"reinstall it ({PIP_HINT})")
    return model, file


@lru_cache(maxsize=None)
def _sha256(path: str, size: int, mtime: float) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_record(name=DEFAULT_MODEL) -> dict:
    """What every quick-look row carries about its model: name, package, package version, weights
    file, its SHA-256, licence and reference (``name``: an offered name or a CustomModel)."""
    from importlib.metadata import PackageNotFoundError, metadata, version

    if isinstance(name, CustomModel):
        rec = {"ml_model": name.name, "ml_package": name.package or "", "ml_version": "", "ml_weights": "",
               "ml_sha256": "", "ml_licence": "not stated", "ml_reference": name.reference}
        if name.package:
            try:
                rec.update(ml_version=version(name.package), ml_licence=_licence(metadata(name.package)))
            except PackageNotFoundError:
                raise InputError(f"model {name.name!r}: package {name.package!r} is not installed") from None
        if name.weights:
            file = Path(name.weights)
            if not file.is_file():
                raise InputError(f"model {name.name!r}: no weights file {file}")
            stat = file.stat()
            rec.update(ml_weights=file.name, ml_sha256=_sha256(str(file), stat.st_size, stat.st_mtime))
        return rec
    model, file = _resolve(name)
    stat = file.stat()
    return {"ml_model": model.name, "ml_package": model.package, "ml_version": version(model.package),
            "ml_weights": file.name, "ml_sha256": _sha256(str(file), stat.st_size, stat.st_mtime),
            "ml_licence": _licence(metadata(model.package)), "ml_reference": model.reference}


def _licence(meta) -> str:
    """The licence a package's metadata states (License-Expression, License, or its classifier)."""
    for key in ("License-Expression", "License"):
        text = (meta.get(key) or "").strip()
        if text and len(text) < 60:
            return text
    for c in meta.get_all("Classifier") or []:
        if c.startswith("License ::"):
            return c.split("::")[-1].strip()
    return "not stated by the package"


def set_threads(threads: int | None = None) -> int:
    """Limit torch (and the BLAS under it) to ``threads`` threads in this process (default 1:
    several workers each running many threads were measured 15x slower than one each)."""
    n = int(threads or 1)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    try:
        import torch
    except ImportError:
        return n
    torch.set_num_threads(n)
    return n


def device(choice: str | None = None) -> str:
    """``"cuda"`` when torch sees a GPU (or ``choice`` says so), else ``"cpu"``."""
    if choice:
        return choice
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


@lru_cache(maxsize=4)
def calculator(name: str = DEFAULT_MODEL, device_name: str | None = None):
    """An ASE calculator for model ``name`` (an offered name or a CustomModel; loaded once per
    process)."""
    import contextlib
    import io
    import warnings

    if isinstance(name, CustomModel):
        return name.factory()
    model, file = _resolve(name)
    dev = device(device_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model.package == "sevenn":
            from sevenn.calculator import SevenNetCalculator

            return SevenNetCalculator(str(file), device=dev, **dict(model.options))
        from chgnet.model import CHGNet, CHGNetCalculator

        with contextlib.redirect_stdout(io.StringIO()):  # CHGNet prints its version and device
            net = CHGNet.from_file(str(file), verbose=False) if ":" in model.name else CHGNet.load(
                model_name="0.3.0", verbose=False, use_device=dev)
            return CHGNetCalculator(net, use_device=dev, on_isolated_atoms="ignore")


#: the stored measurement of every offered model against DFT (benchmarks/bench_ml.py --write)
ERROR_TABLE = "ml_adsorption_errors.json"


def model_error(name: str) -> dict | None:
    """The model's measured error on real DFT adsorption energies, from the shipped table (MAE,
    RMSE, largest error in eV after the constant offset is removed; ``kind`` says whether the
    models' own relaxations or single points at the DFT geometries were compared), or None for a
    model the table does not cover (a checkpoint given as a file)."""
    import json

    from ..refdata import refs_dir

    path = refs_dir() / ERROR_TABLE
    if not path.is_file():
        return None
    table = json.loads(path.read_text())
    entry = table["models"].get(name)
    if entry is None:
        return None
    kind = "relaxed" if "relaxed" in entry else "single_point"
    return {**entry[kind], "kind": kind, "ml_version": entry.get("ml_version"), "source": table["source"],
            "what": "N adsorption energies of single-atom alloys"}


def error_text(name: str, short: bool = False) -> str:
    """One line for figures and tables: the model's MAE against DFT and on what, or that none is
    measured (``short``: a figure-title length version)."""
    err = model_error(name)
    if err is None:
        return f"{name}: no error against DFT measured by chefe (not in {ERROR_TABLE})"
    if short:
        return (f"{name} vs DFT: MAE {err['mae']:.2f} eV on {err['n']} N adsorption energies "
                f"(single-atom alloys, Kavalsky et al. 2023)")
    how = "ML-relaxed" if err["kind"] == "relaxed" else "single points at DFT geometries"
    return (f"{name} error vs DFT: MAE {err['mae']:.2f} eV (largest {err['max']:.2f} eV) on {err['n']} "
            f"{err['what']}, GPAW BEEF-vdW (Kavalsky et al. 2023), {how}, offset removed")
