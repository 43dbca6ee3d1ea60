"""What every input schema shares: strict blocks, "did you mean" messages, file and line.

Every block of every input file derives from :class:`Strict`: an unknown key is an error with
the closest allowed key, and :func:`validate` turns pydantic's errors into one
:class:`~chefe.errors.InputError` naming the file, the line and the key path of each problem.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, Tag, ValidationError, model_validator

from ..errors import InputError


class InputWarning(UserWarning):
    """A value is allowed but unusual (pH outside 0–14)."""


Number = Annotated[float, Field(allow_inf_nan=False)]

def energy_units() -> dict[str, float]:
    """eV per unit of each energy unit an input may be written in (through :mod:`ase.units`)."""
    from ase import units

    return {"eV": 1.0, "kJ/mol": units.kJ / units.mol, "kcal/mol": units.kcal / units.mol,
            "Hartree": units.Hartree}


#: the energy units an input may name (``units:``, ``--units``)
ENERGY_UNITS = ("eV", "kJ/mol", "kcal/mol", "Hartree")

#: accepted spellings of a key (documented in the README): alias -> key
ALIASES = {"ZPE": "zpe", "TS": "ts", "Cp": "cp", "CP": "cp"}


class Strict(BaseModel):
    """Base of every block: unknown keys are errors with the closest allowed key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out = {}
        for key, value in data.items():
            name = ALIASES.get(key, key) if isinstance(key, str) and ALIASES.get(key) in cls.model_fields else key
            if name in out:
                raise ValueError(f"{name!r} is given twice (as {key!r} too)")
            out[name] = value
        return out


def suggest(key: Any, allowed: list[str]) -> str:
    """``unknown key 'lable': did you mean 'label'? allowed here: ...``."""
    text = str(key)
    close = difflib.get_close_matches(text, allowed, n=1, cutoff=0.6) or [
        a for a in allowed if a.lower() in (text.lower(), text.lower().rstrip("s"), text.lower() + "s")]
    return (f"unknown key {text!r}: " + (f"did you mean {close[0]!r}? " if close else "")
            + f"allowed here: {', '.join(allowed)}")


def _members(tp) -> list[tuple[str | None, Any]]:
    """(tag, type) of each alternative of a (possibly Annotated, Optional or Union) annotation."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        inner, *meta = typing.get_args(tp)
        tags = [m.tag for m in meta if isinstance(m, Tag)]
        found = _members(inner)
        return [(tags[0], t) for _, t in found] if tags else found
    if origin is Union or origin is types.UnionType:
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [(None, tp)]


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def resolve(loc: tuple, root: type[BaseModel]) -> tuple[tuple, type[BaseModel] | None]:
    """Pydantic's error location without union tags, and the model holding its last key."""
    current: Any = root
    clean: list = []
    holder: type[BaseModel] | None = root
    for part in loc:
        options = _members(current)
        tagged = {tag: tp for tag, tp in options if tag is not None}
        if part in tagged:  # a tagged union: ``part`` is the tag, not a key of the file
            current = tagged[part]
            continue
        models = [tp for _, tp in options if _is_model(tp)]
        holder = models[0] if models else None
        clean.append(part)
        if holder is not None and isinstance(part, str) and part in holder.model_fields:
            current = holder.model_fields[part].annotation
            continue
        containers = [tp for _, tp in options if typing.get_origin(tp) in (dict, list, tuple)]
        current = typing.get_args(containers[0])[-1] if containers else None
    return tuple(clean), holder


def _yaml_key(part: Any) -> Any:
    """A catalyst named 111 is the YAML key 111 (an int) but the string '111' after validation."""
    if isinstance(part, str):
        for cast in (int, float):
            try:
                return cast(part)
            except ValueError:
                pass
    return part


def where(loc: tuple, lines: Mapping[tuple, int] | None) -> str:
    """``line N: a.b.c`` for an error location (the deepest key path the YAML text has)."""
    path = ".".join(str(p) for p in loc) or "(top level)"
    line = None
    if lines:
        for n in range(len(loc), 0, -1):
            for key in (tuple(loc[:n]), tuple(_yaml_key(p) for p in loc[:n])):
                if key in lines:
                    line = lines[key]
                    break
            if line:
                break
    return (f"line {line}: " if line else "") + path


def _message(err: dict) -> str:
    message = err["msg"].removeprefix("Value error, ")
    kind = err["type"]
    if kind == "literal_error":
        return f"{message} (got {err.get('input')!r})"
    if kind == "finite_number":
        return f"expected a finite number, got {err.get('input')!r}: NaN and inf are not energies"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return f"expected a number, got {err.get('input')!r}"
    if kind == "missing":
        return "required key missing"
    if kind == "union_tag_invalid":
        return message.replace("Input tag", "kind").replace("found using", "given as")
    return message


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, *, source: str, lines: Mapping[tuple, int] | None = None,
             what: str = "file") -> M:
    """``model`` validated from ``data``; every problem in one :class:`InputError`.

    Each problem names ``source``, the line (when ``lines`` maps key paths to lines, see
    :func:`yaml_key_lines`) and the key path, with what to write instead.
    """
    if isinstance(data, Mapping) and data and not set(map(str, data)) & set(model.model_fields):
        shown = ", ".join(map(str, list(data)[:6])) + (", ..." if len(data) > 6 else "")
        required = [k for k, f in model.model_fields.items() if f.is_required()]
        raise InputError(f"{source}: does not look like a {what}: none of its keys ({shown}) belongs to one; "
                         f"a {what} needs {', '.join(required) or 'its keys'}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc, holder = resolve(tuple(err["loc"]), model)
            if err["type"] == "extra_forbidden":
                allowed = list(holder.model_fields) if holder is not None else []
                problems.append(f"{where(loc, lines)}: {suggest(loc[-1], allowed)}")
            else:
                problems.append(f"{where(loc, lines)}: {_message(err)}")
        problems = list(dict.fromkeys(problems))
        if len(problems) == 1:
            raise InputError(f"{source}: {problems[0]}") from None
        shown = "\n".join(f"  {p}" for p in problems[:12])
        more = f"\n  ... and {len(problems) - 12} more" if len(problems) > 12 else ""
        raise InputError(f"{source}: {len(problems)} problem(s) in the {what}:\n{shown}{more}") from None


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of ``model``, for editors that validate YAML as it is typed."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def yaml_key_lines(text: str) -> dict[tuple, int]:
    """Line number (1-based) of every mapping key in a YAML text, by its key path."""
    import yaml

    lines: dict[tuple, int] = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                lines[path + (key,)] = key_node.start_mark.line + 1
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[path + (i,)] = item.start_mark.line + 1
                walk(item, path + (i,))

    try:
        walk(yaml.compose(text, Loader=yaml.SafeLoader), ())
    except (yaml.YAMLError, RecursionError):
        return {}
    return lines
