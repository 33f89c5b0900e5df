"""The driver's state between children: what a checkpoint holds and how an event updates it.

``record`` is the only way a fitted child enters the state, both live and when a resumed run
replays the events logged after its checkpoint, so the two paths cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from autonumerics.evolution.fingerprints import FingerprintCache
from autonumerics.evolution.population import Archive, Member, Population
from autonumerics.ir.canonical import canonicalize, structural_hash
from autonumerics.ir.program import Program

if TYPE_CHECKING:
    from autonumerics.evolution.child import ChildResult

CHECKPOINT_VERSION = 1
# Fits that find the optimum whatever the start (LP minimax, a 1-D bracket): retraining such a
# structure cannot find anything new.
EXACT_FITS = ("lp", "1d", "none")
# Fingerprints / structural hashes remembered (least recently seen forgotten first). This is
# what bounds the driver's memory and the checkpoint's size over long runs: everything else the
# state holds (population, archive: one member per cost) is bounded by the config, and the
# event logs are streamed to disk. 50 000 keys of each kind take ~15 MB and a ~3 MB checkpoint.
CACHE_SIZE = 50_000


@dataclass(frozen=True)
class Progress:
    """A snapshot for progress displays."""

    elapsed: float
    budget: float | None
    n_evaluated: int
    n_duplicates: int
    n_skipped: int
    rate: float
    front: list  # [(cost, fitness)]
    n_lost: int = 0


@dataclass
class SearchState:
    """Population, archive, RNG and counters of a run.

    Attributes:
        population: the aging population.
        archive: best member per cost.
        rng: the driver's generator (parent selection, mutation).
        next_id: id of the next child created.
        n_evaluated: fitted children recorded.
        n_duplicates: fitted children equal in function to an earlier one (not admitted).
        n_skipped: children never fitted because their structure had been fitted before.
        n_lost: children whose worker died and whom the cluster gave up on (never recorded).
        elapsed: run time in seconds, across resumes.
        fingerprints: functional fingerprints of recorded children (bounded).
        structures: structural hashes already fitted (bounded).
        exact: structural hashes whose fit is exact, so retraining them is pointless (bounded).
    """

    population: Population
    archive: Archive
    rng: np.random.Generator
    next_id: int = 0
    n_evaluated: int = 0
    n_duplicates: int = 0
    n_skipped: int = 0
    n_lost: int = 0
    elapsed: float = 0.0
    fingerprints: FingerprintCache = field(default_factory=lambda: FingerprintCache(CACHE_SIZE))
    structures: FingerprintCache = field(default_factory=lambda: FingerprintCache(CACHE_SIZE))
    exact: FingerprintCache = field(default_factory=lambda: FingerprintCache(CACHE_SIZE))

    @classmethod
    def fresh(cls, population_size: int, seed: int, cache_size: int = CACHE_SIZE) -> SearchState:
        """A new run's state; ``cache_size`` caps each of the three key caches."""
        return cls(Population(population_size), Archive(), np.random.default_rng(seed),
                   fingerprints=FingerprintCache(cache_size),
                   structures=FingerprintCache(cache_size),
                   exact=FingerprintCache(cache_size))

    def record(self, event: dict) -> Member | None:
        """Apply one logged child; returns the member admitted, None for a duplicate."""
        self.n_evaluated += 1
        self.next_id = max(self.next_id, int(event["id"]) + 1)
        self.structures.seen(event["structure"])
        if event["fit"].split("+")[0] in EXACT_FITS:  # "lp+float32": an exact fit, then a polish
            self.exact.seen(event["structure"])
        if self.fingerprints.seen(event["fingerprint"]) and event["kind"] != "seed":
            self.n_duplicates += 1
            return None
        member = Member(int(event["id"]), int(event["parent"]), Program.from_json(event["program"]),
                        float(event["fitness"]), float(event["cost"]))
        self.population.add(member)
        self.archive.update(member)
        return member

    def progress(self, budget: float | None) -> Progress:
        """A snapshot of the run so far (``budget``: its time budget in seconds, if any)."""
        rate = self.n_evaluated / self.elapsed if self.elapsed > 0 else 0.0
        front = [(m.cost, m.fitness) for m in self.archive.front()]
        return Progress(self.elapsed, budget, self.n_evaluated, self.n_duplicates, self.n_skipped,
                        rate, front, self.n_lost)

    def to_checkpoint(self, events_offset: int, timings_offset: int) -> dict:
        return {
            "version": CHECKPOINT_VERSION,
            "next_id": self.next_id,
            "n_evaluated": self.n_evaluated,
            "n_duplicates": self.n_duplicates,
            "n_skipped": self.n_skipped,
            "n_lost": self.n_lost,
            "elapsed": self.elapsed,
            "rng": self.rng.bit_generator.state,
            "population_size": self.population.members.maxlen,
            "population": [m.to_json() for m in self.population.members],
            "archive": [m.to_json() for m in self.archive.members()],
            "cache_size": self.fingerprints.max_size,
            "fingerprints": self.fingerprints.keys(),
            "structures": self.structures.keys(),
            "exact": self.exact.keys(),
            "events_offset": events_offset,
            "timings_offset": timings_offset,
        }

    @classmethod
    def from_checkpoint(cls, data: dict) -> SearchState:
        """The state a checkpoint holds.

        Raises:
            KeyError, TypeError, ValueError: not a checkpoint of this version (the caller names
                the file).
        """
        if data["version"] != CHECKPOINT_VERSION:
            raise ValueError(f"version {data['version']!r}; this autonumerics reads version "
                             f"{CHECKPOINT_VERSION}")
        rng = np.random.default_rng()
        rng.bit_generator.state = data["rng"]
        # absent from version-1 checkpoints written before the cap was saved
        cache_size = int(data.get("cache_size", CACHE_SIZE))
        return cls(
            population=Population(int(data["population_size"]),
                                  [Member.from_json(m) for m in data["population"]]),
            archive=Archive([Member.from_json(m) for m in data["archive"]]),
            rng=rng,
            next_id=int(data["next_id"]),
            n_evaluated=int(data["n_evaluated"]),
            n_duplicates=int(data["n_duplicates"]),
            n_skipped=int(data["n_skipped"]),
            n_lost=int(data.get("n_lost", 0)),
            elapsed=float(data["elapsed"]),
            fingerprints=FingerprintCache(cache_size, data["fingerprints"]),
            structures=FingerprintCache(cache_size, data["structures"]),
            exact=FingerprintCache(cache_size, data["exact"]),
        )


def child_event(result: ChildResult) -> dict:
    """A fitted child's event as logged (and recorded from): program, parent, kind, losses, cost."""
    program = canonicalize(result.program)
    return {
        "id": result.task.child_id, "parent": result.task.parent_id, "kind": result.task.kind,
        "expression": program.to_infix(), "program": program.to_json(),
        "n_ops": program.n_ops, "cost": program.cost() if result.cost is None else result.cost,
        "fitness": _finite_or_inf(result.fitness), "train": _finite_or_inf(result.train_loss),
        "valid": _finite_or_inf(result.valid_loss), "fit": result.fit_method,
        "fit_evaluations": result.fit_evaluations, "fingerprint": result.fingerprint,
        "structure": structural_hash(program),
    }


def _finite_or_inf(value: float) -> float | str:
    return float(value) if np.isfinite(value) else "inf"
