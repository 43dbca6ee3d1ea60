"""The one schema of every chefe input, as pydantic models (validated before anything runs).

* energies files (:class:`EnergiesFile`, :func:`validate_energies`);
* reaction networks (:class:`NetworkFile`);
* collect manifests (:class:`ManifestFile`);
* build catalogues (:func:`validate_catalogue`, keys from the builders' signatures);
* candidate tables' headers (:func:`candidate_columns`).

Every unknown key is an error naming the file, the line and the key path, with the closest
allowed key. :func:`json_schemas` exports each kind as JSON Schema (``chefe schema KIND``).
"""

from __future__ import annotations

from .base import ENERGY_UNITS, InputWarning, energy_units, validate, yaml_key_lines
from .candidates import CandidateColumns, candidate_columns
from .catalogue import catalogue_json_schema, validate_catalogue, validate_entry
from .energies import EnergiesFile, energies_json_schema, validate_energies
from .manifest import ManifestFile, manifest_json_schema
from .network import NetworkFile, network_json_schema


def json_schemas() -> dict[str, dict]:
    """JSON Schema of each input kind, by the name ``chefe schema`` takes."""
    return {"energies": energies_json_schema(), "network": network_json_schema(),
            "manifest": manifest_json_schema(), "catalogue": catalogue_json_schema()}


__all__ = [
    "ENERGY_UNITS",
    "CandidateColumns",
    "EnergiesFile",
    "InputWarning",
    "ManifestFile",
    "NetworkFile",
    "candidate_columns",
    "energies_json_schema",
    "energy_units",
    "json_schemas",
    "validate",
    "validate_catalogue",
    "validate_energies",
    "validate_entry",
    "yaml_key_lines",
]
