"""What a sensor's model learns per channel."""

from __future__ import annotations

import math
import random
from collections import deque

import pytest

from streamml.detector import stats
from streamml.detector.stats import ChannelStats, SlidingLines, _grouped_median


def _learnt(values: list[float]) -> ChannelStats:
    stats = ChannelStats()
    for x2, x0, x1 in zip(values, values[1:], values[2:]):
        stats.learn(x0, x1, x2)
    stats.refit()
    return stats


def _quantised(values, step: float) -> list[float]:
    return [round(round(v / step) * step, 2) for v in values]


def test_noise_is_learnt_without_bias_at_a_coarse_resolution():
    # At 0.1 hPa the second differences are 0, 0.1, 0.2 ...: a plain median jumps a whole
    # step, so the learnt noise came out up to 20 % low or 8 % high depending on the noise.
    for sd in (0.07, 0.083, 0.1, 0.12):
        effective = math.sqrt(sd * sd + 0.1 ** 2 / 12)  # quantisation adds its own noise
        ratios = []
        for seed in range(20):
            rng = random.Random(seed)
            stats = _learnt(_quantised((1010 + rng.gauss(0, sd) for _ in range(400)), 0.1))
            ratios.append(stats.sigma / effective)
        assert abs(sum(ratios) / len(ratios) - 1) < 0.04, (sd, ratios)


def test_a_median_on_a_half_step_is_interpolated_without_dividing_by_zero():
    # 0.25 lies on the boundary between two 0.1 steps (it crashed the first version).
    for ordered in ([0.05, 0.25, 0.25, 0.5, 0.9], [0.0, 0.15, 0.25, 0.35, 0.35]):
        assert 0.15 <= _grouped_median(ordered, 0.1) <= 0.35
    assert _grouped_median([0.0, 0.0, 0.1], 0.0) == 0.0


def test_the_slope_error_is_the_scatter_or_the_noise_floor_over_the_spread_of_x():
    lines = SlidingLines(60, 30)
    for x in range(60):
        lines.add(x, 0.5 * x + (0.2 if x % 2 else -0.2))
    line = lines.long
    spread = math.sqrt(60 * (60 * 60 - 1) / 12)  # the centred sum of squares of x
    assert line.slope_sd() == pytest.approx(line.residual_sd() / spread)
    assert line.slope_sd(noise_floor=1.0) == pytest.approx(1.0 / spread)
    assert SlidingLines(60, 30).long.slope_sd() == math.inf


def test_a_run_on_a_calm_coarse_channel_is_likely_and_one_across_its_trend_is_not():
    from streamml.detector.stats import quantised_run_log_odds
    # Noise a fifth of a step: a hundred repeats on a still channel are no surprise ...
    assert quantised_run_log_odds(100, 0.04, 0.2, 0.0) < 2.0
    # ... but a channel heading across three steps in that time cannot stay on one.
    assert quantised_run_log_odds(100, 0.04, 0.2, 0.006) > 50.0
    # Noise half a step: the channel leaves its step every few readings.
    assert quantised_run_log_odds(100, 0.1, 0.2, 0.0) > 30.0
    assert quantised_run_log_odds(100, 0.04, 0.0, 0.0) == math.inf


def test_a_run_across_a_tides_turn_is_likely_and_one_held_past_it_or_before_it_is_not():
    from streamml.detector.stats import quantised_run_log_odds, tidal_run_log_odds
    rate = 2 * math.pi / 720  # a 12-hour tide, a reading a minute
    amplitudes = (1.0, 0.5, 0.25)
    # Noise a fifth of a step: 70 repeats from a tide's falling limb (0.003 a reading) on are
    # unlikely along the line, and likely along the tide turning at its trough ...
    assert quantised_run_log_odds(70, 0.035, 0.175, -0.003) > 15.0
    assert tidal_run_log_odds(70, 0.035, 0.175, -0.003, amplitudes, rate) < 5.0
    # ... but not held for hours past it: the tide rises again.
    assert tidal_run_log_odds(250, 0.035, 0.175, -0.003, amplitudes, rate) > 50.0
    # No tide turns within a run this short at that trend, nor is any tide this steep.
    assert tidal_run_log_odds(15, 0.035, 0.175, -0.003, amplitudes, rate) == math.inf
    assert tidal_run_log_odds(70, 0.035, 0.175, -0.02, amplitudes, rate) == math.inf
    assert tidal_run_log_odds(70, 0.035, 0.175, 0.0, amplitudes, rate) == math.inf


def test_a_noiseless_hold_across_a_tides_turn_is_likely_while_its_range_fits_in_the_step():
    from streamml.detector.stats import tidal_hold_log_odds, tidal_run_log_odds
    rate = 2 * math.pi / 720
    # A station barometer at 0.16 hPa, its trend before the run falling 0.0046 hPa a reading
    # (final-25 sim-2602-030): 90 repeats across a 1 hPa tide's trough are unlikely with the
    # noise learnt from its step crossings (a fifth of a step) ...
    assert tidal_run_log_odds(90, 0.034, 0.16, -0.0046, (1.0,), rate) > 15.0
    # ... and likely for a channel quieter than that: the tide's range over them (0.15 hPa)
    # fits in the step the air sits in one time in fifteen.
    assert tidal_hold_log_odds(90, 0.16, -0.0046, (1.0,), rate) == pytest.approx(
        -math.log(1 - 0.149 / 0.16), abs=0.3)
    # Held on past the turn, the tide's rise leaves the step: no chance at all.
    assert tidal_hold_log_odds(150, 0.16, -0.0046, (1.0,), rate) == math.inf
    # No tide turns within a run this short, none is this steep, no trend says nothing.
    assert tidal_hold_log_odds(40, 0.16, -0.0046, (1.0,), rate) == math.inf
    assert tidal_hold_log_odds(90, 0.16, -0.01, (1.0,), rate) == math.inf
    assert tidal_hold_log_odds(90, 0.16, 0.0, (1.0,), rate) == math.inf
    # A quarter-hPa tide turning slowly holds a slow trend's run for hours (why only the
    # steepest tide is taken for a barometer's hold).
    assert tidal_hold_log_odds(220, 0.16, 0.0016, (0.25,), rate) < 3.0


def test_a_calm_humiditys_run_across_the_days_turn_is_likely_and_one_held_for_hours_past_it_not():
    from streamml.detector.sensor import DAILY_AMPLITUDES, DAILY_RATE, RH
    from streamml.detector.stats import quantised_run_log_odds, tidal_run_log_odds
    # A station humidity at 3 %, noise a sixth of a step, its trend before falling 0.033 % a
    # reading (final-21 sim-2201-029): 141 repeats are unlikely along that line, likely along
    # the daily cycle turning at its trough ...
    assert quantised_run_log_odds(141, 0.5, 3.0, -0.033) > 50.0
    assert tidal_run_log_odds(141, 0.5, 3.0, -0.033, DAILY_AMPLITUDES[RH], DAILY_RATE) < 5.0
    # ... but not seven hours on: the day's cycle has turned and moved it off its step.
    assert tidal_run_log_odds(400, 0.5, 3.0, -0.033, DAILY_AMPLITUDES[RH], DAILY_RATE) > 50.0
    # No daily cycle falls as steeply as a shower's moistening or a sun break's drying.
    assert tidal_run_log_odds(141, 0.5, 3.0, -0.1, DAILY_AMPLITUDES[RH], DAILY_RATE) == math.inf


def test_a_held_value_is_likely_while_the_level_stays_on_its_step_and_not_once_it_leaves():
    from streamml.detector.stats import level_path_log_odds
    # Noise a quarter of a step, 20 repeats of 1012.0 on a 0.1 hPa channel: the level on the
    # step's centre throughout is no surprise ...
    assert level_path_log_odds(20, 1012.0, 1012.0, 1012.0, 0.025, 0.1) < 1.0
    # ... nor is one that moves within the step; one that goes on to the next step's centre is.
    assert level_path_log_odds(20, 1012.0, 1011.97, 1012.03, 0.025, 0.1) < 5.0
    assert level_path_log_odds(20, 1012.0, 1012.0, 1012.1, 0.025, 0.1) > 12.0
    assert level_path_log_odds(20, 1012.0, 1012.0, 1012.0, 0.025, 0.0) == 0.0


class _OneLine:
    """The straightforward sliding line (one deque and five running sums per window): what
    SlidingLines must match bit for bit."""

    def __init__(self, size: int, rebase_after: int) -> None:
        self.size, self.rebase_after = size, rebase_after
        self.points: deque[tuple[int, float]] = deque()
        self.origin = 0
        self.sums = [0.0] * 5

    def add(self, x: int, y: float) -> None:
        if not self.points:
            self.origin = x
        x -= self.origin
        self.points.append((x, y))
        if len(self.points) > self.size:
            ox, oy = self.points.popleft()
            old = (ox, oy, ox * ox, ox * oy, oy * oy)
            self.sums = [s + v - o for s, v, o in zip(self.sums, (x, y, x * x, x * y, y * y), old)]
        else:
            self.sums = [s + v for s, v in zip(self.sums, (x, y, x * x, x * y, y * y))]
        if self.points[0][0] > self.rebase_after:
            shift = self.points[0][0]
            points = [(px - shift, py) for px, py in self.points]
            self.origin += shift
            self.points.clear()
            self.sums = [0.0] * 5
            for px, py in points:
                self.points.append((px, py))
                self.sums = [s + v for s, v in zip(self.sums, (px, py, px * px, px * py, py * py))]

    def clear(self) -> None:
        self.points.clear()
        self.sums = [0.0] * 5

    def _centred(self) -> tuple[int, float, float, float]:
        """n and the sums of squares and products about the means."""
        n = len(self.points)
        sx, sy, sxx, sxy, syy = self.sums
        mean_x, mean_y = sx / n, sy / n
        return (n, sxx - n * mean_x * mean_x, sxy - n * mean_x * mean_y,
                syy - n * mean_y * mean_y)

    def slope(self) -> float:
        if len(self.points) < 3:
            return 0.0
        _, centred_xx, centred_xy, _ = self._centred()
        return centred_xy / centred_xx if centred_xx > 0 else 0.0

    def residual_sd(self) -> float:
        if len(self.points) < 3:
            return 0.0
        n, centred_xx, centred_xy, centred_yy = self._centred()
        explained = centred_xy * centred_xy / centred_xx if centred_xx > 0 else 0.0
        return math.sqrt(max(0.0, centred_yy - explained) / (n - 2))


@pytest.mark.parametrize("rebase_after", [100_000, 150])
def test_sliding_lines_match_three_separate_lines_bit_for_bit(monkeypatch, rebase_after):
    monkeypatch.setattr(stats, "REBASE_AFTER", rebase_after)
    rng = random.Random(5)
    lines = SlidingLines(60, 30, 120)
    long, short, baseline = (_OneLine(60, rebase_after), _OneLine(30, rebase_after),
                             _OneLine(120, rebase_after))
    pending: deque[tuple[int, float]] = deque()
    seq = 7
    for step in range(5000):
        seq += 1 if rng.random() > 0.02 else rng.randint(2, 5)  # readings left out now and then
        if rng.random() < 0.002:
            for line in (lines, long, short, baseline):
                line.clear()
            pending.clear()
        y = 1000.0 + 0.01 * step + rng.gauss(0, 0.3)
        lines.add(seq, y)
        long.add(seq, y)
        short.add(seq, y)
        pending.append((seq, y))
        if len(pending) > 60:
            baseline.add(*pending.popleft())
        for new, old in ((lines.long, long), (lines.short, short), (lines.baseline, baseline)):
            assert len(new) == len(old.points)
            assert new.slope() == old.slope()
            assert new.residual_sd() == old.residual_sd()
        if len(long.points):
            assert lines.first_x == long.points[0][0] + long.origin


def _runs_of(lengths: list[int]) -> stats.RunLengths:
    runs = stats.RunLengths()
    for length in lengths:
        for _ in range(length):
            runs.step(True)
        runs.step(False)
    runs.refit()
    return runs


def test_a_run_is_judged_by_how_long_this_channels_healthy_runs_last():
    assert stats.RunLengths().log_odds(1000) == math.inf  # nothing learnt: no bound
    # A calm coarse channel: runs of 5 to 40 repeats.
    calm = _runs_of([5, 8, 12, 20, 40, 6, 9, 15, 25, 7] * 6)
    assert calm.log_odds(40) < 5.0  # as long as the longest healthy runs: no evidence
    assert calm.log_odds(40) < calm.log_odds(80) < calm.log_odds(200)
    assert calm.log_odds(200) > 12.0
    # A noisy channel whose runs end after a repeat or two: a dozen repeats are evidence.
    noisy = _runs_of([1, 1, 2, 1, 3, 1, 1, 2] * 8)
    assert noisy.log_odds(12) > 12.0


def test_a_run_twice_as_long_as_the_longest_learnt_run_outlasts_them():
    runs = _runs_of([1, 2, 3, 5, 10] * 7)  # 35 runs: a full tail
    assert not runs.outlasted_by(19)
    assert runs.outlasted_by(20)
    few = _runs_of([1, 2, 3, 5, 10] * 6)  # 30 runs: too few to say what is long
    assert not few.outlasted_by(1000)


def test_a_tail_fitted_to_few_runs_falls_no_faster_than_they_show_at_least():
    """Fewer than LEAST_TAIL_UNDER_RUNS runs learnt, the tail is its MIN_TAIL longest runs, and
    the least steep fall they support (``TAIL_ENDS_SE``) bounds less; with that many learnt,
    the same as the tail's point estimate."""
    few = _runs_of([2, 3, 4, 5, 6, 7, 8, 9, 3, 4])  # 10 runs: the tail is the longest 4
    assert few.log_odds(6, least=True) == few.log_odds(6)  # up to the tail's start (6)
    assert few.log_odds(30, least=True) < few.log_odds(30) - 2.0
    assert few.log_odds(30) > 12.0 > few.log_odds(30, least=True)
    assert few.log_odds(30, least=True) < few.log_odds(60, least=True)
    assert stats.LEAST_TAIL_UNDER_RUNS == 16
    many = _runs_of([2, 3, 4, 5, 6, 7, 8, 9] * 2)  # 16 runs
    assert many.log_odds(30, least=True) == many.log_odds(30)


def test_a_run_cut_by_a_flag_is_not_learnt():
    runs = stats.RunLengths()
    for length in [1, 2, 1, 3] * 4:
        for _ in range(length):
            runs.step(True)
        runs.step(False)
    for _ in range(300):  # a long run, then a flagged reading: its length is unknown
        runs.step(True)
    runs.interrupt()
    runs.step(False)
    runs.refit()
    assert runs.log_odds(100) > 12.0
    runs.step(True)
    for _ in range(300):  # the same run ending on a clean reading is learnt
        runs.step(True)
    runs.step(False)
    runs.refit()
    assert runs.log_odds(100) < 12.0


def _joint_steps(joint: stats.JointRunLengths, pairs: list[int], before: int) -> int:
    """Feed the channels repeating at each pair of clean readings (bits); the last pair's."""
    for repeated in pairs:
        joint.step(repeated, before)
        before = repeated
    return before


def test_joint_runs_are_kept_apart_by_whether_their_channels_fell_still_together():
    joint = stats.JointRunLengths(0b011)
    before = 0b000
    for _ in range(stats.MIN_RUNS):
        # Both channels step, then repeat from the same reading for 50 readings ...
        before = _joint_steps(joint, [0b000] + [0b011] * 50 + [0b000], before)
        # ... one falls still, the other a reading later: 3 joint repeats.
        before = _joint_steps(joint, [0b001] + [0b011] * 3 + [0b010], before)
    joint.refit()
    assert joint.together.log_odds(50) < 5.0
    assert joint.staggered.log_odds(50) > 12.0
    joint.interrupt()
    # A run begun across an interruption is learnt as neither.
    _joint_steps(joint, [0b011] * 500 + [0b000], -1)
    joint.refit()
    assert joint.staggered.log_odds(50) > 12.0 and joint.together.log_odds(400) > 12.0


def test_a_joint_run_twice_the_longest_of_either_start_outlasts_them_once_enough_are_learnt():
    joint = stats.JointRunLengths(0b011)
    before = 0b000
    for _ in range(4):  # 4 together runs of 1-2 repeats: too few to say anything alone
        before = _joint_steps(joint, [0b000, 0b011, 0b011, 0b000], before)
    assert not joint.outlasted_by(1000)
    for _ in range(stats.JOINT_OUTLASTS_MIN_RUNS - 5):  # staggered runs of 1-3 repeats
        before = _joint_steps(joint, [0b001, 0b011, 0b011, 0b011, 0b010, 0b000], before)
    assert not joint.outlasted_by(1000)  # one run short
    before = _joint_steps(joint, [0b001, 0b011, 0b011, 0b011, 0b010, 0b000], before)
    assert stats.JOINT_OUTLASTS_MIN_RUNS == 16  # half a single channel's full tail
    assert not joint.outlasted_by(5)
    assert joint.outlasted_by(6)  # twice the longest of both (3 repeats)


def test_run_lengths_kept_sorted_as_runs_come_and_go_give_the_evidence_of_a_fresh_sort():
    rng = random.Random(5)
    lengths = [rng.choice((1, 1, 2, 3, 5, 8, 13, 40)) for _ in range(3 * stats.RUN_MEMORY)]
    runs = _runs_of(lengths)
    fresh = _runs_of(lengths[-stats.RUN_MEMORY:])  # only the runs still remembered
    assert runs._ordered == sorted(lengths[-stats.RUN_MEMORY:])
    for repeats in (1, 10, 40, 100):
        assert runs.log_odds(repeats) == fresh.log_odds(repeats)


def _state(runs: stats.RunLengths) -> tuple:
    return (list(runs._lengths), list(runs._gaps), runs._current, runs._gap)


def test_joint_runs_step_their_sets_as_each_set_steps_alone():
    sets = (0b011, 0b101, 0b110, 0b111)
    joint = stats.JointRuns(sets)
    alone = {channels: stats.JointRunLengths(channels) for channels in sets}
    rng = random.Random(3)
    before = -1
    for _ in range(20_000):
        if rng.random() < 0.01:
            joint.interrupt()
            for runs in alone.values():
                runs.interrupt()
            before = -1
            continue
        # Calm spells: long stretches of one, two or three channels repeating.
        repeated = rng.choice((0, 0, 0, 1, 2, 4, 3, 5, 6, 7)) if rng.random() < 0.3 else \
            (before if before >= 0 else 0)
        unjudged = 0b010 if rng.random() < 0.05 else 0
        if unjudged:
            repeated &= ~unjudged
        joint.step(repeated, unjudged)
        for channels, runs in alone.items():
            if channels & unjudged:
                runs.interrupt()
            else:
                runs.step(repeated, before)
        before = repeated
    for channels, runs in alone.items():
        for kept, expected in ((joint[channels].together, runs.together),
                               (joint[channels].staggered, runs.staggered)):
            assert _state(kept) == _state(expected)
        assert len(runs.together._lengths) > stats.MIN_RUNS
        assert len(runs.staggered._lengths) > stats.MIN_RUNS


def test_a_series_whose_runs_are_not_learnt_learns_the_rest_alike():
    learning, not_learning = ChannelStats(), ChannelStats(learns_runs=False)
    rng = random.Random(4)
    values = [round(rng.gauss(10, 0.05), 1) for _ in range(400)]
    for stats_ in (learning, not_learning):
        for x2, x0, x1 in zip(values, values[1:], values[2:]):
            stats_.learn(x0, x1, x2)
        stats_.refit()
    assert (learning.sigma, learning.resolution, learning.repeat_rate) == \
        (not_learning.sigma, not_learning.resolution, not_learning.repeat_rate)
    assert learning.runs.log_odds(10) < math.inf == not_learning.runs.log_odds(10)


def _near_the_ceiling(rng: random.Random, sd: float) -> list[float]:
    """Saturated air read with noise ``sd``, cut at 100 %: the readings under 99 % that a
    channel learns from there are the noise's dips."""
    return [min(100.0, round(100 + rng.gauss(0, sd), 1)) for _ in range(400)]


def test_the_noise_is_learnt_near_the_limit_only_while_too_few_readings_were_clear_of_it():
    rng = random.Random(6)
    stats_ = ChannelStats()
    ceiling = _near_the_ceiling(rng, 1.5)
    for x2, x0, x1 in zip(ceiling, ceiling[1:], ceiling[2:]):
        if max(x0, x1) < stats.SATURATED_PCT:
            stats_.learn(x0, x1, x2, near_limit=True)
    stats_.refit()
    assert stats_.ready and stats_.near_limit_only
    assert stats_.sigma < 0.6 * 1.5  # the dips' band: a censored sample
    clear = [round(85 + rng.gauss(0, 1.5), 1) for _ in range(400)]
    for x2, x0, x1 in zip(clear, clear[1:], clear[2:]):
        stats_.learn(x0, x1, x2)
    stats_.refit()
    assert not stats_.near_limit_only
    assert stats_.sigma == _learnt(clear).sigma



def test_a_channel_that_learnt_one_value_has_no_noise_to_judge_by_until_it_steps():
    """A station humidity at 2.75 % steps that held 96.25 % through its warm-up (final-22
    sim-2301-034) learnt only zero second differences and no step: a noise of 0.001 % that made
    its first step 2,750 noise widths. Its noise is unknown until it steps; then the resolution
    floors it."""
    stats_ = _learnt([96.25] * 30)
    assert stats_.sigma > 0 and not stats_.measured and not stats_.ready
    for x2, x0, x1 in ((96.25, 96.25, 93.5), (96.25, 93.5, 93.5)):
        stats_.learn(x0, x1, x2)
    stats_.refit()
    assert stats_.measured and stats_.ready and stats_.sigma == 0.5 * 2.75


def test_a_noise_measured_from_second_differences_is_judged_before_any_step_was_learnt():
    """A channel whose learnt pairs never stepped can still have measured its noise: second
    differences reaching a reading before them (final-22 sim-2303-008: a humidity saturated since
    its start, its dips' second differences 1.7 %)."""
    stats_ = ChannelStats()
    for x2 in (99.0, 96.25) * 10:
        stats_.learn(96.25, 96.25, x2, near_limit=True)
    stats_.refit()
    assert stats_.resolution == 0 and stats_.measured and stats_.ready


def test_a_grid_of_whole_multiples_of_the_resolution_is_anchored_at_zero():
    """Values that are all whole multiples of the resolution (0.11 hPa written to two decimals)
    anchor the grid at zero once MULTIPLE_MIN_VALUES of them were seen; a step rounded to the
    decimals written (0.275 as 0.27 and 0.28) does not, nor does a new resolution before the
    values are judged against it again."""
    grid = stats.ValueGrid()
    for k in range(9172, 9172 + stats.MULTIPLE_MIN_VALUES - 1):
        grid.learn(round(k * 0.11, 2))
    grid.refit(0.11)
    assert grid.multiple == 0.0
    grid.learn(round((9172 + stats.MULTIPLE_MIN_VALUES) * 0.11, 2))
    grid.refit(0.11)
    assert grid.multiple == 0.11
    grid.refit(0.22)
    assert grid.multiple == 0.0  # 1009.03 is no multiple of 0.22
    coarse = stats.ValueGrid()
    for k in range(3682, 3694):
        coarse.learn(round(k * 0.275, 2))
    coarse.refit(0.27)
    assert coarse.multiple == 0.0 and coarse.step == pytest.approx(0.275, abs=0.002)


def test_a_run_under_a_rate_learnt_from_a_few_pairs_says_little_and_from_many_what_the_rate_says():
    """A repeat rate from two pairs (one repeated) is the 0.5 it starts at, but the rate could as
    well be a calm coarse channel's 0.9: 18 repeats are 12.5 nats at 0.5 and about 4 averaged
    over the rate's posterior (final-25: station humidities saturated through the night, their
    first runs clear of saturation flagged at 18 repeats). From 300 pairs the average is within
    a nat of -n ln(rate)."""
    few = ChannelStats()
    few.learn(96.0, 96.0, None)
    few.learn(96.0, 94.4, None)
    few.refit()
    assert few.repeat_rate == 0.5
    assert 4.0 < few.sparse_run_log_odds(18) < 4.5 < 18 * math.log(2)
    many = _learnt([round(10 + 0.2 * (k // 5), 1) for k in range(302)])  # repeats 4 in 5
    by_rate = -18 * math.log(many.repeat_rate)
    assert by_rate - 1.0 < many.sparse_run_log_odds(18) < by_rate
