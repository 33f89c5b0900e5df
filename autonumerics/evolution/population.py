"""Search state owned by the driver: the aging population and the Pareto archive.

Regularized evolution (Real et al. 2019): the population is a FIFO queue, so every member
dies of old age however good it is, and parents are chosen by tournament. Selection is
multi-objective: a tournament picks uniformly among the members of its sample that no other
sampled member dominates in (error, cost). The archive keeps the best program at every cost,
whose non-dominated members are the Pareto front the run reports.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from autonumerics.ir.program import Program


@dataclass(frozen=True)
class Member:
    """A scored program in the population or the archive.

    Attributes:
        id: child id (order of creation).
        parent: the parent's id (-1 for seeds).
        program: the program, constants fitted.
        fitness: max error over training and validation points (lower is better, inf = unusable).
        cost: weighted op count (lower is better).
    """

    id: int
    parent: int
    program: Program
    fitness: float
    cost: float

    def dominates(self, other: Member) -> bool:
        return (self.fitness <= other.fitness and self.cost <= other.cost
                and (self.fitness < other.fitness or self.cost < other.cost))

    def to_json(self) -> dict:
        return {"id": self.id, "parent": self.parent, "program": self.program.to_json(),
                "fitness": _json_float(self.fitness), "cost": self.cost}

    @classmethod
    def from_json(cls, data: dict) -> Member:
        return cls(int(data["id"]), int(data["parent"]), Program.from_json(data["program"]),
                   float(data["fitness"]), float(data["cost"]))


def _json_float(value: float) -> float | str:
    return value if np.isfinite(value) else "inf"


def non_dominated(members: list[Member]) -> list[Member]:
    """The members no other member dominates, sorted by cost."""
    front = [m for m in members if not any(o.dominates(m) for o in members)]
    return sorted(front, key=lambda m: (m.cost, m.fitness, m.id))


class Population:
    """The aging population: the newest ``capacity`` members, oldest dropped first."""

    def __init__(self, capacity: int, members: list[Member] | None = None) -> None:
        self.members: deque[Member] = deque(members or [], maxlen=capacity)

    def __len__(self) -> int:
        return len(self.members)

    def add(self, member: Member) -> None:
        self.members.append(member)

    def tournament(self, rng: np.random.Generator, size: int) -> Member:
        """A non-dominated member of a random sample of ``size`` members (uniform among them)."""
        return self._tournament(list(self.members), rng, size)

    def niche_tournament(self, rng: np.random.Generator, size: int) -> Member:
        """A tournament among the members of one cost, drawn uniformly from the costs present.

        Every program size then breeds at the same rate however few members it has: an aging
        population left to plain tournaments fills with the sizes that are cheap to improve, and
        the large programs, which need many generations of refinement, die out before they get
        good (one niche per op count, as the paper's NSGA-II crowding keeps every size alive).
        """
        costs = sorted({member.cost for member in self.members})
        cost = costs[int(rng.integers(len(costs)))]
        return self._tournament([m for m in self.members if m.cost == cost], rng, size)

    @staticmethod
    def _tournament(members: list[Member], rng: np.random.Generator, size: int) -> Member:
        count = min(size, len(members))
        sample = [members[i] for i in rng.choice(len(members), size=count, replace=False)]
        front = non_dominated(sample)
        return front[int(rng.integers(len(front)))]


class Archive:
    """The best member seen at every cost; its non-dominated members form the Pareto front."""

    def __init__(self, members: list[Member] | None = None) -> None:
        self.best: dict[float, Member] = {}
        for member in members or []:
            self.update(member)

    def update(self, member: Member) -> bool:
        """Keep ``member`` if it is the best at its cost; True when it was kept."""
        if not np.isfinite(member.fitness):
            return False
        incumbent = self.best.get(member.cost)
        if incumbent is None or member.fitness < incumbent.fitness:
            self.best[member.cost] = member
            return True
        return False

    def front(self) -> list[Member]:
        return non_dominated(list(self.best.values()))

    def best_up_to(self, cost: float) -> float:
        """The lowest fitness of the members costing at most ``cost`` (inf: none)."""
        return min((m.fitness for c, m in self.best.items() if c <= cost), default=np.inf)

    def sample(self, rng: np.random.Generator) -> Member:
        front = self.front()
        return front[int(rng.integers(len(front)))]

    def members(self) -> list[Member]:
        return sorted(self.best.values(), key=lambda m: m.cost)
