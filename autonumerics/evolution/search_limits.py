"""What makes every search end, and the settings the loop relies on, checked before it starts.

Every loop of the search ends. The time budget counts from the start of the search (labels
and worker start-up included) and is checked between children, every ``STOP_CHECK_EVERY``
attempts at making a new child and while waiting for results, so a search stops within about
a second of its budget (inline: within one child). Only the seeds are fitted whatever the
clock says, for at most ``SEED_GRACE_SECONDS`` more, so that a run always has a front.

A search with nothing left to try stops with a ``stop_reason`` that says why:
``EXHAUSTED_AFTER`` attempts in a row whose child was fitted before (or could not be made
within the limits), with no new member admitted meanwhile, mean that every program the
mutations reach from the population and the archive has been fitted; a population that no
seed entered (every seed lost with its worker) has nothing to mutate.
"""

from __future__ import annotations

import math

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.settings import SearchConfig, SearchSettings
from autonumerics.ir.canonical import canonicalize
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Program

# A healthy search skips a few children in a row (at most 9 with the defaults and 18 with
# mutation.max_ops = 3, over 400 children each); an attempt takes about 1 ms, so an exhausted
# search ends about a second after its last new child.
EXHAUSTED_AFTER = 1000
STOP_CHECK_EVERY = 50
SEED_GRACE_SECONDS = 60.0


def seed_programs(config: SearchConfig, needed: bool) -> list[Program]:
    """The seeds, parsed and canonical; an error names the seed.

    Args:
        needed: the run has not recorded a child yet, so it cannot start without a seed.
    """
    programs = []
    for index, text in enumerate(config.search.seeds):
        try:
            programs.append(canonicalize(parse_expr(text)))
        except AutonumericsError as error:
            raise AutonumericsError(f"search.seeds[{index}] {text!r}: {error}") from None
    if needed and not programs:
        raise AutonumericsError("search.seeds is empty: "
                                'a search starts from at least one program, e.g. ["x"]')
    return programs


def checkpoint_interval(config: SearchConfig) -> float:
    """``checkpoint_seconds``, or its default where not a number >= 0 (NaN never checkpoints)."""
    seconds = config.search.checkpoint_seconds
    usable = isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0
    return seconds if usable else SearchSettings.checkpoint_seconds


def exhausted_reason(config: SearchConfig, last_failure: str) -> str:
    """The stop reason of a search that found nothing new in ``EXHAUSTED_AFTER`` attempts."""
    settings = config.mutation
    why = f"; the last failure: {last_failure}" if last_failure else ""
    return (f"nothing new to try: {EXHAUSTED_AFTER} attempts in a row made only programs already "
            "fitted (or none within the limits), so every program within mutation.max_ops = "
            f"{settings.max_ops} and mutation.ops = {list(settings.ops)} that mutations reach "
            f"from the population has been fitted{why}")


def no_seed_reason(n_lost: int) -> str:
    """The stop reason of a search whose population no seed entered."""
    return (f"nothing to mutate: no seed program was recorded ({n_lost} children lost with their "
            "workers)")
