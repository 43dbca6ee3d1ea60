"""chefe: computational-hydrogen-electrode free energies for electrocatalysis.

The public API is re-exported here lazily (PEP 562), so ``import chefe`` and ``chefe --help``
stay fast; numpy, ASE and matplotlib load only when a function that needs them is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.2.0"

_EXPORTS = {
    "Conditions": "chefe.conditions",
    "Species": "chefe.species",
    "parse_species": "chefe.species",
    "canonical": "chefe.species",
    "Step": "chefe.reaction",
    "parse_step": "chefe.reaction",
    "Network": "chefe.network",
    "Route": "chefe.network",
    "load_network": "chefe.network",
    "shipped_networks": "chefe.network",
    "ReferenceLedger": "chefe.references",
    "ReferenceEntry": "chefe.references",
    "ThermoPolicy": "chefe.thermo",
    "ThermalCorrection": "chefe.thermo",
    "harmonic_correction": "chefe.thermo",
    "ideal_gas_correction": "chefe.thermo",
    "table_correction": "chefe.thermo",
    "hno3_cycle": "chefe.formation",
    "equilibrium_potential": "chefe.formation",
    "reaction_free_energy": "chefe.formation",
    "step_free_energies": "chefe.engine",
    "analyse": "chefe.engine",
    "limiting_potential": "chefe.engine",
    "CHEResult": "chefe.engine",
    "free_energy_profile": "chefe.profile",
    "Profile": "chefe.profile",
    "load_energies": "chefe.inputs",
    "energies_from_dict": "chefe.inputs",
    "EnergySet": "chefe.inputs",
    "energies_from_db": "chefe.dbinput",
    "fed_report": "chefe.report",
    "fed_plot_data": "chefe.plotting.data",
    "plot_fed": "chefe.plotting.fed",
    "ChefeError": "chefe.errors",
    "InputError": "chefe.errors",
    "BalanceError": "chefe.errors",
    "SpeciesError": "chefe.errors",
    "NetworkError": "chefe.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'chefe' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
