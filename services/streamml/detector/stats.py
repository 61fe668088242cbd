"""What a sensor's model learns per channel, and a sliding least-squares slope.

A channel's *noise* is measured on second differences (x[t] - 2 x[t-1] + x[t-2]): a smooth
weather trend cancels out of them, so a daily cycle or a front does not count as noise. Its
*resolution* is the smallest step it was seen to make, and its *repeat rate* how often two
consecutive readings are exactly equal — at 0.1 °C, a steady evening repeats often, and
that is what a stuck channel is judged against. The model learns only from readings that
were never flagged, ``LEARN_LAG`` readings after they arrive (so a fault recognised late
cannot have taught it anything).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import Counter, deque
from collections.abc import Iterable
from itertools import islice
from typing import NamedTuple

MAD_TO_SD = 1.4826
SQRT6 = math.sqrt(6.0)
LEARN_LAG = 40
LEARN_WINDOW = 360
LOCAL_REPEATS = 60
MIN_AT_LIMIT = 20
MIN_LEFT_LIMIT = 3
RUN_NODES = 8  # points along a run at which quantised_run_log_odds evaluates the line
MIN_SECOND_DIFFERENCES = 10  # learnt before a channel's noise is judged
# Learnt in saturated air before its scatter there judges a noise burst there (an hour: the
# ceiling cuts half the noise, and its second differences scatter more than the noise's own).
SATURATED_MIN_DIFFERENCES = 60
SATURATED_SCATTER = 2.0
SATURATED_PCT = 99.0  # relative humidity this high is saturated air: it says nothing of the sensor
RUN_MEMORY = 256  # healthy runs of repeats remembered per channel
MIN_RUNS = 4  # remembered before their lengths bound a run's evidence
MIN_TAIL = 4  # longest runs, at least, whose excess lengths fit the tail
TAIL_SHARE = 8  # the tail is the longest 1/TAIL_SHARE of the runs (heavy tails: the longest)
# A run at least this many times as long as the longest of the learnt healthy runs (once they
# are MIN_TAIL * TAIL_SHARE: a full tail) is outside what they say anything about: the tail's
# extrapolation from them does not bound it (final-12: station pressure, longest healthy run
# 10 repeats of 256, a stuck run of 27 repeats capped at 11 nats where its rate says 19.6).
OUTLASTS_LONGEST = 2
# Joint runs of several channels are outlasted by a run twice their longest once this many were
# learnt (together and staggered), half a single channel's full tail: a sensor held whole just
# after its warm-up has learnt a few hours of joint runs, and each channel's own run evidence
# (bounded by its own learnt runs and quantised chance) still has to add up past the decision
# (``SensorModel._calm_outlasted_evidence``). final-27 sim-2802-009, a station held whole for 16
# readings at reading 121-136, had learnt 16 staggered joint runs, the longest 3 repeats: their
# tail capped its joint run of 17 at 11.1 nats, where its channels' own runs add up to 16.7 and
# their repeat rates to 21.5 (an oracle knowing the weather: 18.2).
JOINT_OUTLASTS_MIN_RUNS = MIN_TAIL * TAIL_SHARE // 2
# The least steep tail the learnt runs support (``RunLengths.log_odds(least=True)``): the tail's
# runs' ends counted this many standard errors (the square root of their number) fewer. Fitted
# to a few long runs the tail's fall is uncertain (final-34: a calm spell holds a station whole
# for 14-24 readings in its first hours, where its memory has seen the longest at 4-9).
TAIL_ENDS_SE: float = 1.0
# ... while fewer runs than this were learnt (the tail then its MIN_TAIL longest, not a share
# of many); from half a full tail on, as the point estimate (a full tail's fall moved so lost
# short runs held whole: final-2 sim-301-012, final-7 sim-804-000, 21 and 31 learnt).
LEAST_TAIL_UNDER_RUNS: int = JOINT_OUTLASTS_MIN_RUNS


class ChannelStats:
    """Noise, resolution and repeat rate of one channel, from its recent clean readings."""

    __slots__ = ("_second_differences", "_near_limit_differences", "_repeats", "_steps",
                 "sigma", "resolution", "repeat_rate", "window_repeat_rate", "quantised_sigma",
                 "_top_stays", "ready",
                 "near_limit_only", "measured", "runs", "_learns_runs", "_under_limit_repeats",
                 "_under_limit_steps", "under_limit_resolution", "under_limit_rate",
                 "_saturated_values", "_saturated_shares",
                 "_saturated_differences", "_saturated_step", "saturated_sigma")

    def __init__(self, window: int = LEARN_WINDOW, learns_runs: bool = True) -> None:
        self._second_differences: deque[float] = deque(maxlen=window)
        # Those of readings near the channel's limit (humidity near 100 %): a censored sample,
        # the noise read only where it took the readings under the limit.
        self._near_limit_differences: deque[float] = deque(maxlen=window)
        self._repeats: deque[bool] = deque(maxlen=window)
        self._steps: deque[float] = deque(maxlen=window)
        self.sigma = 0.0
        self.resolution = 0.0
        self.repeat_rate = 0.5
        # The last six hours' rate alone (the window's): what a channel whose noise spans its
        # steps repeats at, calm or not (``SensorModel._repeat_rate``).
        self.window_repeat_rate = 0.5
        # The noise without the resolution's floor: how far a reading strays before rounding,
        # which is what decides how long a calm coarse channel stays on one step.
        self.quantised_sigma = 0.0
        # After a reading at the channel's limit (humidity 100 %), whether the next stayed.
        self._top_stays: deque[bool] = deque(maxlen=window)
        # After a reading in saturated air under the limit (humidity 99-100 %), whether the next
        # repeated it, and the steps between two such readings; the readings of saturated air
        # and how often each value was read: what a channel that has known only saturated air
        # is judged by there (``under_limit_repeat_rate``, ``under_limit_resolution``).
        self._under_limit_repeats: deque[bool] = deque(maxlen=window)
        self._under_limit_steps: deque[float] = deque(maxlen=window)
        self._saturated_values: deque[float] = deque(maxlen=window)
        self._saturated_shares: dict[float, float] = {}
        self.under_limit_resolution = 0.0
        self.under_limit_rate: float | None = None
        # Enough learnt to judge this channel's noise (a humidity channel saturated since start
        # is not, nor one whose noise is not ``measured``). A flag, not a property, as it is read
        # several times per reading.
        self.ready = False
        # The noise was learnt from readings near the limit (fewer than MIN_SECOND_DIFFERENCES
        # clear of it): it says nothing of readings clear of the limit.
        self.near_limit_only = False
        # The noise was measured: its second differences' median is not 0, or the channel was
        # seen to step (its resolution floors the noise). A channel every learnt reading of
        # which was the same value has neither: its noise is unknown, not nil (final-22
        # sim-2301-034: a station humidity at 2.75 % steps held 96.25 % through its warm-up
        # but where it touched 99 %, learnt a noise of 0.001 %, and each step it then made was
        # 2,750 noise widths: 518 readings flagged as noise and spikes until it had learnt a
        # step at reading 760).
        self.measured = False
        # How long this channel's healthy runs of repeats are (not learnt unless ``learns_runs``:
        # a series whose runs are never judged).
        self.runs = RunLengths()
        self._learns_runs = learns_runs
        # Those of readings in saturated air (a pair at 99 % or more: its noise cut to 100 %),
        # and the least step seen there: what a healthy channel's readings do at the ceiling,
        # the scatter a noise burst there is judged against where the noise was never learnt
        # clear of it (``saturated_sigma``: 0 until SATURATED_MIN_DIFFERENCES were learnt and the
        # channel was seen to move there).
        self._saturated_differences: deque[float] = deque(maxlen=window)
        self._saturated_step = 0.0
        self.saturated_sigma = 0.0

    def learn(self, x0: float, x1: float, x2: float | None, near_limit: bool = False) -> None:
        """Consecutive clean readings x0, x1 (and x2 before x0, if it was clean too);
        ``near_limit``: they are near the channel's limit, which censors their noise."""
        step = abs(x1 - x0)
        repeated = step == 0
        self._repeats.append(repeated)
        if self._learns_runs:
            # RunLengths.step inlined but for a run's end: a call per channel and reading costs
            # as much as the rest of this method.
            runs = self.runs
            if repeated:
                runs._current += 1
            elif runs._current:
                runs.step(False)
            else:
                runs._gap += 1
        if step > 0:
            self._steps.append(step)
        if x2 is not None:
            second = abs(x1 - 2 * x0 + x2)
            if near_limit:
                self._near_limit_differences.append(second)
            else:
                self._second_differences.append(second)
            if not self.ready:
                self._update_ready()

    def _update_ready(self) -> None:
        self.ready = self.measured and len(self._second_differences) + \
            len(self._near_limit_differences) >= MIN_SECOND_DIFFERENCES

    def learn_saturated_scatter(self, x0: float, x1: float, x2: float | None, cut: bool) -> None:
        """Consecutive clean readings x0, x1 in saturated air (and x2 before x0, if clean);
        ``cut``: one of them is at the channel's limit, so their step is the cut's, no step of
        the channel's (final-19: a station humidity at 1.75 % steps reads 99.75 or 100 %)."""
        step = abs(x1 - x0)
        if step > 0 and not cut and (self._saturated_step == 0 or step < self._saturated_step):
            self._saturated_step = step
        if x2 is not None:
            self._saturated_differences.append(abs(x1 - 2 * x0 + x2))

    def learn_at_limit(self, stayed: bool) -> None:
        """A clean reading at the channel's limit, and whether the next one stayed there."""
        self._top_stays.append(stayed)

    def learn_saturated(self, x0: float, x1: float, limit: float) -> None:
        """Consecutive clean readings x0, x1 of saturated air (x0 at least SATURATED_PCT). A
        reading under the channel's ``limit`` is not the limit's clipped value: it repeats only
        where the noise lands twice in one step."""
        self._saturated_values.append(x0)
        if x0 < limit:
            self._under_limit_repeats.append(x1 == x0)
            if x0 != x1 < limit:
                self._under_limit_steps.append(abs(x1 - x0))

    def under_limit_repeat_rate(self, value: float) -> float | None:
        """The chance that a reading of saturated air ``value`` under the limit is followed by
        the same: the rate at which such readings repeated, or, if higher, the share of the
        saturated readings that read ``value`` (in air steady at saturation each reading lands
        anew, and the step just under the limit is read most often). None until MIN_AT_LIMIT
        pairs under the limit were seen."""
        if self.under_limit_rate is None:
            return None
        share = self._saturated_shares.get(value, 1.0 / (len(self._saturated_values) + 1))
        return max(self.under_limit_rate, share)

    def sparse_run_log_odds(self, repeats: int) -> float:
        """-ln of the chance of ``repeats`` repeats in a row under a repeat rate known only
        from the pairs learnt: the chance averaged over the rate's posterior (the Laplace prior
        ``repeat_rate`` is smoothed with, updated by the pairs), not taken at its point estimate.
        From a few pairs the rate could as well be a calm coarse channel's 0.9 as 0.5, and a
        long run says little; from many it is close to -repeats ln(repeat_rate)."""
        pairs, repeated = len(self._repeats), sum(self._repeats)
        return (math.lgamma(repeated + 1) - math.lgamma(repeated + 1 + repeats)
                + math.lgamma(pairs + 2 + repeats) - math.lgamma(pairs + 2))

    @property
    def repeats_learnt(self) -> int:
        """How many pairs of clean readings the repeat rate was learnt from."""
        return len(self._repeats)

    @property
    def limit_stay_rate(self) -> float | None:
        """How often a reading at the limit was followed by another (Laplace-smoothed); None
        until MIN_AT_LIMIT were seen, MIN_LEFT_LIMIT of them left it: a sensor that reads its
        limit flat in saturated air (no noise there) is never judged."""
        stays = sum(self._top_stays)
        if len(self._top_stays) < MIN_AT_LIMIT or len(self._top_stays) - stays < MIN_LEFT_LIMIT:
            return None
        return (stays + 1) / (len(self._top_stays) + 2)

    def refit(self) -> None:
        """Recompute the estimates (a new model version)."""
        if self._steps:
            self.resolution = round(min(self._steps), 6)
        # The noise is measured on the second differences clear of the limit once there are
        # enough of them, else on those near it too.
        clear, near = self._second_differences, self._near_limit_differences
        self.near_limit_only = bool(near) and len(clear) < MIN_SECOND_DIFFERENCES
        differences = sorted([*near, *clear]) if self.near_limit_only else sorted(clear)
        if differences:
            median = _grouped_median(differences, self.resolution)
            self.quantised_sigma = max(MAD_TO_SD * median / SQRT6, 1e-3)
            # A quantised channel can have a zero median: the resolution bounds the noise.
            self.sigma = max(self.quantised_sigma, 0.5 * self.resolution)
            self.measured = median > 0 or self.resolution > 0
            self._update_ready()
        saturated = self._saturated_differences
        if len(saturated) >= SATURATED_MIN_DIFFERENCES and self._saturated_step > 0:
            step = self.resolution or self._saturated_step
            median = _grouped_median(sorted(saturated), step)
            self.saturated_sigma = SATURATED_SCATTER * max(MAD_TO_SD * median / SQRT6, 0.5 * step)
        if self._repeats:
            # Laplace-smoothed (never exactly 0 or 1), and the higher of the last hour's and
            # the last six hours' rate: a calm spell repeats more, and that is no fault.
            recent = min(LOCAL_REPEATS, len(self._repeats))
            recent_repeats = sum(islice(reversed(self._repeats), recent))
            self.window_repeat_rate = (sum(self._repeats) + 1) / (len(self._repeats) + 2)
            self.repeat_rate = max(self.window_repeat_rate, (recent_repeats + 1) / (recent + 2))
        if self._under_limit_steps:
            self.under_limit_resolution = round(min(self._under_limit_steps), 6)
        under = self._under_limit_repeats
        if len(under) >= MIN_AT_LIMIT:
            self.under_limit_rate = (sum(under) + 1) / (len(under) + 2)
            seen = len(self._saturated_values)
            self._saturated_shares = {value: (count + 1) / (seen + 1) for value, count in
                                      Counter(self._saturated_values).items()}
        if self._learns_runs:
            self.runs.refit()


# A converter reports multiples of its step (rounded to the decimals it writes): the values a
# channel was seen to report lie on one grid. Adjacent steps (under GRID_ADJACENT of the learnt
# resolution apart) seen before the grid's step is worked out from them, and most values kept
# (a coarse channel reports a few hundred over days; a fine one's grid is too fine to judge).
GRID_MIN_STEPS = 8
GRID_ADJACENT = 1.5
GRID_MAX_VALUES = 512
# The adjacent steps differ by at most this share of their mean: one grid written to its
# decimals (0.275 hPa as 0.27 and 0.28: 4 %). Values on no one grid (written finer than the
# steps at times, as a unit test's storm) leave the grid unknown.
GRID_SPREAD = 0.25
# A value is a whole multiple of the resolution within this share of the resolution (floats'
# rounding of the written decimals, far under the unit they are written to).
MULTIPLE_TOLERANCE = 1e-6
# Distinct healthy values, all whole multiples of the resolution, before the grid is taken as
# anchored at zero (``ValueGrid.multiple``): fewer than GRID_MIN_STEPS, as no step is worked out
# from them (final-23 sim-2403-009: a calm station barometer at 0.11 hPa had reported 7 values,
# all multiples, when it held 1013.25 at reading 204; a resolution learnt twice too coarse would
# have put five values on its multiples one time in sixteen, and the next single step corrects it).
MULTIPLE_MIN_VALUES = 5


class ValueGrid:
    """The distinct values a channel reported while healthy (sorted), and the step of the grid
    they lie on: over the span of the values, the whole number of steps the mean of the adjacent
    ones fits into it (a step rounded to the decimals written, 0.275 hPa written as 0.27 and
    0.28, is known to a rounding over the span). 0 until GRID_MIN_STEPS adjacent steps were
    seen."""

    __slots__ = ("_values", "_seen", "step", "span_steps", "multiple", "_learnt")

    def __init__(self) -> None:
        self._values: list[float] = []
        self._seen: set[float] = set()  # the same values, to look one up
        self.step = 0.0
        self.span_steps = 0  # how many steps the values span
        # The resolution, where every value seen (MULTIPLE_MIN_VALUES at least) is a whole
        # multiple of it: a converter's count times its step, the grid anchored at zero and known
        # exactly however far a value lies from those seen (0 where not). A step written with no
        # more decimals than the values' has such a grid (final-23: station barometers at
        # 0.11 hPa), one rounded to them (0.275 hPa written as 0.27 and 0.28) has not.
        self.multiple = 0.0
        self._learnt = False  # a value learnt since the last refit

    def knows(self, value: float) -> bool:
        """Whether ``value`` was seen (or no more are kept)."""
        return value in self._seen or len(self._seen) >= GRID_MAX_VALUES

    def learn(self, value: float) -> None:
        """A healthy value, not seen before (``knows``)."""
        insort(self._values, value)
        self._seen.add(value)
        self._learnt = True

    def nearest(self, value: float) -> float:
        """The value seen nearest to ``value`` (some were)."""
        values = self._values
        i = bisect_left(values, value)
        if i == 0:
            return values[0]
        if i == len(values):
            return values[-1]
        below, above = values[i - 1], values[i]
        return below if value - below <= above - value else above

    def refit(self, resolution: float) -> None:
        if self.multiple and self.multiple != resolution:
            self.multiple = 0.0  # the resolution learnt anew: judged again below
            self._learnt = True
        if not self._learnt or resolution <= 0:
            return
        self._learnt = False
        values = self._values
        self.multiple = resolution if len(values) >= MULTIPLE_MIN_VALUES and all(
            _whole_multiple(value, resolution) for value in values) else 0.0
        adjacent = [b - a for a, b in zip(values, values[1:]) if b - a < GRID_ADJACENT * resolution]
        if len(adjacent) < GRID_MIN_STEPS or \
                max(adjacent) - min(adjacent) > GRID_SPREAD * sum(adjacent) / len(adjacent):
            self.step = 0.0
            return
        span = values[-1] - values[0]
        self.span_steps = max(1, round(span * len(adjacent) / sum(adjacent)))
        self.step = span / self.span_steps


def _whole_multiple(value: float, step: float) -> bool:
    """Whether ``value`` is a whole multiple of ``step`` (to MULTIPLE_TOLERANCE of it)."""
    return abs(value - round(value / step) * step) <= MULTIPLE_TOLERANCE * step * max(
        1.0, abs(value / step))


class RunLengths:
    """How long a channel's (or several channels') healthy runs of repeats last, learnt from
    clean readings: the lengths of the last RUN_MEMORY runs that ended without a flag.

    A run's evidence is -ln of the chance that a healthy run starts at a reading and lasts as
    long: how often a run started after a reading that was no repeat, the share of runs
    reaching the tail's start (the shortest of the longest eighth), then a geometric tail
    fitted to how far the longest eighth went past it (the longest: a calm spell's runs have
    a heavier tail than a geometric one). A calm coarse channel, whose noise is
    far under a step, stays on one value as long as the weather lets it: that is learnt here,
    not assumed from its noise and step. Infinite (no bound) until MIN_RUNS runs ended."""

    __slots__ = ("_lengths", "_ordered", "_gaps", "_gap_sum", "_current", "_gap", "_tail_start",
                 "_start_log_odds", "_log_odds_per_repeat", "_least_log_odds_per_repeat",
                 "_refit_due")

    def __init__(self) -> None:
        self._lengths: deque[int] = deque(maxlen=RUN_MEMORY)
        self._ordered: list[int] = []  # the same lengths, sorted (kept so: a refit sorts none)
        # Before each of those runs, the chances a run had to start and missed since the run
        # before (a reading that was no repeat after one that was none).
        self._gaps: deque[int] = deque(maxlen=RUN_MEMORY)
        self._gap_sum = 0
        self._current = 0  # repeats of the run going on (among clean readings)
        self._gap = 0  # chances missed since the last run
        self._tail_start = 0
        self._start_log_odds = math.inf
        self._log_odds_per_repeat = math.inf
        self._least_log_odds_per_repeat = math.inf
        self._refit_due = False  # a run ended since the last refit

    def step(self, repeated: bool) -> None:
        """The next of two consecutive clean readings: a repeat or not."""
        if repeated:
            self._current += 1
        elif self._current:
            lengths, ordered, gaps = self._lengths, self._ordered, self._gaps
            if len(lengths) == RUN_MEMORY:  # the oldest run leaves
                del ordered[bisect_left(ordered, lengths[0])]
                self._gap_sum -= gaps[0]
            lengths.append(self._current)
            insort(ordered, self._current)
            gaps.append(self._gap)
            self._gap_sum += self._gap
            self._current = 0
            self._gap = 0
            self._refit_due = True
        else:
            self._gap += 1

    def missed(self) -> None:
        """A reading at which a run could have started and did not (counted by ``step`` for
        a channel's own runs)."""
        self._gap += 1

    def interrupt(self) -> None:
        """A flagged (or unjudged) reading or a gap: the run going on is not learnt (its
        length is unknown)."""
        self._current = 0
        self._gap = 0

    def refit(self) -> None:
        n = len(self._lengths)
        if n < MIN_RUNS or not self._refit_due:
            return
        self._refit_due = False
        ordered = self._ordered
        tail = max(MIN_TAIL, n // TAIL_SHARE)
        start = ordered[n - tail]
        excess = sum(ordered[n - tail:]) - tail * start
        self._tail_start = start
        # The chance that a run starts at a reading (Laplace-smoothed), then that it reaches the
        # tail's start.
        starts = (n + 1) / (n + self._gap_sum + 2)
        self._start_log_odds = math.log(n / tail) - math.log(starts)
        # Geometric past the start: each repeat goes on with (excess + 1) / (excess + tail + 2);
        # at least, with the tail's ends TAIL_ENDS_SE standard errors fewer (few runs learnt).
        self._log_odds_per_repeat = math.log((excess + tail + 2) / (excess + 1))
        least_ends = tail - TAIL_ENDS_SE * math.sqrt(tail) if n < LEAST_TAIL_UNDER_RUNS else tail
        self._least_log_odds_per_repeat = math.log((excess + least_ends + 2) / (excess + 1))

    @property
    def learnt(self) -> int:
        """How many healthy runs are remembered."""
        return len(self._lengths)

    def outlasted_by(self, repeats: int, times: float = OUTLASTS_LONGEST) -> bool:
        """Whether a run of ``repeats`` is ``times`` (OUTLASTS_LONGEST) times the longest
        learnt run."""
        ordered = self._ordered
        return len(ordered) >= MIN_TAIL * TAIL_SHARE and repeats >= times * ordered[-1]

    def log_odds(self, repeats: int, least: bool = False) -> float:
        """-ln of the chance that a healthy run starts and lasts ``repeats`` repeats (infinite
        until MIN_RUNS runs were learnt); ``least``: past the tail's start, by the least steep
        tail the learnt runs support (``TAIL_ENDS_SE``, ``LEAST_TAIL_UNDER_RUNS``)."""
        start = self._tail_start
        if repeats <= start:
            return self._start_log_odds * repeats / start
        per_repeat = self._least_log_odds_per_repeat if least else self._log_odds_per_repeat
        return self._start_log_odds + (repeats - start) * per_repeat


def quantised_run_log_odds(repeats: int, sigma: float, resolution: float,
                           slope: float) -> float:
    """-ln of the largest chance that a channel with noise ``sigma``, rounded to
    ``resolution`` and following a line of ``slope`` per reading, reports one value
    ``repeats`` more times: the line placed where it helps most (its span centred on the
    step). A calm coarse channel (noise well under a step) may stay on one step for hours;
    one whose trend crosses steps cannot. Infinite without a resolution."""
    if resolution <= 0 or sigma <= 0:
        return math.inf
    half, scale = resolution / 2, sigma * math.sqrt(2.0)
    # The line's offsets from the step's centre at RUN_NODES points along the run.
    span = slope * repeats
    total = 0.0
    for k in range(RUN_NODES):
        offset = span * ((k + 0.5) / RUN_NODES - 0.5)
        inside = 0.5 * (math.erf((half - offset) / scale) - math.erf((-half - offset) / scale))
        total -= math.log(max(inside, 1e-300))
    return total * repeats / RUN_NODES


def tidal_run_log_odds(repeats: int, sigma: float, resolution: float, slope: float,
                       amplitudes: tuple[float, ...], rate: float) -> float:
    """``quantised_run_log_odds`` along a tide turning instead of a line: the least over tides
    of the given ``amplitudes`` (``rate``: radians per reading) whose slope at the run's first
    reading is ``slope`` and whose crest or trough comes within the run. Infinite where no such
    tide is that steep and turns that soon (before its turn a tide bends the line by little:
    the trend's shrinking covers that), or without a trend or a resolution."""
    if resolution <= 0 or sigma <= 0 or slope == 0:
        return math.inf
    least = math.inf
    for amplitude, phase in _turning_tides(repeats, slope, amplitudes, rate):
        path = [amplitude * math.cos(rate * repeats * (k + 0.5) / RUN_NODES + phase)
                for k in range(RUN_NODES)]
        least = min(least, path_run_log_odds(path, repeats, sigma, resolution))
    return least


def tidal_hold_log_odds(repeats: int, resolution: float, slope: float,
                        amplitudes: tuple[float, ...], rate: float) -> float:
    """-ln of the chance that a noiseless channel rounded to ``resolution`` holds one value
    ``repeats`` more times along a tide of ``tidal_run_log_odds``: that the tide's range over
    the run, from the run's first reading through its turn to its last, fits in the step the
    air sits in (1 - range / resolution, the air anywhere in its step). The least over the
    tides; infinite where none turns within the run or every range is a step or more."""
    if resolution <= 0 or slope == 0:
        return math.inf
    least = math.inf
    for amplitude, phase in _turning_tides(repeats, slope, amplitudes, rate):
        end = rate * repeats + phase
        levels = [math.cos(phase), math.cos(end)]
        # The tide's crests and troughs within the run (phases at whole multiples of pi).
        turn = math.ceil(phase / math.pi)
        while turn * math.pi <= end:
            levels.append(math.cos(turn * math.pi))
            turn += 1
        share = amplitude * (max(levels) - min(levels)) / resolution
        if share < 1.0:
            least = min(least, -math.log1p(-share))
    return least


def _turning_tides(repeats: int, slope: float, amplitudes: tuple[float, ...], rate: float,
                   ) -> Iterable[tuple[float, float]]:
    """The tides of ``amplitudes`` (radians per reading: ``rate``) whose slope at a run's first
    reading is ``slope`` and whose crest or trough comes within its ``repeats``: each one's
    amplitude and phase there (its level amplitude * cos(rate * t + phase))."""
    for amplitude in amplitudes:
        steepest = amplitude * rate
        if steepest <= abs(slope) or math.asin(abs(slope) / steepest) >= rate * repeats:
            continue
        sine = -slope / steepest
        yield amplitude, math.atan2(sine, math.copysign(math.sqrt(1.0 - sine * sine), slope))


def path_run_log_odds(path: list[float], repeats: int, sigma: float, resolution: float) -> float:
    """-ln of the chance of one value ``repeats`` times along the levels ``path`` (RUN_NODES
    points spread over the run), its range centred on the value's step. Infinite without a
    resolution or noise."""
    if resolution <= 0 or sigma <= 0:
        return math.inf
    half, scale = resolution / 2, sigma * math.sqrt(2.0)
    middle = 0.5 * (max(path) + min(path))
    total = 0.0
    for level in path:
        offset = level - middle
        inside = 0.5 * (math.erf((half - offset) / scale) - math.erf((-half - offset) / scale))
        total -= math.log(max(inside, 1e-300))
    return total * repeats / RUN_NODES


def level_path_log_odds(repeats: int, held: float, first_level: float, last_level: float,
                        sigma: float, resolution: float) -> float:
    """-ln of the chance that a channel with noise ``sigma``, rounded to ``resolution``, whose
    level went in a line from ``first_level`` (at a run's first reading) to ``last_level`` (at
    its last repeat), reads ``held`` at each of the run's ``repeats``."""
    if resolution <= 0 or sigma <= 0 or repeats <= 0:
        return 0.0
    half, scale = resolution / 2, sigma * math.sqrt(2.0)
    total = 0.0
    for k in range(1, repeats + 1):
        level = first_level + (last_level - first_level) * k / repeats
        inside = 0.5 * (math.erf((held + half - level) / scale) -
                        math.erf((held - half - level) / scale))
        total -= math.log(max(inside, 1e-300))
    return total


def clipped_run_log_odds(repeats: int, sigma: float, resolution: float, top: float) -> float:
    """-ln of the largest chance that a channel clipped at ``top`` (humidity at 100 %) reports
    ``top`` ``repeats`` more times: with the air at the limit itself, a reading is ``top``
    whenever its noise keeps it above the rounding cut-off below the limit; below that it
    reports the step under it (saturated air still has a noisy sensor)."""
    if resolution <= 0 or sigma <= 0:
        return math.inf
    below = math.floor(top / resolution - 1e-9) * resolution  # the step under the limit
    margin = top - (below + resolution / 2)
    stays = 0.5 * (1.0 + math.erf(margin / (sigma * math.sqrt(2.0))))
    return -repeats * math.log(max(stays, 1e-300))


def _grouped_median(ordered: list[float], step: float) -> float:
    """The median of values that are multiples of ``step`` (a quantised channel's second
    differences), interpolated within the median's step: the plain median jumps by whole
    steps (0.1 or 0.2 hPa, nothing between), which biases the noise low or high."""
    middle = ordered[len(ordered) // 2]
    if step <= 0:
        return middle
    k = math.floor(middle / step + 0.5)
    lower, upper = max(0.0, (k - 0.5) * step), (k + 0.5) * step
    below = bisect_left(ordered, lower) if k > 0 else 0
    at = bisect_left(ordered, upper) - below
    if at <= 0:  # values off the step's grid (a resolution not yet learnt): plain median
        return middle
    return lower + (len(ordered) / 2 - below) / at * (upper - lower)


# A line's x is counted from its origin, moved up to its oldest point once that is this far
# past it: small x keeps the running sums exact.
REBASE_AFTER = 100_000


class SlidingLine:
    """Least-squares line of y over x through one window of a ``SlidingLines`` series' points:
    the ``count`` points (at most ``size``) that end ``lag`` points before the newest. x are
    counted from ``origin``; the running sums of y, x·y and y² are kept point by point (their
    rounding depends on the order), and so are the sums of x and x² (integers: exact)."""

    __slots__ = ("size", "count", "origin", "sx", "sxx", "sy", "sxy", "syy", "_points", "_lag")

    def __init__(self, points: deque[tuple[int, float]], size: int, lag: int) -> None:
        self.size = size
        self.origin = 0
        self._points = points
        self._lag = lag
        self.clear()

    def clear(self) -> None:
        self.count = 0
        self.sx = self.sxx = 0
        self.sy = self.sxy = self.syy = 0.0

    def take(self, x: int, y: float, leaving: tuple[int, float] | None) -> None:
        """The point (x, y) in; ``leaving``, the window's oldest point, out (None while the
        window is not full)."""
        x -= self.origin
        if leaving is None:
            self.count += 1
            self.sx += x
            self.sxx += x * x
            self.sy += y
            self.sxy += x * y
            self.syy += y * y
            return
        # The new point added, then the oldest taken off: the same sums as two steps.
        ox, oy = leaving[0] - self.origin, leaving[1]
        self.sx += x - ox
        self.sxx += x * x - ox * ox
        self.sy = self.sy + y - oy
        self.sxy = self.sxy + x * y - ox * oy
        self.syy = self.syy + y * y - oy * oy

    def rebase(self) -> None:
        """Move the origin to the window's oldest point and sum its points again."""
        window = self._window()
        self.origin = window[0][0]
        self.sx = self.sxx = 0
        self.sy = self.sxy = self.syy = 0.0
        for x, y in window:
            x -= self.origin
            self.sx += x
            self.sxx += x * x
            self.sy += y
            self.sxy += x * y
            self.syy += y * y

    def points(self) -> list[tuple[int, float]]:
        """The window's points, oldest first."""
        return self._window()

    def _window(self) -> list[tuple[int, float]]:
        end = len(self._points) - self._lag
        return list(islice(self._points, end - self.count, end))

    @property
    def first_x(self) -> int:
        return self._points[-self._lag - self.count][0]

    def __len__(self) -> int:
        return self.count

    @property
    def full(self) -> bool:
        return self.count >= self.size

    def _centred(self) -> tuple[int, float, float, float]:
        n = self.count
        sx, sxx = self.sx, self.sxx
        mean_x, mean_y = sx / n, self.sy / n
        centred_sxx = sxx - n * mean_x * mean_x
        sxy = self.sxy - n * mean_x * mean_y
        syy = self.syy - n * mean_y * mean_y
        return n, centred_sxx, sxy, syy

    def slope(self) -> float:
        # Read several times per reading: _centred inlined, without the sum of squares of y.
        n = self.count
        if n < 3:
            return 0.0
        sx, sxx = self.sx, self.sxx
        mean_x = sx / n
        centred_sxx = sxx - n * mean_x * mean_x
        sxy = self.sxy - n * mean_x * (self.sy / n)
        return sxy / centred_sxx if centred_sxx > 0 else 0.0

    def slope_sd(self, noise_floor: float = 0.0) -> float:
        """Standard error of the slope: the scatter around the line (at least ``noise_floor``)
        over the spread of x; infinite while the line is unknown."""
        if self.count < 3:
            return math.inf
        _, sxx, _, _ = self._centred()
        return max(self.residual_sd(), noise_floor) / math.sqrt(sxx) if sxx > 0 else math.inf

    def residual_sd(self) -> float:
        """Standard deviation of the points around the line."""
        if self.count < 3:
            return 0.0
        n, sxx, sxy, syy = self._centred()
        explained = sxy * sxy / sxx if sxx > 0 else 0.0
        return math.sqrt(max(0.0, syy - explained) / (n - 2))


class TailFit(NamedTuple):
    """A line through a series' last points (``SlidingLines.tail_fit``)."""

    slope: float
    residual_sd: float
    root_sxx: float  # sqrt of the x spread: a noise over it is the slope's standard error
    first_x: int


class SlidingLines:
    """Least-squares lines of y over x through a series' last ``size`` points (``long``), its
    last ``recent`` points (``short``) and the ``before`` points before the last ``size``
    (``baseline``), O(1) per point: one deque holds the points of all three. x are integers
    (a reading's seq), increasing."""

    __slots__ = ("_points", "long", "short", "baseline", "_rebase_from")

    def __init__(self, size: int, recent: int, before: int = 0) -> None:
        # One more than the windows hold: the point leaving the oldest window is read after
        # the new one is appended (which drops the point before it).
        self._points: deque[tuple[int, float]] = deque(maxlen=size + before + 1)
        self.long = SlidingLine(self._points, size, 0)
        self.short = SlidingLine(self._points, recent, 0)
        self.baseline = SlidingLine(self._points, before, size)
        self._rebase_from = 0  # an x from which a line's origin may be due to move

    def add(self, x: int, y: float) -> None:
        points = self._points
        if not points:
            self.long.origin = self.short.origin = self.baseline.origin = x
            self._rebase_from = x + REBASE_AFTER
        points.append((x, y))
        n = len(points)
        long, short, baseline = self.long, self.short, self.baseline
        short.take(x, y, points[-short.size - 1] if n > short.size else None)
        if n <= long.size:
            long.take(x, y, None)
        else:
            # The point that leaves the last ``size`` enters the baseline.
            moved = points[-long.size - 1]
            long.take(x, y, moved)
            if baseline.size:
                baseline.take(*moved, points[0] if n > long.size + baseline.size else None)
        if x > self._rebase_from:
            self._rebase()

    def _rebase(self) -> None:
        """Move the origin of each line whose oldest point is REBASE_AFTER past it."""
        lines = (self.long, self.short, self.baseline) if self.baseline.size else \
            (self.long, self.short)
        for line in lines:
            if line.count and line.first_x - line.origin > REBASE_AFTER:
                line.rebase()
        self._rebase_from = min(line.origin for line in lines) + REBASE_AFTER

    def clear(self) -> None:
        if not self._points:  # cleared already (a series left out reading after reading)
            return
        self._points.clear()
        self.long.clear()
        self.short.clear()
        self.baseline.clear()

    @property
    def first_x(self) -> int:
        """The x of the oldest of the last ``size`` points."""
        return self.long.first_x

    def tail_fit(self, n: int) -> TailFit | None:
        """The least-squares line through the last ``n`` points (from the long window back into
        the baseline), worked out on demand; None with fewer points kept."""
        points = self._points
        if n < 3 or self.long.count + self.baseline.count < n:
            return None
        tail = list(islice(points, len(points) - n, len(points)))
        first = tail[0][0]
        mean_x = sum(x - first for x, _ in tail) / n
        mean_y = sum(y for _, y in tail) / n
        sxx = sum((x - first - mean_x) ** 2 for x, _ in tail)
        if sxx <= 0:
            return None
        sxy = sum((x - first - mean_x) * (y - mean_y) for x, y in tail)
        slope = sxy / sxx
        syy = sum((y - mean_y) ** 2 for _, y in tail)
        residual = math.sqrt(max(0.0, syy - sxy * slope) / (n - 2))
        return TailFit(slope, residual, math.sqrt(sxx), first)


class JointRunLengths:
    """Healthy runs of a set of channels (a bit per channel) repeating at once, kept apart by
    how they start: ``together`` (every channel of the set stepped at the reading before the
    run: a sensor that sticks whole starts its runs so) or ``staggered`` (one channel fell
    still after another: a calm spell's). A together run's chance to start is counted (at a
    reading after one at which all of the channels stepped); a staggered run's is not: its
    evidence is that of a calm spell's run once begun."""

    __slots__ = ("channels", "together", "staggered", "_current", "_skipping")

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self.together = RunLengths()
        self.staggered = RunLengths()
        self._current: RunLengths | None = None
        self._skipping = False  # a run whose start is unknown (it began across an interruption)

    def step(self, repeated: int, before: int) -> None:
        """The channels (bits) repeating at this pair of clean readings, and at the pair
        before it (-1 if that was not learnt)."""
        channels = self.channels
        if repeated & channels == channels:
            if self._current is None and not self._skipping:
                if before < 0:
                    self._skipping = True
                    return
                self._current = self.together if before & channels == 0 else self.staggered
            if self._current is not None:
                self._current.step(True)
            return
        if self._current is not None:
            self._current.step(False)
        elif before >= 0 and before & channels == 0:  # all could have stopped at once here
            self.together.missed()
        self._current = None
        self._skipping = False

    def interrupt(self) -> None:
        if self._current is not None:
            self._current.interrupt()
        self._current = None
        self._skipping = False

    def outlasted_by(self, repeats: int) -> bool:
        """Whether a run of ``repeats`` is OUTLASTS_LONGEST times the longest learnt run of
        these channels, however it began (a together run is no calmer than a calm spell's
        staggered one; together runs are few), once JOINT_OUTLASTS_MIN_RUNS were learnt."""
        together, staggered = self.together._ordered, self.staggered._ordered
        if len(together) + len(staggered) < JOINT_OUTLASTS_MIN_RUNS:
            return False
        longest = max(together[-1] if together else 0, staggered[-1] if staggered else 0)
        return repeats >= OUTLASTS_LONGEST * longest

    def refit(self) -> None:
        self.together.refit()
        self.staggered.refit()


class JointRuns:
    """The joint runs (``JointRunLengths``) of several sets of two or more channels, stepped at
    once at each pair of clean readings. At most pairs at most one channel repeats, as at the
    pair before: then no set has a run going on or starting, and the sets that could all have
    stopped at the pair before only count a chance missed, done here without a call per set."""

    __slots__ = ("_sets", "_before", "_missed_after")

    def __init__(self, channel_sets: Iterable[int]) -> None:
        self._sets = {channels: JointRunLengths(channels) for channels in channel_sets}
        assert all(channels & (channels - 1) for channels in self._sets), "a set of one channel"
        self._before = -1  # the channels (bits) repeating at the last pair stepped (-1: none)
        # Per channel (bit) repeating at the pair before, or none: the together runs of the sets
        # none of whose channels repeated there.
        self._missed_after = {
            before: tuple(runs.together for runs in self._sets.values()
                          if runs.channels & before == 0)
            for before in (0, *(1 << c for c in range(max(self._sets, default=0).bit_length())))}

    def __getitem__(self, channels: int) -> JointRunLengths:
        return self._sets[channels]

    def step(self, repeated: int, unjudged: int = 0) -> None:
        """The channels (bits) repeating at this pair of clean readings; a set with a channel in
        ``unjudged`` (bits) is interrupted instead."""
        before, self._before = self._before, repeated
        # At most one bit in each (and none before -1): no set has a run going on nor starting.
        if not unjudged and before & (before - 1) == 0 and repeated & (repeated - 1) == 0:
            for together in self._missed_after[before]:
                together._gap += 1  # RunLengths.missed, without the call
            return
        for runs in self._sets.values():
            channels = runs.channels
            if channels & unjudged:
                runs.interrupt()
            elif repeated & channels != channels and runs._current is None:
                # No run going on nor starting: JointRunLengths.step, without the call.
                runs._skipping = False
                if before >= 0 and before & channels == 0:
                    runs.together._gap += 1
            elif repeated & channels == channels and runs._current is not None:
                runs._current._current += 1  # the run goes on: RunLengths.step, without the calls
            else:
                runs.step(repeated, before)

    def interrupt(self) -> None:
        """A flagged reading or a gap: no set's run goes on across it."""
        for runs in self._sets.values():
            runs.interrupt()
        self._before = -1

    def refit(self) -> None:
        for runs in self._sets.values():
            runs.refit()
