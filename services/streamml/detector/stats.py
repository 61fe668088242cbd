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
from bisect import bisect_left
from collections import deque

MAD_TO_SD = 1.4826
SQRT6 = math.sqrt(6.0)
LEARN_LAG = 40
LEARN_WINDOW = 360
LOCAL_REPEATS = 60
MIN_AT_LIMIT = 20
MIN_LEFT_LIMIT = 3
RUN_NODES = 8  # points along a run at which quantised_run_log_odds evaluates the line
SATURATED_PCT = 99.0  # relative humidity this high is saturated air: it says nothing of the sensor


class ChannelStats:
    """Noise, resolution and repeat rate of one channel, from its recent clean readings."""

    __slots__ = ("_second_differences", "_repeats", "_steps", "sigma", "resolution",
                 "repeat_rate", "quantised_sigma", "_top_stays")

    def __init__(self, window: int = LEARN_WINDOW) -> None:
        self._second_differences: deque[float] = deque(maxlen=window)
        self._repeats: deque[bool] = deque(maxlen=window)
        self._steps: deque[float] = deque(maxlen=window)
        self.sigma = 0.0
        self.resolution = 0.0
        self.repeat_rate = 0.5
        # The noise without the resolution's floor: how far a reading strays before rounding,
        # which is what decides how long a calm coarse channel stays on one step.
        self.quantised_sigma = 0.0
        # After a reading at the channel's limit (humidity 100 %), whether the next stayed.
        self._top_stays: deque[bool] = deque(maxlen=window)

    def learn(self, x0: float, x1: float, x2: float | None) -> None:
        """Consecutive clean readings x0, x1 (and x2 before x0, if it was clean too)."""
        step = abs(x1 - x0)
        self._repeats.append(step == 0)
        if step > 0:
            self._steps.append(step)
        if x2 is not None:
            self._second_differences.append(abs(x1 - 2 * x0 + x2))

    def learn_at_limit(self, stayed: bool) -> None:
        """A clean reading at the channel's limit, and whether the next one stayed there."""
        self._top_stays.append(stayed)

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
        if self._second_differences:
            median = _grouped_median(sorted(self._second_differences), self.resolution)
            self.quantised_sigma = max(MAD_TO_SD * median / SQRT6, 1e-3)
            # A quantised channel can have a zero median: the resolution bounds the noise.
            self.sigma = max(self.quantised_sigma, 0.5 * self.resolution)
        if self._repeats:
            # Laplace-smoothed (never exactly 0 or 1), and the higher of the last hour's and
            # the last six hours' rate: a calm spell repeats more, and that is no fault.
            recent = list(self._repeats)[-LOCAL_REPEATS:]
            self.repeat_rate = max((sum(self._repeats) + 1) / (len(self._repeats) + 2),
                                   (sum(recent) + 1) / (len(recent) + 2))

    @property
    def ready(self) -> bool:
        """Enough learnt to judge this channel's noise (a humidity channel saturated since
        start is not)."""
        return self.sigma > 0 and len(self._second_differences) >= 10


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


class SlidingSlope:
    """Least-squares line of y over x for the last ``size`` points, O(1) per point."""

    __slots__ = ("_points", "_size", "_origin", "_sx", "_sy", "_sxx", "_sxy", "_syy")

    def __init__(self, size: int) -> None:
        self._points: deque[tuple[float, float]] = deque()
        self._size = size
        self._origin = 0.0
        self._sx = self._sy = self._sxx = self._sxy = self._syy = 0.0

    def add(self, x: float, y: float) -> None:
        # Called several times per reading: _append inlined (the same sums in the same order).
        points = self._points
        if not points:
            self._origin = x
        x -= self._origin  # small x keeps the running sums exact
        points.append((x, y))
        if len(points) > self._size:
            # The new point added, then the oldest taken off: the same sums as two steps.
            ox, oy = points.popleft()
            self._sx = self._sx + x - ox
            self._sy = self._sy + y - oy
            self._sxx = self._sxx + x * x - ox * ox
            self._sxy = self._sxy + x * y - ox * oy
            self._syy = self._syy + y * y - oy * oy
        else:
            self._sx += x
            self._sy += y
            self._sxx += x * x
            self._sxy += x * y
            self._syy += y * y
        if points[0][0] > 100_000:
            shift = self._points[0][0]
            points = [(px - shift, py) for px, py in self._points]
            origin = self._origin + shift
            self.clear()
            for px, py in points:
                self._append(px, py)
            self._origin = origin

    def _append(self, x: float, y: float) -> None:
        self._points.append((x, y))
        self._sx += x
        self._sy += y
        self._sxx += x * x
        self._sxy += x * y
        self._syy += y * y

    def clear(self) -> None:
        self._points.clear()
        self._sx = self._sy = self._sxx = self._sxy = self._syy = 0.0

    def __len__(self) -> int:
        return len(self._points)

    @property
    def full(self) -> bool:
        return len(self._points) >= self._size

    @property
    def first_x(self) -> float:
        return self._points[0][0] + self._origin

    def _centred(self) -> tuple[int, float, float, float]:
        n = len(self._points)
        mean_x, mean_y = self._sx / n, self._sy / n
        sxx = self._sxx - n * mean_x * mean_x
        sxy = self._sxy - n * mean_x * mean_y
        syy = self._syy - n * mean_y * mean_y
        return n, sxx, sxy, syy

    def slope(self) -> float:
        if len(self._points) < 3:
            return 0.0
        _, sxx, sxy, _ = self._centred()
        return sxy / sxx if sxx > 0 else 0.0

    def slope_sd(self, noise_floor: float = 0.0) -> float:
        """Standard error of the slope: the scatter around the line (at least ``noise_floor``)
        over the spread of x; infinite while the line is unknown."""
        if len(self._points) < 3:
            return math.inf
        _, sxx, _, _ = self._centred()
        return max(self.residual_sd(), noise_floor) / math.sqrt(sxx) if sxx > 0 else math.inf

    def residual_sd(self) -> float:
        """Standard deviation of the points around the line."""
        if len(self._points) < 3:
            return 0.0
        n, sxx, sxy, syy = self._centred()
        explained = sxy * sxy / sxx if sxx > 0 else 0.0
        return math.sqrt(max(0.0, syy - explained) / (n - 2))
