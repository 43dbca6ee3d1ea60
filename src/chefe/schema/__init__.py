"""The one schema of every chefe input, as pydantic models (validated before anything runs).

* energies files, one model per kind (:data:`KIND_MODELS`, :func:`energies_model`);
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
from .energies import KIND_MODELS, EnergiesFile, energies_json_schema, energies_keys, energies_model, validate_energies
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
    "KIND_MODELS",
    "InputWarning",
    "ManifestFile",
    "NetworkFile",
    "candidate_columns",
    "energies_json_schema",
    "energies_keys",
    "energies_model",
    "energy_units",
    "json_schemas",
    "validate",
    "validate_catalogue",
    "validate_energies",
    "validate_entry",
    "yaml_key_lines",
]
