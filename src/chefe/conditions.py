"""Operating conditions passed explicitly to the engine (never a global setting)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .constants import T_STANDARD, ln10_kT
from .errors import InputError

SCALES = ("RHE", "SHE")


@dataclass(frozen=True, slots=True)
class Conditions:
    """Electrode potential, pH and temperature.

    Attributes:
        U: electrode potential in V on ``scale``.
        pH: solution pH.
        T: temperature in K.
        scale: ``"RHE"`` (default) or ``"SHE"``.
    """

    U: float = 0.0
    pH: float = 0.0
    T: float = T_STANDARD
    scale: str = "RHE"

    def __post_init__(self) -> None:
        object.__setattr__(self, "scale", self.scale.upper())
        if self.scale not in SCALES:
            raise InputError(f"potential scale must be one of {SCALES}, got {self.scale!r}")
        for name in ("U", "pH", "T"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"condition {name} must be a finite number, got {value!r}")
        if self.T <= 0:
            raise InputError(f"temperature must be positive, got {self.T} K")

    @property
    def U_RHE(self) -> float:
        """Potential on the RHE scale (V): U_SHE + (kT ln10/e)·pH."""
        return self.U if self.scale == "RHE" else self.U + ln10_kT(self.T) * self.pH

    @property
    def U_SHE(self) -> float:
        """Potential on the SHE scale (V)."""
        return self.U if self.scale == "SHE" else self.U - ln10_kT(self.T) * self.pH

    def to_scale(self, u_rhe: float):
        """Express an RHE potential (scalar or array) on this object's scale."""
        return u_rhe if self.scale == "RHE" else u_rhe - ln10_kT(self.T) * self.pH

    def at(self, U_RHE: float) -> Conditions:
        """Same pH and T at another potential, given on the RHE scale."""
        return Conditions(self.to_scale(U_RHE), self.pH, self.T, self.scale)
