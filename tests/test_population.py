"""The aging population and the Pareto archive: dominance, ageing, tournaments, best per cost."""

from __future__ import annotations

import json

import numpy as np

from autonumerics.evolution.population import Archive, Member, Population, non_dominated
from autonumerics.ir.parse import parse_expr


def member(id: int, fitness: float, cost: float, expression: str = "x") -> Member:
    return Member(id, -1, parse_expr(expression), fitness, cost)


def test_dominance_and_front():
    a, b, c = member(0, 0.1, 2), member(1, 0.2, 2), member(2, 0.05, 5)
    assert a.dominates(b) and not a.dominates(c) and not c.dominates(a)
    assert [m.id for m in non_dominated([a, b, c])] == [0, 2]


def test_equal_members_do_not_dominate_each_other_and_the_front_is_sorted_by_cost():
    a, twin = member(0, 0.1, 2), member(1, 0.1, 2)
    assert not a.dominates(twin) and not twin.dominates(a) and not a.dominates(a)
    members = [member(2, 0.01, 9), twin, a, member(3, 0.5, 1)]
    assert [m.id for m in non_dominated(members)] == [3, 0, 1, 2]  # cost, then error, then id


def test_population_ages_out_the_oldest():
    population = Population(3)
    for i in range(5):
        population.add(member(i, 1.0, 1))
    assert [m.id for m in population.members] == [2, 3, 4] and len(population) == 3


def test_population_ages_out_the_best_member_too():
    """Regularized evolution: however good, a member dies of old age."""
    population = Population(2, [member(0, 1e-9, 1)])
    population.add(member(1, 0.5, 3))
    population.add(member(2, 0.6, 3))
    assert [m.id for m in population.members] == [1, 2]


def test_tournament_picks_a_non_dominated_member_of_its_sample():
    population = Population(10, [member(0, 0.5, 1), member(1, 0.9, 3)])
    rng = np.random.default_rng(0)
    assert {population.tournament(rng, 2).id for _ in range(20)} == {0}


def test_tournament_samples_without_replacement_and_picks_among_the_front_uniformly():
    """A sample as large as the population sees everyone: the winner is one of the two
    non-dominated members, each about half the time; a larger size is capped, not an error."""
    population = Population(10, [member(0, 0.5, 1), member(1, 0.1, 4), member(2, 0.9, 4)])
    rng = np.random.default_rng(1)
    winners = [population.tournament(rng, 50).id for _ in range(400)]
    assert set(winners) == {0, 1} and 150 < winners.count(0) < 250


def test_archive_keeps_the_best_per_cost_and_ignores_infinite_errors():
    archive = Archive()
    assert archive.update(member(0, 0.5, 1)) and not archive.update(member(1, 0.6, 1))
    assert archive.update(member(2, 0.4, 1)) and not archive.update(member(3, float("inf"), 2))
    assert [m.id for m in archive.front()] == [2]


def test_archive_front_drops_dominated_costs_and_members_keeps_them():
    archive = Archive([member(0, 0.1, 1), member(1, 0.2, 2), member(2, 0.01, 3),
                       member(3, float("nan"), 4)])
    assert [m.id for m in archive.members()] == [0, 1, 2]  # NaN is not finite: never kept
    assert [m.id for m in archive.front()] == [0, 2]
    rng = np.random.default_rng(0)
    assert {archive.sample(rng).id for _ in range(40)} == {0, 2}


def test_member_json_round_trip_writes_an_infinite_error_as_a_string():
    original = member(7, float("inf"), 3.5, "x * x + 1")
    data = json.loads(json.dumps(original.to_json(), allow_nan=False))  # strict JSON
    assert data["fitness"] == "inf"
    again = Member.from_json(data)
    assert again == original and again.fitness == float("inf")


def test_a_niche_tournament_breeds_every_cost_at_the_same_rate():
    # 95 members of cost 3 and 5 of cost 11: plain tournaments almost never pick cost 11
    population = Population(100, [member(i, 0.1 / (i + 1), 3) for i in range(95)]
                            + [member(95 + i, 1e-3 / (i + 1), 11) for i in range(5)])
    rng = np.random.default_rng(0)
    picks = [population.niche_tournament(rng, 4).cost for _ in range(2000)]
    assert 0.45 < picks.count(11) / len(picks) < 0.55
    plain = [population.tournament(rng, 4).cost for _ in range(2000)]
    assert plain.count(11) / len(plain) < 0.3
    winners = {population.niche_tournament(np.random.default_rng(1), 5).id for _ in range(3)}
    assert len(winners) == 1  # the rng decides everything
