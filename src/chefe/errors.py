"""Exceptions raised by chefe: every message names the file, catalyst, step or species at fault."""

from __future__ import annotations


class ChefeError(Exception):
    """Base class of every error chefe raises on bad input."""


class SpeciesError(ChefeError, ValueError):
    """A species label cannot be parsed or names an unknown element."""


class BalanceError(ChefeError, ValueError):
    """A reaction step does not conserve elements, charge or surface sites."""


class NetworkError(ChefeError, ValueError):
    """A reaction network is malformed (duplicate ids, no route to the product, ...)."""


class InputError(ChefeError, ValueError):
    """An energies, references or network file is malformed or incomplete."""


class InfiniteEnergyError(InputError):
    """A step of a candidate has an infinite ΔG (broken data, not missing data)."""


def finite_number(value, where: str) -> float:
    """``value`` as a finite float; an :class:`InputError` naming ``where`` otherwise.

    Booleans and None are refused (YAML reads ``yes``/``no``/``~`` as those), so are NaN and inf.
    """
    import math

    if isinstance(value, bool) or value is None:
        raise InputError(f"{where}: expected a number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: expected a number, got {value!r}") from None
    if not math.isfinite(out):
        raise InputError(f"{where}: value is {out}; NaN and inf are not energies")
    return out
