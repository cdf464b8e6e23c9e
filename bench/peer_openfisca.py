"""OpenFisca, measured on this machine: the peer issue 2 names.

Five simple eligibility outputs for one person (the simulation built from a situation each time, as the
issue's reference figure does), then the same five over 1,000,000 persons once the inputs are set.
Run by `make bench-peer` in a separate virtual environment (OpenFisca is not a dependency of Passage).
"""

from __future__ import annotations

import importlib.metadata
import statistics
import time

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Person = build_entity(key="person", plural="persons", label="A person", is_person=True)
Household = build_entity(key="household", plural="households", label="A household",
                         roles=[{"key": "member", "plural": "members", "label": "Member"}])


def _input(name: str, value_type: type, default: object = None) -> type[Variable]:
    attributes = {"value_type": value_type, "entity": Person, "definition_period": DateUnit.ETERNITY,
                  "label": name}
    if default is not None:
        attributes["default_value"] = default
    return type(name, (Variable,), attributes)


def _output(name: str, formula: object) -> type[Variable]:
    return type(name, (Variable,), {"value_type": bool, "entity": Person, "definition_period": DateUnit.DAY,
                                    "label": name, "formula": formula})


INPUTS = [
    _input("age", int), _input("in_canada", bool), _input("fears_return", bool),
    _input("is_permanent_resident", bool), _input("passport_days_left", int), _input("tax_years_filed", int),
]
OUTPUTS = [
    _output("is_adult", lambda person, period: person("age", period) >= 18),
    _output("passport_valid", lambda person, period: person("passport_days_left", period) > 0),
    _output("refugee_claim", lambda person, period: person("in_canada", period) * person("fears_return", period)),
    _output("travel_document", lambda person, period: person("is_permanent_resident", period)
            * np.logical_not(person("passport_valid", period))),
    _output("citizenship", lambda person, period: person("is_permanent_resident", period)
            * (person("tax_years_filed", period) >= 3) * person("is_adult", period)),
]
NAMES = [variable.__name__ for variable in OUTPUTS]
DAY = "2025-01-10"


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Person, Household])
    for variable in INPUTS + OUTPUTS:
        tbs.add_variable(variable)
    return tbs


def one_person(tbs: TaxBenefitSystem) -> list[object]:
    situation = {"persons": {"p": {"age": {"ETERNITY": 36}, "in_canada": {"ETERNITY": True},
                                   "fears_return": {"ETERNITY": True}, "is_permanent_resident": {"ETERNITY": True},
                                   "passport_days_left": {"ETERNITY": -300}, "tax_years_filed": {"ETERNITY": 3}}},
                 "households": {"h": {"members": ["p"]}}}
    simulation = SimulationBuilder().build_from_entities(tbs, situation)
    return [simulation.calculate(name, DAY) for name in NAMES]


def many(tbs: TaxBenefitSystem, count: int) -> object:
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("person", [str(i) for i in range(count)])
    household = builder.declare_entity("household", ["h"])
    builder.join_with_persons(household, ["h"] * count, ["member"] * count)
    simulation = builder.build(tbs)
    rng = np.random.default_rng(7)
    for name, values in (("age", rng.integers(0, 90, count)), ("in_canada", rng.random(count) < 0.5),
                         ("fears_return", rng.random(count) < 0.5),
                         ("is_permanent_resident", rng.random(count) < 0.5),
                         ("passport_days_left", rng.integers(-2000, 2000, count)),
                         ("tax_years_filed", rng.integers(0, 6, count))):
        simulation.set_input(name, "ETERNITY", values)
    return simulation


def main() -> None:
    tbs = system()
    one_person(tbs)
    samples = []
    for _ in range(2000):
        start = time.perf_counter()
        one_person(tbs)
        samples.append(time.perf_counter() - start)
    version = importlib.metadata.version("OpenFisca-Core")
    print(f"OpenFisca {version}: one person, 5 outputs, simulation built (median of 2,000): "
          f"{statistics.median(samples) * 1e6:.0f} µs")
    count = 1_000_000
    runs = []
    for _ in range(3):
        simulation = many(tbs, count)
        start = time.perf_counter()
        for name in NAMES:
            simulation.calculate(name, DAY)
        runs.append(time.perf_counter() - start)
    print(f"OpenFisca: 5 outputs x {count:,} persons (median of 3): {statistics.median(runs) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
