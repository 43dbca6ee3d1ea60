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
