"""Multi-fidelity fitting, child by child: what the screen saves and what it would lose.

An inline search (2^x reals config, full fits, ``--children`` of them) is run with every child
task recorded, each with the screen the driver computed for it (the front's error at its cost
times 10, ``search.screen_margin``). Then, for the tasks created after ``--from-id`` (a run
past its first minutes, where the front is established), each is fitted twice: in full, and
with its first Levenberg-Marquardt fit only (what a screened-out child keeps). For several
margins it reports how many children would get the full fit, the fitting time saved, and how
many of the children whose full fit improved the front the screen would have stopped.

    python scripts/screen_study.py [--config exp2_reals] [--children 1500] [--from-id 600]
        [--count 250]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time

MARGINS = (3, 10, 30, 100)
RECORDED_MARGIN = 10.0  # the screen the recorded tasks carry; the front is screen / this


def record_tasks(config: str, children: int) -> tuple[object, list]:
    """An inline search of ``children`` fitted children with full fits; its context and tasks."""
    from autonumerics.api.runs import start_search
    from autonumerics.evolution import evolve, workers
    from autonumerics.evolution.config import load_config

    tasks = []
    full_fit = workers.run_task

    def recording(task):
        tasks.append(task)
        return full_fit(dataclasses.replace(task, screen=None))

    evolve.run_task = recording  # inline runs call it directly
    settings = [f"search.screen_margin={RECORDED_MARGIN}", f"search.max_evals={children}",
                'search.time_budget=""']
    with tempfile.TemporaryDirectory() as folder:
        start_search(load_config(config, settings), folder + "/run", workers=0, compare=False)
    evolve.run_task = full_fit
    return workers._CONTEXT, tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="exp2_reals")
    parser.add_argument("--children", type=int, default=1500)
    parser.add_argument("--from-id", type=int, default=600)
    parser.add_argument("--count", type=int, default=250)
    args = parser.parse_args()

    from autonumerics.evolution.child import evaluate_child

    context, tasks = record_tasks(args.config, args.children)
    chosen = [t for t in tasks if t.child_id >= args.from_id and t.screen is not None
              and t.program.n_constants >= 2][:args.count]  # nonlinear fits

    def timed(task):
        started = time.perf_counter()
        result = evaluate_child(context, task)
        return result.fitness, time.perf_counter() - started

    full = [timed(dataclasses.replace(t, screen=None)) for t in chosen]
    first = [timed(dataclasses.replace(t, screen=0.0)) for t in chosen]  # stops after the LM
    fronts = [t.screen / RECORDED_MARGIN for t in chosen]
    total = sum(seconds for _, seconds in full)
    print(f"{len(chosen)} children (ids >= {args.from_id}, >= 2 constants) of a "
          f"{args.children}-child inline run of {args.config}: full fit "
          f"{1e3 * total / len(chosen):.1f} ms/child, first LM fit "
          f"{1e3 * sum(s for _, s in first) / len(chosen):.1f} ms/child")
    improved = [i for i, ((loss, _), front) in enumerate(zip(full, fronts, strict=True))
                if loss < front]
    print(f"{len(improved)} improved the front at their cost in their full fit; their first fit "
          "over the front: " + ", ".join(f"{first[i][0] / fronts[i]:.3g}" for i in improved))
    for margin in MARGINS:
        passes = [first[i][0] <= margin * fronts[i] for i in range(len(chosen))]
        spent = sum(full[i][1] if passes[i] else first[i][1] for i in range(len(chosen)))
        lost = sum(1 for i in improved if not passes[i])
        print(f"margin {margin:>3}: full fits {sum(passes)}/{len(chosen)}, fitting "
              f"{total / spent:.2f}x faster, improvements lost {lost}/{len(improved)}")


if __name__ == "__main__":
    main()
