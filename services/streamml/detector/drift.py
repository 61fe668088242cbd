"""The drift check of a sensor's model: a calibration bias that grows steadily.

A steady, straight-line trend of the dew point (temperature or humidity drift) or of the
pressure, faster than the weather moves them outside a front or storm: a least-squares line
over the last hour with small scatter around it (a step is not a line). In saturated air,
where the dew point is the temperature and says nothing of the humidity sensor, the
temperature's own line with the humidity holding still.
Flagged back to the fitted onset, then until the bias vanishes (the sensor was recalibrated)
or the trend stops. The model holds the check back (``held``) during and after weather
events, while an inconsistency is open and while a channel is stuck. An open rising pressure
drift tells the model how much of the pressure's rise is its own (``pressure_drift_rise``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from streamml.contracts.weather import CHANNELS, DRIFT_REASON, MAGNUS_B
from streamml.detector.reading import Reading
from streamml.detector.stats import SATURATED_PCT, ChannelStats, SlidingLine, SlidingLines
from streamml.detector.thresholds import Thresholds

T, RH, P = 0, 1, 2
# Above it the weather takes air towards saturation (rain, fog): a dew-point trend there must
# not be the air saturating (``_saturating``).
MOIST_PCT = 90.0
DRIFT_WINDOW = 60
DRIFT_MAX = 360  # readings: a "drift" this long is taken as weather after all
BASELINE_WINDOW = 120  # readings before the drift window: the weather's own trend
# hPa per reading: pressure falling this fast for three hours is a front on its way (the
# tide alone never does), and the air moistening ahead of it is weather.
FRONT_TENDENCY = 0.4 / 60
# Readings over which a pressure falling that fast is a front's approach whatever the tide
# (its swing of up to 0.4 hPa/h over an hour averages out to under 0.2 hPa/h over 8 hours), and
# the readings at each end whose mean is taken.
FRONT_APPROACH_READINGS = 480
TENDENCY_ENDS = 30
# Readings of the trend before the hour that are enough to compare the hour with (a cleared
# series has them half an hour after its first hour, not after two).
MIN_BASELINE = 30
# Without them, a dew-point trend must be this many times the rate to be drift: a dry
# climate's daily cycle moves the dew point by up to ~1.2 °C/h for hours (final-3). The tide
# never moves the pressure that fast, so a pressure trend is compared with no trend.
NO_BASELINE_DEW_FACTOR = 1.5
# A dew point's trend before the hour, at the rate or steeper, that one reading's jump its way
# carries this share of (the jump STEP_SIGMAS learnt sigmas or more) is a step (a drift's
# recalibration), not the weather's trend: the hour is judged as with no trend before it.
# final-19 sim-2002-011: a thermometer's recalibration (+4.9 °C at 2193) made the 30 readings
# before the hour a +9.7 °C/h trend that the level hour after "fell" from, decided at 2261, 197
# healthy readings flagged. A humidity's quanta jump the dew point against the weather's trend
# (it moves between them, the quantum catches up): final-19 sim-2002-035, a control at 17 %
# cooling 2.5 °C/h, jumps of +1.5 °C.
STEP_SHARE_OF_TREND: float = 0.5
# Noise does not jump so (nor does a recalibration under it: ``_recalibrated``).
STEP_SIGMAS: float = 5.0
# Humidity (%/h over the hour, over its last third) moving this fast is the weather, no
# sensor's drift (the fastest humidity drift is 15 %/h): rain racing towards saturation, a
# front's passage.
RACING_HUMIDITY_PER_HOUR = (20.0, 30.0)
# %: under it the humidity has room to race (RACING_HUMIDITY_PER_HOUR's hour), as rain takes
# dry air to saturation, so a dew point rising with it waits for the race whatever the pressure
# did (``moistening``). Over it rain cannot race, and only a falling pressure says rain: a
# humidity drift there rising into a front's moisture or decided in a stream's last hour was
# lost to the wait (final-22 sim-2302-005 at 86 %, final-23 sim-2401-021 at 86 %).
ROOM_TO_RACE_PCT = 100.0 - RACING_HUMIDITY_PER_HOUR[0]
# Readings either side of a moistening's fitted onset whose mean humidity is the air's when the
# climb began: the room to race is the room the rain had to fill, not what was left an hour
# into the climb at the decision (final-26 seed 2705: rain into air at 63-77 % decided at 83-87 %
# on two controls, sim-2705-024 and -033, flagged 82-114 readings each).
ONSET_READINGS = 5
# %: a moistening whose climb began under this humidity is no rain that saturates the air
# without racing within its wait (``from_room``): climbing under RACING_HUMIDITY_PER_HOUR for up
# to the hour before its decision and the two hours of sensor.py's ROOM_RAIN_CONFIRM, it fills
# 60 % of room at most; from drier air rain must race to saturate, which RAIN_CONFIRM's wait
# catches as before (final-24 sim-2501-009: a humidity drift from ~30 % in the Sahel's evening,
# decided at 2,708 at 42 %, whose 120-reading wait ran into the stream's end: 69 of its 203
# readings never flagged; final-26 seed 2705's rain began at 62-81 %).
SLOW_RAIN_FROM_PCT = 100.0 - 3 * RACING_HUMIDITY_PER_HOUR[0]
# °C/h: rain cools the air it moistens (its drops evaporate, taking the air towards its wet
# bulb), so the temperature's trend over the hour bends down against the trend before it as the
# dew point rises; a humidity sensor's drift moves the dew point it implies and leaves the
# thermometer alone. final-21's trade-wind rain ahead of weak fronts bent it by -0.5 to -0.8 °C/h
# at the moistening's decision on the four sensors it then saturated within RAIN_CONFIRM (seed
# 2201: sim-2201-017, -021, -027, -035), final-11's and final-19's rain by -0.4 to -2.5; the
# humidity drifts decided as moistenings on fourteen development families (all but final-2 and
# tuning-wide) by -0.41 to +0.91, the two that then saturated within the wait by +0.06 and
# +0.82 (final-10 sim-1105-002; final-20 sim-2104-018, under a low's pressure recovering).
RAIN_COOLING_C_PER_HOUR = 0.25
# °C/h: nor does rain warm the air it moistens: of 67 moistenings by rain on final-10, -11, -21,
# -24 and -26 whose bend was known, the temperature's trend bent up at the decision by +0.34 °C/h
# at most. One bent up by more is no rain that saturates the air without racing (``from_room``)
# and waits RAIN_CONFIRM: a thermometer drifting up through the evening's moistening (final-23
# sim-2402-023: the hour's trend -0.5 against -1.6 °C/h before, +1.1, decided 118 readings before
# the stream's end, its 120-reading wait never came due: 137 drift readings never flagged).
RAIN_WARMING_C_PER_HOUR = 0.75
# Of the hour's last third, the share of readings at saturation over which the humidity sits
# there: the dew point is the temperature then, and an open dew-point drift's readings are the
# noise's dips among saturated ones (a humidity drifting past saturation reads a pinned 100 %).
SITS_SATURATED_SHARE = 0.5
# hPa per reading: a moistening whose pressure fell faster than the tide alone makes it over the
# last FRONT_APPROACH_READINGS (0.2 hPa/h) and whose air cooled is rain's ahead of a shallow
# front (final-11: 0.24-0.38 hPa/h, under FRONT_TENDENCY), which may saturate the air without
# racing (``rain_cooled``, ``rain_saturated``); true humidity drifts lost to that fell 0.17-0.18
# (tuning-wide, final-12).
RAIN_TENDENCY = 0.2 / 60
# Humidity (%/h over the hour, over its last third) moving this fast with a pressure trend is
# rain at a front's passage or a storm: the pressure's rise or fall is the weather's.
PRESSURE_HUMIDITY_PER_HOUR = (10.0, 20.0)
# hPa/h: a pressure rising this fast over the hour in a thunderstorm's hold is no storm's (its
# jump only decays) but a front's passage or recovery behind it (tuning-wide seeds 7, 9, 10:
# rain and a 3 hPa/h rise behind storms moistened the air of three controls, read as drift).
STORM_FRONT_RISE_PER_HOUR = 0.4
# hPa/h: the pressure rising this fast over the hour and the three hours is a front's recovery
# behind it (0.7 hPa/h for up to a day, the tide adding up to 0.4) or the tide, not a front's
# approach (it falls); one rising faster than RECOVERY_MAX_PER_HOUR over the last half hour is
# a front's passage (~5 hPa/h) or a storm's jump.
RECOVERY_RISE_PER_HOUR = 0.4
RECOVERY_MAX_PER_HOUR = 1.5
# °C/h a temperature trend in saturated air must bend away from the trend before it (the
# humidity holding still): fog's temperature follows the daily cycle and the cloud, whose bends
# reach ~1.3 °C/h on subtropical nights (final: 1.2 °C/h flagged 10 % of control readings).
HUMID_TEMPERATURE_C_PER_HOUR = 2.0
# Share of that rate by which a whole hour after a saturated temperature drift's decision must
# go the bend's way for the drift to go on (``_temperature_hour_still``): a thermometer's drift
# moves its own readings; shade, cloud and a storm's cooling recovering bend saturated air's
# temperature for an hour and leave it level (final-30: two decisions carried 118 and 259
# readings past the bend, their trend before frozen at a storm's plunge or a cloudy hour).
STILL_TEMPERATURE_SHARE: float = 0.5
# %/h: the humidity moving slower than this while the dew point moves is the thermometer's
# doing (weather that warms or cools humid air moves its humidity).
STILL_HUMIDITY_PER_HOUR = 3.0
# A daily cycle of amplitude A bends the temperature's hourly trend by up to ~0.1 A °C/h
# against the trend before it (more with the cloud); the range of the readings kept (8 hours,
# about 1.5 A near the night's minimum) bounds A. A saturated temperature bend must exceed this
# share of that range per hour (final-3: saturated nights in a 15 °C cycle; 0.15 left 0.91 %
# false alarms there). With fewer than 8 hours kept (a sensor's first hours, after a gap) the
# range bounds nothing (four hours around the night's minimum span a seventh of A): no saturated
# temperature bend is judged (final-7: the first morning's warming of saturated air under
# thickening cloud, 2 °C/h, flagged for hours on three seeds).
DAILY_BEND_PER_RANGE = 0.25
TEMPERATURE_RANGE_READINGS = 480
# °C: the air temperature the dew-point rate (``drift_dew_point_c_per_hour``) a drift must
# start at holds at and above. In colder air a humidity sensor's bias growing by the same %/h
# moves the dew point less, as the square of (MAGNUS_B + dew point), and the dew point is no
# warmer than the air: a drift of 7 %/h at 85 % moves a dew point of -30 °C by 0.9 °C/h, one of
# 10 °C by 1.2 °C/h (final-10, polar: humidity drifts of 6-9 %/h never flagged). By the air's
# temperature, not the dew point's: a desert's dry air has dew points under -10 °C with a daily
# cycle that moves them ~1 °C/h (final-8: scaled by the dew point, a control flagged).
COLD_AIR_REFERENCE_C = 10.0
# An open drift whose fitted onset lies within this many readings of the first the fit looked at
# may have begun before the hour it was decided on (the weather's hold or a bend too slight held
# the decision back: final-13, 10 of 55 drifts ended by a recalibration began 30-105 readings
# before their fitted onset). Its recalibration's step is the bias it had grown: over its rate
# from the fitted onset, how long it had grown. The drift-end check flags it back so far if the
# step is a drift's end (``began_before_onset``), by at most BACK_FILL_MAX readings more (the
# hour's rate is the weather's too: a weather trend against the drift shrinks it and stretches
# the length by up to 150 readings).
ONSET_AT_FIRST = 15
BACK_FILL_MAX = 90
# A saturated temperature bending up against a cooling before the hour is that cooling
# recovering (a storm's, a cloud's) while it stays under the level the cooling set in from, if
# it set in at once: at least PLUNGE_SHARE of the fall over the trend before (from its first
# quarter hour to its last: PLUNGE_BLOCKS blocks) within half an hour (PLUNGE_SPAN blocks). A
# steady cooling (the night's in fog) falls 2/7 of it within any half hour.
PLUNGE_BLOCKS: int = BASELINE_WINDOW // 15
PLUNGE_SPAN: int = 2
PLUNGE_SHARE: float = 0.6
# The share of a change of the temperature's trend the weather's dew point shares: the day's
# heating and cooling move the air's dew point by about a third as much as its temperature (the
# simulator's cycle: 0.3 A of dew point against A of temperature, which cloud only flattens).
# An open dew-point drift goes on while it departs from the weather's trend before it, moved by
# this share of the temperature's change of trend (over the hour) since: ``_weather_dew_trend``.
# A cycle of 10-18 °C (final-19) turns the dew point's trend by up to 1.4 °C/h through an
# evening or a morning, which the trend frozen at the decision read as the drift going on for
# up to DRIFT_MAX readings (four controls, 296-361 readings each). Without a trend before the
# hour (after a hold, after a drift's end) a dew-point trend must also outrun this share of the
# temperature's over the hour by the rate (``_beyond_the_days_share``): the night's cooling
# lowers the dew point by up to 1.4 °C/h, over the cold air's 1.5 rates (final-19: three
# controls, 22-24 h). A thermometer's drift moves the dew point by most of its bias, the
# reference by this share of it.
DEW_SHARE_OF_TEMPERATURE = 0.3
# Share of the rate by which the hour's slope may differ from the two hours' before it for the
# three hours to be one line (a storm's drying slows by far more from one hour to the next).
ONE_LINE_SHARE = 0.5
# A determinant of the two lines' normal equations this small against the product of their
# diagonal: the hinge at the window's first reading, where the two lines are one.
TWO_LINES_DEGENERATE: float = 1e-9
# °C/h: a storm's moisture dries back while its cooling recovers (the air warming back faster
# than the afternoon's own warming, as sensor.py's STORM_WARMING_C_PER_HOUR); a dew point falling
# after the air stopped warming back is no storm's drying.
STORM_RECOVERY_C_PER_HOUR = 1.0
# Standard errors of the hour's line by which an open drift's hour after its decision must fall
# short of half its bend to end it (``_hour_left_the_bend``).
STOPPED_SD = 2.0
# A pressure rising along one steady line for SLOW_RISE_READINGS at this share of the rate or
# faster, outside any weather event's hold, is a drift whatever the trend before it: the weather
# lifts the pressure that fast only in a front's passage or a storm's jump (both held); behind a
# front it recovers at 0.7 hPa/h, the tide adds at most 0.4 and the air mass's return after the
# deepest lows (final-20: 30-40 hPa) up to 0.4. The hour's bend against the trend before it misses
# a slow drift that the weather's own trend turning down hides part of (final-27 sim-2801-002: a
# cheap barometer drifting up 2.1 hPa/h from 2725 while the tide turned from +0.15 to -0.17
# hPa/h, bent the hour by 0.92 of the rate at most; found only by its recalibration's step,
# after the stream's end).
SLOW_RISE_SHARE = 0.875
SLOW_RISE_READINGS = 2 * DRIFT_WINDOW
# In a thunderstorm's hold, a temperature climbing at HUMID_TEMPERATURE_C_PER_HOUR or more along
# one steady line over SLOW_RISE_READINGS in saturated air (SITS_SATURATED_SHARE of them at
# SATURATED_PCT), the humidity still, its last hour no slower than this share of the whole line,
# and already over the level before the storm moved along its own trend then (the sensor's
# ``_temperature_course``), is drift: the storm's recovery slows as its cooling decays and goes
# back to that course at most, while a thermometer drifting up from the recovery goes on at its
# rate through it, with no bend against the trend before it (that trend is the recovery) and
# under the hold's ceiling, which allows a day's warming of 1 C/h (final-30 sim-3103-014: 2.6 C/h
# over 1139-1377 from a storm's saturated recovery at 1053, the level before it 19.1 C; decided
# at 1245 at 21.4 C). Outside a hold saturated mornings warm fog along one line at 2.0-2.7 C/h
# (final-28 seed 2901: four such decisions, one a control's), so it is not judged there.
CLIMB_KEEPS_SHARE = 0.8

# Readings after a weather event's hold (a front's or a thunderstorm's) before a dew point
# falling while the air warms is judged against the day's share of the warming
# (``_drying_while_warming``): rain's and a storm's moisture dries back as their cooling
# recovers, the air warming (the simulator's moisture relaxes with an e-folding of 25 readings
# once the rain stops: 2 % of it is left after 100). final-28 sim-2901-027: a storm's hold ended
# at 2374, the dew point falling 0.55 °C/h as the air warmed back 2.4 °C/h, decided at 2437.
DRYING_AFTER_HOLD: int = 100


ReadingAt = Callable[[int], "Reading | None"]
# (reading, reason, channel, score, threshold): the model's way of flagging a reading.
FlagReading = Callable[[Reading, str, int, float, float], None]


class _Series(SlidingLines):
    """A series' line over the last hour (``long``, and the last half hour: ``short``), and
    its line over the two hours before that hour (``baseline``): the weather's trend the last
    hour is compared with."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(DRIFT_WINDOW, DRIFT_WINDOW // 2, BASELINE_WINDOW)

    def base_slope(self) -> float | None:
        """The trend before the last hour, once MIN_BASELINE readings of it are known."""
        return self.baseline.slope() if self.baseline.count >= MIN_BASELINE else None


class DriftCheck:
    """One sensor's drift state: sliding lines of the dew point and pressure, open drifts."""

    def __init__(self, thresholds: Thresholds, dew: ChannelStats, pressure: ChannelStats,
                 temperature: ChannelStats, reading_at: ReadingAt, flag: FlagReading) -> None:
        self._th = thresholds
        # Per reading: the slope a series' drift must exceed.
        self._limits = {"dew": thresholds.drift_dew_point_c_per_hour / 60.0,
                        "pressure": thresholds.drift_pressure_hpa_per_hour / 60.0,
                        "temperature": HUMID_TEMPERATURE_C_PER_HOUR / 60.0}
        self._stats = {"dew": dew, "pressure": pressure, "temperature": temperature}
        self._reading_at = reading_at
        self._flag = flag
        # name -> (since seq, slope per reading, the weather's slope before it)
        self._drift: dict[str, tuple[int, float, float]] = {}
        # name -> the open drift's slope per reading from its onset (the hinge's line)
        self._rate: dict[str, float] = {}
        # The open dew-point drift's temperature trend when the weather's trend it is measured
        # against was taken (``_weather_dew_trend``); absent if the temperature was not followed.
        self._temperature_then: dict[str, float] = {}
        # The open drifts whose onset was fitted at the first readings looked at (``_open``).
        self._onset_at_first: set[str] = set()
        # name -> (seq of the recalibration's step, where it says the drift began, the fitted
        # onset, score): the series' last drift that began before its onset.
        self._began_before: dict[str, tuple[int, int, int, float]] = {}
        self._drift_quiet: dict[str, int] = {}
        self._decided: dict[str, int] = {}  # name -> where the open drift was decided
        # The open temperature drift was decided as a saturated bend (``_maybe_start``), not
        # over a storm's ceiling (``_maybe_start_over_ceiling``).
        self._saturated_bend = False
        # name -> (onset, slope per reading from it, channel, score): confirmed drifts carried
        # through a thunderstorm's hold (``reset``, ``_carry``).
        self._carried: dict[str, tuple[int, float, int, float]] = {}
        self._storm_jump = False  # this reading's step is a storm's jump (``_carry``)
        self._moistening = False  # the open dew-point drift may be rain (``moistening``)
        # ... and the temperature bent down at its decision: rain's cooling (``rain_saturated``).
        self._rain_cooled = False
        # ... and its climb began in air with room to race (``from_room``) ...
        self._from_room = False
        # ... but it was decided without it, the pressure not falling (``rain_raced``).
        self._room_at_onset_only = False
        self._after_storm = False  # in a thunderstorm's hold (``update``)
        self._last_held: int | None = None  # the last reading in any weather event's hold
        self._dew_floor: float | None = None  # under it in that hold: no drying (``update``)
        # Over it in that hold: no storm's cooling recovering (``update``).
        self._temperature_ceiling: float | None = None
        # ... and the level before the storm along its own trend (``_maybe_start_saturated_climb``).
        self._temperature_course: float | None = None
        self._series = {"dew": _Series(), "pressure": _Series(), "temperature": _Series()}
        # The humidity's line over the hour (long) and its last third (short).
        self._humidity = SlidingLines(DRIFT_WINDOW, DRIFT_WINDOW // 3)

    def clear_slopes(self) -> None:
        """Forget the trends (a level changed for a reason the check must not take as drift)."""
        for series in self._series.values():
            series.clear()
        self._humidity.clear()

    def forget_channel(self, channel: int) -> None:
        """Forget the lines the channel's readings went into (its readings were found stuck),
        unless a drift is open: its checks read the other lines too (final-19 sim-2003-002: a
        barometer's run found stuck at 498 in a humidity drift; its line, cleared, read a 3.6
        hPa/h fall from three readings, a front near, and ended the drift 50 readings before its
        recalibration, whose step was then flagged inconsistent for 90 healthy readings)."""
        if self._drift:
            return
        for name in _SERIES_FED_BY[channel]:
            self._series[name].clear()
        if channel == RH:
            self._humidity.clear()

    def reset(self, carry_decided_before: int | None = None) -> None:
        """Forget the trends and end every open drift without an alarm, except (a
        thunderstorm breaking in) a pressure drift decided before ``carry_decided_before``: its
        flags are out and the storm, which came later, cannot explain it. It is carried through
        the storm's hold (``_carry``) until it ends or the check can judge it again. Not a
        dew-point drift: the storm's moisture and cooling move the dew point by more than a
        recalibration's step, which then cannot be told (final-13: three of four dew-point drifts
        carried were weather read as drift, carried for up to 260 readings). Nor a drift whose
        own line from its onset is under the rate, decided as a bend against the weather's trend
        before it: that trend's change, which the hold cannot judge (final-9: an earlier storm's
        decay slowing, 1.3 hPa/h, carried for 254 readings). A drift carried already goes on
        through a second storm; a front ends it."""
        if carry_decided_before is None:
            self._carried.clear()
        else:
            self._storm_jump = True
            for name, (onset, slope, _) in self._drift.items():
                if name == "pressure" and self._decided[name] < carry_decided_before and \
                        abs(self._rate[name]) >= self._limits[name]:
                    self._carried[name] = (onset, self._rate[name], self._channel(name),
                                           abs(slope) / self._limits[name])
        self._drift.clear()
        self.clear_slopes()

    def pressure_drift_rise(self) -> float:
        """hPa per reading an open rising pressure drift lifts the pressure by (its line from
        the fitted onset: the hour's slope at the decision began before the onset, and the
        hour's slope now would take in a front's jump), 0 without one. The weather's rise is
        the rise beyond it."""
        if "pressure" not in self._drift or self._drift["pressure"][1] <= 0:
            return 0.0
        return max(0.0, self._rate["pressure"])

    def pressure_drift_onset(self) -> int | None:
        """Where the open pressure drift began (its fitted onset), None without one."""
        return self._drift["pressure"][0] if "pressure" in self._drift else None

    def update(self, reading: Reading, held: bool, noisy: bool,
               faulty: frozenset[int] | None = None, after_storm: bool = False,
               dew_floor: float | None = None,
               temperature_ceiling: float | None = None,
               temperature_course: float | None = None) -> None:
        """The next reading; ``held``: the weather or another fault explains any change now;
        ``noisy``: the temperature or humidity is in a noise burst; ``faulty``: the channels
        left out (the reading's faulty channels if None); ``after_storm``: a thunderstorm's
        hold, its jump and plunge over: only a dew point rising away from the storm's recovery
        starts a drift (``_maybe_start_after_storm``), or one falling under ``dew_floor`` (the
        lowest the storm's drying can take it: the model's ``_dew_floor``; None: not judged), or
        a temperature in moist air rising over ``temperature_ceiling`` (the highest the storm's
        cooling recovers to: the model's ``_temperature_ceiling``; None: not judged);
        ``temperature_course``: the level before the storm along its own trend (no warming
        allowed beyond it), over which a saturated climb in the hold is judged."""
        self._dew_floor = dew_floor
        self._temperature_ceiling = temperature_ceiling
        self._temperature_course = temperature_course
        if held or after_storm:
            self._last_held = reading.seq
        if held:
            self._after_storm = False
            self._drift.clear()
            self.clear_slopes()
            self._carry(reading)
            return
        if self._after_storm and not after_storm:
            self._storm_hold_over()
        self._after_storm = after_storm
        values = reading.values
        if faulty is None:
            faulty = reading.faulty
        # The dew point is looked at up to saturation (final-9: a monsoon's air sits at
        # 90-99 % for days, where a humidity drift out of saturation or a thermometer's drift
        # moves it as in drier air); in saturated air only the temperature's own line is.
        saturated = values[RH] >= SATURATED_PCT
        temperature_left_out = T in faulty or noisy
        dew_left_out = temperature_left_out or RH in faulty or saturated
        if dew_left_out:
            self._series["dew"].clear()
        if temperature_left_out:
            self._series["temperature"].clear()
        self._humidity.add(reading.seq, values[RH])
        if "dew" in self._drift and (self.rain_saturated(reading.seq) or
                                     (saturated and self._sits_saturated(reading.seq))):
            self._end("dew")
        if not dew_left_out:
            self._follow("dew", reading, reading.dew_point, saturated)
        if P not in faulty:
            self._follow("pressure", reading, values[P], saturated)
        if not temperature_left_out:
            self._follow("temperature", reading, values[T], saturated)
        self._carry(reading)

    def _carry(self, reading: Reading) -> None:
        """Flag the drifts carried through a storm's hold at this reading. One ends when its
        bias vanishes at once (the sensor recalibrated, as in ``_continue``; not at the reading
        the storm is found at, whose step is the storm's jump: final-13 1401-018, a barometer
        drifting down 3.6 hPa/h, the storm lifting it 2.1 hPa in that reading), after DRIFT_MAX
        readings, when the check has opened it again, or once, the hold over, its series has
        the hour the check judges a drift on."""
        storm_jump, self._storm_jump = self._storm_jump, False
        if not self._carried:
            return  # most readings
        for name, (onset, rate, channel, score) in list(self._carried.items()):
            if name in self._drift or reading.seq - onset > DRIFT_MAX or \
                    (not storm_jump and
                     self._recalibrated(name, reading, rate * (reading.seq - onset))) or \
                    (not self._after_storm and self._series[name].long.count >= DRIFT_WINDOW):
                del self._carried[name]
                continue
            self._flag(reading, f"{DRIFT_REASON}:{CHANNELS[channel]}", channel, score, 1.0)

    def _recalibrated(self, name: str, reading: Reading, bias: float) -> bool:
        """The named series stepped back against the drift's bias by at least half of it (and
        five learnt sigmas) since the last reading: the sensor was recalibrated."""
        previous = self._reading_at(reading.seq - 1)
        if previous is None:
            return False
        step = _value(name, reading) - _value(name, previous)
        return step * bias < 0 and \
            abs(step) >= max(0.5 * abs(bias), 5 * self._stats[name].sigma)

    def _storm_hold_over(self) -> None:
        """The series not in an open drift start afresh, as after any hold: the hours since the
        storm hold its moisture's and jump's decay, no trend to compare the next hour with."""
        for name, series in self._series.items():
            if name not in self._drift:
                series.clear()
        if not self._drift:
            self._humidity.clear()

    def _follow(self, name: str, reading: Reading, value: float,
                saturated: bool) -> None:
        """The next value of a series: an open drift goes on or ends, or one may start."""
        series = self._series[name]
        series.add(reading.seq, value)
        if name in self._drift:
            self._continue(name, reading, series)
        elif series.long.count >= DRIFT_WINDOW and (
                name != "temperature" or "dew" not in self._drift and
                (saturated or self._moist_after_storm(reading))):
            # The temperature alone only where the dew point is not looked at (or, in a storm's
            # hold, says nothing of a rise: ``_maybe_start_after_storm``).
            self._maybe_start(name, reading, series)

    def _moist_after_storm(self, reading: Reading) -> bool:
        """In a storm's hold in moist air, with a ceiling to judge the temperature against."""
        return self._after_storm and self._temperature_ceiling is not None and \
            reading.values[RH] >= MOIST_PCT

    def _humidity_still(self) -> bool:
        return abs(self._humidity.long.slope()) * 60 < STILL_HUMIDITY_PER_HOUR

    def _thermometer_rising(self, dew: _Series, limit: float, humidity_pct: float) -> bool:
        """The dew point's own line rising (not only bending up from a fall: the drying
        behind a front ending) while the humidity holds still over the hour, by two standard
        errors of its line (a noisy humidity sensor's line says little), and over its last
        third: the thermometer's doing, front or not. Under 60 % the bar shrinks with the
        humidity: dry air's humidity hardly moves in % whatever its dew point does. A front's
        moisture moves the humidity (rain starting moistens the air within minutes, before the
        hour's line shows it)."""
        humidity = self._humidity
        still = STILL_HUMIDITY_PER_HOUR / 60 * min(1.0, humidity_pct / 60.0)
        return dew.long.slope() >= 0.5 * limit and \
            abs(humidity.long.slope()) + 2 * humidity.long.slope_sd() < still and \
            abs(humidity.short.slope()) < still

    def _humidity_rising(self) -> bool:
        return self._humidity.long.slope() * 60 >= STILL_HUMIDITY_PER_HOUR

    def _humidity_racing(self) -> bool:
        return (abs(self._humidity.long.slope()) * 60 > RACING_HUMIDITY_PER_HOUR[0] or
                abs(self._humidity.short.slope()) * 60 > RACING_HUMIDITY_PER_HOUR[1])

    def humidity_racing_up(self) -> bool:
        """The humidity rising faster than any humidity sensor drifts: rain saturating the air
        (or a storm)."""
        return self._humidity.long.slope() * 60 > RACING_HUMIDITY_PER_HOUR[0]

    def rain_saturated(self, last: int) -> bool:
        """The last moistening decided was rain's: the temperature bent down at its decision
        (RAIN_COOLING_C_PER_HOUR) and the humidity has risen into saturation (at SATURATED_PCT
        within the hour's last third), as rain takes the air there. Not racing (trade-wind rain
        saturates the air at 10-12 %/h, as fast as a humidity sensor drifts: final-21). Or it
        was decided in air with room to race (``from_room``) and the humidity has risen to sit
        at saturation (``_sits_saturated``), as rain keeps the air there: a humidity drift that
        only touches it with its noise before its recalibration steps it back is no rain
        (final-26 sim-2705-014: 73 -> 98 % at 11 %/h, one reading at saturation); nor, if it
        was decided over ROOM_TO_RACE_PCT, one that races into saturation (``rain_raced``)."""
        if not self._humidity_rising():
            return False
        if self._rain_cooled and self._saturated_within(DRIFT_WINDOW // 3, 1, last):
            return True
        return self._from_room and self._sits_saturated(last) and not (
            self._room_at_onset_only and self.humidity_racing_up())

    def rain_raced(self) -> bool:
        """The humidity races towards saturation (``humidity_racing_up``) after a moistening
        decided where rain could race from: under ROOM_TO_RACE_PCT, or with the pressure
        falling. One decided over it whose climb began under it (``from_room``) cannot be
        rain's race within the hour: that is a front's moisture arriving over a drift, which
        stands (final-22 sim-2302-005: a humidity drift from ~79 % decided at 88 %, raced at
        22-26 %/h into a front's saturation, lost when withdrawn)."""
        return self.humidity_racing_up() and not self._room_at_onset_only

    def from_room(self) -> bool:
        """The open moistening was decided in air with room to race (ROOM_TO_RACE_PCT): rain
        there races or, falling into air with less room to fill than the driest's (final-26
        seed 2705: hot air at 62 %), climbs no faster than a drift but takes the air into
        saturation within a couple of hours of setting in."""
        return self._from_room and self.moistening()

    def rain_cooled(self) -> bool:
        """The open moistening's temperature bent down at its decision (rain's cooling)."""
        return self._rain_cooled and self.moistening()

    def _sits_saturated(self, last: int) -> bool:
        """The humidity sat at saturation over the hour's last third (SITS_SATURATED_SHARE of
        it): the dew point says nothing of a drift there."""
        window = DRIFT_WINDOW // 3
        return self._saturated_within(window, math.ceil(SITS_SATURATED_SHARE * window), last)

    def _saturated_within(self, readings: int, at_least: int, last: int) -> bool:
        """At least ``at_least`` of the ``readings`` readings up to ``last`` at SATURATED_PCT or
        more."""
        found = 0
        for seq in range(last - readings + 1, last + 1):
            earlier = self._reading_at(seq)
            if earlier is not None and earlier.values[RH] >= SATURATED_PCT:
                found += 1
                if found >= at_least:
                    return True
        return False

    def _cooling(self) -> bool:
        """The temperature's trend over the hour bent down against the trend before it by
        RAIN_COOLING_C_PER_HOUR (both known)."""
        temperature = self._series["temperature"]
        hour, before = self._temperature_trend(), temperature.base_slope()
        return hour is not None and before is not None and \
            (hour - before) * 60 <= -RAIN_COOLING_C_PER_HOUR

    def _warming(self) -> bool:
        """The temperature's trend over the hour bent up against the trend before it by
        RAIN_WARMING_C_PER_HOUR (both known)."""
        hour, before = self._temperature_trend(), self._series["temperature"].base_slope()
        return hour is not None and before is not None and \
            (hour - before) * 60 >= RAIN_WARMING_C_PER_HOUR

    def moistening(self) -> bool:
        """The open dew-point drift started rising with the humidity: rain in dry air looks so
        for its first hour (its humidity rising 4-10 %/h, as a humidity sensor's drift), until
        the humidity races towards saturation (final-11: 30-70 % to saturation in 1.5-2 hours),
        which ends it. Decided with the pressure falling over eight hours (RAIN_TENDENCY), or
        in air with room to race (ROOM_TO_RACE_PCT) whatever the pressure did: the tide's rise
        can hide part of a shallow front's fall over the eight hours before its rain (final-24
        seed 2505, the Sahel: five controls' rain moistening air at 21-59 % from 1259-1277, the
        pressure down 0.16-0.20 hPa/h over those hours, under RAIN_TENDENCY: flagged 28-87
        readings each until the humidity raced)."""
        return self._moistening and "dew" in self._drift

    def _channel(self, name: str) -> int:
        if name == "pressure":
            return P
        # A dew point moving while humidity holds still is the thermometer's doing.
        return T if name == "temperature" or self._humidity_still() else RH

    def _start_limit(self, name: str, reading: Reading) -> float:
        """The slope per reading the named series' drift must exceed to start at this reading."""
        limit = self._limits[name]
        return limit * cold_air_scale(reading.values[T]) if name == "dew" else limit

    def _maybe_start(self, name: str, reading: Reading, series: _Series) -> None:
        limit = self._start_limit(name, reading)
        if name == "temperature" and self._maybe_start_saturated_climb(reading, series, limit):
            return
        if self._after_storm:
            self._maybe_start_after_storm(name, reading, series, limit)
            return
        base = series.base_slope()
        if name == "dew" and base is not None and self._stepped_before(series, base, limit):
            base = None
        # A drift bends the line away from the trend the weather had before it.
        bar = limit * NO_BASELINE_DEW_FACTOR if base is None and name == "dew" else limit
        unbased = base is None
        base = 0.0 if base is None else base
        # Without that trend, a dew point drying while the air warms is measured against the
        # day's share of the warming, at the rate (``_drying_while_warming``).
        reference = base
        drying = unbased and name == "dew" and self._drying_while_warming(series)
        if drying:
            reference = DEW_SHARE_OF_TEMPERATURE * self._series["temperature"].long.slope()
            bar = limit
        slope = series.long.slope() - reference
        if abs(slope) < bar:  # most readings: the half hour's line is not read
            if name == "pressure":
                self._maybe_start_slow_rise(reading, series, limit)
            return
        recent = series.short.slope() - reference
        if abs(recent) < 0.7 * bar or slope * recent < 0:
            return
        if name == "pressure" and _weather_trend_ending(series, base, slope, limit):
            return
        if name == "pressure" and slope < 0 and self._falling_for_hours(reading.seq):
            # A fall speeding up after hours of falling is a low deepening as it nears
            # (final-20: lows of 30-40 hPa falling 2-3 hPa/h in their last hours, rain at 100 %),
            # not a barometer's own drift, which bends a steady pressure.
            return
        if name == "dew" and unbased and not drying and \
                not self._beyond_the_days_share(series, slope, limit):
            return
        if name == "temperature" and (
                series.baseline.count < BASELINE_WINDOW or not self._humidity_still() or
                (slope < 0 and self._pressure_moving()) or
                abs(slope) * 60 < DAILY_BEND_PER_RANGE * self._temperature_range(reading.seq) or
                _trend_slowing(series, base, slope, limit) or
                self._recovering_from_a_cooling(series, base, slope, reading.seq)):
            # No full two hours of trend to compare with (MIN_BASELINE readings right after a
            # hold's end are the storm's tail or a second storm's plunge: final-30 sim-3105-029,
            # -6.22 °C/h over the 30 readings after a hold, a bend of +8.29 °C/h as the plunge
            # recovered, flagged for 292 readings), the humidity moving with the weather, rain
            # cooling saturated air as a front nears (final: 3 % of rain readings without this), a
            # bend the daily cycle makes, the trend before slowing, or a sudden cooling before
            # it recovering.
            return
        stats = self._stats[name]
        if not stats.ready:
            return
        sigma = stats.sigma
        # The learnt noise (or the scatter around the lines, if larger) over the windows'
        # spread says how steep a bend chance makes: a noisy sensor needs a steeper one.
        if abs(slope) < self._th.drift_evidence_sd * self._slope_sd(series, sigma):
            return
        change = abs(slope) * DRIFT_WINDOW
        if series.long.residual_sd() > 0.1 * change + 2 * sigma:
            return  # a step or a bend (weather), not a steady line
        if name == "dew" and reading.values[RH] >= MOIST_PCT and \
                self._saturating(series, slope, limit):
            return
        if name == "dew" and (self._humidity_racing() or
                              (not self._thermometer_rising(series, limit,
                                                            reading.values[RH]) and
                               self._front_near(slope, reading.seq))):
            # Humidity racing towards saturation, or a front's moisture on its way: weather.
            return
        if name == "pressure" and (
                abs(self._humidity.long.slope()) * 60 > PRESSURE_HUMIDITY_PER_HOUR[0] or
                abs(self._humidity.short.slope()) * 60 > PRESSURE_HUMIDITY_PER_HOUR[1]):
            return
        self._open(name, reading, series, slope, base, limit)

    def _open(self, name: str, reading: Reading, series: _Series, slope: float, base: float,
              limit: float, first: int | None = None, from_a_trend: bool = False) -> None:
        """A drift of the named series decided at this reading: flagged back to its onset (looked
        for from ``first``, the hour's first reading if None; as a bend from the trend before
        it rather than from a level if ``from_a_trend``)."""
        channel = self._channel(name)
        first = series.first_x if first is None else first
        onset, rate = self._onset_from_a_trend(name, first, reading.seq) if from_a_trend \
            else self._onset(name, first, reading.seq)
        self._drift[name] = (onset, slope, base)
        if onset - first < ONSET_AT_FIRST:
            self._onset_at_first.add(name)
        else:
            self._onset_at_first.discard(name)
        if name == "dew":
            falling = self._falling_for_hours(reading.seq, RAIN_TENDENCY)
            room_decided = reading.values[RH] < ROOM_TO_RACE_PCT
            began = self._humidity_around(onset)
            room = room_decided or began < ROOM_TO_RACE_PCT
            self._moistening = slope > 0 and self._humidity_rising() and (falling or room)
            self._rain_cooled = self._moistening and falling and self._cooling()
            self._from_room = self._moistening and room and not self._rain_cooled and \
                began >= SLOW_RAIN_FROM_PCT and not self._warming()
            self._room_at_onset_only = self._moistening and not (falling or room_decided)
        self._rate[name] = rate
        if name == "temperature":
            self._saturated_bend = not self._after_storm
        self._note_temperature_then(name, series)
        self._decided[name] = reading.seq
        self._drift_quiet[name] = 0
        score = abs(slope) / limit
        for seq in range(onset, reading.seq + 1):
            earlier = self._reading_at(seq)
            if earlier is not None:
                self._flag(earlier, f"{DRIFT_REASON}:{CHANNELS[channel]}", channel, score, 1.0)

    def _maybe_start_slow_rise(self, reading: Reading, series: _Series, limit: float) -> None:
        """A pressure rising over SLOW_RISE_READINGS along one steady line at SLOW_RISE_SHARE of
        the rate (its last hour and half hour too), by the drift check's evidence: no weather
        outside a held event lifts it so for two hours. Flagged back to the onset the hinge
        finds over those readings."""
        rise = SLOW_RISE_SHARE * limit
        if series.long.slope() < rise or series.short.slope() < 0.7 * rise:
            return  # most readings
        fit = series.tail_fit(SLOW_RISE_READINGS)
        stats = self._stats["pressure"]
        if fit is None or fit.slope < rise or not stats.ready:
            return
        sigma = stats.sigma
        if fit.slope < self._th.drift_evidence_sd * max(fit.residual_sd, sigma) / fit.root_sxx:
            return
        if fit.residual_sd > 0.1 * fit.slope * SLOW_RISE_READINGS + 2 * sigma:
            return  # a step or a bend (weather), not a steady line
        if abs(self._humidity.long.slope()) * 60 > PRESSURE_HUMIDITY_PER_HOUR[0] or \
                abs(self._humidity.short.slope()) * 60 > PRESSURE_HUMIDITY_PER_HOUR[1]:
            return
        self._open("pressure", reading, series, fit.slope, 0.0, limit, fit.first_x)

    def _maybe_start_saturated_climb(self, reading: Reading, series: _Series,
                                     limit: float) -> bool:
        """A saturated temperature climbing at the rate along one steady line over
        SLOW_RISE_READINGS, not slowing (CLIMB_KEEPS_SHARE), the humidity still and saturated
        over them: opened, flagged back to the onset the hinge finds over those readings."""
        if series.long.slope() < limit or series.short.slope() < 0.7 * limit:
            return False  # most readings
        fit = series.tail_fit(SLOW_RISE_READINGS)
        stats = self._stats["temperature"]
        if fit is None or fit.slope < limit or not stats.ready or \
                series.long.slope() < CLIMB_KEEPS_SHARE * fit.slope:
            return False
        sigma = stats.sigma
        if fit.slope < self._th.drift_evidence_sd * max(fit.residual_sd, sigma) / fit.root_sxx:
            return False
        if fit.residual_sd > 0.1 * fit.slope * SLOW_RISE_READINGS + 2 * sigma:
            return False  # a step or a bend (weather), not a steady line
        if not self._after_storm or self._temperature_course is None or \
                _line_end(series.long, reading.seq) <= self._temperature_course:
            return False  # outside a storm's hold, or its recovery up to the course before it
        saturated_at_least = math.ceil(SITS_SATURATED_SHARE * SLOW_RISE_READINGS)
        if not self._humidity_still() or \
                not self._saturated_within(SLOW_RISE_READINGS, saturated_at_least, reading.seq):
            return False
        self._open("temperature", reading, series, fit.slope, 0.0, limit, fit.first_x)
        return True

    def _humidity_around(self, seq: int) -> float:
        """The mean humidity of the readings kept within ONSET_READINGS of ``seq``: where a
        moistening's climb began (the room it had to race is judged there, not an hour into
        the climb at its decision)."""
        values = [r.values[RH] for r in (self._reading_at(at) for at in
                                         range(seq - ONSET_READINGS, seq + ONSET_READINGS + 1))
                  if r is not None]
        return sum(values) / len(values) if values else math.inf

    def _maybe_start_after_storm(self, name: str, reading: Reading, series: _Series,
                                 limit: float) -> None:
        """In a thunderstorm's hold: a dew-point drift only where its own line over the hour
        rises at the rate while the humidity does not rise, compared with no trend (the storm's
        decay is none to compare with): the storm's moisture only dries back towards the air
        mass's dew point, and a thermometer drifting up lifts the dew point while the air warms
        and dries. A dew point rising with the humidity may be moisture coming back (rain, a
        front's), so a humidity drift upwards waits for the hold's end. A falling dew point (the
        drying) only under the floor (``_maybe_start_under_floor``); not the pressure (its jump
        decays, and a front's passage behind the storm lifts it: final-9, six controls flagged
        when a rising pressure was looked at), nor the temperature alone (the storm's cooling
        recovers upwards) unless it rises over the ceiling in moist air, where the dew point
        rising is the storm's moisture (``_maybe_start_over_ceiling``)."""
        slope = series.long.slope()
        if name == "temperature":
            if self._temperature_ceiling is not None and reading.values[RH] >= MOIST_PCT:
                self._maybe_start_over_ceiling(reading, series, self._temperature_ceiling)
            return
        if name == "dew" and slope < 0:
            if self._dew_floor is not None:
                self._maybe_start_under_floor(reading, series, limit, self._dew_floor)
            else:
                self._maybe_start_falling_on_a_line(reading, series, limit)
            return
        if name != "dew" or slope < limit or series.short.slope() < 0.7 * limit:
            return
        stats = self._stats[name]
        if not stats.ready or slope < self._th.drift_evidence_sd * \
                series.long.slope_sd(stats.sigma):
            return
        if series.long.residual_sd() > 0.1 * slope * DRIFT_WINDOW + 2 * stats.sigma:
            return  # a step (a second storm's jump) or a bend, not a steady line
        if reading.values[RH] >= MOIST_PCT or self._humidity_rising_now() or \
                self._series["pressure"].long.slope() * 60 > STORM_FRONT_RISE_PER_HOUR or \
                self._falling_for_hours(reading.seq):
            # Air near saturation; moisture coming back with the humidity (rain again, a
            # front's), or the pressure rising (a front's passage behind the storm), or a
            # front coming.
            return
        self._open(name, reading, series, slope, 0.0, limit)

    def _maybe_start_under_floor(self, reading: Reading, series: _Series, limit: float,
                                 floor: float) -> None:
        """In a thunderstorm's hold: a dew point falling at the rate on a steady line and
        already under ``floor``. The storm's moisture dries back only to the air mass's dew
        point (the level before the storm, moved along its trend then); a drifting sensor's
        goes through it. Not with the pressure rising (a front's passage behind the storm
        dries the air) or a front coming (final-13: six drifts falling in storm holds). Nor
        unless it falls beyond the day's share of the temperature's trend by the rate, as with no
        floor (``_beyond_the_days_share``): the floor falls no faster than a daily cycle of 14 °C
        lowers the air's dew point (sensor.py's STORM_DEW_FALL_C_PER_HOUR), a wider one's
        evening faster (final-39 sim-4004-030, the Kalahari's winter: 410 readings after a
        storm, the night cooling the air 3.4 °C/h, the dew point fell 1.4 °C/h through the
        floor, decided at 1456 and flagged 1397-1523)."""
        slope = series.long.slope()
        if slope > -limit or series.short.slope() > -0.7 * limit:
            return
        stats = self._stats["dew"]
        if not stats.ready or -slope < self._th.drift_evidence_sd * \
                series.long.slope_sd(stats.sigma):
            return
        if series.long.residual_sd() > 0.1 * -slope * DRIFT_WINDOW + 2 * stats.sigma:
            return  # the drying's curve or a step, not a steady line
        if _line_end(series.long, reading.seq) >= floor or \
                not self._beyond_the_days_share(series, slope, limit) or \
                self._series["pressure"].long.slope() * 60 > STORM_FRONT_RISE_PER_HOUR or \
                self._falling_for_hours(reading.seq):
            return
        self._open("dew", reading, series, slope, 0.0, limit)

    def _maybe_start_falling_on_a_line(self, reading: Reading, series: _Series,
                                       limit: float) -> None:
        """In a thunderstorm's hold with no floor to judge against (moist air before the storm,
        the pressure not back to its level then): a dew point falling at the rate on one steady
        line over the hour and the hour before it (half an hour of it at least), beyond the
        day's share of the temperature's trend, with the humidity falling, the air not warming
        back from the storm's cooling over those hours. The storm's moisture dries back as its
        cooling recovers, as a curve, fast at first and levelling off within the hour; a front's
        drier air arrives in its passage's drop; a drifting sensor's dew point goes on along its
        line (final-20 2102-003: a humidity drifting down 12 %/h through a storm's hold kept by
        a pressure 2 hPa up, never flagged). With the humidity still, a dew point falling along
        the temperature is the air cooling (final-19: an evening's 2 °C/h after a storm, the dew
        point following it through a coarse humidity's steps). Not with the pressure rising or a
        front coming, as under the floor."""
        slope = series.long.slope()
        base = series.base_slope()
        if base is None or slope > -limit or series.short.slope() > -0.7 * limit:
            return
        one_line = base <= -limit and abs(slope - base) <= ONE_LINE_SHARE * limit
        speeding = _fall_speeding_up(slope, base, limit)
        if not (one_line or speeding):
            return
        stats = self._stats["dew"]
        if not stats.ready or -slope < self._th.drift_evidence_sd * \
                self._slope_sd(series, stats.sigma):
            return
        steady = 0.1 * -slope * DRIFT_WINDOW + 2 * stats.sigma
        if series.long.residual_sd() > steady or series.baseline.residual_sd() > steady:
            return  # the drying's curve or a step, not a steady line
        if self._humidity.long.slope() * 60 > -STILL_HUMIDITY_PER_HOUR or \
                self._warming_back() or not self._beyond_the_days_share(series, slope, limit) or \
                self._series["pressure"].long.slope() * 60 > STORM_FRONT_RISE_PER_HOUR or \
                self._falling_for_hours(reading.seq):
            return
        # Decided well into its line: its onset is looked for over every reading the series has;
        # a fall that sped up, as where the storm's drying before it bent down.
        self._open("dew", reading, series, slope, 0.0, limit, series.baseline.first_x,
                   from_a_trend=speeding)

    def _warming_back(self) -> bool:
        """The air warming back from a storm's cooling (or not known not to be): the
        temperature rising at STORM_RECOVERY_C_PER_HOUR or faster over the hour or the hour
        before it (its moisture dries back as it does)."""
        temperature = self._series["temperature"]
        hour = self._temperature_trend()
        before = temperature.base_slope()
        rate = STORM_RECOVERY_C_PER_HOUR / 60
        return hour is None or before is None or hour >= rate or before >= rate

    def _maybe_start_over_ceiling(self, reading: Reading, series: _Series,
                                  ceiling: float) -> None:
        """In a thunderstorm's hold, in moist air: a temperature rising at the dew point's rate
        on a steady line and already over ``ceiling``. The storm's cooling recovers only towards
        the air's course before it (the level then, moved along the day's warming); a
        thermometer drifting up goes through it (final-9: five in saturated storm holds never
        flagged, ~700 readings). Not with the pressure rising (a front's passage behind the
        storm) or a front coming."""
        limit = self._limits["dew"]
        slope = series.long.slope()
        if slope < limit or series.short.slope() < 0.7 * limit:
            return
        stats = self._stats["temperature"]
        if not stats.ready or slope < self._th.drift_evidence_sd * \
                series.long.slope_sd(stats.sigma):
            return
        if series.long.residual_sd() > 0.1 * slope * DRIFT_WINDOW + 2 * stats.sigma:
            return  # the recovery's curve or a step, not a steady line
        if _line_end(series.long, reading.seq) <= ceiling or \
                self._series["pressure"].long.slope() * 60 > STORM_FRONT_RISE_PER_HOUR or \
                self._falling_for_hours(reading.seq):
            return
        # Decided only once through the ceiling, long after the drift began: its onset is looked
        # for over every reading the series has (from the storm's settling on).
        first = series.baseline.first_x if series.baseline.count else series.first_x
        self._open("temperature", reading, series, slope, 0.0, limit, first)

    def _humidity_rising_now(self) -> bool:
        """The humidity rising over the hour or its last third."""
        return (self._humidity.long.slope() * 60 >= STILL_HUMIDITY_PER_HOUR or
                self._humidity.short.slope() * 60 >= STILL_HUMIDITY_PER_HOUR)

    def _saturating(self, series: _Series, bend: float, limit: float) -> bool:
        """Humid air the weather takes towards saturation: the humidity rising, or the dew
        point's own trend under the rate (a bend against a rise that flattens as the dew point
        nears the temperature, which it cannot pass; final-7: rain ahead of a front lifting it
        6 °C/h, then 1.7 °C/h at 97 %, read as a bend of -4.2 °C/h)."""
        return self._humidity_rising() or series.long.slope() * bend < limit * abs(bend)

    @staticmethod
    def _slope_sd(series: _Series, sigma: float) -> float:
        """Standard error of the bend (the last hour's slope less the weather's before it)."""
        variance = series.long.slope_sd(sigma) ** 2
        if series.base_slope() is not None:
            variance += series.baseline.slope_sd(sigma) ** 2
        return math.sqrt(variance)

    def _front_near(self, dew_slope: float, last: int) -> bool:
        """A pressure trend that explains this dew-point trend: the air moistens as a front
        nears (the pressure moving either way within the hour, or falling over three hours or
        over the last eight). A dew point falling steadily is no front's doing: a passage's drop
        is held as a weather event, and the tide and a front's approach move the pressure for
        hours (final-4: a thermometer drifting down 3.5 °C/h while the pressure rose 1.1 hPa/h
        was let go)."""
        # In a thunderstorm's hold the pressure moves with the storm's decay, no front's.
        return dew_slope > 0 and ((self._pressure_moving() and not self._after_storm and
                                   not self._rising_while_recovering()) or
                                  self._falling_for_hours(last))

    def _rising_while_recovering(self) -> bool:
        """The dew point's own line rising at the rate while the pressure rises over the hour
        and the three hours by RECOVERY_RISE_PER_HOUR: no front's doing. A front's approach
        falls; behind it the pressure recovers (final-18 1902-000: +1.1 hPa/h, a humidity drift
        held 50 readings) and the air dries — its drying levelling off bends the dew point up
        while its own line hardly rises (final-16 1702-022, a front hidden by a stuck run)."""
        rise = RECOVERY_RISE_PER_HOUR / 60
        pressure = self._series["pressure"]
        return self._series["dew"].long.slope() >= self._limits["dew"] and \
            pressure.long.slope() > rise and self._pressure_tendency() > rise and \
            pressure.short.slope() < RECOVERY_MAX_PER_HOUR / 60

    def _recovering_from_a_cooling(self, series: _Series, base: float, bend: float,
                                   last: int) -> bool:
        """A bend up against a cooling before the hour that set in at once (PLUNGE_SHARE of its
        fall over the trend before within PLUNGE_SPAN of its blocks), whose hour's line ends no
        higher than the highest block's level: the weather's cooling (a storm's the storm
        check never reported, a cloud's) recovering towards the level before it, which a
        thermometer drifting up goes through. A steady cooling (the night's in fog) falls alike
        between the blocks; a thermometer drifting up against it is judged as before. final-34
        sim-3503-025: a weak storm cooled saturated air 2.6 -> 0.0 °C over 879-922; its recovery
        to 1.2 °C, +1.87 °C/h against -1.35 °C/h before, was decided at 975, flagged 922-1039."""
        if not bend > 0 > base:
            return False
        levels = self._block_levels(series.baseline.first_x, series.baseline.count)
        if levels is None:
            return False
        falls = [earlier - later for earlier, later in zip(levels, levels[PLUNGE_SPAN:])]
        fallen = levels[0] - levels[-1]
        return fallen > 0 and max(falls) >= PLUNGE_SHARE * fallen and \
            _line_end(series.long, last) <= max(levels)

    def _block_levels(self, first: int, count: int) -> list[float] | None:
        """The mean temperature of each of PLUNGE_BLOCKS blocks of the ``count`` readings from
        ``first`` (those kept with a temperature not flagged); None if one has under half."""
        size = count // PLUNGE_BLOCKS
        levels = []
        for block in range(PLUNGE_BLOCKS):
            start = first + block * size
            values = [r.values[T] for r in (self._reading_at(seq)
                                            for seq in range(start, start + size))
                      if r is not None and T not in r.faulty]
            if 2 * len(values) < size:
                return None
            levels.append(sum(values) / len(values))
        return levels

    def _pressure_moving(self) -> bool:
        """The pressure says a front is near: moving > 0.4 hPa/h over the hour either way, or
        falling over three hours."""
        pressure_per_hour = self._series["pressure"].long.slope() * 60
        return abs(pressure_per_hour) > 0.4 or self._pressure_tendency() < -FRONT_TENDENCY

    def _temperature_range(self, last: int) -> float:
        """The temperature's range over the last TEMPERATURE_RANGE_READINGS readings (°C);
        infinite while fewer are kept (the daily cycle's amplitude is not bounded yet)."""
        values = [r.values[T] for r in (self._reading_at(seq) for seq in
                                        range(last - TEMPERATURE_RANGE_READINGS + 1, last + 1))
                  if r is not None]
        if len(values) < TEMPERATURE_RANGE_READINGS:
            return math.inf
        return max(values) - min(values)

    def _falling_for_hours(self, last: int, tendency: float = FRONT_TENDENCY) -> bool:
        """The pressure fell faster than ``tendency`` over the last FRONT_APPROACH_READINGS
        readings (the means of their first and last half hours), all kept: a front's approach.
        Over eight hours the tide's swing averages out to under 0.2 hPa/h, where over one or
        three it can hide a front's fall (final-7 803, tuning-wide 4 and 14: rain ahead of a
        front moistening the air by 1.2-3 °C/h of dew point, the pressure falling 0.5 hPa/h over
        eight hours, 0.25-0.39 over one and three)."""
        first = last - FRONT_APPROACH_READINGS + 1
        if self._reading_at(first) is None:
            return False
        before = self._pressure_mean(first)
        now = self._pressure_mean(last - TENDENCY_ENDS + 1)
        if before is None or now is None:
            return False
        return (now - before) / (FRONT_APPROACH_READINGS - TENDENCY_ENDS) < -tendency

    def _pressure_mean(self, first: int) -> float | None:
        """The mean unflagged pressure of TENDENCY_ENDS readings from ``first`` (None if none)."""
        values = [r.values[P] for r in (self._reading_at(seq) for seq in
                                        range(first, first + TENDENCY_ENDS))
                  if r is not None and P not in r.faulty]
        return sum(values) / len(values) if values else None

    def _pressure_tendency(self) -> float:
        """The pressure's trend over the last three hours (per reading), where known."""
        pressure = self._series["pressure"]
        base = pressure.base_slope()
        long = pressure.long.slope()
        return long if base is None else (2 * base + long) / 3

    def _onset(self, name: str, first: int, last: int) -> tuple[int, float]:
        """Where the trend began and its slope per reading from there: the best hinge (level,
        then a straight line from the hinge on) over the window, in steps of three readings."""
        points = [(r.seq, _value(name, r))
                  for r in (self._reading_at(seq) for seq in range(first, last + 1))
                  if r is not None]
        best, best_error, best_slope = first, math.inf, 0.0
        for hinge in range(first, last - 10, 3):
            # y = level + slope * max(0, x - hinge): least squares in closed form.
            u = [max(0.0, x - hinge) for x, _ in points]
            y = [v for _, v in points]
            n, su, sy = len(u), sum(u), sum(y)
            suu = sum(a * a for a in u)
            suy = sum(a * b for a, b in zip(u, y))
            det = n * suu - su * su
            if det <= 0:
                continue
            slope = (n * suy - su * sy) / det
            level = (sy - slope * su) / n
            error = sum((b - level - slope * a) ** 2 for a, b in zip(u, y))
            if error < best_error:
                best, best_error, best_slope = hinge, error, slope
        return best, best_slope

    def _onset_from_a_trend(self, name: str, first: int, last: int) -> tuple[int, float]:
        """Where the trend bent and its slope per reading from there: the best hinge between two
        lines (the weather's trend, then the drift added to it) over the window, in steps of
        three readings. A level before the hinge (``_onset``) takes a storm's slow drying for
        part of the drift (final-33 sim-3405-013: onset 2624 against the true 2744)."""
        points = [(r.seq - first, _value(name, r))
                  for r in (self._reading_at(seq) for seq in range(first, last + 1))
                  if r is not None]
        best, best_error, best_slope = first, math.inf, 0.0
        for hinge in range(first, last - 10, 3):
            fit = _two_lines(points, hinge - first)
            if fit is not None and fit[0] < best_error:
                best, best_error, best_slope = hinge, fit[0], fit[1]
        return best, best_slope

    def _continue(self, name: str, reading: Reading, series: _Series) -> None:
        since, slope, base = self._drift[name]
        if name == "dew" and self._moistening and self.humidity_racing_up():
            self._end(name)  # rain saturating the air (the model withdraws the waiting flags)
            return
        if name == "dew" and self._humidity_rising() and self._front_near(slope, reading.seq):
            # The pressure now says a front is near and the humidity rises with the dew point:
            # the front's moisture, not drift, from here on (final-7: rain ahead of a front
            # moistened the air while the morning tide hid the pressure's fall for the first
            # hour). A dew point rising with the humidity still or falling is the
            # thermometer's doing (final-7: 2.3 °C/h, the humidity falling 4-7 %/h).
            self._end(name)
            return
        if self._hour_left_the_bend(name, series, slope, base) or \
                (name == "temperature" and self._temperature_hour_still(series, slope)):
            self._end(name)
            return
        # The sensor recalibrated (the bias vanished at once), or the drift stopped for long.
        if self._recalibrated(name, reading, slope * (reading.seq - since)):
            if name in self._onset_at_first:
                self._note_began_before(name, reading, since, slope)
            self._end(name)
            return
        if abs(series.short.slope() - self._weather_dew_trend(name, base)) < \
                0.6 * self._limits[name] or reading.seq - since > DRIFT_MAX:
            self._drift_quiet[name] += 1
            if self._drift_quiet[name] >= DRIFT_WINDOW // 4 or reading.seq - since > DRIFT_MAX:
                self._end(name)
                return
        else:
            self._drift_quiet[name] = 0
        channel = self._channel(name)
        self._flag(reading, f"{DRIFT_REASON}:{CHANNELS[channel]}", channel,
                   abs(slope) / self._limits[name], 1.0)

    def _hour_left_the_bend(self, name: str, series: _Series, bend: float, base: float) -> bool:
        """A whole hour of readings after the decision whose line departs from the weather's
        trend by under half the bend the drift was decided on, by STOPPED_SD standard errors of
        that line: no bias growing steadily, but the steep part of a curve (a storm's drying
        back) or the noise that the decision read as one."""
        long = series.long
        if name != "dew" or long.count < DRIFT_WINDOW or long.first_x <= self._decided[name]:
            return False
        departure = math.copysign(1.0, bend) * (long.slope() - self._weather_dew_trend(name, base))
        return departure + STOPPED_SD * long.slope_sd(self._stats[name].sigma) < 0.5 * abs(bend)

    def _temperature_hour_still(self, series: _Series, bend: float) -> bool:
        """A saturated temperature drift with a whole hour of readings after its decision whose
        own line goes the bend's way by under STILL_TEMPERATURE_SHARE of the rate: the bend is
        over (the decision's ``_trend_slowing``, applied to each later hour). Its trend before,
        frozen at the decision, is no weather's trend to measure it against any more: a storm's
        plunge, a cloudy hour's cooling (final-30 sim-3105-029: -6.22 °C/h frozen, the
        temperature level at 16.5-17.2 °C, flagged to the stream's end)."""
        long = series.long
        if not self._saturated_bend or long.count < DRIFT_WINDOW or \
                long.first_x <= self._decided["temperature"]:
            return False
        own = math.copysign(1.0, bend) * long.slope()
        return own < STILL_TEMPERATURE_SHARE * self._limits["temperature"]

    def _note_temperature_then(self, name: str, series: _Series) -> None:
        """The temperature's trend that goes with the weather's dew-point trend the drift was
        decided against: over the dew point's baseline; none without a baseline (the day's
        share of the temperature's trend was that trend: ``_beyond_the_days_share``); the hour's
        in a storm's hold (no trend, from a temperature recovering from the storm's cooling)."""
        self._temperature_then.pop(name, None)
        if name != "dew":
            return
        then: float | None = 0.0
        if self._after_storm:
            then = self._temperature_trend()
        elif series.base_slope() is not None:
            then = self._series["temperature"].base_slope()
        if then is not None:
            self._temperature_then[name] = then

    def _beyond_the_days_share(self, series: _Series, slope: float, limit: float) -> bool:
        """A dew-point trend with no trend before it to compare with outruns the day's share of
        the temperature's trend over the hour (the heating or cooling that moves the air's dew
        point with it) by the rate, its way."""
        temperature = self._temperature_trend()
        if temperature is None:
            return True
        beyond = series.long.slope() - DEW_SHARE_OF_TEMPERATURE * temperature
        return beyond * slope > 0 and abs(beyond) >= limit

    def _stepped_before(self, series: _Series, base: float, limit: float) -> bool:
        """The dew point's trend before the hour, at the rate or steeper (the hour bending
        from it by the rate), is a step: one reading's jump, the trend's way, carries
        STEP_SHARE_OF_TREND of its change and is STEP_SIGMAS learnt sigmas or more."""
        if abs(base) < limit or abs(series.long.slope() - base) < limit:
            return False  # most readings
        points = series.baseline.points()
        way = math.copysign(1.0, base)
        jump = max((way * (y - earlier_y) for (earlier_x, earlier_y), (x, y) in
                    zip(points, points[1:]) if x == earlier_x + 1), default=0.0)
        return jump >= STEP_SIGMAS * self._stats["dew"].sigma and \
            jump >= STEP_SHARE_OF_TREND * abs(base) * (len(points) - 1)

    def _drying_while_warming(self, series: _Series) -> bool:
        """The dew point's line over the hour falling while the temperature's rises (half an hour
        of it known): the day's cycle moves the air's dew point with its temperature, never
        against it (the simulator's cycle: DEW_SHARE_OF_TEMPERATURE of it, in phase), and cloud
        and shade move the temperature alone. Rain cooling the air it moistens goes the other
        way; its moisture and a storm's dry back for DRYING_AFTER_HOLD readings after the hold."""
        warming = self._temperature_trend()
        return warming is not None and warming > 0 and series.long.slope() < 0 and \
            (self._last_held is None or series.first_x - self._last_held > DRYING_AFTER_HOLD)

    def _temperature_trend(self) -> float | None:
        """The temperature's trend over the hour (per reading; it is followed after the dew
        point, so one reading short of it), None under half an hour of it."""
        temperature = self._series["temperature"].long
        return temperature.slope() if temperature.count >= DRIFT_WINDOW // 2 else None

    def _weather_dew_trend(self, name: str, base: float) -> float:
        """The weather's trend an open drift of the named series is measured against: the
        trend before it, for the dew point moved by DEW_SHARE_OF_TEMPERATURE of the
        temperature's change of trend since (its hour's: a cloud's shade bends its half hour)."""
        then = self._temperature_then.get(name)
        temperature = self._temperature_trend()
        if then is None or temperature is None:
            return base
        return base + DEW_SHARE_OF_TEMPERATURE * (temperature - then)

    def _note_began_before(self, name: str, reading: Reading, since: int,
                           slope: float) -> None:
        """Where the recalibration's step says the drift began (its size over the drift's rate
        from the fitted onset), if before that onset, at most BACK_FILL_MAX readings before."""
        previous = self._reading_at(reading.seq - 1)
        rate = abs(self._rate[name])
        if previous is None or rate <= 0:
            return
        bias = abs(_value(name, reading) - _value(name, previous))
        began = max(reading.seq - int(bias / rate), since - BACK_FILL_MAX)
        if began < since:
            self._began_before[name] = (reading.seq, began, since,
                                        abs(slope) / self._limits[name])

    def began_before_onset(self, step_seq: int, channel: int) -> tuple[int, int, float] | None:
        """(where it began, its fitted onset, score) of a drift of a series the channel moves
        that the check ended at ``step_seq`` as recalibrated, and that its step says began
        before that onset; None if none did. The dew point's drift is the temperature's if the
        temperature stepped (the humidity's stillness over the hour may have said otherwise)."""
        for name in _SERIES_OF_CHANNEL[channel]:
            noted = self._began_before.get(name)
            if noted is not None and noted[0] == step_seq:
                return noted[1], noted[2], noted[3]
        return None

    def _end(self, name: str) -> None:
        self._drift.pop(name, None)
        self._series[name].clear()


def _line_end(line: SlidingLine, x: int) -> float:
    """The line's value at ``x`` (its last point's: the reading's noise averaged out)."""
    n = line.count
    mean_x = line.origin + line.sx / n
    return line.sy / n + line.slope() * (x - mean_x)


def _weather_trend_ending(series: _Series, base: float, bend: float, limit: float) -> bool:
    """A bend against the trend before the hour that leaves the hour's own line under half a
    drift's rate: that trend slowing, not a sensor's drift (which moves its own readings).
    Against a trend the tide makes (< 0.5 hPa/h) a drift's own line keeps most of its rate;
    only a faster one (a front's jump, a storm's decay, the end of a deep front's fall) ends so
    (final-9: a front's jump of 3.3 hPa/h in saturated air, then the pressure level: a bend of
    -2.3 hPa/h against the jump's line)."""
    return bend * base < 0 and abs(series.long.slope()) < 0.5 * limit


def _fall_speeding_up(slope: float, base: float, limit: float) -> bool:
    """A dew point falling over the hour faster than over the hours before it (level or falling
    slower than the rate then) by the rate: no storm's drying, which is fastest first and
    levels off, but a sensor's drift setting in under it (final-33 sim-3405-013: a humidity
    drifting down 12.6 %/h from 2744 in a storm's hold kept by the pressure, the dew point's
    hour -2.3 to -3.5 °C/h against -0.9 before; decided only at 2872 under the floor, 7 readings
    before the stream's end). Hours before already falling at the rate are the one line's to
    judge (final-7 sim-805-014: the drift itself in them, decided as one line at 1258; as a
    speeding up at 1230, it moved the sensor's learnt repeat rates into a wrong stuck flag)."""
    return -limit < base <= 0.0 and slope - base <= -limit


def _trend_slowing(series: _Series, base: float, bend: float, limit: float) -> bool:
    """A bend against the trend before the hour that leaves the hour's own line going that
    trend's way, or under half the rate: that trend slowing or ending (a storm's cooling
    recovering ever slower, the day's warming levelling off), not a thermometer's drift, which
    against a trend slower than itself turns the readings' own line (final-20: a saturated
    control recovering from a storm's cooling at 4.5 °C/h, then 1.6 °C/h, flagged for 267
    readings; final-13, -19, -20: of 14 saturated temperature bends decided, the 13 weather's
    all bent against the trend before them, the one drift with it)."""
    own = series.long.slope()
    return bend * base < 0 and (own * base > 0 or abs(own) < 0.5 * limit)


def cold_air_scale(temperature_c: float) -> float:
    """The share of the dew-point rate a drift must start at in air this cold: the dew point's
    change per change of the vapour pressure's logarithm goes as ``(MAGNUS_B + dew point)^2``,
    at most as the air's temperature allows; 1 at and above COLD_AIR_REFERENCE_C."""
    if temperature_c >= COLD_AIR_REFERENCE_C:
        return 1.0
    return ((MAGNUS_B + temperature_c) / (MAGNUS_B + COLD_AIR_REFERENCE_C)) ** 2


# The series whose drift a step of each channel (T, RH, P) tells the length of. Not the
# humidity's: its drift moves the dew point as the logarithm of the humidity, so the hour's
# rate is not the drift's (final-13: two humidity drifts' steps said 81 and 33 readings too many).
_SERIES_OF_CHANNEL: tuple[tuple[str, ...], ...] = (("dew", "temperature"), (), ("pressure",))


# The series each channel's readings go into (T, RH, P).
_SERIES_FED_BY: tuple[tuple[str, ...], ...] = (("dew", "temperature"), ("dew",), ("pressure",))


def _two_lines(points: list[tuple[int, float]], hinge: int) -> tuple[float, float] | None:
    """Least squares of y = a + b * x + c * max(0, x - hinge): the squared error and the slope
    after the hinge (b + c); None if the points do not fix both lines."""
    rows = [(1.0, float(x), float(max(0, x - hinge)), y) for x, y in points]
    normal = [[sum(r[i] * r[j] for r in rows) for j in range(3)] for i in range(3)]
    target = [sum(r[i] * r[3] for r in rows) for i in range(3)]
    det = _det3(normal)
    if abs(det) <= TWO_LINES_DEGENERATE * normal[0][0] * normal[1][1] * normal[2][2]:
        return None
    coef: list[float] = []
    for k in range(3):
        swapped = [[target[i] if j == k else normal[i][j] for j in range(3)] for i in range(3)]
        coef.append(_det3(swapped) / det)
    error = sum((y - coef[0] - coef[1] * x - coef[2] * u) ** 2 for _, x, u, y in rows)
    return error, coef[1] + coef[2]


def _det3(m: list[list[float]]) -> float:
    """The determinant of a 3 x 3 matrix."""
    return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))


def _value(name: str, reading: Reading) -> float:
    """The value of a reading that the named series follows."""
    if name == "dew":
        return reading.dew_point
    return reading.values[P] if name == "pressure" else reading.values[T]
