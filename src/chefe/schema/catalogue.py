"""The schema of a build catalogue (``chefe build --from catalysts.yaml``).

One entry per catalyst, ``{kind: sac, metal: Cu, coordination: N3, host: tube}``; the keys of
each kind are the arguments of its builder (:func:`chefe.build.sac`, ``dac``, ``gcn_dac``,
``slab``, ``surface_slab``, ``oxide_slab``), read from their signatures so that the schema and
the builders cannot disagree, plus ``sites``, ``adsorbates`` and ``modes`` for the reaction set.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, create_model

from ..errors import InputError
from .base import Strict, json_schema, suggest, validate

#: kind -> (module, builder, leading positional arguments and the key that holds them)
_KINDS = {
    "sac": ("carbon", "sac", 1, "metal"),
    "dac": ("carbon", "dac", 2, "metals"),
    "gcn_dac": ("gcn", "gcn_dac", 2, "metals"),
    "slab": ("slabs", "slab", 1, "metal"),
    "surface": ("slabs", "surface_slab", 1, "bulk"),
    "oxide": ("slabs", "oxide_slab", 1, "bulk"),
}
KINDS = tuple(_KINDS)


class _Entry(Strict):
    """What every catalogue entry may add: the sites, adsorbates and binding modes to build."""

    sites: list[str] | None = None
    adsorbates: list[str] | None = None
    modes: dict[str, str] | None = None


def builder(kind: str):
    """The builder function of a catalogue kind."""
    from importlib import import_module

    module, name, _, _ = _KINDS[kind]
    return getattr(import_module(f"chefe.build.{module}"), name)


def _sequence(annotation: Any, default: Any) -> Any:
    """Tuples in the builders' defaults are lists in YAML."""
    if isinstance(default, tuple):
        return list[Any]
    return annotation


@functools.cache
def entry_model(kind: str) -> type[Strict]:
    """The pydantic model of one catalogue entry of ``kind``, from its builder's signature."""
    _, _, n_positional, key = _KINDS[kind]
    params = list(inspect.signature(builder(kind), eval_str=True).parameters.values())
    fields: dict[str, Any] = {"kind": (Literal[kind], ...)}  # type: ignore[valid-type]
    if n_positional == 1:
        fields[key] = (params[0].annotation if params[0].annotation is not inspect.Parameter.empty else Any, ...)
    else:
        fields[key] = (Annotated[list[str], Field(min_length=2, max_length=2)], ...)
    for p in params[n_positional:]:
        annotation = Any if p.annotation is inspect.Parameter.empty else p.annotation
        annotation = _sequence(annotation, p.default)
        default = list(p.default) if isinstance(p.default, tuple) else p.default
        fields[p.name] = (annotation, None if default is inspect.Parameter.empty else default)
    return create_model(f"{kind.title().replace('_', '')}Catalyst", __base__=_Entry,
                        __doc__=f"``kind: {kind}``: the arguments of chefe.build.{_KINDS[kind][1]}",
                        **fields)


def _kind_of(value: Any) -> str | None:
    return value.get("kind") if isinstance(value, Mapping) else getattr(value, "kind", None)


def catalogue_entry_type():
    return Annotated[Union[tuple(Annotated[entry_model(k), Tag(k)] for k in KINDS)],
                     Discriminator(_kind_of)]


@functools.cache
def catalogue_model() -> type[Strict]:
    return create_model("CatalogueFile", __base__=Strict,
                        __doc__="A build catalogue: ``catalysts: [{kind: sac, metal: Cu, ...}, ...]``",
                        catalysts=(list[catalogue_entry_type()], ...))


def validate_entry(spec: Any, *, source: str = "catalyst", lines=None) -> Strict:
    """One catalogue entry validated; an unknown ``kind`` is an error with the closest kind."""
    if not isinstance(spec, Mapping):
        raise InputError(f"{source}: a catalyst is a mapping such as {{kind: sac, metal: Cu}}, got {spec!r}")
    kind = spec.get("kind")
    if kind not in _KINDS:
        text = "needs 'kind'" if kind is None else suggest(kind, list(KINDS)).replace("unknown key", "unknown kind")
        raise InputError(f"{source}: {text}" + ("" if kind is not None else f": one of {', '.join(KINDS)}"))
    return validate(entry_model(kind), dict(spec), source=source, lines=lines, what="catalyst")


def validate_catalogue(data: Any, *, source: str, lines=None) -> list[Strict]:
    """Every entry of a catalogue file (``catalysts: [...]`` or a bare list), validated."""
    items = data.get("catalysts") if isinstance(data, Mapping) else data
    if isinstance(data, Mapping) and set(data) - {"catalysts"}:
        extra = sorted(map(str, set(data) - {"catalysts"}))
        raise InputError(f"{source}: {suggest(extra[0], ['catalysts'])}")
    if not isinstance(items, list) or not items:
        raise InputError(f"{source}: expected a list of catalysts (or 'catalysts: [...]')")
    prefix = ("catalysts",) if isinstance(data, Mapping) else ()
    out = []
    for k, spec in enumerate(items):
        line = (lines or {}).get((*prefix, k))
        out.append(validate_entry(spec, source=f"{source}: catalyst #{k + 1}" + (f" (line {line})" if line else "")))
    return out


def catalogue_json_schema() -> dict[str, Any]:
    return json_schema(catalogue_model(), "chefe build catalogue")
