"""Species labels: parsing, canonical names, composition and charge.

Accepted label forms::

    *NO3  NO3*      adsorbate on one site (canonical form: ``*NO3``)
    *               a free surface site
    *NO3@M1  *@M2   adsorbate / free site on a named site (``M1``, ``M2``, ``Cu``: letters,
                    digits and ``_``, starting with a letter)
    *NO2+*O         co-adsorbed state: several adsorbates in one structure (one calculation);
                    canonical order N-containing first, then larger, then by name
    NO3-(aq)        aqueous ion (charge by trailing signs: ``-``, ``2-``, ``+``)
    H2O(l) NH3(g)   liquid / gas reservoir species
    H+  e-          proton and electron (the CHE pair)

Aliases for the same adsorbate are folded into one canonical name, e.g. ``*HNO`` = ``*NHO``
(H on N), ``*HNO2`` = ``*NHO2`` (H on N) and ``*H2NO`` = ``*NH2O``; ``*NOH`` and ``*NO2H`` =
``*HONO`` (H on O) stay distinct.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .errors import SpeciesError

#: Phases a reservoir species may carry.
PHASES = ("g", "l", "aq", "s")

#: Alias -> canonical adsorbate name. H written first means "the H sits on the first heavy atom
#: named after it"; chefe keeps the heavy-atom-first spelling as canonical. So ``*HNO2`` is the
#: N-bound H (H-NO2, canonical ``*NHO2``), distinct from nitrous acid ``*NO2H`` = ``*HONO``
#: (H on O). ``*HNO3`` is the one exception: nitrate's N carries three O and no H, so the only
#: *HNO3 is nitric acid, H-O-NO2 (``*NO3H``).
ADSORBATE_ALIASES: dict[str, str] = {
    "*HNO": "*NHO",
    "*H2NO": "*NH2O",
    "*HNOH": "*NHOH",
    "*H2NOH": "*NH2OH",
    "*HNO3": "*NO3H",
    "*HONO2": "*NO3H",
    "*HNO2": "*NHO2",
    "*HONO": "*NO2H",
    "*ONOH": "*NO2H",
    "*HN": "*NH",
    "*H2N": "*NH2",
    "*H3N": "*NH3",
    "*HO": "*OH",
    "*H2O": "*H2O",
    "*OH2": "*H2O",
}

_FORMULA_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")
_PHASE_SUFFIX = re.compile(r"\((g|l|aq|s)\)$")
#: Charge: trailing signs (``-``, ``--``, ``+``) or ``^2-``; a bare digit belongs to the formula.
_CHARGE_SUFFIX = re.compile(r"(?:\^(\d*))?([+-]+)$")


@lru_cache(maxsize=1)
def _element_symbols() -> frozenset[str]:
    from ase.data import chemical_symbols

    return frozenset(chemical_symbols[1:])


@dataclass(frozen=True, slots=True)
class Species:
    """One chemical species as it appears in a reaction step.

    Attributes:
        name: canonical label (``*NO3``, ``NO3-(aq)``, ``H2O(l)``, ``*``, ``H+``, ``e-``).
        composition: sorted ``(element, count)`` pairs; empty for ``*`` and ``e-``.
        charge: formal charge in units of e (``e-`` is -1).
        phase: ``"ads"``, ``"site"``, ``"g"``, ``"l"``, ``"aq"``, ``"s"``, ``"e"`` or ``"H+"``.
        site: the named site of an adsorbate or free site (``"M1"`` for ``*NO3@M1``), else "".
    """

    name: str
    composition: tuple[tuple[str, int], ...]
    charge: int
    phase: str
    site: str = ""

    @property
    def is_surface(self) -> bool:
        """True for adsorbates and free sites (they occupy one site each)."""
        return self.phase in ("ads", "site")

    @property
    def is_electron(self) -> bool:
        return self.phase == "e"

    @property
    def is_proton(self) -> bool:
        return self.phase == "H+"

    @property
    def is_reservoir(self) -> bool:
        """True for gas, liquid and aqueous species whose free energy the reference ledger sets."""
        return self.phase in PHASES

    @property
    def formula(self) -> str:
        """Hill-free plain formula built from the composition (``NO3``, ``H2O``)."""
        return "".join(f"{el}{n if n > 1 else ''}" for el, n in self.composition)

    def __str__(self) -> str:
        return self.name


def parse_formula(formula: str, *, label: str) -> tuple[tuple[str, int], ...]:
    """Parse an element formula such as ``NH2OH`` into sorted ``(element, count)`` pairs.

    Raises:
        SpeciesError: when the formula has characters that are not element tokens or names an
            element that does not exist; the message names ``label``.
    """
    pos = 0
    counts: Counter[str] = Counter()
    for match in _FORMULA_TOKEN.finditer(formula):
        if match.start() != pos:
            break
        symbol, number = match.group(1), match.group(2)
        if symbol not in _element_symbols():
            raise SpeciesError(f"unknown element {symbol!r} in species {label!r}")
        counts[symbol] += int(number) if number else 1
        pos = match.end()
    if pos != len(formula) or not counts:
        raise SpeciesError(
            f"cannot parse species {label!r}: expected an element formula such as NO3, "
            "optionally with a charge and a phase, e.g. NO3-(aq), NH3(g), *NO3"
        )
    return tuple(sorted(counts.items()))


@lru_cache(maxsize=4096)
def parse_species(label: str) -> Species:
    """Parse one species label into a canonical :class:`Species` (see module docstring).

    Raises:
        SpeciesError: for an unparseable label, an unknown element, or a reservoir species
            without a phase suffix.
    """
    text = label.strip().replace(" ", "")
    if not text:
        raise SpeciesError("empty species label")
    if text == "*":
        return Species("*", (), 0, "site")
    if text.startswith("*") and "+*" in text:
        return _coadsorbed(text, label)
    if text.startswith("*@"):
        return Species(text, (), 0, "site", _site_name(text[2:], label))
    if text in ("e-", "e^-", "e"):
        return Species("e-", (), -1, "e")
    if text in ("H+", "H^+", "H+(aq)"):
        return Species("H+", (("H", 1),), 1, "H+")
    site = ""
    if "@" in text and (text.startswith("*") or text.split("@", 1)[0].endswith("*")):
        text, site = text.split("@", 1)
        site = _site_name(site, label)
    if text.startswith("*") or text.endswith("*"):
        core = text.strip("*")
        if text.count("*") != 1 or not core:
            raise SpeciesError(
                f"cannot parse adsorbate {label!r}: write one '*' before or after the formula "
                "(*NO3 or NO3*); join co-adsorbed adsorbates of one structure with '+' (*NO2+*O)"
            )
        name = ADSORBATE_ALIASES.get("*" + core, "*" + core)
        composition = parse_formula(name[1:], label=label)
        return Species(f"{name}@{site}" if site else name, composition, 0, "ads", site)
    phase_match = _PHASE_SUFFIX.search(text)
    if phase_match is None:
        raise SpeciesError(
            f"species {label!r} needs a phase: write it as {text}(g), {text}(l) or {text}(aq); "
            "adsorbates carry a '*' (e.g. *" + text + ")"
        )
    phase = phase_match.group(1)
    body = text[: phase_match.start()]
    charge = 0
    charge_match = _CHARGE_SUFFIX.search(body)
    if charge_match is not None:
        signs = charge_match.group(2)
        if len(set(signs)) != 1 or (charge_match.group(1) and len(signs) > 1):
            raise SpeciesError(f"cannot read the charge of species {label!r}")
        magnitude = int(charge_match.group(1)) if charge_match.group(1) else len(signs)
        charge = magnitude if signs[0] == "+" else -magnitude
        body = body[: charge_match.start()]
    composition = parse_formula(body, label=label)
    sign = "" if charge == 0 else ("+" if charge > 0 else "-")
    magnitude_text = "" if abs(charge) <= 1 else f"^{abs(charge)}"
    name = f"{body}{magnitude_text}{sign}({phase})"
    return Species(name, composition, charge, phase)


_SITE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*$")


def _site_name(text: str, label: str) -> str:
    if not _SITE_NAME.match(text):
        raise SpeciesError(f"cannot read the site of {label!r}: write it after '@' as a name of letters, "
                           "digits and '_' starting with a letter (*NO3@M1, *O@Cu)")
    return text


def species_order(name: str) -> tuple[int, int, str]:
    """Sort key for co-adsorbed species: N-containing first, then larger, then by name."""
    comp = dict(parse_species(name).composition)
    return (0 if "N" in comp else 1, -sum(comp.values()), name)


def _coadsorbed(text: str, label: str) -> Species:
    parts = []
    for piece in text.split("+"):
        species = parse_species(piece)
        if species.phase != "ads" or "+" in species.name:
            raise SpeciesError(f"cannot parse co-adsorbed state {label!r}: each part joined by '+' must be one "
                               f"adsorbate (*NO2+*O), not {piece!r}")
        parts.append(species.name)
    counts: Counter[str] = Counter()
    for p in parts:
        for el, n in parse_species(p).composition:
            counts[el] += n
    name = "+".join(sorted(parts, key=species_order))
    return Species(name, tuple(sorted(counts.items())), 0, "ads")


def coadsorbed_parts(name: str) -> tuple[str, ...]:
    """The adsorbates of a co-adsorbed state (``"*NO2+*O"`` -> ``("*NO2", "*O")``); one adsorbate
    gives itself."""
    return tuple(parse_species(name).name.split("+"))


def without_site(name: str) -> str:
    """The species without its site label (``*NO3@M1`` -> ``*NO3``, ``*@M2`` -> ``*``)."""
    return "+".join(p.split("@", 1)[0] for p in parse_species(name).name.split("+"))


def canonical(label: str) -> str:
    """Return the canonical name of a species label (``"NO3*"`` -> ``"*NO3"``)."""
    return parse_species(label).name


_COUNT_AFTER_ELEMENT = re.compile(r"([A-Z][a-z]?)([1-9]\d?)(?!\d)")


def chemical_name(name: str) -> str:
    """A catalyst name in chemical notation (matplotlib mathtext): element counts as subscripts.

    ``TiNi@g-C3N4`` -> ``TiNi@g-C$_3$N$_4$``; ``Cu-N4-plane`` -> ``Cu-N$_4$-plane``. Only a
    count of one or two digits (not starting with 0) right after an element symbol is lowered,
    so a facet (``Cu111``) and a number after a dash (``comp-1``) are kept; so is a name already
    in mathtext (``$``) and an identifier with underscores (``1N3_Fe_isif4``), written as given.
    """
    from ase.data import chemical_symbols

    if "$" in name or "_" in name:
        return name
    out, at = [], 0
    for m in _COUNT_AFTER_ELEMENT.finditer(name):
        symbol = m.group(1)
        if symbol not in chemical_symbols:
            continue
        out.append(name[at:m.start(2)] + f"$_{{{m.group(2)}}}$")
        at = m.end(2)
    return "".join(out) + name[at:]


def subscript_label(name: str) -> str:
    """Return a matplotlib mathtext label with chemical subscripts and charges.

    ``*NH2OH`` -> ``$^{*}$NH$_{2}$OH``; ``NO3-(aq)`` -> ``NO$_{3}^{-}$(aq)``.
    """
    species = parse_species(name)
    if "+" in species.name and species.phase == "ads":
        return " + ".join(subscript_label(p) for p in species.name.split("+"))
    if species.site:
        bare = species.name.rsplit("@", 1)[0]
        return subscript_label(bare) + "@" + species.site
    if species.phase == "site":  # the empty site: a full-size asterisk, not a lone superscript
        return "*"
    text = name
    star = ""
    if species.phase == "ads":
        star, text = "$^{*}$", name[1:]
    phase = ""
    phase_match = _PHASE_SUFFIX.search(text)
    if phase_match:
        phase, text = phase_match.group(0), text[: phase_match.start()]
    charge = ""
    charge_match = _CHARGE_SUFFIX.search(text) if species.charge else None
    if charge_match:
        charge = (charge_match.group(1) or "") + charge_match.group(2)[0]
        text = text[: charge_match.start()]
    parts = []
    for symbol, number in _FORMULA_TOKEN.findall(text):
        parts.append(symbol + (f"$_{{{number}}}$" if number else ""))
    body = "".join(parts)
    if charge:
        if body.endswith("$"):
            body = body[:-1] + f"^{{{charge}}}$"
        else:
            body += f"$^{{{charge}}}$"
    return star + body + phase
