"""Reaction networks as data: steps, surface states and every route from the clean site back.

A network is a list of balanced elementary steps plus the number of surface sites of the
model. Surface *states* are multisets of adsorbates and free sites (``("*NO2", "*O")``); a
step applies to a state that contains its surface reactants. A *route* is a sequence of steps
that starts from the clean surface and returns to it; its net reaction identifies the product
(NH3, NO2-, N2, ...). Routes that differ only in the order of independent steps (say, *O
removal before or after *N hydrogenation) are one route: their limiting potential is the same.
The enumeration uses sleep sets (partial-order reduction) so those orderings are not explored.

Networks are written in YAML (shipped ones live in ``chefe/networks``)::

    name: no3rr_sac
    sites: 1
    target: NH3
    products:
      NH3: "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)"
    steps:
      - {id: NO3_ads, eq: "NO3-(aq) + * -> *NO3 + e-"}
      ...
"""

from __future__ import annotations

from collections import Counter
import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import BalanceError, InputError, NetworkError, SpeciesError
from .reaction import Step, format_reaction, net_reaction, parse_side, parse_step

State = tuple[str, ...]

#: Upper bound on search nodes when enumerating routes (guards against exploding networks).
MAX_SEARCH_NODES = 200_000
#: routes by network structure (see :attr:`Network.routes`)
_ROUTES: dict = {}


@dataclass(frozen=True, slots=True)
class Route:
    """One route through a network.

    Attributes:
        steps: step indices in the order drawn in a diagram (repeats allowed, e.g. *O removal).
        product: name of the matched product (``"NH3"``), or ``None`` when the net reaction
            matches no declared product.
        multiplicity: how many times the product's overall reaction the route runs (2 for N2
            from two nitrates over a one-product equation written per N2 molecule is 1).
        net: net stoichiometry of the route.
    """

    steps: tuple[int, ...]
    product: str | None
    multiplicity: float
    net: tuple[tuple[str, float], ...]

    @property
    def unique_steps(self) -> tuple[int, ...]:
        """Distinct step indices, in first-visit order."""
        return tuple(dict.fromkeys(self.steps))


@dataclass(frozen=True)
class Network:
    """A validated reaction network.

    Attributes:
        name: short identifier.
        steps: the balanced steps, in the author's order (this order sets route preference).
        sites: number of surface sites in the model (1 for a single-atom site).
        products: product name -> overall reaction (balanced, H+ and e- included).
        target: product analysed by default (``"NH3"`` for NO3RR).
        title, description, sources: human-readable provenance.
        path: file the network was read from, if any.
    """

    name: str
    steps: tuple[Step, ...]
    sites: int
    products: dict[str, Step]
    target: str
    title: str = ""
    description: str = ""
    sources: tuple[str, ...] = ()
    path: str | None = None
    site_names: tuple[str, ...] = ()
    route_steps: tuple[tuple[int, ...], ...] | None = field(default=None, repr=False, compare=False)
    state_resolved: bool = False
    #: the clean site when it is not ``sites`` free sites: ``("*O",)`` on an O-capped single-atom
    #: site (:func:`with_site_ligand`)
    start_state: State = ()
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise NetworkError(f"network {self.name!r}: duplicate step ids {duplicates}")
        if self.target not in self.products:
            raise NetworkError(
                f"network {self.name!r}: target {self.target!r} is not among the declared "
                f"products {sorted(self.products)}"
            )
        if self.sites < 1:
            raise NetworkError(f"network {self.name!r}: sites must be >= 1, got {self.sites}")
        if not self.state_resolved:
            self._check_site_names()
        self._index.update({s.id: i for i, s in enumerate(self.steps)})

    def _check_site_names(self) -> None:
        names = self.site_names
        if names and (len(names) != self.sites or len(set(names)) != len(names)):
            raise NetworkError(f"network {self.name!r}: site names {list(names)} must be {self.sites} distinct names")
        for step in self.steps:
            for sp in step.species():
                if not sp.is_surface:
                    continue
                parts = [sp.name] if "+" not in sp.name else sp.name.split("+")
                for part in parts:
                    site = part.split("@", 1)[1] if "@" in part else ""
                    if names and site not in names:
                        what = f"names site {site!r}" if site else "names no site"
                        raise NetworkError(
                            f"network {self.name!r}: step {step.id!r}: {part} {what}; the network's sites are "
                            f"{list(names)}: write {part.split('@')[0]}@{names[0]} (or another of them)")
                    if not names and site:
                        raise NetworkError(
                            f"network {self.name!r}: step {step.id!r}: {part} names site {site!r} but the network "
                            f"declares no site names: write sites: [{', '.join(f'M{k + 1}' for k in range(max(self.sites, 2)))}]")

    # ------------------------------------------------------------------ lookup
    def index(self, step_id: str) -> int:
        """Position of a step id; raises :class:`NetworkError` naming the unknown id."""
        try:
            return self._index[step_id]
        except KeyError:
            raise NetworkError(
                f"network {self.name!r} has no step {step_id!r}; steps are {list(self._index)}"
            ) from None

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    @cached_property
    def n_e(self):
        """Electrons consumed per step, shape (n_steps,)."""
        import numpy as np

        return np.array([s.n_e for s in self.steps], dtype=float)

    @cached_property
    def n_H(self):
        """Protons consumed per step, shape (n_steps,)."""
        import numpy as np

        return np.array([s.n_H for s in self.steps], dtype=float)

    @cached_property
    def species(self) -> tuple[str, ...]:
        """Every species name appearing in the steps (H+ and e- excluded), in first-use order."""
        names: dict[str, None] = {}
        for step in self.steps:
            for sp in step.species():
                if not (sp.is_electron or sp.is_proton):
                    names[sp.name] = None
        return tuple(names)

    @cached_property
    def adsorbates(self) -> tuple[str, ...]:
        """Adsorbate names (free site excluded)."""
        from .species import parse_species

        return tuple(n for n in self.species if parse_species(n).phase == "ads")

    @cached_property
    def reservoir_species(self) -> tuple[str, ...]:
        """Gas, liquid and aqueous species whose free energies come from the reference ledger."""
        from .species import parse_species

        return tuple(n for n in self.species if parse_species(n).is_reservoir)

    @property
    def start(self) -> State:
        """The clean surface: ``sites`` free sites (``*@M1``, ``*@M2`` when the sites are named),
        or the ligand-capped site (``("*O",)``) of :func:`with_site_ligand`."""
        if self.start_state:
            return self.start_state
        if self.state_resolved:
            return ("*",)
        if self.site_names:
            return tuple(f"*@{n}" for n in self.site_names)
        return ("*",) * self.sites

    # ------------------------------------------------------------------ routes
    @cached_property
    def routes(self) -> tuple[Route, ...]:
        """Every distinct route from the clean surface back to it (see module docstring).

        Computed once per network structure in a process (a network loaded again, or rewritten
        by an option that keeps its steps, reuses the routes). A state-resolved network
        (:func:`chefe.states.resolve_states`) carries its routes, mapped from its source's."""
        if self.route_steps is not None:
            return _routes_from_sequences(self, self.route_steps)
        key = (self.start, self.target,
               tuple((st.id, st.equation, st.n_e, st.n_H) for st in self.steps),
               tuple(sorted((k, v.equation) for k, v in self.products.items())))
        if key not in _ROUTES:
            _ROUTES[key] = tuple(_enumerate_routes(self))
        return _ROUTES[key]

    def routes_to(self, product: str | None = None) -> tuple[int, ...]:
        """Indices (into :attr:`routes`) of routes forming ``product`` (default: the target)."""
        product = self.target if product is None else product
        if product not in self.products:
            raise NetworkError(
                f"network {self.name!r} declares no product {product!r}; "
                f"products are {sorted(self.products)}"
            )
        return tuple(i for i, r in enumerate(self.routes) if r.product == product)

    def route_label(self, route: Route) -> str:
        """Readable route: its intermediates joined by arrows."""
        return " → ".join(_route_states(self, route))

    def unused_steps(self) -> tuple[str, ...]:
        """Step ids that no complete route uses (dead ends or unreachable with ``sites``)."""
        used = {i for r in self.routes for i in r.steps}
        return tuple(s.id for i, s in enumerate(self.steps) if i not in used)

    def with_species_renamed(self, old: str, new: str) -> Network:
        """Return a copy where reservoir species ``old`` is replaced by ``new`` (e.g. NH3 gas -> aq)."""
        from .species import canonical

        old_c, new_c = canonical(old), canonical(new)

        def rewrite(step: Step) -> Step:
            def side(s):
                return tuple(
                    ((_species(new_c) if sp.name == old_c else sp), n) for sp, n in s
                )

            if not any(sp.name == old_c for sp in step.species()):
                return step
            return Step(step.id, step.equation.replace(old, new), side(step.reactants),
                        side(step.products), step.n_e, step.n_H, step.label)

        return Network(
            name=self.name, steps=tuple(rewrite(s) for s in self.steps), sites=self.sites,
            products={k: rewrite(v) for k, v in self.products.items()}, target=self.target,
            title=self.title, description=self.description, sources=self.sources, path=self.path,
            site_names=self.site_names, start_state=self.start_state, route_steps=self.route_steps, state_resolved=self.state_resolved,
        )


AMMONIA_PRODUCTS = {"gas": "NH3(g)", "aq": "NH3(aq)", "NH4+": "NH4+(aq)"}


def with_ammonia_product(network: Network, ammonia: str = "gas") -> Network:
    """The network with NH3(g) released as NH3(aq) (``"aq"``) or as NH4+(aq) (``"NH4+"``).

    ``"aq"`` renames the species (NH3(g) -> NH3(aq), a tabulated solvation free energy).
    ``"NH4+"`` also adds the proton each release takes: *NH3 + H+ -> * + NH4+(aq) is a chemical
    step (no electron) that moves by +kT ln10 per pH unit on the RHE scale, and the overall
    reaction becomes NO3- + 10H+ + 8e- -> NH4+ + 3H2O (U_eq from the same formation table).
    """
    if ammonia not in AMMONIA_PRODUCTS:
        raise NetworkError(f"ammonia product {ammonia!r} unknown: use one of {list(AMMONIA_PRODUCTS)}")
    if ammonia == "gas" or "NH3(g)" not in network.species:
        return network
    if ammonia == "aq":
        return network.with_species_renamed("NH3(g)", "NH3(aq)")
    return with_protonated_release(network, "NH3(g)", "NH4+(aq)", {"NH3": "NH4+"})


def with_protonated_release(network: Network, base: str, acid: str, rename: dict[str, str] | None = None) -> Network:
    """The network with every release of ``base`` taking one proton to release ``acid`` instead.

    Each step (and overall reaction) producing ``base`` gets ``+ H+`` on its left side, so its
    proton count and pH dependence follow; ``rename`` maps product names (``{"NH3": "NH4+"}``).
    """
    from .reaction import parse_step

    def protonate(step: Step) -> Step:
        n = sum(k for sp, k in step.products if sp.name == base) - sum(
            k for sp, k in step.reactants if sp.name == base)
        if n == 0:
            return step
        left, right = (t.strip() for t in step.equation.split("->"))
        extra = "H+" if abs(n) == 1 else f"{abs(n):g}H+"
        # released: the acid takes a proton from the solution; consumed: the acid gives one back
        equation = f"{left} + {extra} -> {right}" if n > 0 else f"{left} -> {right} + {extra}"
        return parse_step(step.id, equation.replace(base, acid), label=step.label)

    rename = rename or {}
    products = {rename.get(k, k): protonate(v) for k, v in network.products.items()}
    target = rename.get(network.target, network.target)
    return Network(
        name=network.name, steps=tuple(protonate(s) for s in network.steps), sites=network.sites,
        products=products, target=target,
        title=network.title, description=(network.description + f"\n{base} released as {acid}").strip(),
        sources=network.sources, path=network.path, site_names=network.site_names, start_state=network.start_state,
        route_steps=network.route_steps, state_resolved=network.state_resolved,
    )


NITRITE_PRODUCTS = ("NO2-", "HNO2", "auto")


def with_nitrite_product(network: Network, nitrite: str = "NO2-", pH: float = 0.0) -> Network:
    """The network with nitrite released as NO2-(aq) (default) or HNO2(aq).

    ``"auto"`` picks the form that predominates at ``pH``: HNO2 below its pKa (3.25, CRC), NO2-
    above. *NO2 + e- -> * + NO2- becomes *NO2 + H+ + e- -> * + HNO2.
    """
    if nitrite not in NITRITE_PRODUCTS:
        raise NetworkError(f"nitrite product {nitrite!r} unknown: use one of {list(NITRITE_PRODUCTS)}")
    if nitrite == "auto":
        from .formation import pka_values

        nitrite = "HNO2" if pH < pka_values()["HNO2(aq)"] else "NO2-"
    if nitrite == "NO2-" or "NO2-(aq)" not in network.species:
        return network
    return with_protonated_release(network, "NO2-(aq)", "HNO2(aq)", {"NO2-": "HNO2"})


NITRATE_ADSORPTION_MODES = ("oxidative", "chemical")


def nitrate_adsorption_steps(network: Network) -> tuple[str, ...]:
    """Ids of the oxidative NO3- adsorption steps (NO3-(aq) consumed, electrons released)."""
    return tuple(s.id for s in network.steps
                 if s.n_e < 0 and any(sp.name == "NO3-(aq)" for sp, _ in s.reactants))


def with_nitrate_adsorption(network: Network, mode: str = "oxidative") -> Network:
    """The network with NO3- adsorption treated as an oxidative (default) or a chemical step.

    ``"oxidative"``: NO3-(aq) + * -> *NO3 + e- moves by -eU_RHE and +kT ln10 pH (the 9 H+ / 8 e-
    imbalance of NO3- -> NH3 sits in this step). ``"chemical"``: the same ΔG° (U_RHE = 0, pH 0)
    is kept at every potential and pH, as in papers that treat nitrate adsorption as
    non-faradaic; the step then counts among the chemical steps. The choice is recorded in the
    network's description.
    """
    if mode not in NITRATE_ADSORPTION_MODES:
        raise NetworkError(f"nitrate adsorption {mode!r} unknown: use one of {NITRATE_ADSORPTION_MODES}")
    ids = nitrate_adsorption_steps(network)
    if mode == "oxidative" or not ids:
        return network

    def rewrite(step: Step) -> Step:
        if step.id not in ids:
            return step
        label = f"{step.label or step.equation} (chemical)"
        return Step(step.id, step.equation, step.reactants, step.products, 0.0, 0.0, label)

    note = ("NO3- adsorption (" + ", ".join(ids) + ") treated as a chemical step: ΔG at U_RHE = 0, "
            "pH 0, independent of U and pH; the route then counts one electron transfer more than the "
            "8-electron overall reaction, so its levels at U do not end at -8e(U - U_eq)")
    return Network(
        name=network.name, steps=tuple(rewrite(s) for s in network.steps), sites=network.sites,
        products=network.products, target=network.target, title=network.title,
        description=(network.description + "\n" + note).strip(), sources=network.sources,
        path=network.path, site_names=network.site_names, start_state=network.start_state, route_steps=network.route_steps,
        state_resolved=network.state_resolved,
    )


def with_nitrate_dissociation(network: Network) -> Network:
    """The network with dissociative nitrate adsorption added: ``NO3-(aq) + * -> *O + NO2-(aq)``
    (step ``NO3_dissads``, chemical), the *O then reduced to water through *OH (``O_OH``,
    ``OH_H2O`` added when the network has no steps for them). Screening studies use its ΔG as
    a descriptor of the oxo route; its routes end in NO2-, which the network must declare."""
    _anonymous_only(network, "dissociative nitrate adsorption", "NO3-(aq) + *@M1 -> *O@M1 + NO2-(aq)")
    if "NO3-(aq)" not in network.species:
        raise NetworkError(f"network {network.name!r} takes no NO3-(aq): dissociative nitrate adsorption "
                           "does not apply")
    if "NO2-" not in network.products:
        raise NetworkError(f"network {network.name!r} declares no NO2- product, which dissociative nitrate "
                           "adsorption forms")
    steps = list(network.steps)
    ids = {s.id for s in steps}
    if "NO3_dissads" in ids:
        return network
    steps.append(parse_step("NO3_dissads", "NO3-(aq) + * -> *O + NO2-(aq)", label="dissociative NO3- adsorption"))
    added = ["NO3_dissads"]
    consumes = {sp.name for s in network.steps for sp, _ in s.reactants}
    for sid, eq, needed in (("O_OH", "*O + H+ + e- -> *OH", "*O"), ("OH_H2O", "*OH + H+ + e- -> H2O(l) + *", "*OH")):
        if needed not in consumes and sid not in ids:
            steps.append(parse_step(sid, eq))
            added.append(sid)
    note = f"dissociative nitrate adsorption: NO3- + * -> *O + NO2- ({', '.join(added)} added)"
    return Network(
        name=f"{network.name}+dissociative", steps=tuple(steps), sites=network.sites, products=network.products,
        target=network.target, title=network.title, description=(network.description + "\n" + note).strip(),
        sources=network.sources, path=network.path, site_names=network.site_names, start_state=network.start_state,
    )


#: axial ligands of a capped single-atom site (O–M–N4, HO–M–N4) and the step that forms each
#: from the bare site and water
SITE_LIGANDS = {"O": "* + H2O(l) -> *O + 2H+ + 2e-", "OH": "* + H2O(l) -> *OH + H+ + e-"}


def with_site_ligand(network: Network, ligand: str = "O") -> Network:
    """The network on the ligand-capped site of a single-atom catalyst: O–M–N4 (``"O"``) or
    HO–M–N4 (``"OH"``), the oxo/hydroxo forms oxyphilic metals take under reaction conditions.

    The ligand stays on one face of the metal while the reaction runs on the other: the clean
    site is ``*O`` and every intermediate ``*X`` is the state ``*X+*O`` (one run, O–M–N4 with X
    on the opposite face; energies relative to the bare site's clean run, as every species of the
    catalyst). Routes start and end on ``*O``. The step ``ligation`` (``* + H2O(l) -> *O + 2H+ +
    2e-``) forms the capped site from the bare one; no route uses it, and its ΔG/n is the
    potential above which the ligand stays on the site (reported with the results)."""
    from .species import canonical

    if ligand not in SITE_LIGANDS:
        raise NetworkError(f"site ligand {ligand!r}: use one of {', '.join(SITE_LIGANDS)}")
    if network.start_state:
        raise NetworkError(f"network {network.name!r} is already on a capped site ({network.start_state[0]})")
    if network.sites != 1 or network.site_names or network.state_resolved:
        raise NetworkError(f"network {network.name!r} has {network.sites} sites: a ligand-capped site is a "
                           "single-atom site (use a network with sites: 1, such as no3rr_sac)")
    cap = f"*{ligand}"

    def capped(name: str) -> str:
        return cap if name == "*" else canonical(f"{name}+{cap}")

    def rewrite(step: Step) -> Step:
        def side(terms) -> str:
            return " + ".join((f"{n:g}" if abs(n - 1) > 1e-12 else "") +
                              (capped(sp.name) if sp.is_surface else sp.name) for sp, n in terms)

        equation = f"{side(step.reactants)} -> {side(step.products)}"
        return parse_step(step.id, equation, label=step.label)

    steps = [rewrite(st) for st in network.steps]
    if "ligation" in {st.id for st in steps}:
        raise NetworkError(f"network {network.name!r} has a step 'ligation' already; rename it")
    steps.append(parse_step("ligation", SITE_LIGANDS[ligand], label=f"{ligand}-capped site formed from water"))
    note = (f"on the {ligand}-capped site ({ligand}–M, the ligand on the face opposite the reaction): "
            f"clean site {cap}, intermediates *X+{cap}; step 'ligation' forms it from the bare site")
    return Network(
        name=f"{network.name}+{ligand}-capped", steps=tuple(steps), sites=1, products=network.products,
        target=network.target, title=network.title, description=(network.description + "\n" + note).strip(),
        sources=network.sources, path=network.path, start_state=(cap,),
    )


HYDROGENATION_MODES = ("pcet", "adsorbed_h")


def with_adsorbed_hydrogen(network: Network, mode: str = "adsorbed_h") -> Network:
    """The network with every hydrogenation by adsorbed H instead of by a proton-electron pair.

    ``"adsorbed_h"``: H adsorbs on a free site first (Volmer, ``* + H+ + e- -> *H``, step
    ``H_ads``), then each PCET step ``*X + H+ + e- -> Y`` becomes the chemical step
    ``*X + *H -> Y + *`` (same id): the H-mediated mechanism of dual sites and slabs. It needs a
    free site beside every intermediate that is hydrogenated; routes that leave none (two
    adsorbates on a two-site model) are then not available, as on the real surface. Steps that
    are not a single adsorbate's hydrogenation (NO3- adsorption, *O/*OH chemistry by H+ + e-
    included) are converted the same way when they take one adsorbate and H+ + e-; the others
    are kept. ``"pcet"`` returns the network unchanged.
    """
    if mode not in HYDROGENATION_MODES:
        raise NetworkError(f"hydrogenation {mode!r} unknown: use one of {HYDROGENATION_MODES}")
    if mode == "pcet":
        return network
    _anonymous_only(network, "hydrogenation by adsorbed H", "*@M2 + H+ + e- -> *H@M2, *NO@M1 + *H@M2 -> *NHO@M1 + *@M2")
    if network.sites < 2:
        raise NetworkError(f"network {network.name!r} has one site: hydrogenation by adsorbed H needs a "
                           "second site for the H (use a network with sites: 2 or more)")
    converted = []
    steps = [parse_step("H_ads", "* + H+ + e- -> *H", label="Volmer (adsorbed H)")]
    for step in network.steps:
        adsorbates = [(sp, nu) for sp, nu in step.reactants if sp.phase == "ads"]
        others = [(sp, nu) for sp, nu in step.reactants if sp.phase not in ("ads",)]
        names = sorted(sp.name for sp, _ in others)
        if (len(adsorbates) == 1 and abs(adsorbates[0][1] - 1) < 1e-12 and names == ["H+", "e-"]
                and all(abs(nu - 1) < 1e-12 for _, nu in others)):
            right = step.equation.split("->", 1)[1].strip()
            steps.append(parse_step(step.id, f"{adsorbates[0][0].name} + *H -> {right} + *",
                                    label=f"{step.label or step.equation} (by adsorbed H)"))
            converted.append(step.id)
        elif step.id != "H_ads":
            steps.append(step)
    note = (f"hydrogenation by adsorbed H: Volmer step H_ads, then {len(converted)} steps "
            f"({', '.join(converted)}) as *X + *H -> Y + *")
    return Network(
        name=f"{network.name}+adsorbed_h", steps=tuple(steps), sites=network.sites, products=network.products,
        target=network.target, title=network.title, description=(network.description + "\n" + note).strip(),
        sources=network.sources, path=network.path, site_names=network.site_names, start_state=network.start_state,
    )


def with_site_labels(network: Network, names: tuple[str, ...] | list[str] = ()) -> Network:
    """The network with every site named (``*NO3@M1``, ``*O@M2``), every assignment of a step's
    species to sites kept as its own step.

    A step on one site is written once per site (``NO_NOH@M1``, ``NO_NOH@M2``); a step on two
    sites once per placement of its reactants and products (``NO3_diss@M1,M2>M1,M2``: *NO3 on
    M1 and the free site M2 give *NO2 on M1 and *O on M2; ``>M2,M1``: *O stays on M1 and NO2
    moves to M2). Heteronuclear dual sites need this: *NO3 on Cu and on Co are different
    intermediates. ``names`` defaults to M1, M2, ...; a network that names its sites already is
    returned as it is.
    """
    import itertools

    if network.site_names:
        return network
    names = tuple(names) or tuple(f"M{k + 1}" for k in range(network.sites))
    if len(names) != network.sites:
        raise NetworkError(f"network {network.name!r} has {network.sites} sites; {len(names)} names given: {list(names)}")

    def tokens(side):
        return [sp.name for sp, n in side if sp.is_surface for _ in range(int(round(n)))]

    def term(sp, n):
        return sp.name if abs(n - 1) < 1e-12 else f"{n:g}{sp.name}"

    def at(name, site):
        return f"*@{site}" if name == "*" else f"{name}@{site}"

    steps: list[Step] = []
    seen: set = set()
    for step in network.steps:
        left, right = tokens(step.reactants), tokens(step.products)
        others_l = [term(sp, n) for sp, n in step.reactants if not sp.is_surface]
        others_r = [term(sp, n) for sp, n in step.products if not sp.is_surface]
        k = len(left)
        for chosen in itertools.permutations(names, k):
            for order in itertools.permutations(range(k)):
                lhs = [at(left[j], chosen[j]) for j in range(k)]
                rhs = [at(right[order[j]], chosen[j]) for j in range(k)]
                key = (step.id, tuple(sorted(lhs)), tuple(sorted(rhs)))
                if key in seen:
                    continue
                seen.add(key)
                if k == 1:
                    sid = f"{step.id}@{chosen[0]}"
                else:
                    placed = [chosen[order.index(j)] for j in range(k)]
                    sid = f"{step.id}@{','.join(chosen)}>{','.join(placed)}"
                equation = " + ".join(lhs + others_l) + " -> " + " + ".join(rhs + others_r)
                steps.append(parse_step(sid, equation, label=step.label))
    labelled = Network(
        name=network.name, steps=tuple(steps), sites=network.sites, products=network.products,
        target=network.target, title=network.title,
        description=(network.description + f"\nsites named {', '.join(names)}").strip(),
        sources=network.sources, path=network.path, site_names=names,
    )
    variants: dict[str, list[int]] = {}
    for j, st in enumerate(steps):
        variants.setdefault(st.id.split("@", 1)[0], []).append(j)
    # every labelling of every route of the anonymous network (same routes up to the order of
    # independent steps, without searching the larger labelled state space again)
    found: dict[tuple[int, ...], tuple[int, ...]] = {}

    def walk(state, route, pos, path):
        if pos == len(route):
            if state == labelled.start:
                found.setdefault(tuple(sorted(path)), tuple(path))
            return
        for j in variants[network.steps[route[pos]].id]:
            nxt = _apply(state, steps[j])
            if nxt is not None:
                path.append(j)
                walk(nxt, route, pos + 1, path)
                path.pop()

    for route in network.routes:
        walk(labelled.start, route.steps, 0, [])
    return dataclasses.replace(labelled, route_steps=tuple(found.values()))


def _anonymous_only(network: Network, option: str, example: str) -> None:
    if network.site_names:
        raise NetworkError(f"network {network.name!r} names its sites {list(network.site_names)}: {option} "
                           f"cannot guess which site does what; write its steps in the network file ({example})")


def _species(name: str):
    from .species import parse_species

    return parse_species(name)


def _apply(state: State, step: Step) -> State | None:
    need = step.surface_reactants()
    have = Counter(state)
    for name, n in need.items():
        if have[name] < n:
            return None
    have.subtract(need)
    have.update(step.surface_products())
    out: list[str] = []
    for name in sorted(have):
        out.extend([name] * int(round(have[name])))
    return tuple(out)


def _independent(state: State, a: Step, b: Step) -> bool:
    """Two steps commute at ``state`` when their surface reactants fit in it disjointly."""
    need = a.surface_reactants() + b.surface_reactants()
    have = Counter(state)
    return all(have[k] >= v for k, v in need.items())


def _match_product(network: Network, net: dict[str, float]) -> tuple[str | None, float]:
    for name, overall in network.products.items():
        reference = overall.net()
        if set(reference) != set(net):
            continue
        key = next(iter(reference))
        factor = net[key] / reference[key]
        if factor > 0 and all(abs(net[k] - factor * v) < 1e-9 for k, v in reference.items()):
            return name, factor
    return None, 1.0


def _routes_from_sequences(network: Network, sequences) -> tuple[Route, ...]:
    key = ("given", tuple(sequences), network.target,
           tuple((st.id, st.equation, st.n_e, st.n_H) for st in network.steps),
           tuple(sorted((k, v.equation) for k, v in network.products.items())))
    if key not in _ROUTES:
        routes = []
        for ordered in sequences:
            net = net_reaction([network.steps[i] for i in ordered])
            product, factor = _match_product(network, net)
            routes.append(Route(tuple(ordered), product, factor, tuple(net.items())))
        order = {name: k for k, name in enumerate([network.target, *network.products])}
        routes.sort(key=lambda r: order.get(r.product, len(order)))
        _ROUTES[key] = tuple(routes)
    return _ROUTES[key]


def _enumerate_routes(network: Network) -> list[Route]:
    steps = network.steps
    start = network.start
    found: dict[tuple[int, ...], tuple[int, ...]] = {}
    visited_nodes = 0
    # Routes found so far, indexed by step: a path whose steps already contain a found route's can
    # only end as two cycles run side by side (dropped below), so it is not extended. Shallow
    # passes first find the short routes that make this prune bite in the deep pass.
    closed: list[Counter[int]] = []
    by_step: dict[int, list[int]] = {}
    counts: Counter[int] = Counter()

    def contains_found(i: int) -> bool:
        return any(all(counts[j] >= n for j, n in closed[r].items()) for r in by_step.get(i, ()))

    def dfs(state: State, path: list[int], on_path: set[State], sleep: frozenset[int], limit: int) -> None:
        nonlocal visited_nodes
        visited_nodes += 1
        if visited_nodes > MAX_SEARCH_NODES:
            raise NetworkError(
                f"network {network.name!r}: route enumeration exceeded {MAX_SEARCH_NODES} "
                f"search nodes with sites={network.sites}; reduce 'sites' or split the network"
            )
        if len(path) >= limit:
            return
        explored: list[int] = []
        for i, step in enumerate(steps):
            if i in sleep:
                continue
            nxt = _apply(state, step)
            if nxt is None:
                continue
            path.append(i)
            counts[i] += 1
            if nxt == start:
                key = tuple(sorted(path))
                if key not in found:
                    found[key] = tuple(path)
                    closed.append(Counter(key))
                    for j in set(key):
                        by_step.setdefault(j, []).append(len(closed) - 1)
            elif nxt not in on_path and not contains_found(i):
                child_sleep = frozenset(
                    j for j in (set(sleep) | set(explored))
                    if _independent(state, steps[j], step)
                )
                on_path.add(nxt)
                dfs(nxt, path, on_path, child_sleep, limit)
                on_path.discard(nxt)
            counts[i] -= 1
            path.pop()
            explored.append(i)

    for limit in (8, 16, 10**9):
        dfs(start, [], {start}, frozenset(), limit)
    # Keep elementary routes only: a route whose step multiset contains another route's is two
    # catalytic cycles run side by side (e.g. two nitrates on two sites) and adds nothing.
    kept: list[tuple[Counter[int], tuple[int, ...]]] = []
    for key in sorted(found, key=len):
        counts = Counter(key)
        if any(all(counts[i] >= n for i, n in small.items()) for small, _ in kept):
            continue
        kept.append((counts, found[key]))
    routes = []
    for _, ordered in kept:
        net = net_reaction([steps[i] for i in ordered])
        product, factor = _match_product(network, net)
        routes.append(Route(ordered, product, factor, tuple(net.items())))
    # target routes first, then other products, then unmatched; stable within a group
    order = {name: k for k, name in enumerate([network.target, *network.products])}
    routes.sort(key=lambda r: order.get(r.product, len(order)))
    return routes


def _route_states(network: Network, route: Route) -> list[str]:
    state = network.start
    labels = [_state_label(state)]
    for i in route.steps:
        state = _apply(state, network.steps[i])
        labels.append(_state_label(state))
    return labels


def display_order(name: str) -> tuple[int, int, str]:
    """Sort key for co-adsorbed species: N-containing first, then larger, then by name."""
    from .species import species_order

    return species_order(name)


def is_free(name: str) -> bool:
    """True for a free site, anonymous (``*``) or named (``*@M2``)."""
    return name == "*" or name.startswith("*@")


def _state_label(state: State) -> str:
    adsorbed = sorted((p for s in state if not is_free(s) for p in s.split("+")), key=display_order)
    return " + ".join(adsorbed) if adsorbed else "*"


def route_states(network: Network, route: Route) -> list[State]:
    """Surface states visited along ``route``: the start state, then one after each step."""
    state = network.start
    states = [state]
    for i in route.steps:
        state = _apply(state, network.steps[i])
        states.append(state)
    return states


# ---------------------------------------------------------------------- loading
def _shipped_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("chefe") / "networks"))


def shipped_networks() -> tuple[str, ...]:
    """Names of the networks shipped with chefe."""
    return tuple(sorted(p.stem for p in _shipped_dir().glob("*.yaml")))


def network_from_dict(data: dict[str, Any], *, source: str = "<dict>", lines=None) -> Network:
    """Build and validate a :class:`Network` from its YAML mapping.

    Raises:
        InputError: for missing keys or wrong types (naming ``source``).
        BalanceError, SpeciesError: for a bad step (naming the file and the step).
    """
    from .schema import NetworkFile, validate

    if not isinstance(data, dict):
        raise InputError(f"{source}: a network file must be a mapping with 'steps'")
    spec = validate(NetworkFile, data, source=source, lines=lines, what="network file")
    steps = []
    for entry in spec.steps:
        try:
            steps.append(parse_step(entry.id, entry.eq, label=entry.label or ""))
        except (BalanceError, SpeciesError) as exc:
            raise type(exc)(f"{source}: {exc}") from None
    products = {}
    for name, equation in spec.products.items():
        try:
            products[name] = parse_step(f"overall {name}", equation)
        except (BalanceError, SpeciesError) as exc:
            raise type(exc)(f"{source}: {exc}") from None
    target = spec.target or next(iter(products))
    sources = (spec.sources,) if isinstance(spec.sources, str) else tuple(spec.sources)
    names = tuple(spec.sites) if isinstance(spec.sites, list) else ()
    sites = len(names) if names else spec.sites
    try:
        return Network(
            name=spec.name, steps=tuple(steps), sites=sites, products=products,
            target=target, title=spec.title or "",
            description=(spec.description or "").strip(), sources=sources,
            path=None if source == "<dict>" else source, site_names=names,
        )
    except NetworkError as exc:
        raise NetworkError(f"{source}: {exc}") from None


def load_network(name_or_path: str | Path) -> Network:
    """Load a shipped network by name (``"no3rr_sac"``) or any YAML file by path.

    The YAML is read with a safe loader that rejects duplicate keys; every step is parsed and
    balance-checked.
    """
    path = Path(name_or_path)
    if not path.suffix:
        candidate = _shipped_dir() / f"{name_or_path}.yaml"
        if not candidate.exists():
            raise InputError(
                f"no shipped network {str(name_or_path)!r}; shipped: {list(shipped_networks())} "
                "(or give a path to a YAML file)"
            )
        path = candidate
    from .textfile import read_yaml

    data, lines = read_yaml(path, what="network file", lines=True)
    return network_from_dict(data, source=str(path), lines=lines)


def fewest_missing(network: Network, routes, absent) -> list[str]:
    """Of the species in ``absent``, those the route needing fewest of them lacks (what to
    compute next so that a catalyst completes a route); [] when no route needs any."""
    absent = set(absent)
    per_route = [sorted(absent & {sp.name for i in network.routes[r].unique_steps
                                  for sp in network.steps[i].species() if sp.is_surface})
                 for r in routes]
    per_route = [names for names in per_route if names]
    return min(per_route, key=len) if per_route else []


def describe_route(network: Network, route: Route) -> str:
    """One-line description: product and net reaction."""
    return f"{route.product or 'unmatched'}: {format_reaction(dict(route.net))}"


__all__ = [
    "Network",
    "Route",
    "describe_route",
    "load_network",
    "network_from_dict",
    "parse_side",
    "route_states",
    "shipped_networks",
]
