"""The schema of a reaction-network file (``chefe networks``, ``network: my_network.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, field_validator

from .base import Strict, json_schema


class NetworkStep(Strict):
    """One elementary step: ``{id: NO_NOH, eq: "*NO + H+ + e- -> *NOH"}``."""

    id: Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
    eq: str
    label: str | None = None


class NetworkFile(Strict):
    """A reaction network: balanced steps, overall reactions per product, number of sites."""

    name: Annotated[str, Field(min_length=1)]
    title: str | None = None
    description: str | None = None
    sources: str | list[str] = Field(default_factory=list)
    sites: Annotated[int, Field(ge=1, le=8)] | Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]], Field(min_length=1, max_length=8)] = Field(
        1, description="number of sites, or their names ([M1, M2]) when steps name the site of each "
        "species (*NO3@M1)")
    target: str | None = None
    products: Annotated[dict[str, str], Field(min_length=1)]
    steps: Annotated[list[NetworkStep], Field(min_length=1)]

    @field_validator("products", mode="before")
    @classmethod
    def _product_names(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for name in value:
                if isinstance(name, bool) or name is None:
                    raise ValueError(f"product key {name!r} was read by YAML as a boolean or null; quote "
                                     "product names such as 'NO', 'N2O' or 'ON'")
        return value


def network_json_schema() -> dict[str, Any]:
    return json_schema(NetworkFile, "chefe reaction network")
