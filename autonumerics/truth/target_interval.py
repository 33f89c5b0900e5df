"""The interval a target is approximated on: the first one given, else its default; checked."""

from __future__ import annotations

from collections.abc import Sequence

from autonumerics.truth.targets import Interval, Target, parse_interval


def target_interval(target: Target, *choices: Sequence[float] | str | None) -> Interval:
    """The first interval of ``choices`` that is given, else the target's first default.

    Args:
        target: the target whose domain the interval must lie in.
        choices: in order of precedence (e.g. the command line's, then the program file's or the
            config's): two bounds, or text "A,B" (bounds may be constant expressions, see
            ``parse_interval``); None or empty where a source gives none.

    Raises:
        AutonumericsError: text that is not two bounds, or an interval that is empty, not finite
            or outside the target's domain (``Target.check_interval``).
    """
    chosen = next((choice for choice in choices if choice is not None and len(choice)), None)
    if isinstance(chosen, str):
        chosen = parse_interval(chosen)
    return target.check_interval(*(chosen or target.default_intervals[0]))
