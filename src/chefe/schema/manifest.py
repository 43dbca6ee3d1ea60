"""The schema of a collect manifest: rules ``pattern -> catalyst, species, role``.

A pattern's ``*`` matches one folder and ``**`` several; ``{1}``, ``{2}``... in the values
refer to the matched parts, so a rule using ``{2}`` needs at least two wildcards (checked
before any folder is read).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .base import Strict, json_schema

ROLES = ("slab", "adsorbate", "gas", "vibrations", "bulk", "unknown")


def wildcards(pattern: str) -> int:
    """Number of ``*``/``**`` groups in a manifest pattern."""
    return len(re.findall(r"\*\*|\*", pattern))


class ManifestRule(Strict):
    """``{pattern: "SAC/*/ads/*", catalyst: "{1}", species: "{2}", role: adsorbate}``."""

    pattern: Annotated[str, Field(min_length=1)]
    catalyst: str = ""
    species: str = ""
    role: Literal[ROLES] = "adsorbate"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _groups_exist(self) -> ManifestRule:
        n = wildcards(self.pattern)
        for key in ("catalyst", "species"):
            for ref in re.findall(r"\{(\d+)\}", getattr(self, key)):
                if not 1 <= int(ref) <= n:
                    raise ValueError(
                        f"{key} {getattr(self, key)!r} refers to {{{ref}}} but the pattern "
                        f"{self.pattern!r} has {n} wildcard(s) ('*' one folder, '**' several)"
                        + ("; groups count from {1}" if ref == "0" else ""))
        return self


class ManifestFile(Strict):
    """A manifest: ``runs: [rule, ...]``; the first matching rule wins."""

    runs: Annotated[list[ManifestRule], Field(min_length=1)]


def manifest_json_schema() -> dict[str, Any]:
    return json_schema(ManifestFile, "chefe collect manifest")
