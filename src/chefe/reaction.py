"""Reaction steps: parsing an equation, counting electrons and protons, checking balance.

Each step carries its own electron count ``n_e`` and proton count ``n_H`` (consumed on the
left minus released on the right), so the free energy of the step at potential U (V vs RHE)
and pH is

    ΔG(U, pH) = ΔG° + n_e·eU_RHE + (n_H - n_e)·kT·ln10·pH,

where ΔG° is the value at U_SHE = 0 and pH 0. The oxidative adsorption
``NO3-(aq) + * -> *NO3 + e-`` has ``n_e = -1, n_H = 0``; a PCET hydrogenation has
``n_e = n_H = 1``; a chemical step has ``n_e = n_H = 0``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .errors import BalanceError, SpeciesError
from .species import Species, parse_species

_ARROW = re.compile(r"\s*(?:->|→|=>|<->|⇌|=)\s*")
_TERM_SPLIT = re.compile(r"\s+\+\s+")
_PAIR = re.compile(r"^(\d*)\s*\(\s*H\+\s*\+\s*e-\s*\)$")
_PAIR_INLINE = re.compile(r"(\d*)\s*\(\s*H\+\s*\+\s*e-\s*\)")
_COEFFICIENT = re.compile(r"^(\d+(?:\.\d+)?|\d+/\d+)\s*(.+)$")

Side = tuple[tuple[Species, float], ...]


def _parse_coefficient(text: str) -> float:
    if "/" in text:
        num, den = text.split("/")
        return float(num) / float(den)
    return float(text)


def parse_side(text: str, *, equation: str) -> Side:
    """Parse one side of an equation into ``((species, coefficient), ...)``, merging repeats."""
    counts: dict[str, float] = {}
    order: dict[str, Species] = {}
    # "2(H+ + e-)" -> "2H+ + 2e-" before splitting on " + "
    text = _PAIR_INLINE.sub(lambda m: f"{m.group(1) or ''}H+ + {m.group(1) or ''}e-", text)
    for raw in _TERM_SPLIT.split(text.strip()):
        term = raw.strip()
        if not term:
            raise SpeciesError(f"empty term in equation {equation!r}")
        pair = _PAIR.match(term)
        if pair:
            n = float(pair.group(1)) if pair.group(1) else 1.0
            terms = [(n, "H+"), (n, "e-")]
        else:
            coefficient = _COEFFICIENT.match(term)
            if coefficient and not term[0] == "*" and not term.startswith(("e-",)):
                terms = [(_parse_coefficient(coefficient.group(1)), coefficient.group(2))]
            else:
                terms = [(1.0, term)]
        for n, label in terms:
            try:
                species = parse_species(label)
            except SpeciesError as exc:
                raise SpeciesError(f"{exc} (in equation {equation!r})") from None
            counts[species.name] = counts.get(species.name, 0.0) + n
            order[species.name] = species
    return tuple((order[name], n) for name, n in counts.items())


@dataclass(frozen=True, slots=True)
class Step:
    """One elementary step of a reaction network.

    Attributes:
        id: unique identifier within its network (e.g. ``"NO_NOH"``).
        equation: the equation as written by the author.
        reactants, products: ``((Species, coefficient), ...)`` with H+ and e- included.
        n_e: electrons consumed (left minus right); negative for an oxidative step.
        n_H: protons consumed (left minus right).
        label: optional short label for tables and figures.
    """

    id: str
    equation: str
    reactants: Side
    products: Side
    n_e: float
    n_H: float
    label: str = ""

    @property
    def is_electrochemical(self) -> bool:
        """True when electrons cross the interface (n_e != 0)."""
        return self.n_e != 0

    @property
    def is_reduction(self) -> bool:
        """True for steps that consume electrons; these set the limiting potential."""
        return self.n_e > 0

    def surface_reactants(self) -> Counter[str]:
        """Multiset of adsorbates and free sites consumed."""
        return Counter({s.name: n for s, n in self.reactants if s.is_surface})

    def surface_products(self) -> Counter[str]:
        """Multiset of adsorbates and free sites produced."""
        return Counter({s.name: n for s, n in self.products if s.is_surface})

    def net(self) -> dict[str, float]:
        """Stoichiometry as ``{species name: coefficient}``, products positive, reactants negative."""
        out: dict[str, float] = {}
        for s, n in self.reactants:
            out[s.name] = out.get(s.name, 0.0) - n
        for s, n in self.products:
            out[s.name] = out.get(s.name, 0.0) + n
        return {k: v for k, v in out.items() if v != 0}

    def species(self) -> tuple[Species, ...]:
        """Every species that appears in the step, reactants first."""
        return tuple(s for s, _ in self.reactants) + tuple(s for s, _ in self.products)


def _side_totals(side: Side) -> tuple[Counter[str], float, float]:
    elements: Counter[str] = Counter()
    charge = 0.0
    sites = 0.0
    for species, n in side:
        for element, count in species.composition:
            elements[element] += n * count
        charge += n * species.charge
        if species.is_surface:
            sites += n
    return elements, charge, sites


def check_balance(step_id: str, equation: str, reactants: Side, products: Side) -> None:
    """Raise :class:`BalanceError` naming the step if elements, charge or sites differ."""
    left_el, left_q, left_sites = _side_totals(reactants)
    right_el, right_q, right_sites = _side_totals(products)
    problems = []
    for element in sorted(set(left_el) | set(right_el)):
        if abs(left_el[element] - right_el[element]) > 1e-9:
            problems.append(f"{element}: {left_el[element]:g} -> {right_el[element]:g}")
    if abs(left_q - right_q) > 1e-9:
        problems.append(f"charge: {left_q:+g} -> {right_q:+g}")
    if abs(left_sites - right_sites) > 1e-9:
        problems.append(f"surface sites: {left_sites:g} -> {right_sites:g}")
    if problems:
        raise BalanceError(
            f"step {step_id!r} ({equation}) is not balanced: " + "; ".join(problems)
        )


def parse_step(step_id: str, equation: str, *, label: str = "", check: bool = True) -> Step:
    """Parse ``"*NO + H+ + e- -> *NOH"`` into a balanced :class:`Step`.

    Raises:
        SpeciesError: for an unparseable species (the message names the equation).
        BalanceError: when ``check`` and the step does not conserve elements, charge or sites.
    """
    parts = _ARROW.split(equation.strip())
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise SpeciesError(
            f"step {step_id!r}: equation {equation!r} needs exactly one arrow '->' between "
            "reactants and products"
        )
    reactants = parse_side(parts[0], equation=equation)
    products = parse_side(parts[1], equation=equation)
    if check:
        check_balance(step_id, equation, reactants, products)
    n_e = sum(n for s, n in reactants if s.is_electron) - sum(n for s, n in products if s.is_electron)
    n_h = sum(n for s, n in reactants if s.is_proton) - sum(n for s, n in products if s.is_proton)
    return Step(step_id, equation.strip(), reactants, products, float(n_e), float(n_h), label)


def net_reaction(steps: list[Step] | tuple[Step, ...]) -> dict[str, float]:
    """Sum the stoichiometries of ``steps`` (products positive) dropping zeros."""
    total: dict[str, float] = {}
    for step in steps:
        for name, n in step.net().items():
            total[name] = total.get(name, 0.0) + n
    return {k: v for k, v in total.items() if abs(v) > 1e-9}


def format_reaction(net: dict[str, float]) -> str:
    """Write a net stoichiometry as an equation string (``NO3-(aq) + 9H+ + 8e- -> ...``)."""

    def term(name: str, n: float) -> str:
        n = abs(n)
        coefficient = "" if abs(n - 1) < 1e-9 else (f"{n:g}")
        return f"{coefficient}{name}"

    left = [term(k, v) for k, v in net.items() if v < 0]
    right = [term(k, v) for k, v in net.items() if v > 0]
    return " + ".join(left) + " -> " + " + ".join(right)
