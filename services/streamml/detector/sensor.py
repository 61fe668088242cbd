"""One sensor's model: tells sensor faults from weather, reading by reading.

Each reading goes through these checks (docs/weather.md says what each one catches):

- **stuck / dropout** per channel: a run of exact repeats is judged against how often this
  channel repeats when healthy (its learnt repeat rate at its own resolution) and how long
  its healthy runs last (learnt; not on a channel whose noise spans its steps, whose repeats
  are independent); a run that starts with a jump of many noise widths is a
  dropout to a constant (not a humidity step the temperature's step explains at the air's
  moisture before it: a storm saturating the air; a barometer's step the weather could have
  made while its own run before held is that run's release, judged as a dropout by the
  channels that jumped alone). Joint runs of several channels add their
  evidence (all channels stuck at once is far rarer than one), no more than their learnt
  healthy joint runs allow
  (unless twice as long as the longest of them, on channels noisy enough; a sensor held whole
  that long with a calm channel adds up its channels' own evidence). A
  short humidity run while the warming air should have taken the humidity several steps down
  (at the run's dew point) needs less evidence: a healthy channel would have followed. A
  coarse humidity's repeats just under 100 % say nothing of it, until the air has warmed so
  far that at the run's dew point it would no longer be saturated. A barometer's run left by
  two steps or more outside weather events (or a front's hold after its rise; a front found
  after its step may be its own release) is judged a quarter of an hour later by the line
  through the readings on both sides of it: the pressure went on along it while it held. A
  calm humidity's run is also judged along the humidity the temperatures over it say at its
  dew point: while the temperature holds, a healthy one has no reason to leave its step; where
  that humidity went a step off its line and came back (a shade passing), and further than the
  thermometer's own noise draws it, a healthy one would have left it, whatever its repeat rate
  says.
- **spike** per channel, decided one reading later: a reading that leaves the line through
  its neighbours and comes straight back. Weather never comes straight back in a minute. A
  smaller one is decided two readings later, against two readings on each side.
- **noise** per channel: the median second difference of the last readings against the
  learnt noise (a trend cancels out of second differences; one spike does not move a median).
  Humidity at saturation starts no burst while its noise is known only from saturated air's
  dips (which say little of the sensor), but a burst found goes on through its readings cut to
  100 %. Humidity noise is learnt from readings clear of the 100 % ceiling once there are
  enough: near it only the dips under it are read, a band narrower than the noise. A channel
  that learnt only one value (no step, every second difference 0) has no noise to judge by: it
  is judged once it steps.
- **inconsistent** (``inconsistent.py``): a step of the dew point implied by temperature and
  humidity that the temperature does not share — humidity no weather pairs with this
  temperature.
- **drift** (``drift.py``): a steady, straight-line trend of the dew point or pressure,
  faster than the weather moves them outside a front or storm. A drift never decided is still
  found at its end (``drift_end.py``): one channel stepping back, the others still, by the bias
  a ramp of the readings before it had grown; the ramp is flagged back to its onset.
- **weather events**: a fast, coherent change — a temperature drop of several degrees with a
  pressure jump or saturation (thunderstorm), temperature and dew point falling with rising
  pressure (cold front) — is reported once as ``weather:<event>`` and holds the drift and
  inconsistency checks back while it lasts. A thermometer or barometer in a noise burst
  raises none; a storm whose drop comes straight back was a temperature spike: the reading
  is reported again as one, and the storm's hold is withdrawn; so is the hold of a storm the
  air has not cooled after (a noisy sensor's extremes). A front's hold lets the pressure go
  when the pressure keeps rising at a drift's rate behind it, or falls back at once to its
  level before it (a pressure drift read as the front), and the drift check goes over it.

A fault, once recognised, is flagged until it ends and is never learnt: the model learns
only from readings that were not flagged, ``LEARN_LAG`` readings late. When a fault ends the
channel picks up its new level without an alarm. Flags may name earlier readings: a stuck run
is recognised on its n-th repeat and then every repeat of it is flagged.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from itertools import islice, repeat
from operator import attrgetter, itemgetter, mul, sub

from streamml.contracts.weather import (
    CHANNELS, HUMIDITY_LIMITS_PCT, MAGNUS_A, MAGNUS_B, DROPOUT_REASON, INCONSISTENT_REASON,
    NOISE_REASON, SPIKE_REASON, STUCK_REASON, WEATHER_FRONT, WEATHER_REASON_PREFIX,
    WEATHER_THUNDERSTORM, is_weather_event, relative_humidity, temperature_at_humidity)
from streamml.detector.drift import (
    BASELINE_WINDOW, DRIFT_MAX, DRIFT_WINDOW, MOIST_PCT, ONSET_READINGS, DriftCheck)
from streamml.detector.drift_end import QUIET_SD, DriftEndCheck
from streamml.detector.inconsistent import InconsistentCheck, reading_dew_point
from streamml.detector.reading import NO_CHANNELS, Reading
from streamml.detector.stats import (
    LEARN_LAG, MIN_RUNS, SATURATED_PCT, SQRT6, ChannelStats, JointRuns, ValueGrid,
    clipped_run_log_odds, RUN_NODES, level_path_log_odds, path_run_log_odds,
    quantised_run_log_odds, tidal_hold_log_odds, tidal_run_log_odds)
from streamml.detector.thresholds import Thresholds

T, RH, P = 0, 1, 2
# Humidity readings this close (in readings, on either side) to a saturated one are near the
# 100 % ceiling (air that the channel's noise takes to 99 % or more every few readings): only
# the readings the noise took under it are read there (the rest are cut to 100 % or count as
# saturated), so their second differences are those of a band narrower than the noise, and
# the noise is learnt from them only while too few others were (final-20: consumer humidity,
# noise 1.56 %, learnt as 0.33-0.50 % from saturated air's dips; once the air dried, its
# readings were flagged as noise for 800 readings and so never learnt).
CEILING_NEAR_READINGS = 10
RECENT = 480  # readings kept: the longest a flag can reach back
WEATHER_HOLD = 180  # readings after a weather event without the drift check
# A storm's pressure jump decays over hours: the hold lasts while the pressure is this much
# above its course before the storm (rechecked every STORM_RECHECK readings, at most
# STORM_HOLD_MAX readings from the storm's start).
STORM_EXCESS_HPA = 0.5
STORM_RISE_HPA = 0.3  # in 25 readings (0.7 hPa/h): rising, not a storm's decay
STORM_RECHECK = 10
STORM_HOLD_MAX = 420
# The jump decays back onto the pressure's course before the storm: a fall faster than the
# daily tide makes (a front coming) is followed, up to this steep (hPa per reading: fronts
# fall under 1.5 hPa/h), while the pressure keeps falling.
STORM_FALL_MIN = 0.6 / 60
STORM_FALL_MAX = 2.0 / 60
# °C a storm has cooled the air by STORM_PLUNGE readings after its start (the mean of the last
# readings against the mean before it): a storm's cooling lasts an hour or more. A "storm" the
# air has not cooled by this was a noisy thermometer's extremes (final-10: cheap sensors' single
# readings 2.5 °C under the highest of the last 11, the pressure's noise 1 hPa over its lowest,
# held the drift check for three hours at a time), and its hold is withdrawn.
STORM_COOLING_C = 1.0
# A front's passage lifts the pressure for 20-60 readings, then its rise slows to the recovery's
# (final-9: under 1.5 hPa/h over readings 30-60 after 25 of 32 fronts and storms read as fronts,
# at most 0.3 hPa/h over 60-90 after the others; final-2: -0.1-0.8 after a front out of a level
# pressure). A rising pressure drift that met a front rule before the drift check had opened it
# keeps its rate (3.0-5.3 hPa/h over 30-60, 2.3-4.6 over 60-90). Where the pressure rose at a
# drift's rate over two FRONT_SLICE readings one after the other from FRONT_SLICE after a front
# on (judged FRONT_JUDGED_FROM readings after it, then every FRONT_SLICE while the hold lasts: a
# drift may begin in a real front's wake, final-11), the rise is no front's: the front's hold no
# longer covers the pressure, and the drift check goes over the pressure the front held (from
# DRIFT_REPLAY before it: the drift check's windows; at a later judgment from the first of the
# two slices, not over the front's own rise), so a drift is flagged back to its onset.
# The hold goes on for the dew point and temperature (a front passing during a pressure drift
# still moves them).
FRONT_SLICE = 30
FRONT_JUDGED_FROM = 3 * FRONT_SLICE
# At a later judgment the rise began in the hold: it is no front's own only once it has lasted
# this many slices, longer than any front's passage (20-60 readings), for a second front may
# pass in the first one's hold, or a front's own passage come after its report (final-22
# 2303-031, fronts every 0.7 days: a storm read as a front, the front's passage 52 readings
# later rising 3.6 hPa over 55 readings in its hold, released as a drift at two slices and
# flagged for 77 readings).
WAKE_SLICES = 3
FRONT_SLICE_MIN = 20  # unblocked pressure readings a slice's rate is judged on
# A drift read as a front that the sensor recalibrates before the front is judged (final-9: three,
# 35-72 readings after the "front", biases of 5-7 hPa): the pressure falls at once back to its
# level before the front's rise (within FRONT_LEVEL_HPA). No weather does: a front's pressure
# stays up, a storm's jump decays over 40 readings. Looked for until the first judgment: the
# mean of the last RECALIBRATION_MEAN readings RECALIBRATION_FALL_HPA or more under the mean of
# those RECALIBRATION_READINGS before; the pressure is let go as above, the drift check going
# over it to the fall (which ends the drift as a recalibration).
RECALIBRATION_MEAN = 5
RECALIBRATION_READINGS = 10
RECALIBRATION_FALL_HPA = 2.0
FRONT_LEVEL_HPA = 1.0
DRIFT_REPLAY = DRIFT_WINDOW + BASELINE_WINDOW
# Readings after an event's start from which a thunderstorm is a new event (before, it is
# the same one: a storm's first minutes can meet the front rule, and it goes on meeting the
# storm rule for minutes).
NEW_EVENT_AFTER = 30
# Readings a drift decision waits before it is flagged: a front's first quarter hour looks
# like a dew-point drift until its pressure has risen enough to tell (the flags still reach
# back to the drift's onset, so waiting costs no reading).
DRIFT_CONFIRM = 15
# ... and a dew point rising with the humidity waits an hour: rain in dry air looks like a
# humidity drift until its humidity races towards saturation, 10-60 readings after the decision
# (final-11), and the drift check withdraws it then.
RAIN_CONFIRM = 60
# ... and one whose air cooled as it moistened (rain's, ``DriftCheck.rain_saturated``) waits
# until the rain has had time to saturate the air: 90-115 readings after the drift's fitted
# onset, 34-62 after the decision (final-21 seed 2201: sim-2201-030 saturated two readings after
# a 60-reading wait). Only the reporting waits: the flags still reach back to the onset.
COOLED_RAIN_CONFIRM = 90
# ... and one decided in air with room to race (``DriftCheck.from_room``) waits until rain that
# does not race has had time to saturate the air: final-26 seed 2705's rain into hot air at
# 62 % saturated it 69-116 readings after the decision on the 18 sensors it was decided on.
ROOM_RAIN_CONFIRM = 120
# A moistening withdrawn so once it sat at saturation (``DriftCheck.rain_saturated``) is flagged
# back when its humidity then steps out of moist air in one reading by this share of the climb
# it was withdrawn on (SATURATED_PCT less the humidity where it began) and stays down over the
# next WITHDRAWN_STEP_CONFIRM readings, the temperature quiet: a hygrometer recalibrated after
# drifting into saturation (the clip pinning it at 100 %) drops by the bias it grew; rain's air
# dries back with its dew point over half an hour or more (final-10 sim-1105-002: a cheap
# hygrometer at -18 C drifting 62 -> 100 % at 14 %/h, decided at 1,683, withdrawn at ~1,800,
# recalibrated 100 -> 69 % at 1,816: 167 drift readings never flagged; the drift-end check's
# step out of saturation, 7.8 dew-point noise widths, was under its STEP_SD).
WITHDRAWN_STEP_SHARE = 0.5
WITHDRAWN_STEP_CONFIRM = 2
# Readings before a thunderstorm's detection a drift must have been decided at to be carried
# through its hold (``DriftCheck.reset``): the storm rule looks DRIFT_CONFIRM readings back for
# its start, and the drift's flags were out DRIFT_CONFIRM readings before that (final-13: seven
# flagged drifts lost 568 readings to storms breaking in).
STORM_CARRY_DECIDED = 2 * DRIFT_CONFIRM
# Readings from a thunderstorm's start after which its jump and plunge are over: from there,
# while its hold lasts, the drift check follows the series again and starts a drift only on a
# dew point rising away from the storm's recovery (``DriftCheck.update``, ``after_storm``):
# the storm's moisture only dries back (final-13: two storms a day held the check for much of
# each afternoon and evening; 2,921 of its 5,117 missed drift readings).
STORM_SETTLED = 30
# A dew point falling in a storm's hold is judged against the level before the storm (the mean
# of these readings back from the storm's detection, before its plunge), moved down along the
# evening's fastest fall or the trend before the storm if steeper (from the mean of the readings
# an hour earlier): the storm's moisture dries back to the air mass's dew point, which the daily
# cycle (0.3 A for a temperature cycle of amplitude A up to 14 °C) lowers by 1.1 °C/h at most; a
# drifting sensor's dew point goes through it (final-13: six drifts falling in storm holds never
# flagged, ~1,400 readings). Moved along the trend alone (and a daily bend allowed for), a cheap
# sensor's trend over an hour is too noisy: final-13 false alarms 0.73 -> 1.04 %.
STORM_DEW_LEVEL_READINGS = (26, 16)
STORM_DEW_TREND_READINGS = (86, 76)
STORM_DEW_FALL_C_PER_HOUR = 1.1
# °C further under that line the dew point must be: the level's noise, the air mass moving.
STORM_DEW_MARGIN_C = 1.0
# No floor where the air before the storm was moist (mean humidity at or above this %) or its dew
# point rose faster than the daily cycle lifts it: an earlier storm's moisture, not the air
# mass's (final-13, 1405-006: a storm the stuck barometer hid, its moisture taken as the level).
STORM_DEW_MOIST_PCT = 90.0
# hPa: nor while the pressure is still this far above its level before the storm: a storm's jump
# decays back, a cold front's rise (read as a storm: a drop and a jump) stays, and the drier air
# behind it lowers the dew point for good (final-2, seed 301: a cheap control flagged 150 readings).
STORM_DEW_PRESSURE_BACK_HPA = 1.0
# A temperature rising in a storm's hold is judged against the level before the storm (its mean
# over STORM_DEW_LEVEL_READINGS, before the plunge), moved up along the day's warming or the
# trend before the storm if steeper (from the mean over STORM_DEW_TREND_READINGS): the storm's
# cooling recovers only towards the air's course before it, and a thermometer drifting up goes
# through it. Storms come in the afternoon, when the daily cycle warms the air by under
# 0.2 A °C/h (a cycle of amplitude A), and least where the air is moist (A of 1.5-5 °C in the
# monsoon and the fog desert); a steeper warming before the storm is its own trend. Healthy
# readings in moist storm holds that meet the rule's other conditions needed at most 0.56 °C/h
# with the margin below (final-2; final-9 0.34; tuning-wide 0.84 behind a dropout read as a storm).
STORM_WARMING_C_PER_HOUR = 1.0
# °C further over that line the temperature must be: the level's noise, a cloud's shade on it.
STORM_WARMING_MARGIN_C = 1.0
NOISE_WINDOW = 9
# Readings from a thunderstorm's start in which no channel's noise is judged: its plunge (up
# to 15 °C, a quarter of the way each minute) and pressure jump bend the readings more than
# noise for ten minutes, in second differences of one sign (final-7: 120 of 150 noise false
# alarms on one seed's control sensors within 15 readings of a storm's start).
STORM_PLUNGE = 15
DROPOUT_JUMP = 10.0  # noise widths: a jump this large followed by an exact repeat
DROPOUT_LOG_ODDS = 3.0  # the evidence that makes a dropout (the run after such a jump)
# Share of the way back to where a channel was before a stretch flagged faulty on it that a
# step out of the stretch goes: the fault's end, however far it jumps (a dropout's jump goes
# from where the air is to anywhere).
RETURN_SHARE: float = 0.5
# °C, %, hPa: more than any weather moves a channel in one reading (a minute; the sharpest
# storm cools the air 4-15 °C over several minutes). A jump this large followed by an exact
# repeat is a dropout at once, however often the channel repeats (final-7: a calm station's
# temperature at 0.3 °C read -40.0 for 18 readings, too few repeats for its repeat rate). Not
# the humidity: a humidity step the temperature does not share is an inconsistency, and a
# 1 %-step humidity repeats one reading to the next while it goes on moving.
WEATHER_MAX_STEP = (10.0, math.inf, 10.0)
# Nor does any air hold no water at all: a humidity that jumps DROPOUT_JUMP noise widths to its
# lower limit (0 %; the driest deserts keep a few percent) and repeats it is a dropout at once,
# the humidity cut at its limit as a dropout holds it (final-23 sim-2404-009: a station humidity
# at 1.1 % steps, 93.5 -> 0 % for the stream's last 5 readings, under DROPOUT_LOG_ODDS at its
# repeat rate of 0.71, too few for the inconsistency check's STEP_AFTER). (No constant of its
# own: ``_check_stuck``.)
#
# A sensor reports multiples of its resolution: no more decimals than its steps have. A
# temperature or pressure with more decimals than the channel's learnt resolution, repeated, came
# out of no converter: a placeholder written in a reading's stead (tuning-wide, final-2, final-7:
# 1013.25 hPa held 5-27 readings by barometers at 0.1 or 0.2 hPa, too few repeats for their
# repeat rates of 0.7-0.9), a dropout at once. Not the humidity, which is cut at its limits.
# Decimals are counted up to MAX_DECIMALS, to DECIMAL_TOLERANCE (relative: floats' rounding).
MAX_DECIMALS = 4
DECIMAL_TOLERANCE = 1e-6
# ... nor a value off the grid of the values the channel reported while healthy
# (``ValueGrid``), by this share of a step or more: a step with as many decimals as the
# placeholder's hides it from the count (final-22: station barometers at 0.275 hPa, written
# 1012.55, 1012.83, 1013.10, 1013.38, held 1013.25 for 5, 8 and 35 readings, at a step of 2.5
# to 28.5 steps, too few repeats for their repeat rates of ~0.8). Judged only on a grid at
# least GRID_MIN_UNITS of its written decimals coarse (a finer one's rounding blurs it), and
# by at least twice what the rounding of the values and of the step can put a healthy value
# off it. Not the humidity, cut at its limits.
GRID_OFF_STEPS = 0.25
GRID_MIN_UNITS = 4
# %: a humidity resolution this fine has several steps between 99 % and 100 %, so its repeats
# of one of them in saturated air are judged (a coarser channel reads only 99 or 100 there).
# So are a coarser channel's whose noise spans its steps (NOISE_SPANS_STEPS): it reads a new value
# in that band at nearly every reading (final-21 2204-007: a cheap humidity at 0.3 % steps, noise
# 1.3 %, held at 99.3 % for 10 readings with the whole sensor, unjudged; 23 nats by itself).
FINE_NEAR_LIMIT_PCT = 0.25
# A humidity that has learnt its repeat rate from fewer pairs of readings clear of saturation
# than this (one saturated since the stream began: a boreal night) is judged, held under the
# limit in saturated air, by the rate at which its readings there repeated (a value read more
# often than that, as the step just under the limit, by how often it was read), and its steps
# there tell whether it is fine enough to be judged there at all (FINE_NEAR_LIMIT_PCT). Its
# rate clear of saturation is the 0.5 it starts at, which no healthy fine channel there comes
# near: final-23 2401-020, a consumer humidity at 0.11 % steps saturated since its start, held
# 99.66 % for 15 readings (10.4 nats by 0.5), and 2402-014, a cheap one held 99.77 % for 22
# readings, unjudged as its resolution was unknown.
UNDER_LIMIT_MIN_PAIRS = 20
# A humidity run while the air warmed enough to take the humidity at the run's dew point this
# many steps (the larger of its resolution and noise) under the held value: a healthy channel
# would have followed (a station's humidity at 1 % steps repeats as often as 0.7 when calm).
# Such a run needs this much less evidence from its repeat rate, and learnt runs and trends do
# not bound it. Cooling air is no pull: at night the dew point falls with the temperature.
PULL_STEPS = 3.0
PULL_LOG_ODDS = 4.0
# ... judged so only while this short (over longer runs the dew point moves on its own) and
# below this humidity (near saturation the readings clip at 100 %).
PULL_MAX_RUN = 40
PULL_MAX_PCT = 97.0
# A coarse humidity's run just under 100 % (``_near_limit_unjudged``) is judged as any run once
# the air has warmed enough to take the humidity at the run's dew point PULL_STEPS steps under
# saturation (final-14 1505-002: 99 % held 253 readings while the air warmed 3.3 °C, unseen):
# rain and storms, which keep the air saturated, cool it.
# ... and, where saturated air rounds onto the limit more often than onto that step (the step's
# upper rounding boundary at least LIMIT_BOUNDARY_MARGIN_PCT under 100 %: final-30's 99.0 % on
# 1.65 % steps, boundary 99.825 %), once held NEAR_LIMIT_HOLD_READINGS readings in air that the
# SATURATED_AIR_READINGS readings before the run put at saturation: saturated air explains them
# within SATURATED_AIR_FIT_NATS of the likeliest air under it (the channel's noise and step).
# Healthy holds of that step, each out of saturated air, lasted at most 53 readings over 24
# final families (final-28 2905-012, the air warmed a hair under saturation; final-7 803-026
# 51); final-30's faulty ones 149-212 readings at a true 100 % (sim-3101-005 1716, sim-3103-013
# 1385). A fog a hair under saturation (98-100 %) reads the step below too, which saturated air
# never does: its holds stay unjudged, as before.
LIMIT_BOUNDARY_MARGIN_PCT = 0.05
NEAR_LIMIT_HOLD_READINGS = 100
SATURATED_AIR_READINGS = 30
SATURATED_AIR_FIT_NATS = 3.0
# A humidity held RUN_DEW_MIN_REPEATS readings or more a step or more under that step, begun in a
# thunderstorm's hold in air its readings since the storm was found put at saturation (each at
# SATURATED_PCT or more: a reading's share under or over a value far under the limit says
# nothing of saturation; final-7, humidities held at 38-93 % in storms' holds), is judged
# by the chance that saturated air reads its value at each repeat, while the storm goes on (the
# barometer not falling off its jump nor the thermometer warming STORM_DECAY_STEPS over those
# readings and the run): a storm's rain keeps the air it cools saturated until it is over, and
# the air dries slowly after it (``_storm_saturated_hold_evidence``; final-30 3103-005 @2552, a
# healthy station humidity on 97.35 % for 12 readings as the air dried 98.5 -> 97.1 % half an
# hour after a storm, the barometer 2 steps down and the thermometer 4 up over the half hour).
# final-30 3102-005 @2511: a station humidity (1.65 %, noise 0.62 %) held 97.35 % for 6 readings
# in a storm's saturated air that read 99 and 100 % (a 3-noise-width draw: 4-6 nats a reading).
# The air positions tried against saturation: this share of a step apart, from a step under
# the held value up to the limit.
AIR_POSITION_STEP = 0.05
# A channel whose noise before rounding is at least this many of its steps rounds its own noise
# at each reading: its repeats are independent, and a run is no likelier than the quantised
# chance says (its noise, measured on second differences of several steps, is measured well).
# Its learnt healthy runs do not bound a run's evidence there: a few runs of one to three
# repeats, a geometric tail extrapolated from them, went on with a chance of 0.4 a repeat where
# the repeat rate is 0.05 (final-11: consumer pressure at 0.01 hPa, 5 repeats 15 nats by the
# rate and 13 by the quantised chance, capped at 8.5). On a calm coarse channel (noise well
# under a step) the learnt runs still bound it.
NOISE_SPANS_STEPS = 1.0
# A run twice the longest learnt healthy run (``RunLengths.outlasted_by``) is not bounded by them
# on a channel whose noise is at least this many steps: calmer channels (final-2: station
# pressure and humidity at 0.25-0.37 step) sat on one step 50-70 readings when healthy. So for
# several channels repeating at once (``JointRunLengths.outlasted_by``), each this noisy
# (final-14: stations held whole for 6-14 readings, 13-37 nats by their repeat rates, capped
# under 12 by the tail of learnt joint runs of 2-5 repeats; final-2's calm stations drew false
# alarms without the noise bound); such a run is flagged from where every channel repeats.
OUTLASTS_NOISE_STEPS = 0.5
# Where a calm channel among them keeps such a run of every channel at once bounded by the
# learnt joint runs, the channels' own run evidence (each bounded by its own learnt runs, so the
# calm channel adds little) still adds up, and the noisier channels are flagged (final-15: 4 of
# 7 short all-channel runs, 7-10 readings at least twice the longest learnt joint run, one
# station channel at 0.29-0.38 of a step). Not the channels' repeat rates: a thermometer's,
# past its own learnt runs, flagged a final-7 control in a thunderstorm; nor two channels of
# three: a thermometer and a calm humidity sit on their steps together at the day's top.
# A calm thermometer's run (noise under OUTLASTS_NOISE_STEPS of a step) this many times the
# longest of at least FAR_OUTLASTS_MIN_RUNS learnt healthy runs (three full tails: most of a
# day's runs in its weather, not a few hours': final-34's control stations held a channel healthy
# 4-7 times the longest of their first 32-79 runs, 73-293 readings) is judged by its repeat rate
# as before the run (as at its LEARN_LAG-th repeat, before its own repeats were learnt), not
# bounded by its learnt runs nor its quantised chance: the sun's daily cycle moves the air it
# reads. final-34: faults held station thermometers (0.24 °C, noise 0.2-0.4 of a step) 264-336
# readings, 4.0-5.6 times the longest of their 175-211 learnt runs, their repeat rates, raised to
# 0.98 by the runs' own repeats, saying 4.2-5.5 nats at their ends (sim-3502-011: 336 readings,
# the longest of its 206 learnt runs 84); healthy station thermometers past 96 learnt runs
# reached at most 2.8 times their longest there, 2.3 on final-2. Not a humidity: in air whose
# dew point and temperature hold together it holds its step as long (final-25 control
# sim-2602-029: 83.2 % for 72 readings, 4.2 times the longest of its 152 learnt runs); nor a
# barometer: the tide's turn or a settled high holds it on one step for hours (the quantised
# chance from its learnt noise, which its flicker between steps before can inflate, does not
# tell; tests/detector/test_sensor_checks.py:
# test_a_calm_coarse_channel_on_one_step_for_hours_is_not_stuck).
FAR_OUTLASTS_LONGEST = 3.5
FAR_OUTLASTS_MIN_RUNS = 96
# A run on a channel whose trend before it (sure: shrunk by two standard errors) would have
# carried it this many of its steps over the run is not bounded by the learnt healthy runs, its
# own or joint: they were learnt mostly in calm spells, and a channel on the move rarely
# repeats (final-13 1404-013: a station held whole for 9 readings while its temperature fell
# 0.26 steps a reading, 18.2 nats by the repeat rates, capped under 12 by the joint runs). The
# quantised chance, which follows the trend, and the repeat rate still bound it. Only where the
# noise is at least half a step (OUTLASTS_NOISE_STEPS): final-2's calm coarse station channels
# (a fifth to a third of a step) sat on one step through such trends (false alarms 0.68 -> 0.74 %).
RUN_MOVING_STEPS = 2.0
# ... only a steady trend: the readings before the run this close to its line (in the channel's
# noise widths), and the newer half of them as steep (the lesser of the two slopes counts). A
# storm's plunge or pressure jump, then a level, is a steep line the readings do not follow; a
# tide levelling off at its trough (final-13: a station control's pressure, 21 readings on one
# step after falling ever slower) was still steep over the hour, not over its last half hour.
# A run's end (below) may also confirm the newer half's own steady trend, the same test on the
# half hour before the run, where the hour's bent: the channel was on that line when it fell
# still (final-19 2005-012: a station thermometer held 19 readings in the morning's climb, 0.3
# steps a reading over the half hour before it after a cloudy spell, then 5 steps up).
RUN_STEADY_SD = 2.0
# A run over which the channel's steady trend before it would have carried it RUN_END_CARRIED
# of its steps, ended by a step of at least RUN_END_STEPS out of its value the way that trend
# was heading and at least RUN_END_LANDS of the way it would have carried the channel, was the
# channel held while the weather went on: the step out shows the trend went on, so the quantised
# chance along the trend it confirms (the lesser of the trend and the step spread over the run)
# is the run's evidence, without the repeat rate and the learnt runs, which a calm coarse
# channel's repeats fill (final-7: station thermometers, noise a fifth to a half of a step,
# repeating 0.6-0.7 of readings, held 15-30 readings while the morning climb or the evening fall
# went on at 0.2-0.35 steps a reading, 5-10 nats by the rate, then a step of 3-4 steps). A
# healthy channel whose trend stops sits on its step and leaves it by one step; a spike the way
# the trend went comes back at the next reading, which is awaited (_confirm_run_end). The run's
# readings are flagged then. Not in a weather event's hold: the trend there is the event's, which
# stops (tuning-wide seed 20: a control barometer rising 0.2 steps a reading in a storm's wake
# sat on a step 38 readings, then the next storm's jump stepped it out the same way).
RUN_END_CARRIED = 1.5
RUN_END_STEPS = 2.0
RUN_END_LANDS = 0.4
# ... and where the whole sensor held its reading (every channel repeating at once) and the
# channel then stepped out RUN_END_WHOLE_STEPS or more the way its trend before was heading,
# that trend need not have been steady (the readings' line, shrunk by two standard errors,
# suffices): final-7's calm coarse stations (every channel a fifth to a third of a step) held
# whole 20-24 readings while a sun break warmed the air 5-16 steps, then a temperature step of
# 7-17 steps; the readings before, shaded on and off, followed no steady line. A healthy calm
# station sits on one step while the air is still, and leaves it by a step or two; shading
# ending steps the temperature up a few steps after a fall into the shade, against that line.
RUN_END_WHOLE_STEPS = 5.0
# ... and a temperature's run, wherever the humidity says the temperature moved while it held:
# the temperature at which the air, at its dew point before the run (the mean of up to
# RUN_DEW_BEFORE readings up to the run's first), reads the humidity of the run's last
# RUN_DEW_LAST readings lies the way the channel then stepped out RUN_END_WHOLE_STEPS or more,
# by at least RUN_DEW_SURE standard errors (the humidity's noise and that dew point's) and
# RUN_DEW_SHARE of the step out. A healthy thermometer moves with the humidity, the dew point
# steady, and steps out of a run with the weather of that reading (a shade, a storm), which the
# humidity shares; a held one leaves the dew point at its held value drifting, and its step out
# puts it back (final-16 1705-018: a cheap thermometer held 6 readings in a sun break while the
# humidity fell 2.7 %, then 10 steps up). The step out, confirmed by the next reading, is then
# the channel's move over the run: the quantised chance of the run along it is the evidence,
# also where a steady trend before confirms the step: that trend, shrunk by two standard errors
# and the lesser of its halves' slopes, says less than the step the other channel foretold
# (final-19 2002-011: a station thermometer held 14 readings into a sun break while the humidity
# fell 3 steps, then 11 steps up; 9.1 nats along its steady trend of 0.12 steps a reading).
# The same, the other way, for a humidity's run: the humidity of the air at that dew point and
# the temperatures of the run's last readings (final-7 805-022: a station's humidity held 32
# readings while the air warmed, then 6 steps down; cooling air pulls no humidity, PULL_STEPS).
# Only runs of RUN_DEW_MIN_REPEATS or more: a storm's rain moistens the air a few readings
# before its plunge cools it (final-15: a station control held 3 readings, then 20 steps down).
RUN_DEW_MIN_REPEATS = 5
RUN_DEW_BEFORE = 10
RUN_DEW_LAST = 3
RUN_DEW_SURE = 2.0
RUN_DEW_SHARE = 0.2
# ... and a smaller step out, of RUN_DEW_ALONE_STEPS or more, that the other channel foretold so
# and moved for over the run itself (RUN_DEW_SHARE of the step, from the run's first reading:
# the held reading's own noise can set it off the dew point's mean before, tuning-wide 2-010),
# where the channel stepped out alone: at least RUN_DEW_ALONE_SHARE of the step is left once the
# move that the other channel's own step at that reading says (at the same dew point) is taken
# off. A stuck channel's release is its own (final-7 805-000: a station thermometer held 8
# readings while the humidity fell 2 steps, saying the air warmed 2 of its steps, then 3 steps
# up, the humidity still; final-2 302-006 and 303-010, final-17 1802-022 alike); a healthy calm
# channel leaves its step with the weather of that reading, which moves the other channel with it
# (final-7: station humidities sat 7-13 readings in the shade, then 3 steps down as the sun came
# out, the temperature 2-3 of the humidity's steps up at that reading; tuning-wide 11-026: a
# control thermometer 4 steps up with the humidity a step, 2 of its steps, down). The step is
# then taken as the run's move, as above, even where a shallower steady trend confirms it too.
# A humidity the warming air pulled (PULL_STEPS) whose run stayed under the bar is judged by its
# end as well. In a weather event's hold, where no trend before a run is judged, a step out of
# RUN_DEW_ALONE_STEPS or more is judged so too, if it is so foretold and taken alone: a storm
# breaking out or a shade steps the other channel with it (tuning-wide 14-032, 20-027: control
# humidities 6 steps up in storms' holds as the air plunged 8-11 steps at that reading), a held
# channel's release is its own (final-18 1902-002: a station thermometer held 10 readings while
# the air dried after a storm, then 4 steps up; final-2 301-002, 12 steps down in a front's).
RUN_DEW_ALONE_STEPS = 3.0
RUN_DEW_ALONE_SHARE = 2 / 3
# A run's own repeats, learnt LEARN_LAG readings late, raise the repeat rate that judges it
# (the last hour's rate: a calm spell repeats more): past LEARN_LAG repeats a run of a calm
# coarse channel judges itself healthy (final-2, tuning-wide: station pressures and humidities at
# 0.2 hPa / 2 %, noise a fifth of a step, held 130-360 readings while the weather moved them 4-8
# steps; the rate rose to 0.98 and the run's evidence stayed at 2-6 nats). A run that outlasts
# twice its learnt healthy runs while its trend before it (sure: shrunk by two standard errors)
# would have carried it this many of its steps is judged by the rate as it was at its
# LEARN_LAG-th repeat, before any of its own repeats was learnt. A calm spell that stills a
# channel whose trend before was flat keeps the rate that follows it.
RUN_RATE_CARRIED = 1.0
# The run's own repeats lower the noise that judges it too: learnt LEARN_LAG readings late, each
# adds a second difference of 0 to the window the noise is measured on (final-25 sim-2603-007: a
# cheap barometer at 0.16 hPa, its learnt noise 0.37 of a step, held 1012.32 hPa 319 readings
# with its trend before flat: at its 59th repeat the run's chance along its trend said 11.9
# nats; at its 60th the noise it learnt fell to 0.32 of a step and that chance to 7.5, and it
# stayed under 11 to the end, the noise at 0.18 of a step, while its own repeats raised the
# rate to 0.98; judged with 0.37 from its 112th repeat on, four times its longest learnt run of
# 28, 13.4 nats, flagged back to its start). A channel's whole run past LEARN_LAG repeats is
# judged by its quantised and tidal chance with the noise as at its LEARN_LAG-th repeat
# (``_run_noise``), before any of its own repeats was learnt, once it outlasts this many times
# the longest of its learnt healthy runs: a healthy calm run's own repeats lower the noise too,
# and where it is judged along the tide's turn that noise is its due (final-2 control
# sim-302-026: a station barometer, noise 0.34 of a step, held 83 readings at the tide's turn,
# twice its longest learnt run of 38; with the noise as at its 40th repeat its tidal chance
# said 12.1 nats at its 77th, with the noise learnt 7.8).
RUN_NOISE_OUTLASTS = 4.0
# A sensor held whole (every channel repeating at once) that every channel leaves at the same
# reading: a stuck sensor's readings resume together when the fault ends (final-7: 22 of 35
# whole-sensor stuck runs left so by all three channels), while a healthy sensor's channels
# leave their steps on their own noise, all three at once about as often as the product of
# their chances of stepping (final-7's and final-2's healthy station runs held whole that all
# three left at once: 4-9 readings, 6.8 nats of joint evidence at most). So that chance is
# added to the run's joint evidence (capped by the learnt joint runs as before): the run is
# stuck at its end if the sum reaches the bar, flagged once the next reading shows which of them
# stayed out (WHOLE_END_STAYED, below). Only runs of WHOLE_END_MIN_REPEATS or more; not with the
# humidity near saturation, after a dropout's jump, nor while the sensor is flagged
# inconsistent; nor where a weather event began during the run, at its step (checked again at
# the next reading, once the event is found) or within WHOLE_END_AFTER_EVENT readings before it
# (a storm's or a front's first hour moves every channel); a run later in an event's hold is
# judged (final-7 802-008: a station held whole 21 readings five hours into a thunderstorm's
# hold, then stepped out on all three).
WHOLE_END_MIN_REPEATS = 5
WHOLE_END_AFTER_EVENT = 60
# ... the chance of the step counting only the channels that stayed out at the next reading (at
# least this many): a stuck sensor's release lands each channel where the air went plus its
# noise, and a channel whose air moved under a step while it held sits near its held step's
# edge, so on a coarse channel (noise a third to a half of a step) it reads its held value again
# as often as not; coming back says nothing of the sensor either way, so its step is not counted
# as rare. A spike comes back on the channel it hit; the whole sensor coming back is no release
# (final-28 sim-2904-002: a station held whole 11 readings, left by -2, +1 and -1 steps, the
# barometer back at the next reading, 13.1 nats by the two that stayed; sim-2905-002: held 19,
# left by a step each, the humidity back, 12.1; the healthy whole ends of final-28's stations
# that reached 6 nats: 9.3 at most counted so, every one of them 9.4 at most counted whole).
WHOLE_END_STAYED = 2
# In a thunderstorm's hold one run end is judged: a barometer's run that held from before the
# storm was found through STORM_JUMP_HELD readings or more after it, then stepped up
# RUN_END_WHOLE_STEPS or more. A storm's jump comes with its plunge (a third of what is left
# each reading): a healthy barometer is climbing when the storm is found and its last steps
# are its smallest; a held one misses the jump and lets it go at once (final-17 1801-012: a
# station barometer held 19 readings through a storm found by its plunge into saturated air,
# then 52 steps up). The step out is then its move over the readings since the storm was found.
STORM_JUMP_HELD = 5
# ... and a barometer's run begun after the storm was found, held RUN_DEW_MIN_REPEATS readings or
# more, then stepped down RUN_END_WHOLE_STEPS or more, landing no lower than the pressure's
# course before the storm less STORM_DECAY_BELOW_HPA (the daily tide's swing over the hold): the
# jump decays a 40th of what is left each reading, so a healthy barometer follows it down a
# step or two at a time and cannot sit on a step and then fall 5 at once; a held one lets the
# decay go at once (final-18 1904-010: held 14 readings, 7 steps down; final-7 801-012, final-13
# 1402-009). A dropout's value or a drift's recalibration lands anywhere. The step out is then
# its move over the run.
STORM_DECAY_BELOW_HPA = 1.0
# ... and the step down that ends such a run need be only STORM_DECAY_STEPS (of its steps and of
# its noise widths), where the quantised chance of the run along it (its evidence) decides:
# final-30 3104-013 and 3104-005, station barometers (0.165 hPa, noise 0.35-0.45 of a step) held
# 15-19 readings from the storm's plateau into its decay, the true pressure falling 1.5-2.3 steps,
# then let go 3 and 2 steps down (27.9 and 12.5 nats along the step); every healthy barometer's
# run end so in final-30's storms said 9.3 nats or less. A step under RUN_END_WHOLE_STEPS is
# judged so only where the thermometer rose STORM_DECAY_STEPS over the run (``_warmed_over_run``):
# a storm holds its jump while it lasts and its cooling with it, and both wear off once it is
# over (the two held ones' thermometers rose 7 and 10 steps); final-28 control 2903-028, a quiet
# barometer (a quarter of a step) on one step for 48 readings of a storm's plateau as the air
# cooled 5 steps, then 2 steps down, says 47 nats along the step and is no fault.
STORM_DECAY_STEPS = RUN_END_STEPS
# ... and, the other way round, a thermometer's run begun after the storm was found, held
# STORM_WARMING_REPEATS readings or more while the barometer fell STORM_WARMING_STEPS (of its
# steps and noise widths) off the storm's jump, then stepped up as many or more: the storm's
# cooling wears off from the reading its jump starts to decay (a 90th of what is left each
# reading), so a healthy thermometer warms a step at a time; a held one lets the warming go at
# once. The quantised chance of the run along the step out decides. final-30 3102-017: a station
# thermometer (0.165 °C) held 16 readings at 11.55 °C in a storm's saturated air while its
# barometer fell 3 steps, then let go 4 steps (0.66 °C, under SATURATED_STEP_C) up.
STORM_WARMING_STEPS = RUN_END_STEPS
# A cloud's shade settles a quarter of the way a minute (within a tenth of its size in 8): its
# onset can offset the storm's warming on one step for about that long and its end then steps the
# air up by its size (final-7: control thermometers 0.5-0.6 °C out after 5-8 repeats in storms'
# holds), so a run is judged so only if it lasted twice that (one shade's onset and its end).
SHADE_SETTLE_READINGS = 8
STORM_WARMING_REPEATS = 2 * SHADE_SETTLE_READINGS
# ... and a barometer's run begun STORM_SETTLED readings or more after the storm was found (its
# plunge and jump over), ended by a step down of RUN_END_STEPS or more, the way the jump decays,
# that confirms the steady trend before the run, as outside holds (RUN_END_CARRIED,
# RUN_END_LANDS; ``_storm_recovery_missed``): the decay is smooth and slows as it goes, so a
# healthy barometer follows it a step at a time; a step up is the next storm's jump, which held
# run ends in holds unjudged (tuning-wide seed 20, above). final-7 801-010: a station barometer
# held 17 readings 76 after the storm was found, the decay having taken it down a quarter of a
# step a reading over the half hour before, then let go 3 steps down (53 nats along that trend;
# 5 steps were asked there before). Not the thermometer or the humidity, as for BRACKET_BEFORE:
# a cloud's shade in the storm's wake holds them, and its end steps them along the storm's
# recovery (a thermometer held 8 readings in a storm's saturated air, 0.5-0.6 °C out: unit tests).
# ... and a thermometer's run in saturated air (the humidity at SATURATED_PCT or more at the run's
# first reading, its last and the step out: it foretells nothing there), held RUN_DEW_MIN_REPEATS
# readings or more, then stepped SATURATED_STEP_C or more (and RUN_END_WHOLE_STEPS of its steps
# and noise widths) without the pressure jumping RUN_END_STEPS steps at that reading the way a
# storm's plunge jumps it: a cloud's shade moves saturated air at most a quarter of its 2.5 °C
# in a minute (final-7: control thermometers 0.5-0.6 °C out after 5-8 repeats in storms' holds;
# final-17 1801-034, 0.56 °C), a storm's plunge further but with its jump. A held one lets the
# storm's cooling or its wearing off go at once (final-18 1901-010: held 22 readings, then
# 1.0 °C down; final-7 802-010: 24 readings, 2.9 °C up). The step out is then its move.
SATURATED_STEP_C = 0.8
# ... and a barometer's run in the hold of a front whose rise is still being judged (found under
# FRONT_JUDGED_FROM readings before), held RUN_DEW_MIN_REPEATS readings or more, then stepped up
# RUN_END_WHOLE_STEPS or more (of its steps and of its noise widths) at a reading the thermometer
# did not fall FRONT_COOLING_C (and RUN_END_STEPS of its noise widths) or more
# (``_front_rise_missed``): a front's rise is smooth and spread over 20-60 readings (FRONT_SLICE),
# so a healthy barometer follows it a step or two at a time and cannot sit on a step while it
# goes on and then jump 5 at once; a held one lets it go at once (final-25 2605-010: a station
# barometer at 0.16 hPa, noise a tenth of a step, held 20 readings from 3 after a front was found
# while the rise went on at half a step a reading, then 8 steps up; no rule judged a run's end
# in a front's hold). A storm's jump can (a third of 1-2.5 hPa in its first minute), and in a
# front's first FRONT_JUDGED_FROM readings a storm is no new event until it is found, but it
# comes with its plunge: a front cools the air 0.5-3 °C over its passage, FRONT_COOLING_C a
# minute at most, a storm a quarter of 3-7 °C in its first (final-25: three healthy barometers
# sat 12-22 readings in fronts' holds, then 5 steps up with a storm's plunge of 0.96-1.6 °C).
# The step out is then the run's move.
FRONT_COOLING_C = 0.15
# ... and only a step out a front's rise could have given over the run: a passage lifts the
# pressure at most this many hPa a reading (4.8 hPa/h over its 20-60 readings, a semidiurnal tide
# adding under 0.01), so a held barometer's release spread over the run and its step out is no
# faster (final-25 2605-010: 1.28 hPa over 21 readings, 0.061 a reading; final-17 1802-002: 0.75
# over 10, 0.075). A dropout's constant is not so bounded (final-22 2302-000: a healthy station
# barometer on one step 43 readings in a front's hold after its rise, then a dropout's 7.0 hPa
# up, 0.16 a reading, read as the run's release: 43 flags off the fault).
FRONT_RISE_HPA = 0.1
# A barometer's step into a run, out of a run of its own held over n readings, of no more than
# this many hPa a reading over them is one the weather could have made while it held (a front's
# passage, FRONT_RISE_HPA, is the pressure's fastest course): that run's release, the air's level
# after a held reading, as likely as a dropout's constant. Only the channels that jumped count
# for its evidence as a dropout's: the others' repeats are a calm channel's and say nothing of
# the step (final-31 sim-3205-001: a station barometer at 0.135 hPa held 1011.29 for 344
# readings while the pressure rose 1.6 hPa, then 12 steps up, 25 noise widths; at the repeat
# rate of 0.98 the 4 repeats after it were 0.07 nats, the calm thermometer's and humidity's
# repeats beside it 3.3: flagged a dropout, which blocked the line through the readings on both
# sides of the hold, BRACKET_AFTER, that says it held). A dropout's jump out of a healthy
# barometer comes after a few readings on its step, and still counts the calm channels
# (final-25 sim-2603-014: 4.1 hPa after 5 readings, sim-2604-021 4.8 after 2).
RELEASE_HPA_PER_READING = FRONT_RISE_HPA
# °C, %, hPa a reading: no faster does the weather move a channel for long (a front's cooling,
# its drying, its rise); a held channel released no further than this over the readings it held
# lands where the weather went.
WEATHER_PER_READING: tuple[float, float, float] = (0.1, 0.5, RELEASE_HPA_PER_READING)
# ... and a humidity's run in a front's hold (after its rise is judged too), held
# RUN_DEW_MIN_REPEATS readings or more, then stepped down RUN_END_WHOLE_STEPS or more (of its
# steps and of its noise widths) alone (RUN_DEW_ALONE_SHARE of the step left once the move the
# thermometer's own step at that reading says is taken off), landing clear of the channel's
# floor, and settled (RUN_END_SETTLES at the next reading: ``_front_drying_missed``). Behind a
# front the dew point falls smoothly: the passage takes it down 1.2 times the temperature's drop
# over 20-60 readings (under 1 °C a reading, the thermometer falling with it), rain's moisture
# dries back a 25th of what is left each reading once a storm is over; so a healthy humidity
# with the thermometer still follows the drying a step or two at a time and cannot sit on a step
# and then let go 5 at once. A held one lets the drying go at once (final-28 sim-2902-004: a
# station humidity at 1.8 %, held 97.2 % 18 readings while a front dried the air to 83 %, the
# thermometer flat at 18.4-18.5 °C, then 7 steps down and one more; sim-2902-000: held 90 % 19
# readings, then 10 steps down and stayed; no rule judged a humidity's run end in a front's
# hold). The step out is then the run's move. Only a step out a front's drying could have given
# over the run: the dew point it says fell no more than FRONT_DRYING_C a reading from the held
# humidity's (at the thermometer's last reading) to the step's. With the thermometer still the
# passage's own share is the fifth of its dew point's fall that outruns the temperature's (1.2
# times a drop of at most 16 °C over 20 readings or more: under 0.2 °C a reading), and rain's
# moisture dries back a 25th of what is left a reading (10 °C of it: 0.4); the held ones above
# and final-27 sim-2803-021 (42.9 % held 30 readings at -7 °C, then 6 steps down) fell
# 0.08-0.16 °C a reading. An inconsistency that begins after a healthy humidity's run is no
# drying (final-2 sim-304-008, final-7 sim-805-018, final-19 sim-2001-011, final-22
# sim-2305-018: station humidities on one value 5-17 readings, then 28-55 % down at once, 0.7-2.2
# °C of dew point a reading over the run; read as the run's release, the inconsistency was
# taken as the channel's new level and never flagged on final-2).
FRONT_DRYING_C = 0.4
# A barometer's run ended by a step of RUN_END_STEPS or more outside weather events' holds is
# judged once BRACKET_AFTER readings after it are in: where the BRACKET_BEFORE readings before
# the run and those from its end on lie on one line (RUN_STEADY_SD noise widths), the pressure
# went on along it while the channel held, and the line says where it was at the run's first
# reading and at its last (each taken BRACKET_SURE standard errors towards the held value, at
# least BRACKET_SLACK_STEPS of a step: repeats place a calm channel's level only within its
# step). The chance that a healthy channel with this noise reads the held value at every repeat,
# the pressure going so, is the evidence; the run's readings are flagged then. Outside fronts and
# storms the pressure moves smoothly (the tide, a slow rise or fall), and a healthy barometer
# leaves its step as that line crosses the step's edge (final-18 1903-018: a station barometer
# at 0.125 hPa, noise a quarter of a step, held 29 readings while the line rose 1.3 steps, then
# 2 steps up and on; its trend before, 0.03 steps a reading, too shallow for RUN_END_CARRIED,
# its repeat rate 0.72). A step of the weather's at the run's end leaves the readings off one
# line. Not the thermometer or the humidity: shade and sun move them off any line within
# minutes (run ends left by 2 steps or more on final-2, -7, -18 and two tuning-wide seeds that
# nothing else judged: 167 healthy thermometers' and humidities' over the bar against 13 stuck
# ones; 13 stuck barometers' and no healthy one); nor where a weather event was found from
# BRACKET_BEFORE readings before the run until the decision (a storm's jump, 3-30 steps, ends a
# healthy barometer's run before the storm is found).
BRACKET_BEFORE = 30
BRACKET_AFTER = 15
BRACKET_SURE = 2.0
BRACKET_SLACK_STEPS = 0.5
# ... but a front is no storm: its rise lasts 20-60 readings (FRONT_SLICE), so a healthy
# barometer's run that a front's rise ends goes on rising after its step, off the line through the
# readings before it, which the line's scatter tells. So a front found after the run's end does
# not keep its end from being judged: a held barometer let go several steps at once while the
# evening cooled reads as a front's rise, its own release (final-22 2301-000: a station barometer
# at 0.275 hPa held 238 readings while the pressure rose 1.1 hPa, then 4 steps up; a "front" found
# 4 readings later, the condition fair). Nor does a front's hold over the readings before the run
# once its rise is over, the front found FRONT_JUDGED_FROM readings or more before them (final-22
# 2303-019: held 183 readings 129 after a front, the pressure rising 1.1 hPa, then 4 steps up).
# A sensor held whole for WHOLE_END_MIN_REPEATS readings or more, one channel then stepping out
# RUN_END_WHOLE_STEPS or more where no trend before foretold it: a stuck sensor's release lands
# where the weather went meanwhile and stays there, while weather that moves a channel so far in
# a minute goes on the next minutes (a cloud's shade comes and goes, a storm plunges, a quarter
# of what is left each minute: the next reading three quarters of the step further). So such a
# step is the run's move (its quantised chance over the readings held whole is the evidence)
# if it lands beyond every reading of the channel in the RUN_END_PAST_READINGS before the run
# (a shade's end steps back up to where the air was before the shade: final-7's calm stations
# held whole 5-9 readings in a shade, then 5-7 steps up) and the next reading goes on its way by
# less than RUN_END_SETTLES of it (final-7 802-000: a station held whole 12 readings while the
# air warmed, then 10 steps up, the next reading 1 further). In weather events' holds too: a
# storm's plunge cools the air a quarter of what is left each
# minute and its jump lifts the pressure a third, so a healthy channel's step there goes on
# (final-7 802-014: a station held whole 10 readings in a thunderstorm's hold, then 23 steps up
# and settled).
# Only where another channel stepped at that reading too: the weather that moved the held channel
# moved the others (the air warming dries it), while a fault that begins on one channel after a
# calm spell steps it alone and settles too (tuning-wide: a humidity's dropout to 0 % and its step
# into an inconsistency, a thermometer's drift ending in one step, each after a station held
# whole 5-12 readings).
RUN_END_PAST_READINGS = 30
RUN_END_SETTLES = 0.5
RUN_END_PAST_CHANNELS = 2
# ... and such a step of RUN_END_SETTLE_STEPS or more that lands nowhere past those readings, if
# the channel then stays within RUN_END_SETTLES of the step of where it landed for the next
# RUN_END_SETTLE_READINGS readings: weather that moves a channel several steps in a minute goes on
# the next minutes (a shade's end, the step back up to where the air was before it, too: final-7's
# healthy stations held whole 5-9 readings then 5-7 steps up went on 1-5 steps the next minute
# and 3-12 over three), while a held sensor's release lands where the weather went meanwhile and follows
# its slow trend from there (final-2 302-018: a station held whole 14 readings while a cloud's
# shade came over it, then 7 steps down, 8 the three minutes after; 305-012: held 14 readings in a
# shade, then 7 steps up to where the air was before it, and stayed; final-22 2301-010: held 17
# readings while a sun break warmed the air 3.4 steps, then 3 up and stayed). A healthy calm
# station leaves a hold by a step or two and may stay there (final-21 2204-029: a control station
# at 0.3 °C held whole 15 readings in cloudy air, then 2 steps up with the humidity and stayed,
# 13.7 nats along the step; within half of a step of two is not moving at all), so the step is
# three or more.
RUN_END_SETTLE_READINGS = 3
RUN_END_SETTLE_STEPS = 3.0
# The semi-diurnal pressure tide (hPa; radians per reading, a 12-hour period): up to about 1 hPa
# at low latitudes, half that at 45 degrees, a quarter near 60. Its tendency turns at its crests
# and troughs, where a calm coarse barometer sits on one step for two hours (final-19: station
# barometers at 0.175 hPa, noise a fifth to a half of a step, held 30-98 readings at the tide's
# turns while their trend before, its falling limb, said 1-1.6 steps over the run: 12-52 nats by
# a straight line, judged stuck). A barometer's run is also judged by the chance of its repeats
# along a tide of one of these amplitudes with that trend at the run's start, turning ahead
# (``tidal_run_log_odds``): it turns within hours and goes on the other way, so a run held past
# its turn is as unlikely as along the line. Not a trend steeper than the tide's steepest (a
# front's fall). A calm thermometer's and humidity's daily cycle turns alike (DAILY_AMPLITUDES).
TIDE_AMPLITUDES_HPA = (1.0, 0.5, 0.25)
TIDE_RATE = 2 * math.pi / 720
# On a calm barometer (learnt noise under OUTLASTS_NOISE_STEPS of a step) the learnt noise counts
# the step crossings, not the noise (final-25: station barometers at 0.16 hPa, noise 0.07-0.13 of
# a step, learnt as 0.2), and the tide's chance along its turn with it says a healthy hold is
# unlikely where the tide's range over the run nearly fills the step (sim-2602-030 held 1016.16
# from reading 893 to 1014 across the trough at 960, its trend before falling 0.0046 hPa a
# reading: 18 nats along a 1 hPa tide, 12.1 by its learnt runs, judged stuck). Such a run is
# also judged by the chance that a noiseless channel holds it (``tidal_hold_log_odds``: the
# tide's range over the run within the step the air sits in), along the steepest tide only: the
# smaller ones turn so slowly that they would excuse holds of four hours and more (a quarter-hPa
# tide holds a 0.16 hPa step for 260 readings at its turn), where a stuck barometer's long runs
# lie (final-25 sim-2602-003, cheap, held 230 readings from a trend of 0.0016 hPa a reading).
TIDE_HOLD_AMPLITUDES_HPA = TIDE_AMPLITUDES_HPA[:1]
# The daily cycle turns the same way for a calm thermometer and humidity (noise under
# OUTLASTS_NOISE_STEPS of a step): at dawn and in the afternoon the air's tendency turns, and a
# calm coarse channel sits on one step for hours there (final-21: station humidities at 3 %, noise
# under a fifth of a step, held 141-269 readings in fair weather while their trend before said
# 1.5-2.6 steps over the run; the learnt runs' geometric tail, 2x their longest, said 12 nats).
# Half the daily range (°C, % relative humidity; radians per reading, a 24-hour period). Not a
# noisier channel: it leaves its step every few readings whatever the day does; nor a humidity
# held at saturation (final-7 803-004: held at 99 % through a front and the warming after it).
DAILY_AMPLITUDES = ((4.0, 2.0, 1.0), (20.0, 10.0, 5.0), ())
DAILY_RATE = 2 * math.pi / 1440
# A calm humidity's run (noise under OUTLASTS_NOISE_STEPS of a step, under saturation) is also
# judged by the thermometer beside it: the chance of its repeats along the humidity that the
# temperatures over the run say at the run's dew point (the mean temperature of each of RUN_NODES
# stretches of it), that path's range centred on the held step (the dew point is known only
# within it). Humidity under a steady dew point moves only as the temperature does, so where the
# temperature barely moved a healthy coarse humidity has no reason to leave its step, whatever its
# trend before said (final-21 2202-033: a station humidity at 3 %, noise a sixth of a step, rose
# 89 -> 93 % while the evening cooled 24.9 -> 23.9 °C, then sat on 93 % 269 readings while the
# temperature stayed within 23.6-24.1 °C, the true humidity within 92.0-93.5 %; the learnt runs'
# tail said 12 nats, the 10 % daily cycle's turn more); a stuck one is judged so once the
# temperature has moved enough to take the humidity out of its step. Not where the thermometer
# cannot vouch: flagged at a reading of the run, or repeating through all of it (a sensor held
# whole: a stuck thermometer says the air held too). (``_thermometer_path_evidence``; no
# constant of its own.)
# The same path also says where a calm humidity should have gone: where the temperatures over
# its run, at the run's dew point, say the humidity went THERMOMETER_BUMP_STEPS of its steps or
# more off the least-squares line through that path (a bump: a cloud's shade cooling the air and
# passing, the air warming and cooling back), a healthy humidity would have left its step with
# it, whatever its learnt repeat rate and healthy runs say; the chance of the run along that
# path with its line taken off is the run's evidence. The line is taken off because the dew
# point is known only to be steady over a run, not level: over hours it drifts with the air and
# the day (final-21: calm station humidities at 3 %, held 50-250 readings by healthy sensors,
# 1.0-1.8 steps off the path at the run's first dew point, none a step off its line). Only
# temperatures the spike checks have settled are read (the run's last THERMOMETER_BUMP_SETTLE
# readings are not: final-22 2302-022, a thermometer's 3.6 °C spike read as a 6-step bump the
# reading before it was found), and not in a weather event's hold (a front or a storm's rain
# moves the dew point in steps no line follows), nor where the thermometer cannot vouch (as
# above). final-22: station humidities at 2.75 %, noise a quarter of a step, repeat rates
# 0.74-0.94, stuck 24-29 readings while the shade took the true humidity 2.2-4.0 steps off
# and back (2301-008, 2304-007, 2305-020: 1.5-3.0 nats by the rate, 32-139 along the path's
# bump); no healthy run of final-22's or final-21's is a step off its line at 12 nats.
# (``_thermometer_bump_evidence``.)
THERMOMETER_BUMP_STEPS = 1.0
# ... and only where the path came back at least halfway (its ends no further apart than this
# share of its range): a shade or a sun break passes and the air comes back; a thermometer's
# own fault does not (final-22 2302-004: a thermometer's drift, a ramp from a level, read off
# its line as a bump, flagged the humidity beside it and kept the drift check off 86 of the
# drift's readings; 2302-008: a thermometer's dropout, a jump to a constant).
THERMOMETER_BUMP_BACK = 0.5
THERMOMETER_BUMP_SETTLE = 2
# ... and only where the bump stands clear of what the thermometer's own noise draws along the
# path: each stretch's mean temperature strays by the thermometer's learnt noise over the root
# of its readings, times the humidity a degree makes at that temperature and dew point (7-8 %
# near saturation in cold air, under 3 % in warm dry air); the bump must span this many times
# the largest such stray, the range 8 stretches' independent strays with their line taken off
# reach once in a thousand (a Monte-Carlo of the range: 4.7 at 1 %, 5.6 at 0.1 %). final-16:
# station humidities at 1 % steps beside 0.1 °C thermometers, runs of 10-13 readings (one or
# two a stretch) near saturation at -9-6 °C, where the thermometer's noise alone spread the
# path over 1.8-2.7 % and put healthy runs over the bar (1701-025, a control at 96 %; 1702-017
# and 1704-017); final-22's 2.75 % steps beside 0.275 °C thermometers, 24-29 readings a run,
# are well clear of it.
THERMOMETER_BUMP_NOISE = 5.6
# A thermometer's run is judged the other way round too: along the temperature the humidities
# over it say at the run's dew point (``temperature_at_humidity`` of each stretch's mean
# humidity), its line taken off, with the same steps (of the thermometer), settle, way back and
# noise floor (the humidity's learnt noise over the root of a stretch's readings, over the
# humidity a degree makes there): a cloud's shade cooling the air and passing moves a healthy
# humidity up and back at a steady dew point, and a healthy thermometer with it; a noisier
# thermometer is not left out (its noise is in the chance along the path). final-32
# sim-3304-012 @824 (a station thermometer at 0.17 °C, noise 0.56 of a step, at -9 °C): held on
# -9.35 °C for 21 readings while a shade took the humidity beside it 85 -> 96.9 -> 86.7 % (the
# true temperature 1.6 °C down and back); 10.1 nats by its learnt runs. Only where every humidity
# read is under this (a humidity clipped at the limit no longer says the temperature).
# (``_humidity_bump_evidence``.)
HUMIDITY_BUMP_BELOW_PCT: float = SATURATED_PCT
# ... and only beside a humidity whose steps are the air's (its learnt noise under a step, its
# steps learnt) that went this many of its steps over the run: a humidity's one-step flip says
# a degree's share of a coarse channel's rounding, and a noisy one draws bumps of its own
# (final-21, v1 of this rule: +66 control false alarms: healthy thermometers beside humidities
# whose steps were not yet learnt, cheap ones beside 0.3 % humidities with 0.8-1.2 % noise, and
# station ones at 0.3 °C held 65 and 81 readings beside 3 % humidities that flipped one step).
HUMIDITY_BUMP_MIN_STEPS: float = 2.0
# A humidity's run over which a thunderstorm was found (its hold still on) is also judged along
# the humidity the temperatures over it say, the dew point let move from the run's first reading
# towards the held value by HELD_DEW_C_PER_HOUR: the daily cycle moves a dew point 1.1 degC/h at
# most (STORM_DEW_FALL_C_PER_HOUR), here with a margin, and a storm's outflow cools the air under
# a dew point its rain keeps or raises, so a healthy humidity goes up with the plunge, never
# holds. Each stretch's point is also taken HELD_DEW_NOISE of the thermometer's own strays towards
# the held value (``_path_noise``). final-28 sim-2904-010: a station humidity held at 46.8 % for
# 24 readings while a storm cooled the air 23.4 -> 12.2 degC (the healthy humidity 47 -> 100 %):
# 8.8 nats by the repeat rate, 8.7 by the learnt runs, the release into saturation unjudged; along
# that path, hundreds. Only over a storm's plunge, which no sensor drift makes: elsewhere a
# thermometer's own drift moves the path as the air would (final-25 sim-2601-013: a station
# thermometer drifting down 3.6 degC/h beside a humidity held by saturated air at 97.6-99.2 %,
# read as the humidity held, lost 141 drift readings at the drift's end; sim-2601-022, drifting
# up 2.4 degC late in a storm's hold, 32), and a front's passage drops the dew point with the
# temperature. Not while the sensor is flagged inconsistent (final-25 sim-2603-017: a stuck flag
# ended an inconsistency's, as RUN_MOVING_STEPS says), nor where the thermometer cannot vouch
# (``_humidity_held_with``). (``_dew_held_evidence``.)
HELD_DEW_C_PER_HOUR = 2.0
HELD_DEW_NOISE = 3.0
# A calm humidity's run is also judged along the humidity the temperatures over it say with the
# dew point let drift from the run's first reading by DEW_DRIFT_C_PER_HOUR either way: a dew point
# is steady over minutes, not over an hour (it follows the day by a share of the air's swing,
# falling through the evening, and drifts with the air mass). Where something else holds the air
# while the day still moves the dew point, the two together hold the humidity on its step: a
# storm's cooling wearing off against the evening's, the humidity's path at the run's first dew
# point rising a step or more while the true humidity stays put. final-25 (an equatorial
# rainforest; station humidities at 1.6 %, noise a fifth of a step) control sim-2601-033 read
# 81.6 % from 1032 to 1102 (17:12-18:22) while a storm's cooling (1.0 -> 0.4 degC) wore off
# against the evening's: the air 29.7 -> 29.0 degC, the dew point falling with the day 26.05 ->
# 25.73 degC, the true humidity 80.9-82.0 %, mid-step; at the run's first dew point the path rose
# 2 %, 18.9 nats, and the repeat rate (12.2 nats) flagged 71 readings. final-25's evening
# humidities so held (sim-2601-025, 2602-029, 2602-034, 2605-025) were 362 of its control false
# alarms, and carried joint runs with their barometers and thermometers (2602-034 @1096, @2553)
# for about 300 more. Half the most a day moves a dew point (STORM_DEW_FALL_C_PER_HOUR):
# final-25's days move it 0.3-0.6 degC/h. A stuck humidity is still judged once the air moves it
# faster than such a drift follows (at 80 % and 30 degC, 0.5 degC/h of dew point is 2.4 % of
# humidity an hour).
# (``_dew_drift_evidence``.)
DEW_DRIFT_C_PER_HOUR = 0.5
# ... and no further than this, however long the run: a day's swing takes a dew point a degree or
# two over twelve hours, not on along one line, so over hours a held humidity is judged by what
# the air did (final-27, a katabatic coast at -7 degC: sim-2802-021's station humidity stuck at
# 55.9 % for 310 readings of a still night while the air cooled 0.7 degC and the true humidity
# rose 3.7 %; with the drift unbounded its slack grew to 2.5 degC, 11 % of humidity, and the
# run went never flagged; so bounded, it is flagged as before, and final-25's evening runs, an
# hour or so long, are left to the weather as without the bound).
DEW_DRIFT_MAX_C = 0.5
# A run whose step out confirms the steady trend before it (RUN_END_CARRIED) but whose quantised
# chance along that trend stays under the bar, while the whole sensor held its reading for
# WHOLE_END_MIN_REPEATS readings or more: the other channels' repeats over the readings held whole
# add their joint evidence (by their repeat rates, no more than their learnt healthy joint runs
# allow). A healthy channel on a steady trend (the daily cycle's climb or fall) leaves its step on
# its own noise whatever the calm channels do, so the two chances multiply; a stuck sensor holds
# them all (final-19: station thermometers at 1.75x resolution, noise a third of a step, held
# whole 7-15 readings in the morning climb or evening fall at 0.1-0.3 steps a reading, then 2-3
# steps out: 7-12 nats along the trend, 2-5 from the calm humidity and pressure). Those readings
# are flagged (``_trend_held_whole_evidence``; no constant of its own).

# A coarse barometer's spike (noise under half a step, so the spike checks' noise is floored at
# half a step) is judged LEVEL_SPIKE_SIDE readings late against the line through that many
# readings on each side: their mean knows the level to about an eighth of a step, where one or two
# neighbours are a step off it half the time (final-22: station barometers at 0.275 hPa, noise
# 0.17-0.35 of a step; small spikes of 4-7 noise widths are 0.7-2.4 steps, 5 of 59 flagged). Its
# distance off that line is read in spreads of the noise and the rounding together (Sheppard:
# sqrt(noise^2 + step^2 / 12)), widened by sqrt(1 + 1 / (2 * LEVEL_SPIKE_SIDE)) for the line's own
# error. Only where those readings lie on their line (mean squared residual at most
# LEVEL_SPIKE_SCATTER squared spreads: no storm's jump or front's turn among them) and the reading
# comes straight back, each of its two steps more than LEVEL_SPIKE_BACK of its distance off the
# line (a healthy level near a step's edge gives one step back and 1.5 steps off: exactly 2/3).
# Barometers only: a cloud's edge moves the air's temperature (and the humidity with it) for a
# minute and back, which this check reads as a spike (final-22 controls, station thermometers:
# 9 such flags for 4 spikes gained), while no weather moves the pressure and back in a minute.
# The healthy blip that share keeps out is one step out and one back; a reading two steps or
# more (over LEVEL_SPIKE_JUMP_STEPS) off one of its neighbours is no such blip, and its spike
# comes back only most of the way when the next reading is itself a step off the line (a spike
# two steps under the line, the next reading one step under it: one step back off two): it is
# flagged when each of its two steps is more than LEVEL_SPIKE_HALF_BACK of its distance off the
# line (final-25 sim-2602-023 @1141, a cheap barometer at 0.16 hPa, noise 0.28 of a step:
# 1018.56 six times, 1018.24, 1018.40, 1018.56 six times; 4.7 spreads off the line).
LEVEL_SPIKE_SIDE = 6
LEVEL_SPIKE_SCATTER = 2.0
LEVEL_SPIKE_BACK = 2.0 / 3.0
LEVEL_SPIKE_JUMP_STEPS = 1.5
LEVEL_SPIKE_HALF_BACK = 0.5
_LEVEL_SPIKE_READINGS = 2 * LEVEL_SPIKE_SIDE + 1
_LEVEL_SPIKE_OFFSETS = tuple(x for x in range(-LEVEL_SPIKE_SIDE, LEVEL_SPIKE_SIDE + 1) if x)
_LEVEL_SPIKE_SXX = float(sum(x * x for x in _LEVEL_SPIKE_OFFSETS))
_LEVEL_SPIKE_WIDEN = math.sqrt(1.0 + 1.0 / len(_LEVEL_SPIKE_OFFSETS))

# A humidity's or a barometer's reading (noise under half a step, learnt) that stands more than
# LONE_SPIKE_STEPS steps off the value both its neighbours read, where none of the
# LEVEL_SPIKE_SIDE readings on each side stands a step towards it from that value (more than
# LONE_SPIKE_TOWARDS steps) nor more than LONE_SPIKE_AWAY steps the other way, is a spike. Where
# twelve readings never rounded a step towards it, the level lies in the lower half of that
# value's step (or below it): a reading two steps up is 1.5 steps or more off the level, over 4
# noise widths at noise under 0.37 of a step, whatever the learnt noise says (on such a channel
# it counts the air's crossings of its steps too, qp's finding; final-28's station channels learn
# 1.1-1.5 times their noise, so a spike of two steps reads 3.3 half-step floors off its
# neighbours and 3.5-3.7 spreads off the level line, under the spike checks' bar). No weather
# moves the pressure a minute and back, nor a humidity at a steady dew point unless the
# temperature moves it: the humidity's reading is judged so only where the thermometer stands
# within LONE_SPIKE_CALM_STEPS of its steps of its own neighbours' mean (at the humidity's steps a
# two-step move needs 3-5 of the thermometer's steps; final-22 sim-2302-027 @2128, a sun break:
# the air 0.5 C warmer for a minute, a healthy station thermometer two steps up and back).
# final-28: 16 missed small spikes two steps out and two back on station channels (0.18 °C and
# hPa, 1.8 %; noise about a third of a step), where 118 healthy control readings show that shape
# too (a level near its step's edge, the neighbours' noise not reaching over it); of those, 6
# spikes had none of their twelve neighbours a step towards them, and no control reading (e.g.
# sim-2905-014 @2066: a humidity at 99.0 % twelve times around 95.4 %). The readings all around
# within a step on the far side: a peak of the channel's own course (readings climbing to it and
# falling away) has none towards it either.
LONE_SPIKE_STEPS = 1.5
LONE_SPIKE_TOWARDS = 0.5
LONE_SPIKE_AWAY = 1.5
LONE_SPIKE_CALM_STEPS = 1.0
_LONE_SPIKE_CHANNELS = (RH, P)  # a thermometer's: a sun break moves the air a minute and back

# A spike found by the one-reading check whose next reading stands farther off it than the
# reading before does (the fall out of it is larger than the rise into it) may be that next
# reading's spike seen from its neighbour: a zigzag of two readings is one spike, and the check
# at the earlier reading sees it first (final-23: 3 small spikes missed, their neighbour flagged
# and repaired half-way towards them, 2 of them found so, e.g. sim-2403-006 @1561-1564: -13.09,
# -13.31, -12.65, -13.09 C). Only where the rise into it is one a healthy pair of readings shows (under spike_z
# noise widths of a difference of two readings): a reading that far off the one before is no
# healthy neighbour of a spike, and a large spike is decided at once. Decided one reading later:
# flagged unless the next reading stands farther off the line through the readings on either
# side of the two (of two neighbours, the spike is the one that stands off the line through the
# rest). Not a thermometer's reading that opened a thunderstorm: a storm whose drop comes straight
# back is withdrawn (``_withdraw_storm``) only by a spike flagged at its own first reading, and
# decided later, or with the next reading taken as the spike, the storm's plunge stops the noise
# check through a burst (final-20 sim-2104-021 @1348, sim-2104-023 @1905: a thermometer's noise
# burst in humid air, 3 C zigzags read as a storm; 46 noise readings lost).
# (LATE_SPIKE: no constant of its own; ``_check_late_spike``.)
# A spike leaves the course of the readings before it: its rise out of the reading before it
# exceeds the step into that reading by the spike's own size (the trend cancels out), which is
# at least 4 noise widths. A reading whose rise exceeds that step by no more than this many
# noise widths (sigma) is the channel's course bending, not a spike: a cloud's shade starting
# or ending, the air relaxing to its new level by a share of the way each minute, so its steps
# shrink, then turn (final-25: consumer thermometers, noise 0.35x, shading 7 times an hour; of
# the spike flags on readings without a fault, 204 of 658 stood within one width of the course,
# 138 behind it, e.g. sim-2602-024 @2140: 26.86, 27.25, 27.47, 27.17 C, 6.2 widths off its
# neighbours' line, its rise 0.22 C after a step of 0.39 C; 1 of 223 spikes flagged, a cheap
# humidity's small one at 0.8 width). The course's own noise (a second difference, 2.4 widths)
# lets a spike of 4 widths through 9 times in 10. Only where the channel was plainly moving that
# way, the step before that one the same way too (a shade's relaxing steps are): a noise burst's
# zigzag or a noisy channel's scatter puts one step the spike's way before it about half the
# time, never two in a row but by chance (without it: small spikes lost on 11 of 20 families,
# 4 on final-13; 13-32 noise readings on ten; a final-12 noise episode never flagged).
SPIKE_OFF_COURSE = 1.0

# Readings before a run of repeats whose straight line says where the channel was heading.
RUN_TREND_READINGS = 60
RUN_TREND_MIN = 10
# A run this long: its next reading pushes the first of the readings before it out of the window.
_SLOPE_BEFORE_RUN_LEAVES = RECENT - RUN_TREND_READINGS
# A channel whose noise spans its steps (NOISE_SPANS_STEPS) reads each value afresh about the
# air's level, so the value a run holds is as likely as the run's first reading, which noise may
# have put far off that level: its repeats are judged along the line through the last
# LEVEL_READINGS readings before the run, taken BRACKET_SURE standard errors (and
# BRACKET_SLACK_STEPS) towards the held value, not only along a line placed where it helps most
# (``quantised_run_log_odds``). final-24 sim-2502-000: a cheap thermometer (0.14 °C steps, noise
# 0.56 °C) held 37.38 °C for 5 readings, read 2 noise widths over the 36.24 °C its line before
# says (2.6 over the true 35.90): 11.8 nats at the level, 13.7 by the repeat rate, 15.6 along
# the line. Not near saturation, where the humidity's readings are cut at 100 %.
LEVEL_READINGS = 30


@dataclass(frozen=True)
class _LevelBeforeStorm:
    """A channel's level before the storm found at ``storm`` (the mean of the readings
    ``STORM_DEW_LEVEL_READINGS`` back, whose middle is ``level_seq``), its trend per reading
    then, and (the dew point's only) the pressure's level then."""
    storm: int
    level: float
    level_seq: float
    trend: float
    pressure: float | None = None


@dataclass(frozen=True)
class Flag:
    """A reading judged faulty (or a weather event), with the evidence."""

    seq: int
    ts_ms: int
    values: tuple[float, float, float]
    reasons: tuple[str, ...]
    score: float
    threshold: float
    channel_scores: tuple[float, float, float]


_NOISE_REASONS = tuple(f"{NOISE_REASON}:{name}" for name in CHANNELS)
_STUCK_OR_DROPOUT = (STUCK_REASON, DROPOUT_REASON)
_STUCK_DROPOUT_OR_NOISE = (STUCK_REASON, DROPOUT_REASON, NOISE_REASON)
_SQRT1_5 = math.sqrt(1.5)
_SQRT2 = math.sqrt(2.0)
_SQRT1_25 = math.sqrt(1.25)
_BLOCKED = attrgetter("blocked")
_REPAIRED = attrgetter("repaired")
_RH_BIT = 1 << RH
_DEW_CHANNELS = frozenset((T, RH))  # left out of the drift check where only the pressure is
_NO_VALUES = (None, None, None)  # a reading's values where there is no reading
# Sets of two or more channels (a bit per channel) whose joint runs are learnt.
_JOINT_SETS = (0b011, 0b101, 0b110, 0b111)
_EVERY_CHANNEL = 0b111


class _Channel:
    def __init__(self) -> None:
        self.stats = ChannelStats()
        self.grid = ValueGrid()  # the values reported while healthy (not the humidity's)
        # The unit of the decimals the channel's steps are written to, 0 while its steps are
        # under GRID_MIN_UNITS of them (or unknown): no grid is learnt or judged then.
        self.grid_unit = 0.0
        self.run = 0
        self.run_first: Reading | None = None
        self.run_jump = 0.0
        self.run_step = 0.0  # the step into the run (its units; 0 out of a faulty reading)
        self.run_left = 0  # the repeats of the run the channel's last step left
        # Whether the step into the run is one the weather could have made while the run it left
        # held (RELEASE_HPA_PER_READING): that run's release, not a dropout's jump.
        self.run_release = False
        self.run_finer = 0  # how many more decimals the held value has than the channel's steps
        # How far the warming air has pulled a humidity run's expected value under it (steps;
        # -1: a temperature jump during the run, no pull).
        self.run_pull = 0.0
        # The trend before the run, per reading (0 if unknown): None until SensorModel._run_slope
        # works it out, from the readings and noise as they were at the run's start.
        self.run_slope: float | None = None
        self.run_sigma = 0.0  # the noise at the run's start
        # The repeat rate at the run's LEARN_LAG-th repeat, before any of its own repeats was
        # learnt (RUN_RATE_CARRIED); 0 until the run is that long.
        self.run_rate = 0.0
        # The quantised noise at the run's LEARN_LAG-th repeat (``_run_noise``); 0 until then.
        self.run_noise = 0.0
        # Whether the readings before a humidity run on the step under the limit put the air at
        # saturation (``SensorModel._saturated_before_run``): None until worked out.
        self.run_saturated_air: bool | None = None
        # The trend before the run if the readings followed its line (RUN_STEADY_SD), else 0:
        # worked out with run_slope.
        self.run_steady_slope = 0.0
        # The same for the newer half of those readings alone (the half hour before the run): the
        # trend the channel was on when it fell still, where the hour's bent (a cloud gave way).
        self.run_recent_slope = 0.0
        # The line through the readings before the run's first (LEVEL_READINGS), if there were
        # RUN_TREND_MIN of them: worked out with run_slope.
        self.run_level: _Line | None = None
        self.fault = ""
        # A run whose end confirmed the trend before it (RUN_END_STEPS), judged stuck once the
        # next reading shows the step out was no spike: (its first value's seq, the seq of the
        # reading that ended it, the held value, the value out of it, the evidence, whether the
        # next reading must show the step settled: RUN_END_SETTLES).
        self.run_end: tuple[int, int, float, float, float, bool] | None = None
        # A barometer's run ended by a step outside weather events, judged BRACKET_AFTER readings
        # later by the line through the readings on both sides of it: (its first value's seq, the
        # seq of the reading that ended it, the held value).
        self.run_bracket: tuple[int, int, float] | None = None
        # A run held whole ended by a step that must stay where it landed, judged
        # RUN_END_SETTLE_READINGS readings later: (the first seq flagged, the seq of the reading
        # that ended it, the held value, the value out of it, the evidence).
        self.run_settle: tuple[int, int, float, float, float] | None = None
        self.noise: deque[float] = deque(maxlen=NOISE_WINDOW)
        self.noise_onset: deque[int] = deque(maxlen=NOISE_WINDOW)


def _level_spike_z(values: list[float], sigma: float, resolution: float) -> float:
    """How many spreads the middle of ``values`` (``_LEVEL_SPIKE_READINGS`` of a channel with
    noise ``sigma`` rounded to ``resolution``) stands off the line through the others, or 0
    where they do not lie on their line or the middle does not come straight back
    (``LEVEL_SPIKE_SIDE``)."""
    middle = values[LEVEL_SPIKE_SIDE]
    around = values[:LEVEL_SPIKE_SIDE] + values[LEVEL_SPIKE_SIDE + 1:]
    level = sum(around) / len(around)  # the line at the middle: the offsets are symmetric
    slope = sum(x * y for x, y in zip(_LEVEL_SPIKE_OFFSETS, around)) / _LEVEL_SPIKE_SXX
    spread2 = sigma * sigma + resolution * resolution / 12.0
    scatter = sum((y - level - slope * x) ** 2 for x, y in zip(_LEVEL_SPIKE_OFFSETS, around))
    if scatter > LEVEL_SPIKE_SCATTER * spread2 * (len(around) - 2):
        return 0.0
    off = middle - level
    rise, fall = middle - values[LEVEL_SPIKE_SIDE - 1], values[LEVEL_SPIKE_SIDE + 1] - middle
    if rise * fall >= 0 or not _comes_back(abs(rise), abs(fall), abs(off), resolution):
        return 0.0
    return abs(off) / (math.sqrt(spread2) * _LEVEL_SPIKE_WIDEN)


def _lone_spike_steps(values: list[float], resolution: float) -> float:
    """How many steps the middle of ``values`` (``_LEVEL_SPIKE_READINGS`` of a channel) stands
    off the value both its neighbours read, where none of the others stands a step towards it
    (``LONE_SPIKE_STEPS``); 0 where it does not."""
    middle, held = values[LEVEL_SPIKE_SIDE], values[LEVEL_SPIKE_SIDE - 1]
    if abs(values[LEVEL_SPIKE_SIDE + 1] - held) >= 0.5 * resolution:
        return 0.0
    off = (middle - held) / resolution
    if abs(off) <= LONE_SPIKE_STEPS:
        return 0.0
    around = values[:LEVEL_SPIKE_SIDE] + values[LEVEL_SPIKE_SIDE + 1:]
    towards = math.copysign(1.0 / resolution, off)
    if all(-LONE_SPIKE_AWAY < (y - held) * towards < LONE_SPIKE_TOWARDS for y in around):
        return abs(off)
    return 0.0


def _comes_back(rise: float, fall: float, off: float, resolution: float) -> bool:
    """Whether a coarse barometer's reading ``off`` its line, stepped into by ``rise`` and out
    of by ``fall`` (sizes, the other way), came straight back (``LEVEL_SPIKE_BACK``,
    ``LEVEL_SPIKE_JUMP_STEPS``)."""
    back = min(rise, fall)
    if back > LEVEL_SPIKE_BACK * off:
        return True
    return max(rise, fall) > LEVEL_SPIKE_JUMP_STEPS * resolution and \
        back > LEVEL_SPIKE_HALF_BACK * off


class SensorModel:
    """Scores one sensor's readings in sequence order; one ``update()`` per reading."""

    def __init__(self, thresholds: Thresholds) -> None:
        self._th = thresholds
        self._spike_near_z = min(thresholds.spike_near_z, thresholds.spike_z)
        self._recent: deque[Reading] = deque(maxlen=RECENT)
        # Readings given a reason since the last _emit(): emitting walks these, not the window.
        self._to_emit: list[Reading] = []
        self._channels = [_Channel() for _ in CHANNELS]
        self._dew = ChannelStats(learns_runs=False)
        # How long healthy runs of several channels repeating at once last, per set of channels
        # (a bit per channel): a calm spell stills them together, so their runs are not
        # independent.
        self._joint_runs = JointRuns(_JOINT_SETS)
        self._runs_interrupted = True  # no pair learnt since the runs were last interrupted
        # A sensor held whole that every channel left at once (WHOLE_END_MIN_REPEATS), judged
        # stuck once the next reading shows which channels stayed out (WHOLE_END_STAYED): (the
        # seq of its first reading, of the reading that ended it, its joint evidence, each
        # channel's -ln chance of stepping at one reading).
        self._whole_end: tuple[int, int, float, tuple[float, ...]] | None = None
        self.seen = 0
        self.fits = 0
        self.fitted_at_ms = 0
        self._learnt_upto = -1
        # Seqs of saturated humidity readings from CEILING_NEAR_READINGS before the next reading
        # to learn on, and the newest one's seq.
        self._saturated_seqs: deque[int] = deque(maxlen=RECENT)
        self._saturated_seq = -RECENT
        self._since_refit = 0
        self._weather_until = -1
        self._weather_since = -1
        self._storm_since = -STORM_PLUNGE  # where the last thunderstorm began
        self._storm_pressure: float | None = None  # the level before the last storm's jump
        self._storm_fall = 0.0  # ... and how it fell before the jump (hPa per reading, <= 0)
        # The temperature before the last storm the storm rule found (until its cooling is judged).
        self._storm_temperature: float | None = None
        # (weather_until, weather_since, storm_since, storm_pressure, storm_fall, storm_dew,
        # storm_warmth) before the last storm: a storm found to be a temperature spike is
        # withdrawn (_withdraw_storm).
        self._before_storm: tuple[int, int, int, float | None, float, _LevelBeforeStorm | None,
                                  _LevelBeforeStorm | None] | None = None
        # The dew point before the storm (trend <= 0, with the pressure's level then).
        self._storm_dew: _LevelBeforeStorm | None = None
        # The temperature before the storm (trend >= 0).
        self._storm_warmth: _LevelBeforeStorm | None = None
        self._front_since: int | None = None  # the last front, until judged
        self._front_level = 0.0  # the pressure before the last front's rise
        self._before_front = -1  # where the hold before the last event ended
        self._pressure_released = False  # the last event's hold no longer covers the pressure
        # The onset of the pressure drift found so behind a front (None: none found).
        self._released_drift_onset: int | None = None
        self._inconsistent = InconsistentCheck(thresholds, self._channels[T].stats,
                                               self._channels[RH].stats, self._flag)
        # (decided at seq, due at seq, reading, reason, channel, score, threshold): drift flags
        # that wait DRIFT_CONFIRM (RAIN_CONFIRM) readings for weather that would explain them.
        self._drift_pending: deque[tuple[int, int, Reading, str, int, float, float]] = deque()
        self._drift_confirmed: set[str] = set()  # drift reasons flagged since confirmed
        # The flags of the last moistening withdrawn at saturation in air with room to race,
        # in order, until its humidity steps out of moist air or dries (``_check_withdrawn``).
        self._withdrawn: list[tuple[int, int, Reading, str, int, float, float]] = []
        self._drift_flagged_now: set[str] = set()
        self._drift = DriftCheck(thresholds, self._dew, self._channels[P].stats,
                                 self._channels[T].stats, self._reading_at,
                                 self._defer_drift_flag)
        self._drift_end = DriftEndCheck(thresholds, [channel.stats for channel in self._channels],
                                        self._dew, self._reading_at, self._flag,
                                        self._drift.began_before_onset)

    @property
    def warming_up(self) -> bool:
        return self.fits == 0

    def update(self, seq: int, ts_ms: int, values: tuple[float, float, float],
               now_ms: int) -> tuple[Flag, ...]:
        before_gap: tuple[Flag, ...] = ()
        if self._recent and seq != self._recent[-1].seq + 1:
            self._confirm_drift(upto=None)
            before_gap = self._emit()
            self._discontinuity()
        reading = Reading(seq, ts_ms, values, values, reading_dew_point(values[T], values[RH]))
        self._recent.append(reading)
        if values[RH] >= SATURATED_PCT:
            self._saturated_seqs.append(seq)
            self._saturated_seq = seq
        self.seen += 1
        self._learn(now_ms)
        if self.fits == 0:
            return ()
        if len(self._recent) >= 4 and self._recent[-3].late_spikes:
            # Before the stuck check: a run's step in is judged from a reading known faulty.
            self._check_late_spike()
        self._check_stuck(reading)
        if len(self._recent) >= 3:
            self._check_spike()
            self._check_noise()
            if len(self._recent) >= 5 and self._recent[-3].near_spikes:
                self._check_spike_confirmed()
            if len(self._recent) >= _LEVEL_SPIKE_READINGS:
                self._check_level_spike()
        self._check_weather(reading)
        self._check_inconsistent()
        self._check_drift(reading)
        self._drift_end.update(reading)
        self._confirm_drift(upto=reading.seq)
        flags = self._emit()
        return before_gap + flags if before_gap else flags

    # -- learning -------------------------------------------------------------------------

    def _learn(self, now_ms: int) -> None:
        """Learn from readings LEARN_LAG old that were never flagged (at once while warming up)."""
        lag = 0 if self.fits == 0 else LEARN_LAG
        recent = self._recent
        index = len(recent) - 1 - lag
        if index < 1 or recent[index].seq <= self._learnt_upto:
            return
        current, before = recent[index], recent[index - 1]
        self._learnt_upto = current.seq
        near_ceiling = self._near_ceiling(current.seq)
        if current.reasons or before.reasons or before.seq != current.seq - 1:
            self._interrupt_runs()
            return
        self._runs_interrupted = False
        earlier = recent[index - 2] if index >= 2 else None
        if earlier is not None and (earlier.reasons or earlier.seq != before.seq - 1):
            earlier = None  # no second difference across a flagged reading
        now, then = current.values, before.values
        first = earlier.values if earlier is not None else _NO_VALUES
        saturated = max(now[RH], then[RH]) >= SATURATED_PCT
        for c, channel in enumerate(self._channels):
            if c == RH and saturated:
                if then[RH] >= HUMIDITY_LIMITS_PCT[1]:
                    channel.stats.learn_at_limit(now[RH] == then[RH])
                if then[RH] >= SATURATED_PCT:
                    channel.stats.learn_saturated(then[RH], now[RH], HUMIDITY_LIMITS_PCT[1])
                channel.stats.learn_saturated_scatter(
                    then[RH], now[RH], first[RH], max(now[RH], then[RH]) >= HUMIDITY_LIMITS_PCT[1])
                channel.stats.runs.interrupt()
                continue
            channel.stats.learn(then[c], now[c], first[c], c == RH and near_ceiling)
            if channel.grid_unit and not channel.grid.knows(now[c]) and \
                    not self._off_grid(c, now[c]):
                channel.grid.learn(now[c])
        repeated = (now[T] == then[T]) | (not saturated and now[RH] == then[RH]) << 1 | \
            (now[P] == then[P]) << 2
        self._joint_runs.step(repeated, _RH_BIT if saturated else 0)
        self._dew.learn(before.dew_point, current.dew_point,
                        earlier.dew_point if earlier is not None else None)
        self._inconsistent.learn(now[T], current.dew_point)
        self._since_refit += 1
        if (self.fits == 0 and self.seen >= self._th.warmup) or \
                (self.fits > 0 and self._since_refit >= self._th.refit_every):
            for c, channel in enumerate(self._channels):
                channel.stats.refit()
                if c != RH:
                    self._refit_grid(channel)
            self._dew.refit()
            self._joint_runs.refit()
            self.fits += 1
            self.fitted_at_ms = now_ms
            self._since_refit = 0

    def _near_ceiling(self, seq: int) -> bool:
        """Whether a humidity reading within CEILING_NEAR_READINGS of ``seq`` was saturated (the
        later ones are known once learning lags; ``seq`` only grows)."""
        saturated = self._saturated_seqs
        while saturated and saturated[0] < seq - CEILING_NEAR_READINGS:
            saturated.popleft()
        return bool(saturated) and saturated[0] <= seq + CEILING_NEAR_READINGS

    def _noise_known_at(self, c: int, seq: int) -> bool:
        """Whether channel ``c``'s learnt noise describes the reading at ``seq``: a humidity
        noise learnt only near the 100 % ceiling (its dips' band) does not describe readings
        clear of it."""
        return c != RH or not self._channels[RH].stats.near_limit_only or \
            seq - self._saturated_seq <= CEILING_NEAR_READINGS

    def _interrupt_runs(self) -> None:
        """No run being learnt goes on across a flagged reading or a gap."""
        if self._runs_interrupted:  # a fault's readings one after another: interrupted already
            return
        self._runs_interrupted = True
        for channel in self._channels:
            channel.stats.runs.interrupt()
        self._joint_runs.interrupt()

    def _discontinuity(self) -> None:
        """Readings were missed: nothing spans the gap (the learnt statistics stay)."""
        self._interrupt_runs()
        for channel in self._channels:
            channel.run = 0
            channel.run_first = None
            channel.run_end = None
            channel.run_bracket = None
            channel.run_settle = None
            channel.fault = ""
            channel.noise.clear()
            channel.noise_onset.clear()
        self._whole_end = None
        self._inconsistent.close()
        self._drift.reset()
        self._drift_end.clear()
        self._withdrawn = []
        self._recent.clear()

    # -- flags ----------------------------------------------------------------------------

    def _flag(self, reading: Reading, reason: str, channel: int | None, score: float,
              threshold: float) -> None:
        if channel is not None:
            reading.faulty |= {channel}
            if reason.startswith((STUCK_REASON, DROPOUT_REASON, NOISE_REASON)):
                if self._channels[channel].run_first is not None:
                    self._run_slope(channel)  # before a reading it is worked out from changes
                reading.blocked |= {channel}
        if reason not in reading.reasons:
            self._add_reason(reading, reason)
        if score / threshold >= reading.score / reading.threshold:
            # A run length scores as a count: kept a float, as the compiled build keeps it.
            reading.score, reading.threshold = float(score), threshold

    def _defer_drift_flag(self, reading: Reading, reason: str, channel: int | None,
                          score: float, threshold: float) -> None:
        self._drift_flagged_now.add(reason)
        if reason in self._drift_confirmed:  # a confirmed drift goes on: flag at once
            self._flag(reading, reason, channel, score, threshold)
            return
        wait = DRIFT_CONFIRM
        if channel == RH and self._drift.moistening():
            wait = COOLED_RAIN_CONFIRM if self._drift.rain_cooled() else \
                ROOM_RAIN_CONFIRM if self._drift.from_room() else RAIN_CONFIRM
        decided = self._recent[-1].seq
        self._drift_pending.append((decided, decided + wait, reading, reason, channel or 0,
                                    score, threshold))

    def _confirm_drift(self, upto: int | None) -> None:
        """Flag the drift decisions due up to ``upto`` (all of them if None)."""
        if not (self._drift_pending or self._drift_confirmed or self._drift_flagged_now):
            return  # most readings: no drift decided or going on
        # A drift flags every reading while it lasts: one that flagged none now has ended.
        self._drift_confirmed &= self._drift_flagged_now
        self._drift_flagged_now.clear()
        # Not in order of due: a longer wait may be ahead of a shorter one decided after it.
        due = [entry for entry in self._drift_pending if upto is None or entry[1] <= upto]
        if due:
            self._drift_pending = deque(entry for entry in self._drift_pending
                                        if upto is not None and entry[1] > upto)
        for _, _, reading, reason, channel, score, threshold in due:
            self._flag(reading, reason, channel, score, threshold)
            self._drift_confirmed.add(reason)

    def _withdraw_moistening(self, saturated: bool) -> None:
        """The humidity races towards saturation, or rises into it with the air cooling: the
        flags of a moistening still waiting for it were rain's. Those of one decided in air
        with room to race and withdrawn as it sat at ``saturated`` air are kept, should the
        humidity step back out of it (``_check_withdrawn``)."""
        waits = (RAIN_CONFIRM, COOLED_RAIN_CONFIRM, ROOM_RAIN_CONFIRM)
        room = [entry for entry in self._drift_pending if entry[1] - entry[0] == ROOM_RAIN_CONFIRM]
        if saturated and room:
            self._withdrawn = sorted(room, key=lambda entry: entry[2].seq)
        self._drift_pending = deque(entry for entry in self._drift_pending
                                    if entry[1] - entry[0] not in waits)

    def _check_withdrawn(self, reading: Reading) -> None:
        """A moistening withdrawn at saturation (``_withdrawn``) was a drift if its humidity
        stepped out of moist air WITHDRAWN_STEP_CONFIRM readings ago by WITHDRAWN_STEP_SHARE of
        its climb and stayed down, the temperature quiet: flagged from its onset up to the step.
        Forgotten once the air is no longer moist without such a step (rain drying), after
        DRIFT_MAX readings from its onset, or when its onset leaves the readings kept."""
        onset = self._withdrawn[0][2]
        step = self._reading_at(reading.seq - WITHDRAWN_STEP_CONFIRM)
        before = self._reading_at(reading.seq - WITHDRAWN_STEP_CONFIRM - 1)
        if step is None or before is None or self._reading_at(onset.seq) is not onset or \
                reading.seq - onset.seq > DRIFT_MAX:
            self._withdrawn = []
            return
        if before.values[RH] < MOIST_PCT:
            self._withdrawn = []  # dried without a step
            return
        begun = [entry[2].values[RH] for entry in self._withdrawn[:ONSET_READINGS]]
        climb = SATURATED_PCT - sum(begun) / len(begun)
        down = before.values[RH] - WITHDRAWN_STEP_SHARE * climb
        temperature = self._channels[T].stats
        if any(self._recent[-1 - k].values[RH] > down for k in range(WITHDRAWN_STEP_CONFIRM + 1)) \
                or abs(step.values[T] - before.values[T]) > \
                QUIET_SD * temperature.sigma + temperature.resolution:
            return
        entries, self._withdrawn = self._withdrawn, []
        _, _, last, reason, channel, score, threshold = entries[-1]
        for _, _, earlier, reason_then, channel_then, score_then, threshold_then in entries:
            self._flag(earlier, reason_then, channel_then, score_then, threshold_then)
        for seq in range(last.seq + 1, step.seq):
            pinned = self._reading_at(seq)
            if pinned is not None:
                self._flag(pinned, reason, channel, score, threshold)

    def _drop_dew_point_drift(self) -> None:
        """A weather event explains a dew-point drift decided just before it (a front's dew
        point falls before its pressure rise is clear); a pressure drift can set off the front
        rule itself, so it stands, and so does a drift decided longer ago, still waiting for
        rain (a humidity drift that a thunderstorm breaks into)."""
        earliest = self._recent[-1].seq - DRIFT_CONFIRM
        standing = [entry for entry in self._drift_pending
                    if entry[4] == P or entry[0] < earliest]
        self._drift_pending.clear()
        for _, _, reading, reason, channel, score, threshold in standing:
            self._flag(reading, reason, channel, score, threshold)

    def _add_reason(self, reading: Reading, reason: str) -> None:
        if not reading.emitted:
            if not reading.reasons:
                self._to_emit.append(reading)
        elif not reason.startswith(WEATHER_REASON_PREFIX) and is_weather_event(reading.reasons):
            # Reported as weather, now found faulty (a temperature spike in humid air reads as
            # a storm's plunge until it comes back): emitted again, as a fault.
            reading.emitted = False
            self._to_emit.append(reading)
        reading.reasons += (reason,)

    def _emit(self) -> tuple[Flag, ...]:
        """The flags of readings still in the window that got reasons since the last call, in
        sequence order."""
        if not self._to_emit:
            return ()
        flags = []
        pending, self._to_emit = self._to_emit, []
        for reading in sorted(pending, key=lambda r: r.seq):
            if self._reading_at(reading.seq) is reading and not reading.emitted:
                reading.emitted = True
                flags.append(Flag(reading.seq, reading.ts_ms, reading.values,
                                  tuple(reading.reasons), reading.score, reading.threshold,
                                  self._channel_scores(reading)))
        return tuple(flags)

    def _channel_scores(self, reading: Reading) -> tuple[float, float, float]:
        """Each channel's distance from the line through the two readings before it, in noise
        widths."""
        index = reading.seq - self._recent[0].seq
        if index < 2:
            return (0.0, 0.0, 0.0)
        a, b = self._recent[index - 2], self._recent[index - 1]
        scores = []
        for c, channel in enumerate(self._channels):
            predicted = 2 * b.repaired[c] - a.repaired[c]
            sigma = channel.stats.sigma or 1.0
            scores.append(round(abs(reading.values[c] - predicted) / (sigma * SQRT6 / 2), 3))
        return (scores[0], scores[1], scores[2])

    def _reading_at(self, seq: int) -> Reading | None:
        if not self._recent:
            return None
        index = seq - self._recent[0].seq
        return self._recent[index] if 0 <= index < len(self._recent) else None

    # -- checks ---------------------------------------------------------------------------

    def _check_stuck(self, reading: Reading) -> None:
        recent = self._recent
        previous = recent[-2] if len(recent) >= 2 else None
        values = reading.values
        saturated = self._near_limit_unjudged(values)
        if self._whole_end is not None:
            self._confirm_whole_end(reading)
        if previous is not None:
            self._judge_whole_end(reading, previous)
        running: list[int] = []  # channels repeating, not yet faulty and judged
        for c, channel in enumerate(self._channels):
            if channel.run_end is not None:
                self._confirm_run_end(c, reading)
            if channel.run_bracket is not None:
                self._judge_bracket(c, reading)
            if channel.run_settle is not None:
                self._judge_settled(c, reading)
            repeats = previous is not None and values[c] == previous.values[c]
            if not repeats:
                if channel.run and not channel.fault:
                    self._judge_run_end(c, reading)
                channel.run_left = channel.run
                if channel.fault in _STUCK_OR_DROPOUT:
                    # The fault ended: start afresh from the new level, without an alarm.
                    channel.fault = ""
                    channel.noise.clear()
                    channel.noise_onset.clear()
                    self._drift.clear_slopes()
                channel.run = 0
                channel.run_first = None
                continue
            if channel.run == 0:
                assert previous is not None
                channel.run_first = previous
                before = recent[-3] if len(recent) >= 3 else None
                # In noise widths; none while the channel was never seen to step (its noise is
                # unknown: a humidity channel saturated since it started).
                stats = channel.stats
                step = _step_into_run(c, previous, before) \
                    if before is not None and before.seq == previous.seq - 1 else 0.0
                channel.run_jump = step / stats.sigma \
                    if step and stats.resolution > 0 and stats.sigma > 0 and \
                    not self._returned_from_fault(c, previous, before) else 0.0
                # None out of a faulty reading: a fault's end jumps back as far as it jumped.
                channel.run_step = step if before is not None and c not in before.faulty \
                    else 0.0
                channel.run_release = _released_by(c, step, channel.run_left)
                channel.run_finer = 0 if c == RH or stats.resolution <= 0 else \
                    max(0, _decimals(previous.values[c]) - _decimals(stats.resolution),
                        int(self._off_grid(c, previous.values[c])))
                channel.run_slope = None
                channel.run_steady_slope = 0.0
                channel.run_recent_slope = 0.0
                channel.run_sigma = channel.stats.sigma
                channel.run_pull = 0.0
                channel.run_rate = 0.0
                channel.run_noise = 0.0
                channel.run_saturated_air = None
            channel.run += 1
            if channel.run == LEARN_LAG:
                channel.run_rate = channel.stats.repeat_rate
                channel.run_noise = channel.stats.quantised_sigma
            if c == RH and not channel.fault and channel.run <= PULL_MAX_RUN:
                self._update_pull(channel)
            if channel.run_slope is None and channel.run >= _SLOPE_BEFORE_RUN_LEAVES:
                self._run_slope(c)
            if channel.fault:
                self._flag(reading, f"{channel.fault}:{CHANNELS[c]}", c, channel.run, 1.0)
            elif self._judged_at_limit(c) and not (c == RH and saturated and
                                                   not self._judged_near_limit(channel)):
                running.append(c)
        if not running:
            return
        for c in running:  # a jump no weather makes, then a repeat: no evidence needed
            channel = self._channels[c]
            if channel.run_step >= WEATHER_MAX_STEP[c]:
                self._start_stuck(c, DROPOUT_REASON, channel.run_step, WEATHER_MAX_STEP[c])
            elif channel.run_finer:  # ... or a value finer than the channel's steps
                self._start_stuck(c, DROPOUT_REASON, float(channel.run_finer), 1.0)
            elif c == RH and channel.run_jump >= DROPOUT_JUMP and \
                    reading.values[RH] <= HUMIDITY_LIMITS_PCT[0]:  # ... or no air's humidity
                self._start_stuck(c, DROPOUT_REASON, channel.run_jump, DROPOUT_JUMP)
        running = [c for c in running if not self._channels[c].fault]
        # Evidence: -ln P(the run) under each channel's repeat rate; joint runs add up.
        if not running or self._runs_too_short(running):
            return
        shortest = min(self._channels[c].run for c in running)
        # Several channels repeating at once add their evidence (below); with a dropout in the
        # run, by the repeat rates alone.
        joint = 0.0
        calm_joint = 0.0  # ... past twice the learnt joint runs, with a calm channel in it
        together: list[int] = []  # the channels that fell still last, if not all of them
        if len(running) > 1:
            if any(self._channels[c].run_jump >= DROPOUT_JUMP for c in running):
                joint = sum(self._rate_evidence(c, shortest)
                            for c in self._still_with_dropout(running))
            else:
                judged = [c for c in range(len(self._channels)) if self._judged_at_limit(c) and
                          not (c == RH and saturated and
                               not self._judged_near_limit(self._channels[RH]))]
                joint = self._joint_evidence(running, shortest, by_rate=running == judged,
                                             going=True)
                # The channels that fell still last, at the same reading, on their own: a
                # sensor sticking whole while one channel was calm already.
                together = [c for c in running if self._channels[c].run == shortest]
                if 1 < len(together) < len(running):
                    joint = max(joint, self._joint_evidence(together, shortest, by_rate=True,
                                                            going=True))
                else:
                    together = []
                if joint < self._th.stuck_log_odds:
                    calm_joint = self._calm_outlasted_evidence(running, shortest)
        # A calm humidity whose run the thermometer beside it vouches for (before any channel of
        # this run is flagged): its repeats before the joint run are a calm channel's.
        vouched = joint >= self._th.stuck_log_odds and RH in running and \
            self._channels[RH].run > shortest and \
            self._thermometer_path_evidence(self._channels[RH].run) < self._th.stuck_log_odds
        for c in running:
            channel = self._channels[c]
            alone = self._run_evidence(c, channel.run)
            if c == RH:
                alone = max(alone, self._saturated_hold_evidence(channel))
            dropout = channel.run_jump >= DROPOUT_JUMP
            evidence = max(alone, joint)
            # After a jump of many noise widths, far less evidence makes a dropout.
            if dropout and evidence >= DROPOUT_LOG_ODDS:
                self._start_stuck(c, DROPOUT_REASON, evidence)
            elif alone >= self._th.stuck_log_odds:
                self._start_stuck(c, STUCK_REASON, evidence)
            elif joint >= self._th.stuck_log_odds:
                # A sensor held whole past its healthy joint runs: the fault is the readings at
                # which the channels all repeat, a channel's repeats before them a calm channel's.
                outlasted = self._joint_outlasted(running, shortest) or \
                    bool(together) and self._joint_outlasted(together, shortest)
                self._start_stuck(c, STUCK_REASON, evidence, repeats=shortest
                                  if outlasted or vouched and c == RH else None)
            elif calm_joint >= self._th.stuck_log_odds and \
                    _noise_spans_steps(channel.stats, OUTLASTS_NOISE_STEPS):
                # Not the calm channel: its repeats are a calm channel's, before and after.
                self._start_stuck(c, STUCK_REASON, calm_joint, repeats=shortest)

    def _returned_from_fault(self, c: int, first: Reading, before: Reading | None) -> bool:
        """Whether a run's first reading steps out of a stretch flagged faulty on channel c at
        least RETURN_SHARE of the way back to where the channel was before that stretch, or out
        of a stretch held at that value no further than the weather moves the channel over the
        readings it held (WEATHER_PER_READING): the fault's end, back to where the air is
        (final-34 sim-3503-009: a humidity read 28.8 % through an inconsistency, back to 84.0 %
        on a coarse calm station, then flagged a dropout for 162 healthy readings), not a
        dropout's jump to a constant."""
        if before is None or c not in before.faulty:
            return False
        recent = self._recent
        index = before.seq - recent[0].seq
        while index >= 0 and c in recent[index].faulty:
            index -= 1
        if index < 0:
            return False  # the stretch began before the readings kept
        healthy = recent[index].values[c]
        away = abs(before.values[c] - healthy)
        if away == 0:  # held at the value before it: released to where the weather went
            held = self._channels[c].run_left
            return abs(first.values[c] - before.values[c]) <= WEATHER_PER_READING[c] * (held + 1)
        return abs(first.values[c] - healthy) <= (1 - RETURN_SHARE) * away

    def _still_with_dropout(self, running: list[int]) -> list[int]:
        """The running channels whose repeats count for a dropout's jump among them: all of
        them, but where every such jump is a held run's release (``RELEASE_HPA_PER_READING``)
        only the channels that jumped (the others are calm channels, which say nothing of the
        step)."""
        channels = self._channels
        jumped = [c for c in running if channels[c].run_jump >= DROPOUT_JUMP]
        return jumped if all(channels[c].run_release for c in jumped) else running

    @staticmethod
    def _refit_grid(channel: _Channel) -> None:
        """The grid of a temperature's or pressure's healthy values, if its steps are at least
        GRID_MIN_UNITS of the decimals they are written to."""
        resolution = channel.stats.resolution
        unit = 10.0 ** -_decimals(resolution) if resolution > 0 else 0.0
        channel.grid_unit = unit if resolution >= GRID_MIN_UNITS * unit > 0 else 0.0
        channel.grid.refit(resolution)

    def _off_grid(self, c: int, value: float) -> bool:
        """Whether channel c's ``value`` lies off the grid of its healthy values by
        GRID_OFF_STEPS of a step or more (``MAX_DECIMALS``' placeholder, written with as many
        decimals as the channel's steps); where every healthy value was a whole multiple of the
        resolution (``ValueGrid.multiple``), off the multiples, however far from the values
        seen."""
        channel = self._channels[c]
        grid, unit = channel.grid, channel.grid_unit
        if grid.multiple and unit:  # a grid anchored at zero: known exactly
            off = abs(value - round(value / grid.multiple) * grid.multiple)
            return off >= GRID_OFF_STEPS * grid.multiple
        if grid.step <= 0 or not unit or grid.step < GRID_MIN_UNITS * unit:
            return False
        near = grid.nearest(value)
        steps = (value - near) / grid.step
        off = abs(value - near - round(steps) * grid.step)
        return off >= max(GRID_OFF_STEPS * grid.step,
                          2 * unit * (1 + abs(steps) / grid.span_steps))

    def _runs_too_short(self, running: list[int]) -> bool:
        """Whether no running channel can be judged stuck yet: each channel's evidence, alone or
        joint, is at most its run's under the repeat rate (a humidity's along the thermometer's
        bump or the dew point aside: ``_thermometer_bump_evidence``, ``_dew_held_evidence``), so
        while even their sum is short of a decision the (costlier) chance of a calm coarse
        channel's run need not be worked out."""
        channels = self._channels
        needed = self._th.stuck_log_odds
        if RH in running and self._pulled(channels[RH]):
            needed -= PULL_LOG_ODDS
        if RH in running and max(self._thermometer_bump_evidence(channels[RH].run),
                                 self._dew_held_evidence(channels[RH].run)) >= \
                self._th.stuck_log_odds:
            return False  # not bounded by the repeat rate
        if RH in running and self._saturated_hold_evidence(channels[RH]) >= \
                self._th.stuck_log_odds:
            return False  # ... nor a hold in saturated air
        if T in running and self._humidity_bump_evidence(channels[T].run) >= \
                self._th.stuck_log_odds:
            return False  # ... nor a thermometer's run along the humidity's bump
        if any(self._far_outlasted_evidence(c, channels[c].run) >= self._th.stuck_log_odds
               for c in running):
            return False  # ... nor a calm channel's run far past its learnt runs
        if len(running) == 1:  # most often: the same, without the generators
            channel = channels[running[0]]
            if channel.run_jump >= DROPOUT_JUMP:
                needed = min(needed, DROPOUT_LOG_ODDS)
            return self._rate_evidence(running[0], channel.run) < needed
        if any(channels[c].run_jump >= DROPOUT_JUMP for c in running):
            needed = min(needed, DROPOUT_LOG_ODDS)
        return sum(self._rate_evidence(c, channels[c].run) for c in running) < needed

    def _run_evidence(self, c: int, repeats: int) -> float:
        """-ln P(the run) under the learnt repeat rate, but no more than the chance of it for
        a channel with this noise, resolution and trend, nor than the chance that one of its
        learnt healthy runs lasts as long: repeats are not independent on a calm coarse
        channel (noise well under a step), which can stay on one step for hours. A channel
        whose noise spans its steps is not bounded by its learnt runs (``NOISE_SPANS_STEPS``),
        nor is a run twice as long as the longest of them (``OUTLASTS_LONGEST``) on a channel
        whose noise is at least half a step (``OUTLASTS_NOISE_STEPS``), nor a run on such a
        channel whose steady trend before it was on the move (``RUN_MOVING_STEPS``); these two
        not while the sensor is flagged inconsistent: a humidity held through an inconsistency
        is flagged so already, and a stuck flag would end that flag at the run's end."""
        channel = self._channels[c]
        if channel.run_jump >= DROPOUT_JUMP:  # a jump to a constant is no calm channel
            return self._rate_evidence(c, repeats)
        stats = channel.stats
        by_rate = self._rate_evidence(c, repeats)
        if self._pulled(channel):  # no calm spell: the temperature moved it
            return by_rate + PULL_LOG_ODDS
        sigma = self._run_noise(c, repeats)
        quantised = quantised_run_log_odds(repeats, sigma, stats.resolution, self._run_slope(c))
        if c == P:
            quantised = min(quantised, tidal_run_log_odds(
                repeats, sigma, stats.resolution, self._run_slope(c),
                TIDE_AMPLITUDES_HPA, TIDE_RATE))
            if not _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS):
                quantised = min(quantised, tidal_hold_log_odds(
                    repeats, stats.resolution, self._run_slope(c), TIDE_HOLD_AMPLITUDES_HPA,
                    TIDE_RATE))
        elif not _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS) and not self._held_saturated(c):
            quantised = min(quantised, tidal_run_log_odds(
                repeats, sigma, stats.resolution, self._run_slope(c),
                DAILY_AMPLITUDES[c], DAILY_RATE))
        if _noise_spans_steps(stats, NOISE_SPANS_STEPS):
            quantised = max(quantised, self._off_level_evidence(c, repeats))
        bump = 0.0
        if c == RH:
            quantised = min(quantised, self._thermometer_path_evidence(repeats),
                            self._dew_drift_evidence(repeats))
            bump = max(self._thermometer_bump_evidence(repeats), self._dew_held_evidence(repeats))
        elif c == T:
            bump = self._humidity_bump_evidence(repeats)
        if _noise_spans_steps(stats, NOISE_SPANS_STEPS) or not self._inconsistent.open and (
                self._moving_over(c, repeats) or stats.runs.outlasted_by(repeats) and
                _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS)):
            return max(min(by_rate, quantised), bump)
        return max(min(by_rate, stats.runs.log_odds(repeats), quantised), bump,
                   self._far_outlasted_evidence(c, repeats))

    def _far_outlasted_evidence(self, c: int, repeats: int) -> float:
        """-ln P(channel c's run of ``repeats``) under the repeat rate before the run, if it is
        a calm thermometer's run far past its learnt healthy runs (``FAR_OUTLASTS_LONGEST``);
        else 0. Not while the sensor is flagged inconsistent (as ``OUTLASTS_LONGEST``)."""
        channel = self._channels[c]
        stats = channel.stats
        if c != T or self._inconsistent.open or \
                _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS) or \
                stats.runs.learnt < FAR_OUTLASTS_MIN_RUNS or \
                not stats.runs.outlasted_by(repeats, FAR_OUTLASTS_LONGEST):
            return 0.0
        rate = self._rate_before_run(c)
        return -repeats * math.log(rate) if 0 < rate < 1 else 0.0

    def _rate_before_run(self, c: int) -> float:
        """Channel c's repeat rate before its run's own repeats were learnt: as at its
        LEARN_LAG-th repeat, or the learnt rate while the run is shorter."""
        channel = self._channels[c]
        if channel.run >= LEARN_LAG and channel.run_rate > 0:
            return channel.run_rate
        return channel.stats.repeat_rate

    def _run_noise(self, c: int, repeats: int) -> float:
        """The quantised noise that judges channel c's run of ``repeats``: for its whole run
        past LEARN_LAG repeats, the noise as at its LEARN_LAG-th repeat, before its own repeats
        were learnt (the note after RUN_RATE_CARRIED); else the learnt noise."""
        channel = self._channels[c]
        if repeats == channel.run > LEARN_LAG and channel.run_noise > 0 and \
                channel.stats.runs.outlasted_by(repeats, RUN_NOISE_OUTLASTS):
            return channel.run_noise
        return channel.stats.quantised_sigma

    def _off_level_evidence(self, c: int, repeats: int) -> float:
        """-ln of the chance of channel c's run of ``repeats`` along the level the readings
        before it say (``LEVEL_READINGS``): the line through them, taken towards the held value
        as ``_towards`` does. 0 where it says nothing: too few readings before the run, readings
        off their line (RUN_STEADY_SD), or a humidity near saturation."""
        channel = self._channels[c]
        self._run_slope(c)  # (works out run_level)
        line, first, stats = channel.run_level, channel.run_first, channel.stats
        if line is None or first is None or line.scatter > RUN_STEADY_SD * stats.sigma or \
                c == RH and line.at(0.0) + RUN_STEADY_SD * line.scatter >= SATURATED_PCT:
            return 0.0
        held, sigma = first.values[c], stats.quantised_sigma
        slack = BRACKET_SLACK_STEPS * stats.resolution
        return level_path_log_odds(repeats, held, _towards(held, line, 0.0, sigma, slack),
                                   _towards(held, line, float(repeats), sigma, slack), sigma,
                                   stats.resolution)

    def _thermometer_path_evidence(self, repeats: int) -> float:
        """-ln of the chance of the humidity's run of ``repeats`` along the humidity that the
        temperatures over it say at the run's dew point (the note after DAILY_RATE: the
        thermometer beside a calm humidity). Infinite where the thermometer cannot vouch for it:
        a noisier humidity, one held at saturation, a thermometer flagged during the run or
        repeating all through it."""
        if self._channels[T].run >= repeats:
            return math.inf
        return self._humidity_held_with(repeats)

    def _dew_drift_evidence(self, repeats: int) -> float:
        """-ln of the chance of the humidity's run of ``repeats`` along the humidity the
        temperatures over it say, the dew point let drift either way by DEW_DRIFT_C_PER_HOUR
        from the run's first reading, no more than DEW_DRIFT_MAX_C (the note after
        DEW_DRIFT_C_PER_HOUR). Infinite where the thermometer cannot vouch for it (as
        ``_thermometer_path_evidence``), for a noisier humidity or one held at saturation, or
        over a run too short to cut into RUN_NODES."""
        channel = self._channels[RH]
        stats = channel.stats
        first = channel.run_first
        if first is None or repeats < RUN_NODES or stats.resolution <= 0 or \
                _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS) or self._held_saturated(RH) or \
                self._channels[T].fault or self._channels[T].run >= repeats:
            return math.inf
        readings = list(islice(reversed(self._recent), repeats + 1))
        if any(T in reading.faulty for reading in readings):
            return math.inf
        temperatures = [reading.repaired[T] for reading in reversed(readings)]
        path = _dew_slack_path(temperatures, first.values[RH], first.dew_point,
                               DEW_DRIFT_C_PER_HOUR, 0.0, DEW_DRIFT_MAX_C)
        return path_run_log_odds(path, repeats, stats.quantised_sigma, stats.resolution)

    def _humidity_held_with(self, repeats: int) -> float:
        """-ln of the chance of the humidity's last ``repeats`` readings on one value given the
        thermometer's readings over them: along the humidity the temperatures say at the run's
        dew point, the thermometer's own repeats included (``_joint_evidence``: at a steady dew
        point a thermometer held on its step holds a calm humidity on its own, so their joint
        run is no rarer than the thermometer's). Infinite where that says nothing: a noisier
        humidity, one held at saturation, a thermometer flagged."""
        channel = self._channels[RH]
        stats = channel.stats
        first = channel.run_first
        if first is None or _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS) or \
                self._held_saturated(RH) or self._channels[T].fault:
            return math.inf
        readings = list(islice(reversed(self._recent), repeats + 1))
        if any(T in reading.faulty for reading in readings):
            return math.inf
        temperatures = [reading.repaired[T] for reading in reversed(readings)]
        path = [relative_humidity(_mean_of(stretch), first.dew_point)
                for stretch in _stretches(temperatures, RUN_NODES)]
        return path_run_log_odds(path, repeats, stats.quantised_sigma, stats.resolution)

    def _thermometer_bump_evidence(self, repeats: int) -> float:
        """-ln of the chance of the humidity's run along the humidity the settled temperatures
        over it say at its dew point, that path's least-squares line taken off, where that
        path leaves its line by THERMOMETER_BUMP_STEPS of the humidity's steps or more and by
        THERMOMETER_BUMP_NOISE of what the thermometer's noise alone strays it (the notes after
        THERMOMETER_BUMP_STEPS); 0 elsewhere, and where the thermometer cannot vouch
        or a weather event's hold is on."""
        channel = self._channels[RH]
        stats = channel.stats
        first = channel.run_first
        judged = repeats - THERMOMETER_BUMP_SETTLE
        if first is None or judged < RUN_NODES or stats.resolution <= 0 or \
                self._recent[-1].seq <= self._weather_until or \
                _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS) or self._held_saturated(RH) or \
                self._channels[T].fault or self._channels[T].run >= repeats:
            return 0.0
        readings = list(islice(reversed(self._recent), repeats + 1))[THERMOMETER_BUMP_SETTLE:]
        if any(T in reading.faulty for reading in readings):
            return 0.0
        temperatures = [reading.repaired[T] for reading in reversed(readings)]
        path = [relative_humidity(_mean_of(stretch), first.dew_point)
                for stretch in _stretches(temperatures, RUN_NODES)]
        bump = _off_line(path)
        reach = max(path) - min(path)
        floor = max(THERMOMETER_BUMP_STEPS * stats.resolution, THERMOMETER_BUMP_NOISE *
                    _path_noise(temperatures, first.dew_point, self._channels[T].stats.sigma))
        if max(bump) - min(bump) < floor or abs(path[-1] - path[0]) > THERMOMETER_BUMP_BACK * reach:
            return 0.0
        return path_run_log_odds(bump, judged, stats.quantised_sigma, stats.resolution)

    def _humidity_bump_evidence(self, repeats: int) -> float:
        """-ln of the chance of the thermometer's run along the temperature the settled
        humidities over it say at its dew point, that path's least-squares line taken off, where
        that path leaves its line by THERMOMETER_BUMP_STEPS of the thermometer's steps or more and
        by THERMOMETER_BUMP_NOISE of what the humidity's noise alone strays it, and comes back
        (THERMOMETER_BUMP_BACK; the note after HUMIDITY_BUMP_BELOW_PCT); 0 elsewhere, and where
        the humidity cannot vouch or a weather event's hold is on."""
        channel = self._channels[T]
        stats = channel.stats
        first = channel.run_first
        humidity = self._channels[RH]
        judged = repeats - THERMOMETER_BUMP_SETTLE
        if first is None or judged < RUN_NODES or stats.resolution <= 0 or \
                self._recent[-1].seq <= self._weather_until or humidity.fault or \
                humidity.run >= repeats or humidity.stats.sigma <= 0 or \
                humidity.stats.resolution <= 0 or \
                _noise_spans_steps(humidity.stats, NOISE_SPANS_STEPS):
            return 0.0
        readings = list(islice(reversed(self._recent), repeats + 1))[THERMOMETER_BUMP_SETTLE:]
        if any(RH in reading.faulty or reading.values[RH] >= HUMIDITY_BUMP_BELOW_PCT
               for reading in readings):
            return 0.0
        humidities = [reading.repaired[RH] for reading in reversed(readings)]
        if max(humidities) - min(humidities) < \
                HUMIDITY_BUMP_MIN_STEPS * humidity.stats.resolution - 1e-9:
            return 0.0
        path = [temperature_at_humidity(first.dew_point, _mean_of(stretch))
                for stretch in _stretches(humidities, RUN_NODES)]
        bump = _off_line(path)
        reach = max(path) - min(path)
        floor = max(THERMOMETER_BUMP_STEPS * stats.resolution, THERMOMETER_BUMP_NOISE *
                    _temperature_path_noise(humidities, path, humidity.stats.sigma))
        if max(bump) - min(bump) < floor or abs(path[-1] - path[0]) > THERMOMETER_BUMP_BACK * reach:
            return 0.0
        return path_run_log_odds(bump, judged, stats.quantised_sigma, stats.resolution)

    def _dew_held_evidence(self, repeats: int) -> float:
        """-ln of the chance of the humidity's run of ``repeats`` along the humidity the
        temperatures over it say, the dew point let move towards the held value by
        HELD_DEW_C_PER_HOUR from the run's first reading and each point taken HELD_DEW_NOISE of
        the thermometer's strays towards it (the note after HELD_DEW_C_PER_HOUR); 0 unless a
        thunderstorm was found during the run (its hold on), while the sensor is flagged
        inconsistent (as RUN_MOVING_STEPS), where the thermometer cannot vouch, or for a
        humidity held at saturation."""
        channel = self._channels[RH]
        stats = channel.stats
        first = channel.run_first
        now = self._recent[-1].seq
        if first is None or repeats < RUN_NODES or stats.resolution <= 0 or \
                now > self._weather_until or self._weather_since != self._storm_since or \
                self._storm_since < first.seq or self._inconsistent.open or \
                self._held_saturated(RH) or self._channels[T].fault or \
                self._channels[T].run >= repeats:
            return 0.0
        readings = list(islice(reversed(self._recent), repeats + 1))
        if any(T in reading.faulty for reading in readings):
            return 0.0
        temperatures = [reading.repaired[T] for reading in reversed(readings)]
        dew = first.dew_point
        stray = HELD_DEW_NOISE * _path_noise(temperatures, dew, self._channels[T].stats.sigma)
        path = _dew_slack_path(temperatures, first.values[RH], dew, HELD_DEW_C_PER_HOUR, stray,
                               math.inf)
        return path_run_log_odds(path, repeats, stats.quantised_sigma, stats.resolution)

    def _held_saturated(self, c: int) -> bool:
        """Whether channel c is the humidity held at saturation, where no daily cycle moves it
        (the air warming off it judges it: ``_warmed_off_saturation``)."""
        return c == RH and self._recent[-1].values[RH] >= SATURATED_PCT

    @staticmethod
    def _pulled(channel: _Channel) -> bool:
        """Whether a (humidity) run is short and the temperature pulled it PULL_STEPS."""
        return channel.run_pull >= PULL_STEPS and channel.run <= PULL_MAX_RUN

    def _update_pull(self, channel: _Channel) -> None:
        """The humidity run's pull: how many steps (the larger of resolution and noise) the
        humidity at the run's first dew point and the temperature now (the median of the last
        three: a spike is no pull) is under the held humidity, the most so far. None near
        saturation, without three readings in a row or while the temperature is flagged; a
        temperature jump (DROPOUT_JUMP noise widths: a dropout not yet flagged) voids it."""
        first = channel.run_first
        recent = self._recent
        assert first is not None
        if channel.run_pull < 0 or first.values[RH] >= PULL_MAX_PCT or len(recent) < 3 or \
                recent[-3].seq != recent[-1].seq - 2 or self._channels[T].fault:
            return
        a, b, d = recent[-3].values[T], recent[-2].values[T], recent[-1].values[T]
        temperature = self._channels[T].stats
        if abs(d - b) >= DROPOUT_JUMP * temperature.sigma:
            channel.run_pull = -1.0
            return
        step = self._pull_step(channel)
        if step <= 0:
            return
        median = max(min(a, b), min(max(a, b), d))
        below = first.values[RH] - relative_humidity(median, first.dew_point)
        channel.run_pull = max(channel.run_pull, below / step)

    def _pull_step(self, channel: _Channel) -> float:
        """The step a humidity run's pull is counted in (``_humidity_step``); while that is
        unknown, the step into the run: a channel steps by whole steps, so it is at least one
        (final-23 sim-2401-013: a station humidity saturated through the night, its steps never
        learnt, stuck at 96.8 % while the morning warmed the air 0.4 °C in 18 readings)."""
        step = _humidity_step(channel.stats)
        first = channel.run_first
        if step > 0 or first is None:
            return step
        before = self._reading_at(first.seq - 1)
        return abs(first.values[RH] - before.values[RH]) if before is not None else 0.0

    def _joint_evidence(self, channels: list[int], repeats: int, by_rate: bool,
                        going: bool = False) -> float:
        """Evidence of several channels repeating at once for ``repeats`` readings: their
        repeat rates' (``by_rate``: every judged channel, or channels that fell still at the
        same reading; two calm channels, a still night's temperature and pressure, are not rare:
        otherwise their runs' evidence), but no more than the chance that a healthy run of
        these channels at once lasts as long (learnt: a calm spell stills them together, so
        their runs are not independent) among runs that began as this one did: every channel
        at the same reading (as a sensor sticks), or not; a run twice as long as any of them
        (``_joint_outlasted``) is outside what they say anything about. By the rates, a channel
        that has learnt fewer than MIN_RUNS runs of its own adds its own run's evidence instead
        (the quantised chance along its trend or the daily cycle's turn, as its run alone is
        judged while its runs are unlearnt): a repeat rate learnt over its first few steps says
        little of how long a calm coarse channel sits on one (final-21 2203-025: a station held
        whole 22 readings at night an hour after it started, its thermometer at 0.3 °C, noise a
        fifth of a step, with two runs learnt adding 3.1 of the 12.3 nats; its own run 0.2).
        By their runs, a humidity held with the thermometer adds no more than its chance given
        the thermometer's readings (``_humidity_held_with``): the humidity is a function of the
        temperature at a dew point, which a still night holds, so the two channels' runs are
        not independent (final-25 sim-2601-029, a station at 0.16 C and 1.6 %, noise a fifth of
        a step: its thermometer held 21.76 C for 51 readings at the night's trough, 7.0 nats,
        the humidity 92.8 % with it, 5.2 nats by its own run and 0 given the temperatures; 187
        readings of both flagged stuck at 12.1-12.2 nats). Not by the rates: a sensor held whole
        is judged by every channel's repeats (final-25: a small spike lost to it). A run still
        ``going`` of calm channels only (``_all_calm``) is bounded by the least steep tail its
        learnt joint runs support (``RunLengths.log_odds(least=True)``): flagged, it stays
        flagged until the channels move, and a calm spell holds such a station whole longer than
        the few runs a few hours teach (final-34). A channel with noise of half a step or more
        is held by its noise, not the weather (final-2 sim-301-012, stuck whole at 121-134, its
        thermometer's noise 0.51 of a step); a run judged at its end has its step out besides."""
        if by_rate:
            evidence = sum(self._rate_evidence(c, repeats)
                           if self._channels[c].stats.runs.learnt >= MIN_RUNS
                           else self._run_evidence(c, repeats) for c in channels)
        else:
            evidence = sum(self._run_evidence(c, repeats) if c != RH or T not in channels else
                           min(self._run_evidence(c, repeats), self._humidity_held_with(repeats))
                           for c in channels)
        if not self._inconsistent.open and any(self._moving_over(c, repeats) for c in channels):
            return evidence
        runs = self._joint_runs[_bits(channels)]
        together = all(self._channels[c].run == repeats for c in channels)
        if self._joint_outlasted(channels, repeats):
            return evidence
        return min(evidence, (runs.together if together else runs.staggered).log_odds(
            repeats, least=going and self._all_calm(channels)))

    def _all_calm(self, channels: list[int]) -> bool:
        """Whether every one of these channels has noise under OUTLASTS_NOISE_STEPS of a step:
        calm coarse channels sit on their steps together as long as the weather lets them."""
        return not any(_noise_spans_steps(self._channels[c].stats, OUTLASTS_NOISE_STEPS)
                       for c in channels)

    def _joint_outlasted(self, channels: list[int], repeats: int) -> bool:
        """Whether channels repeating at once for ``repeats`` readings outlast their learnt
        healthy joint runs (``JointRunLengths.outlasted_by``), each channel's noise at least
        ``OUTLASTS_NOISE_STEPS`` of a step (calmer channels sit on one step together as long as
        the weather lets them); not while the sensor is flagged inconsistent (as a single
        channel's ``OUTLASTS_LONGEST``)."""
        return not self._inconsistent.open and \
            self._joint_runs[_bits(channels)].outlasted_by(repeats) and \
            all(_noise_spans_steps(self._channels[c].stats, OUTLASTS_NOISE_STEPS)
                for c in channels)

    def _calm_outlasted_evidence(self, channels: list[int], repeats: int) -> float:
        """Evidence of every channel repeating at once for ``repeats`` readings, at least twice
        their longest learnt healthy joint run (``JointRunLengths.outlasted_by``), where a calm
        channel (noise under ``OUTLASTS_NOISE_STEPS`` of a step) keeps ``_joint_outlasted`` from
        lifting the joint runs' bound (see OUTLASTS_NOISE_STEPS): each channel's own run evidence
        (``_run_evidence``, bounded by its own learnt runs), added up. 0 unless every channel
        repeats and some channel is noisier, and while the sensor is flagged inconsistent (as
        ``_joint_outlasted``)."""
        if self._inconsistent.open or _bits(channels) != _EVERY_CHANNEL or \
                not self._joint_runs[_EVERY_CHANNEL].outlasted_by(repeats) or \
                not any(_noise_spans_steps(self._channels[c].stats, OUTLASTS_NOISE_STEPS)
                        for c in channels):
            return 0.0
        return sum(self._run_evidence(c, repeats) for c in channels)

    def _moving_over(self, c: int, repeats: int) -> bool:
        """Whether channel c's steady trend before its run would have carried it
        RUN_MOVING_STEPS of its steps over ``repeats`` readings, on a channel whose noise is at
        least half a step (``OUTLASTS_NOISE_STEPS``)."""
        channel = self._channels[c]
        stats = channel.stats
        if not _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS):
            return False
        self._run_slope(c)
        return abs(channel.run_steady_slope) * repeats >= RUN_MOVING_STEPS * stats.resolution

    def _near_limit_unjudged(self, values: tuple[float, float, float]) -> bool:
        """Saturated humidity just under the limit, on a channel too coarse for its repeats to
        mean anything there (a station's 99 % or 100 %): judged only at the limit itself. A
        finer channel's repeats of one value under 100 % stay as unlikely as anywhere, as do a
        channel's whose noise spans its steps (``NOISE_SPANS_STEPS``)."""
        if not SATURATED_PCT <= values[RH] < HUMIDITY_LIMITS_PCT[1]:
            return False
        stats = self._channels[RH].stats
        # (a channel that has known only saturated air: the steps it made under the limit)
        resolution = stats.resolution or stats.under_limit_resolution
        return not (0 < resolution <= FINE_NEAR_LIMIT_PCT or
                    _noise_spans_steps(stats, NOISE_SPANS_STEPS))

    def _warmed_off_saturation(self, channel: _Channel) -> bool:
        """Whether the air has warmed since a humidity run near saturation began enough that,
        at the run's first dew point, the humidity now (the temperature the median of the last
        three readings) is PULL_STEPS steps under saturation: no weather holds it there as the
        air warms (rain moistens the air it cools)."""
        first = channel.run_first
        recent = self._recent
        if first is None or len(recent) < 3 or recent[-3].seq != recent[-1].seq - 2 or \
                self._channels[T].fault:
            return False
        a, b, d = recent[-3].values[T], recent[-2].values[T], recent[-1].values[T]
        median = max(min(a, b), min(max(a, b), d))
        step = _humidity_step(channel.stats)
        # (none for a channel that has known only saturated air: its step is unknown)
        return step > 0 and \
            relative_humidity(median, first.dew_point) <= SATURATED_PCT - PULL_STEPS * step

    def _judged_near_limit(self, channel: _Channel) -> bool:
        """Whether a coarse humidity's run just under the limit (``_near_limit_unjudged``) is
        judged: the air warmed off saturation, or it is held on the step under the limit in
        saturated air as no healthy channel is (``_held_in_saturated_air``)."""
        return self._warmed_off_saturation(channel) or self._held_in_saturated_air(channel)

    def _held_in_saturated_air(self, channel: _Channel) -> bool:
        """Whether a humidity run on the step under the limit has lasted NEAR_LIMIT_HOLD_READINGS
        in air the readings before it put at saturation (``_saturated_before_run``), on a
        channel whose step's rounding boundary lies LIMIT_BOUNDARY_MARGIN_PCT under the limit
        (saturated air reads the limit more often than the step)."""
        first = channel.run_first
        if first is None or channel.run < NEAR_LIMIT_HOLD_READINGS or \
                _saturated_step_share(channel.stats, first.values[RH]) is None:
            return False
        if channel.run_saturated_air is None:
            channel.run_saturated_air = self._saturated_before_run(channel)
        return channel.run_saturated_air

    def _saturated_before_run(self, channel: _Channel, since: int | None = None) -> bool:
        """Whether the SATURATED_AIR_READINGS readings before a humidity run (those from
        ``since``, if given) put the air at saturation: saturated air (100 %, the channel's noise
        and step) explains them within SATURATED_AIR_FIT_NATS of the likeliest air position
        under it."""
        first = channel.run_first
        assert first is not None
        stats = channel.stats
        held, resolution, sigma = first.values[RH], _near_limit_resolution(stats), \
            stats.quantised_sigma
        if since is None:
            since = first.seq - SATURATED_AIR_READINGS
        before = [self._reading_at(seq) for seq in range(since, first.seq)]
        if any(reading is None or RH in reading.faulty for reading in before):
            return False
        values = [reading.values[RH] for reading in before if reading is not None]
        counts = (sum(v < held for v in values), sum(v == held for v in values),
                  sum(v > held for v in values))
        top = HUMIDITY_LIMITS_PCT[1]
        positions = [held - resolution + k * AIR_POSITION_STEP * resolution
                     for k in range(int((top - held + resolution) /
                                        (AIR_POSITION_STEP * resolution)) + 1)]
        saturated = _read_log_likelihood(counts, top, held, resolution, sigma)
        likeliest = max(_read_log_likelihood(counts, h, held, resolution, sigma)
                        for h in positions)
        return saturated >= likeliest - SATURATED_AIR_FIT_NATS

    def _saturated_hold_evidence(self, channel: _Channel) -> float:
        """-ln of the chance that saturated air reads the step under the limit at each of a
        run's repeats (``_held_in_saturated_air``), by the channel's noise and step, and by how
        often its readings at the limit left it (the least of the two); 0 for other runs (and
        for a channel whose repeats there are judged as anywhere: ``_near_limit_unjudged``,
        but for a run further under the limit in a storm's saturated air:
        ``_storm_saturated_hold_evidence``)."""
        if not self._near_limit_unjudged(self._recent[-1].values):
            return self._storm_saturated_hold_evidence(channel)
        if not self._held_in_saturated_air(channel):
            return 0.0
        assert channel.run_first is not None
        share = _saturated_step_share(channel.stats, channel.run_first.values[RH])
        assert share is not None
        stay = channel.stats.limit_stay_rate
        if stay is not None:
            share = max(share, 1.0 - stay)
        return -channel.run * math.log(max(share, 1e-300))

    def _storm_saturated_hold_evidence(self, channel: _Channel) -> float:
        """-ln of the chance that saturated air reads a humidity run's held value at each of its
        repeats, by the channel's noise and step, for a run of RUN_DEW_MIN_REPEATS or more on a
        value a step or more under the step under the limit, begun in the current hold's
        thunderstorm in air its SATURATED_AIR_READINGS readings before (those since the storm
        was found, RUN_DEW_MIN_REPEATS or more) put at saturation: each at SATURATED_PCT or
        more, and as saturated air reads them (``_saturated_before_run``),
        while the storm went on: the barometer not falling off its jump nor the thermometer
        warming from the first of those readings to the run's last (``_fell_over_run``,
        ``_warmed_over_run``). 0 for any other run."""
        first = channel.run_first
        stats = channel.stats
        resolution, sigma = _near_limit_resolution(stats), stats.quantised_sigma
        top = HUMIDITY_LIMITS_PCT[1]
        if first is None or channel.run < RUN_DEW_MIN_REPEATS or resolution <= 0 or \
                sigma <= 0 or first.values[RH] + resolution >= top or \
                self._storm_pressure is None or self._weather_since != self._storm_since or \
                first.seq - self._storm_since < RUN_DEW_MIN_REPEATS or \
                self._recent[-1].seq > self._weather_until:
            return 0.0
        since = max(self._storm_since, first.seq - SATURATED_AIR_READINGS)
        before = [self._reading_at(seq) for seq in range(since, first.seq)]
        if any(reading is None or reading.values[RH] < SATURATED_PCT for reading in before) or \
                self._fell_over_run(before[0]) or self._warmed_over_run(before[0]) or \
                not self._saturated_before_run(channel, since=since):
            return 0.0
        share = _read_shares(top, first.values[RH], resolution, sigma)[1]
        return -channel.run * math.log(max(share, 1e-300))

    def _judged_at_limit(self, c: int) -> bool:
        """False for humidity at its limit on a sensor never seen leaving it in saturated air
        (its run is no evidence, alone or with other channels)."""
        return not (c == RH and self._recent[-1].values[RH] >= HUMIDITY_LIMITS_PCT[1]
                    and self._channels[c].stats.limit_stay_rate is None)

    def _rate_evidence(self, c: int, repeats: int) -> float:
        """-ln P(the run) under the learnt repeat rate (learnt below saturation); humidity at
        its limit no more than the chance that saturated air keeps it there."""
        stats = self._channels[c].stats
        by_rate = -repeats * math.log(self._repeat_rate(c))
        if c == RH and stats.repeats_learnt < UNDER_LIMIT_MIN_PAIRS and \
                HUMIDITY_LIMITS_PCT[0] < self._recent[-1].values[RH] < SATURATED_PCT and \
                not self._pulled(self._channels[RH]):
            # (a rate learnt from a few pairs clear of saturation: UNDER_LIMIT_MIN_PAIRS; not
            # at 0 %, which no air reads)
            return min(by_rate, stats.sparse_run_log_odds(repeats))
        if c == RH and self._recent[-1].values[RH] >= HUMIDITY_LIMITS_PCT[1]:
            # Only a sensor seen leaving its limit in saturated air is judged there, and by the
            # least of: its rate there, its noise's chance of staying above the cut-off.
            stay = stats.limit_stay_rate
            if stay is None:
                return 0.0
            return min(by_rate, -repeats * math.log(stay), clipped_run_log_odds(
                repeats, stats.quantised_sigma, stats.resolution, HUMIDITY_LIMITS_PCT[1]))
        return by_rate

    def _repeat_rate(self, c: int) -> float:
        """The channel's learnt repeat rate, but as it was before its run's own repeats were
        learnt (``RUN_RATE_CARRIED``) for a run that outlasts its learnt healthy runs
        (``RunLengths.outlasted_by``) while the trend before it would have carried it
        RUN_RATE_CARRIED of its steps."""
        channel = self._channels[c]
        stats = channel.stats
        if c == RH and stats.repeats_learnt < UNDER_LIMIT_MIN_PAIRS and \
                SATURATED_PCT <= self._recent[-1].values[RH] < HUMIDITY_LIMITS_PCT[1]:
            under_limit = stats.under_limit_repeat_rate(self._recent[-1].values[RH])
            if under_limit is not None:
                return under_limit
        if _noise_spans_steps(stats, NOISE_SPANS_STEPS) and channel.run_jump < DROPOUT_JUMP:
            return stats.window_repeat_rate
        if channel.run <= LEARN_LAG or channel.run_rate <= 0 or \
                not stats.runs.outlasted_by(channel.run) or \
                abs(self._run_slope(c)) * channel.run < RUN_RATE_CARRIED * stats.resolution:
            return stats.repeat_rate
        return channel.run_rate

    def _run_slope(self, c: int) -> float:
        """The trend before channel c's run (``_trend_before_run``), worked out the first time it
        is needed: most runs are over before their evidence could decide anything. It is worked
        out sooner if a reading it is taken from is about to be blocked or to leave the window
        (_flag, _check_stuck): it is the trend as it was at the run's start. (Their repairs are
        settled: the last, the run's first value, is no spike on this channel, which repeats it.)"""
        channel = self._channels[c]
        if channel.run_slope is None:
            channel.run_slope = self._trend_before_run(c)
        return channel.run_slope

    def _trend_before_run(self, c: int) -> float:
        """The channel's least-squares slope per reading over the readings up to the run's first
        value (not blocked), shrunk towards 0 by two standard errors: only a trend the readings
        are sure of makes a run unlikely."""
        channel = self._channels[c]
        assert channel.run_first is not None
        # The window holds consecutive readings (a gap clears it): only a blocked one ends them.
        # Passes in C over the readings: most are blocked on no channel.
        after_first = self._recent[-1].seq - channel.run_first.seq
        readings = list(islice(reversed(self._recent), after_first,
                               after_first + RUN_TREND_READINGS))
        blocked = list(map(_BLOCKED, readings))
        if blocked.count(NO_CHANNELS) < len(blocked):
            for index, channels in enumerate(blocked):
                if c in channels:
                    del readings[index:]
                    break
        points = list(map(itemgetter(c), map(_REPAIRED, readings)))
        trend, channel.run_steady_slope = _trends(points, channel.run_sigma)
        channel.run_recent_slope = _trends(points[:len(points) // 2], channel.run_sigma)[1]
        before = points[1:1 + LEVEL_READINGS]  # (not the run's first value: it is judged)
        channel.run_level = _Line([-1.0 - x for x in range(len(before))], before) \
            if len(before) >= RUN_TREND_MIN else None
        return trend

    def _start_stuck(self, c: int, kind: str, evidence: float,
                     threshold: float | None = None, repeats: int | None = None) -> None:
        """Flag channel c's run from its start, or its last ``repeats`` readings (``evidence``
        against ``threshold``, by default the stuck log-odds), and every reading of it from now
        on."""
        channel = self._channels[c]
        channel.fault = kind
        first = channel.run_first
        assert first is not None
        # A stuck channel repeats a genuine reading; a dropout's first value is already wrong.
        start = first.seq if kind == DROPOUT_REASON else first.seq + 1
        if repeats is not None:
            start = max(start, self._recent[-1].seq - repeats + 1)
        self._flag_run(c, kind, start, self._recent[-1].seq, evidence,
                       self._th.stuck_log_odds if threshold is None else threshold)

    def _flag_run(self, c: int, kind: str, start: int, end: int, evidence: float,
                  threshold: float) -> None:
        """Flag channel c at the readings ``start`` to ``end`` still in the window."""
        for seq in range(start, end + 1):
            reading = self._reading_at(seq)
            if reading is not None:
                self._flag(reading, f"{kind}:{CHANNELS[c]}", c, evidence, threshold)

    def _flag_ended_run(self, c: int, first_seq: int, end_seq: int, evidence: float) -> None:
        """Flag channel c's run between ``first_seq`` and ``end_seq`` as stuck, found at its end:
        the drift check's lines took in its held value and the step out of it, which they would
        read as a trend (final-31 sim-3201-009: a humidity held 198 readings, its step out read
        as the dew point rising, whose end cleared the line an hour before the stream's)."""
        self._flag_run(c, STUCK_REASON, first_seq + 1, end_seq - 1, evidence,
                       self._th.stuck_log_odds)
        self._drift.forget_channel(c)

    def _judge_run_end(self, c: int, reading: Reading) -> None:
        """Note channel c's run, ended by ``reading``, as stuck if its step out of the run
        confirms the steady trend before it (``RUN_END_STEPS``): the quantised chance of the run
        along the confirmed trend is its evidence; else, a barometer's, noted to be judged by the
        line through the readings on both sides of it (``_may_bracket``), and a step out past the
        readings before a run held whole (``_stepped_past_evidence``). Flagged at the next
        reading, unless that reading makes the step out a spike (``_confirm_run_end``)."""
        channel = self._channels[c]
        first = channel.run_first
        assert first is not None
        evidence = self._run_end_evidence(c, reading)
        if evidence >= self._th.stuck_log_odds:
            channel.run_end = (first.seq, reading.seq, first.values[c], reading.values[c],
                               evidence, False)
            return
        if c == P and channel.run_bracket is None and self._may_bracket(c, reading):
            channel.run_bracket = (first.seq, reading.seq, first.values[c])
        evidence = self._stepped_past_evidence(c, reading)
        if evidence >= self._th.stuck_log_odds:
            # (only the readings held whole: RUN_END_PAST_READINGS)
            channel.run_end = (max(first.seq, reading.seq - self._whole_held() - 1), reading.seq,
                               first.values[c], reading.values[c], evidence, True)
            return
        evidence = self._trend_held_whole_evidence(c, reading)
        if evidence >= self._th.stuck_log_odds:
            channel.run_end = (max(first.seq, reading.seq - self._whole_held() - 1), reading.seq,
                               first.values[c], reading.values[c], evidence, False)
            return
        evidence = self._front_drying_missed(c, reading)
        if evidence >= self._th.stuck_log_odds:
            channel.run_end = (first.seq, reading.seq, first.values[c], reading.values[c],
                               evidence, True)
            return
        evidence = self._stepped_whole_evidence(c, reading, RUN_END_SETTLE_STEPS)
        if evidence >= self._th.stuck_log_odds:
            channel.run_settle = (max(first.seq, reading.seq - self._whole_held() - 1),
                                  reading.seq, first.values[c], reading.values[c], evidence)

    def _confirm_run_end(self, c: int, reading: Reading) -> None:
        """Flag channel c's run noted by ``_judge_run_end`` if ``reading``, the next, is nearer
        the value the channel stepped out to than the held value (a spike comes back) and, where
        asked, goes on the step's way by less than RUN_END_SETTLES of it."""
        channel = self._channels[c]
        pending = channel.run_end
        assert pending is not None
        channel.run_end = None
        first_seq, end_seq, held, out, evidence, settles = pending
        value = reading.values[c]
        if settles and (value - out) * (out - held) >= RUN_END_SETTLES * (out - held) ** 2:
            return
        if reading.seq == end_seq + 1 and abs(value - out) < abs(value - held):
            self._flag_ended_run(c, first_seq, end_seq, evidence)

    def _may_bracket(self, c: int, reading: Reading) -> bool:
        """Whether channel c's run, ended by ``reading``, is to be judged by the line through the
        readings on both sides of it (``BRACKET_AFTER``): a step of RUN_END_STEPS or more out of
        it, outside weather events' holds (but a front's once its rise is over:
        ``_front_risen_before``), not after a dropout's jump nor while the sensor is flagged
        inconsistent."""
        channel = self._channels[c]
        resolution = channel.stats.resolution
        first = channel.run_first
        if first is None or resolution <= 0 or channel.run_jump >= DROPOUT_JUMP or \
                self._inconsistent.open or \
                self._weather_until >= first.seq - BRACKET_BEFORE and \
                not self._front_risen_before(first.seq - BRACKET_BEFORE):
            return False
        return abs(reading.values[c] - first.values[c]) >= RUN_END_STEPS * resolution - 1e-9

    def _judge_bracket(self, c: int, reading: Reading) -> None:
        """Flag channel c's run noted by ``_judge_run_end`` as stuck once ``reading`` is the
        BRACKET_AFTER-th after it, if the readings before and after it lie on one line along
        which a healthy channel would not have read the held value throughout
        (``BRACKET_BEFORE``): not if a weather event other than a front after the run's end was
        found since (``_front_found_after``), the sensor is flagged
        inconsistent, any of those readings was blocked on c or the run was flagged already."""
        channel = self._channels[c]
        pending = channel.run_bracket
        assert pending is not None
        first_seq, end_seq, held = pending
        if reading.seq < end_seq + BRACKET_AFTER:
            return
        channel.run_bracket = None
        stats = channel.stats
        if reading.seq != end_seq + BRACKET_AFTER or self._inconsistent.open or \
                self._weather_since >= first_seq - BRACKET_BEFORE and \
                not self._front_found_after(end_seq) or stats.quantised_sigma <= 0:
            return
        last = self._reading_at(end_seq - 1)
        if last is None or c in last.blocked:  # flagged already (a sensor held whole)
            return
        before = [self._reading_at(seq) for seq in range(first_seq - BRACKET_BEFORE, first_seq)]
        after = [self._reading_at(seq) for seq in range(end_seq, end_seq + BRACKET_AFTER)]
        points: list[float] = []
        for r in before + after:
            if r is None or c in r.blocked:
                return
            points.append(r.repaired[c])
        repeats = end_seq - first_seq - 1
        xs = [float(x) for x in range(-BRACKET_BEFORE, 0)] + \
            [float(x) for x in range(repeats + 1, repeats + 1 + BRACKET_AFTER)]
        line = _Line(xs, points)
        if line.scatter > RUN_STEADY_SD * stats.sigma:
            return
        sigma, resolution = stats.quantised_sigma, stats.resolution
        slack = BRACKET_SLACK_STEPS * resolution
        first_level = _towards(held, line, 0.0, sigma, slack)
        last_level = _towards(held, line, float(repeats), sigma, slack)
        evidence = level_path_log_odds(repeats, held, first_level, last_level, sigma,
                                       resolution)
        if evidence >= self._th.stuck_log_odds:
            self._flag_ended_run(c, first_seq, end_seq, evidence)

    def _front_risen_before(self, seq: int) -> bool:
        """Whether the last weather event was a front found FRONT_JUDGED_FROM readings or more
        before ``seq``: its rise is over (the note after BRACKET_SLACK_STEPS)."""
        return self._weather_since != self._storm_since and \
            self._weather_since + FRONT_JUDGED_FROM <= seq

    def _front_found_after(self, seq: int) -> bool:
        """Whether the last weather event is a front found after ``seq`` (a run's end), and not
        yet judged (the note after BRACKET_SLACK_STEPS)."""
        return self._weather_since > seq and self._front_since == self._weather_since

    def _judge_whole_end(self, reading: Reading, previous: Reading) -> None:
        """Note the sensor's run held whole, ended by ``reading`` stepping every channel at once,
        as stuck if its joint evidence and the chance of that step reach the bar
        (``WHOLE_END_MIN_REPEATS``; not where a weather event began during the run or within
        ``WHOLE_END_AFTER_EVENT`` readings before it). Flagged at the next reading
        (``_confirm_whole_end``)."""
        channels = self._channels
        if previous.seq != reading.seq - 1 or self._inconsistent.open or \
                max(previous.values[RH], reading.values[RH]) >= SATURATED_PCT:
            return
        for c, channel in enumerate(channels):
            if reading.values[c] == previous.values[c] or channel.fault or \
                    channel.run_jump >= DROPOUT_JUMP or not self._judged_at_limit(c):
                return
        repeats = min(channel.run for channel in channels)
        if repeats < WHOLE_END_MIN_REPEATS or \
                self._weather_since >= previous.seq - repeats - WHOLE_END_AFTER_EVENT:
            return
        # -ln of the chance that a healthy channel steps at one reading
        steps = tuple(-math.log(max(1.0 - channel.stats.repeat_rate, 1e-9))
                      for channel in channels)
        joint = self._joint_evidence(list(range(len(channels))), repeats, by_rate=True)
        if joint + sum(steps) >= self._th.stuck_log_odds:
            self._whole_end = (previous.seq - repeats, reading.seq, joint, steps)

    def _confirm_whole_end(self, reading: Reading) -> None:
        """Flag every channel of the run noted by ``_judge_whole_end`` if its joint evidence and
        the chance of the step of the channels that ``reading``, the next, finds nearer the
        values they stepped out to than the held ones (``WHOLE_END_STAYED`` or more) reach the
        bar, and no weather event began at the step."""
        assert self._whole_end is not None
        first_seq, end_seq, joint, steps = self._whole_end
        self._whole_end = None
        recent = self._recent
        if reading.seq != end_seq + 1 or self._weather_since >= end_seq or len(recent) < 3 or \
                recent[-3].seq != end_seq - 1:
            return
        held, out = recent[-3].values, recent[-2].values
        stayed = [steps[c] for c, value in enumerate(reading.values)
                  if abs(value - out[c]) < abs(value - held[c])]
        evidence = joint + sum(stayed)
        if len(stayed) < WHOLE_END_STAYED or evidence < self._th.stuck_log_odds:
            return
        for c in range(len(self._channels)):
            self._flag_ended_run(c, first_seq, end_seq, evidence)

    def _run_end_evidence(self, c: int, reading: Reading) -> float:
        """The evidence that channel c's run, ended by ``reading``, was held while its steady
        trend went on (0 unless the step out of it confirms that trend, or the steady trend of the
        half hour before the run alone, where the hour's bent; a trend that was not
        steady where the whole sensor held its reading and the step out is at least
        ``RUN_END_WHOLE_STEPS``, over the readings it held whole; a step out the other channel
        foretold, of that size or of ``RUN_DEW_ALONE_STEPS`` the channel took alone, is taken as
        its move before any trend: ``_step_foretold``). In a weather event's
        hold only a barometer's run held through a storm's jump (``_storm_jump_missed``) or its
        decay (``_storm_decay_missed``), or a smaller step down that confirms its steady trend
        before the run (``_storm_recovery_missed``), a barometer's step up through a front's
        rise (``_front_rise_missed``), a step of
        ``RUN_DEW_ALONE_STEPS`` or more the other channel foretold and the channel took alone
        (``_foretold_alone_evidence``), and a thermometer's step in saturated air no shade makes
        (``_saturated_step_missed``). Not
        for a humidity at or near saturation, a run after a dropout's jump nor
        while the sensor is flagged inconsistent (as RUN_MOVING_STEPS)."""
        channel = self._channels[c]
        stats = channel.stats
        first = channel.run_first
        resolution = stats.resolution
        if first is None or resolution <= 0 or channel.run_jump >= DROPOUT_JUMP or \
                self._inconsistent.open or \
                c == RH and max(first.values[RH], reading.values[RH]) >= SATURATED_PCT:
            return 0.0
        # Steps out of the run (rounded: values on the channel's grid differ by float error).
        out = round((reading.values[c] - first.values[c]) / resolution, 6)
        repeats = channel.run
        if reading.seq <= self._weather_until:
            return max(self._storm_jump_missed(c, out, first.seq, reading.seq),
                       self._storm_decay_missed(c, out, first.seq, reading),
                       self._storm_warming_missed(c, out, first.seq, reading),
                       self._storm_recovery_missed(c, out, first.seq, repeats),
                       self._front_rise_missed(c, out, reading),
                       self._foretold_alone_evidence(c, out, repeats),
                       self._saturated_step_missed(c, out, repeats))
        if abs(out) < RUN_END_STEPS:  # most runs end so: no trend to work out
            return 0.0
        # The most the step out can confirm (the evidence grows with the slope): if even that
        # is under the bar, the trend need not be worked out (most short runs).
        if quantised_run_log_odds(repeats, stats.quantised_sigma, resolution,
                                  abs(out) * resolution / (repeats + 1)) < self._th.stuck_log_odds:
            return 0.0
        trend = self._run_slope(c)
        steady = channel.run_steady_slope
        if self._step_foretold(c, out, repeats):
            # (the most a trend the step confirms can give: a steady one is no steeper)
            trend = out * resolution / (repeats + 1)
        elif _confirms(steady, out, repeats, resolution):
            trend = steady
        elif _confirms(channel.run_recent_slope, out, repeats, resolution):
            trend = channel.run_recent_slope
        elif abs(out) < RUN_END_WHOLE_STEPS:
            return 0.0
        else:
            whole = min(repeats, self._whole_held())
            if whole and _confirms(trend, out, whole, resolution):
                repeats = whole
            else:
                return 0.0
        confirmed = math.copysign(min(abs(trend), abs(out) * resolution / (repeats + 1)), trend)
        return quantised_run_log_odds(repeats, stats.quantised_sigma, resolution, confirmed)

    def _step_foretold(self, c: int, out: float, repeats: int) -> bool:
        """Whether channel c's run of ``repeats``, ended by a step of ``out`` steps, moved as the
        step says by the other channel's word: a step of ``RUN_END_WHOLE_STEPS`` or more that it
        foretold (``_other_foretold``), a smaller one that it foretold and the channel took alone
        (``_foretold_alone``). Either is the run's move even where a shallower steady trend before
        the run confirms the step too: that trend, shrunk by its errors, says less."""
        if abs(out) < RUN_END_WHOLE_STEPS:
            return self._foretold_alone(c, out, repeats)
        return c != P and repeats >= RUN_DEW_MIN_REPEATS and self._other_foretold(c, out)

    def _storm_jump_missed(self, c: int, out: float, first_seq: int, end_seq: int) -> float:
        """The evidence that a barometer's run, from ``first_seq`` (the run's first reading)
        ended at ``end_seq`` by a step of ``out`` steps, held through the jump of the
        thunderstorm found in it (``STORM_JUMP_HELD``): the quantised chance of the readings
        since the storm was found along the step out. 0 for any other run in a hold."""
        since = self._storm_since
        if c != P or out < RUN_END_WHOLE_STEPS or self._weather_since != since or \
                first_seq > since or end_seq - since <= STORM_JUMP_HELD:
            return 0.0
        stats = self._channels[c].stats
        repeats = end_seq - since - 1
        return quantised_run_log_odds(repeats, stats.quantised_sigma, stats.resolution,
                                      out * stats.resolution / (repeats + 1))

    def _storm_decay_missed(self, c: int, out: float, first_seq: int, reading: Reading) -> float:
        """The evidence that a barometer's run, from ``first_seq`` (after the current hold's
        thunderstorm was found) ended by ``reading`` stepping ``out`` steps down, was held while
        the storm's jump decayed (``STORM_DECAY_BELOW_HPA``): the quantised chance of the run along
        the step out. 0 for any other run."""
        level = self._storm_pressure
        if c != P or out > -STORM_DECAY_STEPS or level is None or \
                self._weather_since != self._storm_since or first_seq < self._storm_since:
            return 0.0
        channel = self._channels[c]
        course = level + self._storm_fall * (reading.seq - self._storm_since)
        stats = channel.stats
        # (in noise widths too where the noise spans more than a step: its steps say nothing)
        if channel.run < RUN_DEW_MIN_REPEATS or \
                -out * stats.resolution < STORM_DECAY_STEPS * stats.sigma or \
                reading.values[P] < course - STORM_DECAY_BELOW_HPA:
            return 0.0
        if (out > -RUN_END_WHOLE_STEPS or
                -out * stats.resolution < RUN_END_WHOLE_STEPS * stats.sigma) and \
                not self._warmed_over_run(channel.run_first):
            return 0.0
        return quantised_run_log_odds(channel.run, stats.quantised_sigma, stats.resolution,
                                      -out * stats.resolution / (channel.run + 1))

    def _storm_warming_missed(self, c: int, out: float, first_seq: int,
                              reading: Reading) -> float:
        """The evidence that a thermometer's run, from ``first_seq`` (after the current hold's
        thunderstorm was found) ended by ``reading`` stepping ``out`` steps up
        (``STORM_WARMING_STEPS``, of its steps and noise widths), was held while the storm's
        cooling wore off, the barometer falling off the storm's jump over the run
        (``_fell_over_run``): the quantised chance of the run along the step out. 0 for any
        other run."""
        if c != T or out < STORM_WARMING_STEPS or self._storm_pressure is None or \
                self._weather_since != self._storm_since or first_seq < self._storm_since:
            return 0.0
        channel = self._channels[c]
        stats = channel.stats
        step = out * stats.resolution
        if channel.run < STORM_WARMING_REPEATS or step < STORM_WARMING_STEPS * stats.sigma or \
                not self._fell_over_run(channel.run_first):
            return 0.0
        return quantised_run_log_odds(channel.run, stats.quantised_sigma, stats.resolution,
                                      step / (channel.run + 1))

    def _fell_over_run(self, first: Reading | None) -> bool:
        """Whether the barometer fell STORM_WARMING_STEPS over a run: the storm's jump
        decaying, so the storm is over and its cooling wearing off."""
        return self._moved_over_run(first, P, -STORM_WARMING_STEPS)

    def _warmed_over_run(self, first: Reading | None) -> bool:
        """Whether the thermometer rose STORM_DECAY_STEPS over a run: the storm's cooling
        wearing off, so the storm is over and its jump decaying."""
        return self._moved_over_run(first, T, STORM_DECAY_STEPS)

    def _moved_over_run(self, first: Reading | None, c: int, steps: float) -> bool:
        """Whether channel c moved ``steps`` of its steps and noise widths (up if positive, down
        if negative) from a run's first reading to the last before its end, unflagged at both."""
        last = self._recent[-2]
        stats = self._channels[c].stats
        if first is None or c in first.faulty or c in last.faulty or stats.resolution <= 0:
            return False
        moved = math.copysign(1.0, steps) * (last.values[c] - first.values[c])
        return moved >= abs(steps) * max(stats.resolution, stats.sigma) - 1e-9

    def _storm_recovery_missed(self, c: int, out: float, first_seq: int, repeats: int) -> float:
        """The evidence that a barometer's run of ``repeats`` from ``first_seq``, begun in the
        current hold's thunderstorm once its plunge and jump were over (``STORM_SETTLED``), ended
        by a step of ``out`` steps down (``RUN_END_STEPS``, the way the jump decays), was held
        while the steady trend before it went on: the quantised chance of the run along the trend
        the step confirms (as ``_run_end_evidence`` outside holds). 0 for any other run."""
        if c != P or self._weather_since != self._storm_since or \
                first_seq < self._storm_since + STORM_SETTLED or out > -RUN_END_STEPS:
            return 0.0
        channel = self._channels[c]
        stats = channel.stats
        resolution = stats.resolution
        self._run_slope(c)
        for trend in (channel.run_steady_slope, channel.run_recent_slope):
            if _confirms(trend, out, repeats, resolution):
                confirmed = math.copysign(min(abs(trend), abs(out) * resolution / (repeats + 1)),
                                          trend)
                return quantised_run_log_odds(repeats, stats.quantised_sigma, resolution,
                                              confirmed)
        return 0.0

    def _front_rise_missed(self, c: int, out: float, reading: Reading) -> float:
        """The evidence that a barometer's run, ended by ``reading`` stepping ``out`` steps up
        (``RUN_END_WHOLE_STEPS``, in noise widths too) in the hold of a front whose rise is
        still being judged, with no storm's plunge (``FRONT_COOLING_C``) and no faster than a
        front's rise over the run (``FRONT_RISE_HPA``), was held while the front's rise went
        on: the quantised chance of the run along the step out. 0 for any other run."""
        channel = self._channels[c]
        stats = channel.stats
        repeats, resolution = channel.run, stats.resolution
        if c != P or self._front_since is None or self._weather_since != self._front_since or \
                repeats < RUN_DEW_MIN_REPEATS or out < RUN_END_WHOLE_STEPS or \
                out * resolution < RUN_END_WHOLE_STEPS * stats.sigma or \
                out * resolution > FRONT_RISE_HPA * (repeats + 1):
            return 0.0
        previous = self._recent[-2]
        if previous.seq + 1 != reading.seq or previous.values[T] - reading.values[T] >= \
                FRONT_COOLING_C + RUN_END_STEPS * self._channels[T].stats.sigma:
            return 0.0
        return quantised_run_log_odds(repeats, stats.quantised_sigma, resolution,
                                      out * resolution / (repeats + 1))

    def _front_drying_missed(self, c: int, reading: Reading) -> float:
        """The evidence that a humidity's run, ended by ``reading`` stepping down
        ``RUN_END_WHOLE_STEPS`` or more (of its steps and noise widths) alone in a front's hold
        (the note after FRONT_RISE_HPA), was held while the front dried the air: the quantised
        chance of the run along the step out. 0 for any other run, at or near saturation, after
        a dropout's jump, while the sensor is flagged inconsistent, landing on the channel's
        floor (a dropout's constant) or faster than a front dries the air (``FRONT_DRYING_C``)."""
        channel = self._channels[c]
        stats = channel.stats
        first = channel.run_first
        repeats, resolution = channel.run, stats.resolution
        if c != RH or first is None or resolution <= 0 or repeats < RUN_DEW_MIN_REPEATS or \
                reading.seq > self._weather_until or \
                self._weather_since == self._storm_since or \
                channel.run_jump >= DROPOUT_JUMP or self._inconsistent.open or \
                first.values[RH] >= SATURATED_PCT or \
                reading.values[RH] <= HUMIDITY_LIMITS_PCT[0]:
            return 0.0
        out = round((reading.values[RH] - first.values[RH]) / resolution, 6)
        if out > -RUN_END_WHOLE_STEPS or -out * resolution < RUN_END_WHOLE_STEPS * stats.sigma:
            return 0.0
        recent = self._recent
        last, now = recent[-2], recent[-1]
        if now.seq != last.seq + 1 or T in now.faulty or T in last.faulty:
            return 0.0
        alone = out - self._as_move_of(RH, reading.dew_point, last, now) / resolution
        if alone > RUN_DEW_ALONE_SHARE * out or \
                last.dew_point - now.dew_point > FRONT_DRYING_C * (repeats + 1):
            return 0.0
        return quantised_run_log_odds(repeats, stats.quantised_sigma, resolution,
                                      -out * resolution / (repeats + 1))

    def _stepped_past_evidence(self, c: int, reading: Reading) -> float:
        """The evidence that channel c's run, ended by ``reading`` with the whole sensor held,
        was held while the weather moved it (``RUN_END_PAST_READINGS``): a step out of at least
        ``RUN_END_WHOLE_STEPS`` beyond every reading of the channel in the readings before the
        run (``_stepped_whole_evidence``); in a weather event's hold too (a storm's plunge or
        jump goes on the next reading)."""
        evidence = self._stepped_whole_evidence(c, reading, RUN_END_WHOLE_STEPS)
        return evidence if evidence and self._past_before_run(c, reading.values[c]) else 0.0

    def _stepped_whole_evidence(self, c: int, reading: Reading, steps: float) -> float:
        """The quantised chance of channel c's run over the readings the whole sensor held
        (at least ``WHOLE_END_MIN_REPEATS``) along its step out of at least ``steps`` steps,
        another channel stepping with it (``RUN_END_PAST_CHANNELS``). 0 for a humidity at or
        near saturation, after a dropout's jump or while the sensor is flagged inconsistent
        (as ``_run_end_evidence``)."""
        channel = self._channels[c]
        stats = channel.stats
        first = channel.run_first
        resolution = stats.resolution
        if first is None or resolution <= 0 or \
                channel.run_jump >= DROPOUT_JUMP or self._inconsistent.open or \
                c == RH and max(first.values[RH], reading.values[RH]) >= SATURATED_PCT:
            return 0.0
        out = round((reading.values[c] - first.values[c]) / resolution, 6)
        if abs(out) < steps:
            return 0.0
        whole = min(channel.run, self._whole_held())
        held = self._recent[-2].values
        if whole < WHOLE_END_MIN_REPEATS or \
                sum(value != held[k] for k, value in enumerate(reading.values)) < \
                RUN_END_PAST_CHANNELS:
            return 0.0
        return quantised_run_log_odds(whole, stats.quantised_sigma, resolution,
                                      out * resolution / (whole + 1))

    def _judge_settled(self, c: int, reading: Reading) -> None:
        """Flag channel c's run noted by ``_judge_run_end`` as stuck once ``reading`` is the
        RUN_END_SETTLE_READINGS-th after its end, if every reading since stayed within
        RUN_END_SETTLES of the step of the value it stepped out to (weather that moves a channel
        so far in a minute goes on), no weather event was found since the run began, the
        channel is not flagged and no reading was missed."""
        channel = self._channels[c]
        pending = channel.run_settle
        assert pending is not None
        first_seq, end_seq, held, out, evidence = pending
        if reading.seq < end_seq + RUN_END_SETTLE_READINGS:
            return
        channel.run_settle = None
        if reading.seq != end_seq + RUN_END_SETTLE_READINGS or channel.fault or \
                self._weather_since >= first_seq:
            return
        for seq in range(end_seq + 1, reading.seq + 1):
            after = self._reading_at(seq)
            if after is None or \
                    abs(after.values[c] - out) >= RUN_END_SETTLES * abs(out - held) - 1e-9:
                return
        self._flag_ended_run(c, first_seq, end_seq, evidence)

    def _trend_held_whole_evidence(self, c: int, reading: Reading) -> float:
        """The evidence that channel c's run, ended by ``reading`` with a step out that confirms
        its steady trend (``_confirms``), was held with the whole sensor: the quantised chance of
        the run along the confirmed trend plus the other channels' joint evidence over the
        readings held whole (at least ``WHOLE_END_MIN_REPEATS``). 0 in a weather event's hold, for
        a humidity at or near saturation, after a dropout's jump, while the sensor is flagged
        inconsistent or another channel is flagged faulty (as ``_run_end_evidence``)."""
        channel = self._channels[c]
        stats = channel.stats
        first = channel.run_first
        resolution = stats.resolution
        whole = min(channel.run, self._whole_held())
        if first is None or resolution <= 0 or whole < WHOLE_END_MIN_REPEATS or \
                channel.run_jump >= DROPOUT_JUMP or self._inconsistent.open or \
                reading.seq <= self._weather_until or \
                c == RH and max(first.values[RH], reading.values[RH]) >= SATURATED_PCT:
            return 0.0
        out = round((reading.values[c] - first.values[c]) / resolution, 6)
        repeats = channel.run
        if abs(out) < RUN_END_STEPS:
            return 0.0
        self._run_slope(c)
        steady = channel.run_steady_slope
        if not _confirms(steady, out, repeats, resolution):
            return 0.0
        others = [k for k in range(len(self._channels)) if k != c]
        if any(self._channels[k].fault for k in others):
            return 0.0
        held = self._recent[-2].values
        judged = [k for k in others if self._judged_at_limit(k) and
                  not (k == RH and self._near_limit_unjudged(held))]
        if not judged:
            return 0.0
        confirmed = math.copysign(min(abs(steady), abs(out) * resolution / (repeats + 1)), steady)
        along = quantised_run_log_odds(repeats, stats.quantised_sigma, resolution, confirmed)
        if len(judged) == 1:
            return along + self._run_evidence(judged[0], whole)
        return along + self._joint_evidence(judged, whole, by_rate=True)

    def _past_before_run(self, c: int, value: float) -> bool:
        """Whether ``value`` lies beyond every reading of channel c in the
        ``RUN_END_PAST_READINGS`` readings before its run's first, on its side of the run."""
        recent = self._recent
        first = self._channels[c].run_first
        assert first is not None
        first_index = first.seq - recent[0].seq
        before = [r.values[c] for r in islice(recent, max(0, first_index - RUN_END_PAST_READINGS),
                                              first_index)]
        if not before:
            return False
        if value > first.values[c]:
            return value > max(before)
        return value < min(before)

    def _saturated_step_missed(self, c: int, out: float, repeats: int) -> float:
        """The evidence of a thermometer's run of ``repeats`` in saturated air in a weather
        event's hold, ended by a step of ``out`` steps no shade makes (``SATURATED_STEP_C``) and
        no storm's plunge without the pressure's jump: the quantised chance of the run along the
        step out. 0 for any other run."""
        if c != T or repeats < RUN_DEW_MIN_REPEATS:
            return 0.0
        recent = self._recent
        first = self._channels[c].run_first
        assert first is not None
        last, now = recent[-2], recent[-1]
        stats = self._channels[c].stats
        step = abs(out) * stats.resolution
        pressure_steps = self._channels[P].stats.resolution * RUN_END_STEPS
        if now.seq != last.seq + 1 or \
                min(first.values[RH], last.values[RH], now.values[RH]) < SATURATED_PCT or \
                step < max(SATURATED_STEP_C, RUN_END_WHOLE_STEPS * stats.resolution,
                           RUN_END_WHOLE_STEPS * stats.sigma) or \
                P in now.faulty or P in last.faulty or \
                out < 0 and now.values[P] - last.values[P] >= pressure_steps:
            return 0.0
        return quantised_run_log_odds(repeats, stats.quantised_sigma, stats.resolution,
                                      step / (repeats + 1))

    def _foretold_alone_evidence(self, c: int, out: float, repeats: int) -> float:
        """The evidence of a thermometer's or humidity's run of ``repeats`` in a weather event's
        hold, ended by a step of ``out`` steps (``RUN_DEW_ALONE_STEPS`` or more) that the other
        channel foretold and that the channel took alone (``_foretold_alone``): the quantised
        chance of the run along the step out. It rests on the dew point over the run, not on a
        trend the event may stop; a step of any size must be the channel's own there, where a
        storm breaking out steps every channel at once."""
        if not self._foretold_alone(c, out, repeats):
            return 0.0
        stats = self._channels[c].stats
        return quantised_run_log_odds(repeats, stats.quantised_sigma, stats.resolution,
                                      abs(out) * stats.resolution / (repeats + 1))

    def _foretold_alone(self, c: int, out: float, repeats: int) -> bool:
        """Whether channel c's run of ``repeats``, ended by a step of ``out`` steps (at least
        ``RUN_DEW_ALONE_STEPS``; under ``RUN_END_WHOLE_STEPS`` but in a hold), was foretold by the
        other channel (``_other_foretold``), which itself moved so over the run (from the run's
        first reading to its last ``RUN_DEW_LAST``, as a move of c at the dew point before the
        run, at least ``RUN_DEW_SHARE`` of the step), and left alone: the step less the other
        channel's own step at that reading, as such a move, is at least ``RUN_DEW_ALONE_SHARE``
        of it. Not into saturated air (the humidity clipped there)."""
        if c == P or abs(out) < RUN_DEW_ALONE_STEPS or repeats < RUN_DEW_MIN_REPEATS:
            return False
        recent = self._recent
        last, now = recent[-2], recent[-1]
        if now.seq != last.seq + 1 or now.values[RH] >= SATURATED_PCT or \
                T in now.faulty or RH in now.faulty or not self._other_foretold(c, out):
            return False
        dew = self._dew_before_run(c)
        first = self._channels[c].run_first
        assert first is not None
        held = min(RUN_DEW_LAST, repeats)
        ends = list(islice(recent, len(recent) - 1 - held, len(recent) - 1))
        step = self._channels[c].stats.resolution
        over_run = sum(self._as_move_of(c, dew, first, r) for r in ends) / len(ends) / step
        alone = out - self._as_move_of(c, dew, last, now) / step
        return over_run * out > 0 and abs(over_run) >= RUN_DEW_SHARE * abs(out) and \
            alone * out > 0 and abs(alone) >= RUN_DEW_ALONE_SHARE * abs(out)

    @staticmethod
    def _as_move_of(c: int, dew: float, before: Reading, after: Reading) -> float:
        """The other channel's move from ``before`` to ``after`` as a move of channel c (T or
        RH) at the dew point ``dew``: the temperature at which the air reads those humidities,
        or the humidity the air has at those temperatures."""
        if c == T:
            return temperature_at_humidity(dew, after.values[RH]) - \
                temperature_at_humidity(dew, before.values[RH])
        return relative_humidity(after.values[T], dew) - relative_humidity(before.values[T], dew)

    def _dew_before_run(self, c: int) -> float:
        """The mean dew point of the readings (not faulty) up to channel c's run's first, at
        most ``RUN_DEW_BEFORE`` of them (``_other_foretold`` has found two or more)."""
        recent = self._recent
        first = self._channels[c].run_first
        assert first is not None
        first_index = first.seq - recent[0].seq
        dews = [r.dew_point for r in islice(recent, max(0, first_index - RUN_DEW_BEFORE + 1),
                                                  first_index + 1) if not r.faulty]
        return sum(dews) / len(dews)

    def _other_foretold(self, c: int, out: float) -> bool:
        """Whether the other channel over channel c's run, ended by a step of ``out`` steps, says
        c moved that way while it held (``RUN_DEW_SURE``): at the dew point before the run, the
        run's last readings of the other channel put c that far off its held value (a
        thermometer's: the temperature at which the air reads those humidities; a humidity's:
        the humidity of the air at those temperatures). Not with the humidity near saturation
        (clipped, it says nothing of the temperature) or the other channel flagged faulty there."""
        recent = self._recent
        first = self._channels[c].run_first
        assert first is not None
        other = RH if c == T else T
        first_index = first.seq - recent[0].seq
        dews = [r.dew_point for r in islice(recent, max(0, first_index - RUN_DEW_BEFORE + 1),
                                                  first_index + 1) if not r.faulty]
        held = min(RUN_DEW_LAST, self._channels[c].run)
        last = list(islice(recent, len(recent) - 1 - held, len(recent) - 1))
        if len(dews) < 2 or any(other in r.faulty or r.values[RH] >= SATURATED_PCT for r in last):
            return False
        dew = sum(dews) / len(dews)
        # The step out puts the dew point back: a storm's plunge, a reading after its rain
        # raised the humidity, takes it further off (the humidity steps up with the plunge).
        drifted = sum(r.dew_point for r in last) / len(last) - dew
        if (recent[-1].dew_point - dew - drifted) * drifted >= 0:
            return False
        dew_error = math.sqrt(sum((d - dew) ** 2 for d in dews) / (len(dews) - 1) / len(dews))
        value = first.values[c]
        if c == T:
            humidity = sum(r.values[RH] for r in last) / len(last)
            moved = sum(temperature_at_humidity(dew, r.values[RH]) for r in last) / len(last) - \
                value
            # °C of that temperature per % of humidity (Magnus, at the held temperature); a
            # °C of dew point is about a °C of it
            per_other = (MAGNUS_B + value) ** 2 / (MAGNUS_A * MAGNUS_B * humidity)
            per_dew = 1.0
        else:
            temperature = sum(r.values[T] for r in last) / len(last)
            moved = sum(relative_humidity(r.values[T], dew) for r in last) / len(last) - value
            # % of that humidity per °C of temperature (Magnus, at the held humidity), and about
            # as much per °C of dew point
            per_other = value * MAGNUS_A * MAGNUS_B / (MAGNUS_B + temperature) ** 2
            per_dew = per_other
        other_sigma = self._channels[other].stats.quantised_sigma
        error = math.hypot(other_sigma * per_other / math.sqrt(held), per_dew * dew_error)
        step = self._channels[c].stats.resolution
        return moved * out > 0 and abs(moved) >= RUN_DEW_SURE * error and \
            abs(moved) >= RUN_DEW_SHARE * abs(out) * step

    def _whole_held(self) -> int:
        """How many readings in a row before the newest repeated the whole reading before them
        (every channel at once)."""
        recent = self._recent
        if len(recent) < 2:
            return 0
        held = recent[-2].values
        repeats = 0
        for reading in islice(reversed(recent), 2, None):
            if reading.values != held:
                break
            repeats += 1
        return repeats

    def _check_spike(self) -> None:
        a, b, d = self._recent[-3], self._recent[-2], self._recent[-1]
        if not (a.seq + 2 == b.seq + 1 == d.seq):
            return
        # A spike flag blocks nothing, and its repair changes only its own channel of b.
        blocked = a.blocked | b.blocked | d.blocked
        before, middle_values, after = a.repaired, b.repaired, d.values
        earlier = [self._recent[-5], self._recent[-4]] if len(self._recent) >= 5 else []
        if earlier and (earlier[0].seq + 2 != a.seq or earlier[1].seq + 1 != a.seq):
            earlier = []
        spike_z, spike_near_z = self._th.spike_z, self._spike_near_z
        for c, channel in enumerate(self._channels):
            if c in blocked or channel.fault in _STUCK_DROPOUT_OR_NOISE or \
                    not channel.stats.ready or not self._noise_known_at(c, b.seq):
                continue
            rise, fall = middle_values[c] - before[c], after[c] - middle_values[c]
            if earlier and _on_course(rise, before[c] - earlier[1].repaired[c],
                                      earlier[1].repaired[c] - earlier[0].repaired[c],
                                      channel.stats.sigma):
                continue
            middle = middle_values[c] - (before[c] + after[c]) / 2
            z = abs(middle) / (channel.stats.sigma * _SQRT1_5)
            if z >= spike_near_z and rise * fall < 0 and \
                    min(abs(rise), abs(fall)) >= 0.5 * abs(middle):
                if z < spike_z:
                    b.near_spikes += (c,)  # decided two readings later
                elif abs(fall) > abs(rise) and \
                        abs(rise) < spike_z * channel.stats.sigma * _SQRT2 and \
                        not (c == T and b.seq == self._storm_since):
                    # Decided one reading later (LATE_SPIKE); repaired meanwhile, so that the
                    # checks that read it as the newest but one (the inconsistency check's
                    # dew points, the weather's) read what they would of a spike found now.
                    b.late_spikes += (c,)
                    _repair(b, c, (before[c] + after[c]) / 2)
                else:
                    self._flag_spike(b, c, z, (before[c] + after[c]) / 2)

    def _flag_spike(self, b: Reading, c: int, z: float, level: float) -> None:
        """Flags channel ``c`` of ``b`` as a spike and repairs it to ``level``."""
        self._flag(b, f"{SPIKE_REASON}:{CHANNELS[c]}", c, z, self._th.spike_z)
        if c == T and b.seq == self._storm_since:
            self._withdraw_storm()
        _repair(b, c, level)

    def _check_late_spike(self) -> None:
        """A spike whose next reading stood farther off it than the reading before did
        (``LATE_SPIKE``), decided now: flagged (and repaired) unless that next reading stands
        farther off the line through the readings on either side of the two."""
        a, b, d, e = islice(self._recent, len(self._recent) - 4, None)
        late, b.late_spikes = b.late_spikes, ()
        for c in late:
            if not self._late_spike_at(a, b, d, e, c):
                _repair(b, c, b.values[c])  # its repair meanwhile undone
                self._inconsistent.reread()

    def _late_spike_at(self, a: Reading, b: Reading, d: Reading, e: Reading, c: int) -> bool:
        """Whether channel c of ``b``, a late spike (``_check_late_spike``), is flagged."""
        channel = self._channels[c]
        if a.seq + 3 != e.seq or channel.fault in _STUCK_DROPOUT_OR_NOISE or c in b.faulty or \
                any(c in x.blocked for x in (a, d, e)):
            return False
        before, value, after, last = a.repaired[c], b.values[c], d.values[c], e.values[c]
        if abs(value - (2 * before + last) / 3) < abs(after - (before + 2 * last) / 3):
            return False  # the next reading is the spike: its own check judges it
        z = abs(value - (before + after) / 2) / (channel.stats.sigma * _SQRT1_5)
        if z < self._th.spike_z:
            return False
        self._flag_spike(b, c, z, (before + after) / 2)
        return True

    def _check_spike_confirmed(self) -> None:
        """A spike ``spike_near_z`` to ``spike_z`` noise widths off the line through its
        neighbours, flagged two readings later if it is ``spike_z`` widths off the mean of the
        two readings on each side: one neighbour's noise hides many 4-7 width spikes from the
        one-reading check (noise 1.22 widths), the mean of four carries less (1.12)."""
        r = self._recent
        a0, a, b, d, e = r[-5], r[-4], r[-3], r[-2], r[-1]
        if a0.seq + 4 != e.seq:  # five readings in a row
            return
        spike_z = self._th.spike_z
        for c in b.near_spikes:
            channel = self._channels[c]
            if c in b.faulty or channel.fault in _STUCK_DROPOUT_OR_NOISE or \
                    any(c in x.blocked for x in (a0, a, d, e)) or \
                    not self._noise_known_at(c, b.seq):
                continue
            value, before, after = b.values[c], a.repaired[c], d.repaired[c]
            wide = value - (a0.repaired[c] + before + after + e.values[c]) / 4
            z_wide = abs(wide) / (channel.stats.sigma * _SQRT1_25)
            rise, fall = value - before, after - value
            if z_wide >= spike_z and rise * fall < 0 and \
                    min(abs(rise), abs(fall)) >= 0.5 * abs(wide):
                # Not repaired: the inconsistency check has read it as it was (a repair is made
                # while a reading is the newest but one).
                self._flag(b, f"{SPIKE_REASON}:{CHANNELS[c]}", c, z_wide, spike_z)

    def _check_level_spike(self) -> None:
        """The reading ``LEVEL_SPIKE_SIDE`` readings back on a channel whose noise is under half
        a step: a coarse barometer's that stands ``spike_z`` spreads off the line through the
        readings on each side and comes straight back (``LEVEL_SPIKE_SIDE``); a barometer's or
        a calm air's humidity's that stands two steps off the value both its neighbours read,
        none of the readings around it a step towards it (``LONE_SPIKE_STEPS``). Not repaired:
        the other checks have read it as it was."""
        window = list(islice(self._recent, len(self._recent) - _LEVEL_SPIKE_READINGS, None))
        if window[0].seq + _LEVEL_SPIKE_READINGS - 1 != window[-1].seq:
            return
        b = window[LEVEL_SPIKE_SIDE]
        for c in _LONE_SPIKE_CHANNELS:
            channel = self._channels[c]
            stats = channel.stats
            if not stats.ready or stats.quantised_sigma >= 0.5 * stats.resolution or \
                    channel.fault in _STUCK_DROPOUT_OR_NOISE or \
                    any(c in x.faulty for x in window) or not self._noise_known_at(c, b.seq):
                continue
            values = [x.values[c] for x in window]
            reason = f"{SPIKE_REASON}:{CHANNELS[c]}"
            if c == P:
                z = _level_spike_z(values, stats.quantised_sigma, stats.resolution)
                if z >= self._th.spike_z:
                    self._flag(b, reason, c, z, self._th.spike_z)
                    continue
            elif not self._temperature_calm(window):
                continue
            steps = _lone_spike_steps(values, stats.resolution)
            if steps:
                self._flag(b, reason, c, steps, LONE_SPIKE_STEPS)

    def _temperature_calm(self, window: list[Reading]) -> bool:
        """Whether the thermometer's reading in the middle of ``window`` stands within
        ``LONE_SPIKE_CALM_STEPS`` of its steps of its two neighbours' mean."""
        before, middle, after = (
            x.values[T] for x in window[LEVEL_SPIKE_SIDE - 1:LEVEL_SPIKE_SIDE + 2])
        step = self._channels[T].stats.resolution
        return abs(middle - (before + after) / 2) <= LONE_SPIKE_CALM_STEPS * step

    def _check_noise(self) -> None:
        a, b, d = self._recent[-3], self._recent[-2], self._recent[-1]
        contiguous = a.seq + 2 == b.seq + 1 == d.seq
        # Raw values: a noisy reading the spike check repaired is still noise.
        first, middle, last = a.values, b.values, d.values
        plunge = d.seq - self._storm_since < STORM_PLUNGE
        for c, channel in enumerate(self._channels):
            sigma = self._noise_sigma(channel, d.seq, last[RH]) if c == RH else \
                channel.stats.sigma if channel.stats.ready else 0.0
            if not contiguous or plunge or channel.fault in _STUCK_OR_DROPOUT or not sigma:
                channel.noise.clear()
                channel.noise_onset.clear()
                continue
            noise = channel.noise
            second = abs(last[c] - 2 * middle[c] + first[c]) / (sigma * SQRT6)
            noise.append(second)
            channel.noise_onset.append(d.seq)
            if len(noise) < 5:
                continue
            if channel.fault != NOISE_REASON and max(noise) / 0.6745 < self._th.noise_ratio:
                continue  # not even the largest is noise, so neither is the median (no sort)
            ratio = sorted(noise)[len(noise) // 2] / 0.6745
            reason = _NOISE_REASONS[c]
            if channel.fault == NOISE_REASON:
                if ratio < self._th.noise_exit_ratio or max(list(channel.noise)[-3:]) < 2.0:
                    channel.fault = ""
                elif second >= 2.0 or self._previous_second(channel) >= 2.0:
                    self._flag(b, reason, c, ratio, self._th.noise_ratio)
            elif ratio >= self._th.noise_ratio:
                channel.fault = NOISE_REASON
                onset = next((seq for seq, value in zip(channel.noise_onset, channel.noise)
                              if value >= 2.0), d.seq)
                for seq in range(onset, d.seq):
                    reading = self._reading_at(seq)
                    if reading is not None:
                        self._flag(reading, reason, c, ratio, self._th.noise_ratio)

    def _noise_sigma(self, channel: _Channel, seq: int, last: float) -> float:
        """The noise the humidity's second difference ending at ``seq`` is judged against (0:
        not judged). Learnt clear of the 100 % ceiling, the noise bounds readings cut to 100 %
        too, which scatter less. Known only from the dips near it, it judges readings near it
        but starts no burst in saturated air (a burst found goes on through saturation: a burst
        near it is half cut to 100 %, and cleared there it was found again and again). Where no
        noise was learnt at all (a channel saturated since its start, whose pairs all touch
        99 %), the channel's own scatter in saturated air judges the readings near the ceiling
        (``ChannelStats.saturated_sigma``): a burst's readings go far under the ceiling where a
        healthy channel's noise only dips."""
        stats = channel.stats
        near = seq - self._saturated_seq <= CEILING_NEAR_READINGS
        burst = channel.fault == NOISE_REASON
        if not stats.ready:
            return stats.saturated_sigma if near or burst else 0.0
        if not stats.near_limit_only or burst or near and last < SATURATED_PCT:
            return stats.sigma
        return 0.0

    @staticmethod
    def _previous_second(channel: _Channel) -> float:
        return channel.noise[-2] if len(channel.noise) >= 2 else 0.0

    def _check_weather(self, reading: Reading) -> None:
        channels = self._channels
        if self._front_judged_now(reading.seq):
            self._release_pressure_if_drift(reading)
        elif self._front_since is not None and \
                reading.seq - self._front_since < FRONT_JUDGED_FROM and self._pressure_fell_back():
            self._release_pressure(reading)
        if channels[T].fault in _STUCK_OR_DROPOUT or channels[P].fault in _STUCK_OR_DROPOUT:
            return
        # While an event's hold lasts only a thunderstorm is looked for: one breaking out in
        # a front's wake would otherwise end its hold too soon, and its pressure jump's decay
        # reads as a pressure drift.
        if reading.seq == self._storm_since + STORM_PLUNGE and self._storm_temperature is not None:
            self._withdraw_storm_unless_cooled()
        held = reading.seq <= self._weather_until
        if reading.seq == self._weather_until and self._storm_pressure is not None:
            self._hold_while_storm_pressure_decays(reading)
        if channels[T].fault == NOISE_REASON or channels[P].fault == NOISE_REASON:
            # A noisy thermometer's drop or barometer's jump is no storm or front (in humid air
            # a burst met the storm rule again and again, and each plunge hid its noise).
            return
        recent = self._recent
        if len(recent) < 46:
            return
        t, rh, p = reading.values
        # Cheap pre-checks first: most readings are nowhere near an event.
        if t > recent[-11].values[T] - 1.0 and (held or (p < recent[-46].values[P] + 0.8 and
                                                         p < recent[-21].values[P] + 0.8)):
            return
        window = [r for r in list(recent)[-46:] if T not in r.blocked and P not in r.blocked]
        if len(window) < 30:
            return
        short = window[-11:]
        storm = t - max(r.values[T] for r in short) <= -2.5 and (
            p - min(r.values[P] for r in window[-16:]) >= 1.0 or rh >= 90.0)
        if held:
            if storm and reading.seq - self._weather_since >= NEW_EVENT_AFTER:
                self._weather_event(reading, WEATHER_THUNDERSTORM)
                self._storm_pressure = _mean(window[-21:-16], P)
                self._storm_fall = _fall_before(window[:10], window[-21:-16])
                self._storm_temperature = _mean(window[-21:-16], T)
            return
        # A cold front: the pressure turns up as drier (and usually colder) air arrives.
        # Levels are means of a few readings: a noisy sensor's extremes are no front (and a
        # pressure drift read as a front would hold the drift check back).
        now, start, before = window[-5:], window[:10], window[-21:-16]
        pressure_now, temperature_now = _mean(now, P), _mean(now, T)
        # An open pressure drift lifts the pressure along its line: a rise that line explains
        # is no front's (final-8: drifts rising 4 hPa/h in the evening's cooling were ended
        # by a "front" and held for three hours). A jump in rain is still one (final-7: a
        # front's first rise read as a drift).
        drift_rise = self._drift.pressure_drift_rise()
        # ... and a drift found behind a front (a drift read as one) lifts a jump in rain too.
        drift_in_rain = drift_rise if self._released_drift_onset is not None and \
            self._drift.pressure_drift_onset() == self._released_drift_onset else 0.0
        front = not storm and pressure_now - _mean(start, P) - \
            drift_rise * _seq_span(start, now) >= 1.0 and (
                _mean_dew_point(now) - _mean_dew_point(start) <= -1.5 or
                temperature_now - _mean(start, T) <= -2.0)
        # The pressure jumps up in rain: the passage itself, before the colder air arrives.
        jump = pressure_now - _mean(before, P)
        front = front or (not storm and (
            (rh >= 85.0 and jump - drift_in_rain * _seq_span(before, now) >= 1.0) or
            (temperature_now - _mean(before, T) <= -1.0 and
             jump - drift_rise * _seq_span(before, now) >= 1.0)))
        # Falling fast as the pressure jumps: the start of a thunderstorm, not a front.
        storm_rule = storm
        storm = storm or (front and t - max(r.values[T] for r in window[-6:]) <= -1.5)
        if storm or front:
            self._weather_event(reading, WEATHER_THUNDERSTORM if storm else WEATHER_FRONT)
            self._front_level = _mean(start, P)
            if storm:  # the level before the jump (the storm rule looks 15 readings back)
                self._storm_pressure = _mean(before, P)
                self._storm_fall = _fall_before(start, before)
            if storm_rule:
                self._storm_temperature = _mean(before, T)

    def _hold_while_storm_pressure_decays(self, reading: Reading) -> None:
        """A storm's pressure jump decays for hours (and a second storm may have kept it up):
        while the pressure is still above its level before the storm, its fall back is the
        storm's, not a drift, as long as it is falling. Ahead of a front the jump decays onto
        the front's fall: then, while the pressure keeps falling, it is held as long as it is
        above that level moved along the fall before the storm. The hold goes on
        STORM_RECHECK readings at a time. Where the earlier readings are all blocked (a
        barometer found held through the decay) only the level now is judged: the change over
        the window is unknown, and taken as none."""
        assert self._storm_pressure is not None
        window = list(self._recent)[-30:]
        recent = [r for r in window[-5:] if P not in r.blocked]
        earlier = [r for r in window[:5] if P not in r.blocked]
        # (No level now, every recent pressure blocked: not elevated, so the hold ends.)
        if not recent or len(window) < 30:
            self._storm_pressure = None
            return
        now = _mean(recent, P)
        change = now - _mean(earlier, P) if earlier else 0.0
        course = self._storm_pressure + self._storm_fall * (reading.seq - self._storm_since)
        elevated = now - self._storm_pressure >= STORM_EXCESS_HPA or \
            (change <= -STORM_RISE_HPA and now - course >= STORM_EXCESS_HPA)
        # Falling back or level, not rising: a pressure drift upwards after a storm is no decay.
        rising = change >= STORM_RISE_HPA
        if elevated and not rising and reading.seq - self._weather_since < STORM_HOLD_MAX:
            self._weather_until = reading.seq + STORM_RECHECK
        else:
            self._storm_pressure = None

    def _withdraw_storm_unless_cooled(self) -> None:
        """STORM_PLUNGE readings after a storm the storm rule found: withdrawn unless the air
        has cooled by STORM_COOLING_C (a front's jump with a fast fall is not judged so)."""
        assert self._storm_temperature is not None
        before, self._storm_temperature = self._storm_temperature, None
        recent = [r for r in islice(reversed(self._recent), 5) if T not in r.blocked]
        if recent and _mean(recent, T) > before - STORM_COOLING_C:
            self._withdraw_storm()

    def _withdraw_storm(self) -> None:
        """The last storm was a temperature spike (its drop came straight back): its hold and
        plunge are withdrawn, so the channels' noise is judged again (the checks it reset
        start afresh). The levels noted before the storm whose hold it fell in are that storm's
        again: the withdrawn one had taken them over (``_kept_for_storm``), and the hold's
        floor and ceiling were lost with them (final-30 sim-3103-014: a storm at 1053, a second
        found at 1111 in its hold and withdrawn at 1126; no ceiling from there to the hold's end
        at 1273 while a thermometer drifted up 2.6 C/h from 1139)."""
        if self._before_storm is not None:
            (self._weather_until, self._weather_since, self._storm_since,
             self._storm_pressure, self._storm_fall, self._storm_dew,
             self._storm_warmth) = self._before_storm
            self._before_storm = None

    def _front_judged_now(self, seq: int) -> bool:
        if self._front_since is None:
            return False
        since = seq - self._front_since
        return since >= FRONT_JUDGED_FROM and since % FRONT_SLICE == 0

    def _release_pressure_if_drift(self, reading: Reading) -> None:
        """If the pressure rose at a drift's rate over the last two slices (a pressure drift
        read as the front), or at a later judgment over the last WAKE_SLICES (one begun in its
        wake), the front's hold no longer covers the pressure, and the drift check goes over the
        pressure it held."""
        assert self._front_since is not None
        rate = self._th.drift_pressure_hpa_per_hour / 60.0
        first_judgment = reading.seq - self._front_since == FRONT_JUDGED_FROM
        slices = 2 if first_judgment else WAKE_SLICES
        for k in range(slices, 0, -1):
            first = reading.seq - k * FRONT_SLICE
            slope = self._pressure_slope(first, first + FRONT_SLICE)
            if slope is None or slope < rate:
                if reading.seq + FRONT_SLICE - self._front_since >= WEATHER_HOLD:
                    self._front_since = None  # judged a front for the whole hold
                return
        if first_judgment:
            self._release_pressure(reading)
        else:  # a drift begun in the front's wake: not over the front's own rise
            self._release_pressure(reading, reading.seq - slices * FRONT_SLICE)

    def _pressure_fell_back(self) -> bool:
        """The pressure fell at once back to its level before the front's rise: a drift read as
        the front, recalibrated."""
        recent = list(islice(reversed(self._recent), RECALIBRATION_MEAN + RECALIBRATION_READINGS))
        now = [r for r in recent[:RECALIBRATION_MEAN] if P not in r.blocked]
        then = [r for r in recent[RECALIBRATION_READINGS:] if P not in r.blocked]
        if not now or not then:
            return False
        level = _mean(now, P)
        return _mean(then, P) - level >= RECALIBRATION_FALL_HPA and \
            level <= self._front_level + FRONT_LEVEL_HPA

    def _release_pressure(self, reading: Reading, since: int | None = None) -> None:
        """The front's hold no longer covers the pressure: the drift check goes over the
        pressure it held (from ``since``, or DRIFT_REPLAY before the front), up to the reading
        before this one."""
        assert self._front_since is not None
        front, self._front_since = self._front_since, None
        self._pressure_released = True
        first = max(self._before_front + 1, front - DRIFT_REPLAY) if since is None else since
        self._resume_pressure_drift_check(first, reading.seq - 1)
        self._released_drift_onset = self._drift.pressure_drift_onset()

    def _pressure_slope(self, first: int, end: int) -> float | None:
        """The least-squares slope of the pressure (hPa per reading) over the readings from
        ``first`` to before ``end`` not blocked, None with fewer than FRONT_SLICE_MIN."""
        points = [(r.seq, r.values[P])
                  for r in (self._reading_at(seq) for seq in range(first, end))
                  if r is not None and P not in r.blocked]
        n = len(points)
        if n < FRONT_SLICE_MIN:
            return None
        mean_x = sum(x for x, _ in points) / n
        mean_y = sum(y for _, y in points) / n
        sxx = sum((x - mean_x) ** 2 for x, _ in points)
        return sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx

    def _resume_pressure_drift_check(self, first: int, last: int) -> None:
        """The drift check goes over the pressure from ``first`` to ``last`` afresh, held and
        leaving it out as the readings' other faults say (its own flags do not)."""
        self._drift.reset()
        for seq in range(first, last + 1):
            earlier = self._reading_at(seq)
            if earlier is not None:
                self._drift.update(earlier, held=_held_by_fault(earlier), noisy=False,
                                   faulty=earlier.blocked | _DEW_CHANNELS)

    def _weather_event(self, reading: Reading, event: str) -> None:
        """Report the event and hold the drift and inconsistency checks for WEATHER_HOLD
        readings from now."""
        self._before_front = self._weather_until
        self._front_since = reading.seq if event == WEATHER_FRONT else None
        self._pressure_released = False
        self._before_storm = (self._weather_until, self._weather_since, self._storm_since,
                              self._storm_pressure, self._storm_fall, self._storm_dew,
                              self._storm_warmth) \
            if event == WEATHER_THUNDERSTORM else None
        if event == WEATHER_THUNDERSTORM:
            self._note_levels_before_storm(reading.seq)
        self._storm_pressure = None
        self._storm_temperature = None
        self._add_reason(reading, event)
        self._weather_since = reading.seq
        if event == WEATHER_THUNDERSTORM:
            self._storm_since = reading.seq
        self._weather_until = reading.seq + WEATHER_HOLD
        self._inconsistent.close()
        # A drift decided well before a storm is no storm's doing (STORM_CARRY_DECIDED).
        self._drift.reset(reading.seq - STORM_CARRY_DECIDED
                          if event == WEATHER_THUNDERSTORM else None)
        self._drop_dew_point_drift()

    def _note_levels_before_storm(self, seq: int) -> None:
        """The dew point's and the temperature's levels and trends before a storm found at
        ``seq`` (before the event is recorded). A storm within another storm's hold keeps that
        storm's (its own levels are the first storm's moisture and cooling); one within a
        front's hold has none (another air mass)."""
        if seq <= self._weather_until:
            self._storm_dew = self._kept_for_storm(self._storm_dew, seq)
            self._storm_warmth = self._kept_for_storm(self._storm_warmth, seq)
            return
        recent = list(self._recent)
        if len(recent) < STORM_DEW_TREND_READINGS[0]:
            self._storm_dew = self._storm_warmth = None
            return
        level = recent[-STORM_DEW_LEVEL_READINGS[0]:-STORM_DEW_LEVEL_READINGS[1]]
        earlier = recent[-STORM_DEW_TREND_READINGS[0]:-STORM_DEW_TREND_READINGS[1]]
        self._storm_dew = _dew_before_storm(seq, level, earlier)
        self._storm_warmth = _temperature_before_storm(seq, level, earlier)

    def _dew_floor(self, reading: Reading) -> float | None:
        """Under it, in the storm's hold, the dew point is no storm's drying back (None: the
        level before the storm not known, or the pressure not back to its level then)."""
        note = self._storm_dew
        if note is None or note.storm != self._storm_since or P in reading.blocked:
            return None
        if note.pressure is not None and \
                reading.values[P] - note.pressure > STORM_DEW_PRESSURE_BACK_HPA:
            return None
        fall = min(note.trend, -STORM_DEW_FALL_C_PER_HOUR / 60.0)
        return note.level + fall * (reading.seq - note.level_seq) - STORM_DEW_MARGIN_C

    def _kept_for_storm(self, note: _LevelBeforeStorm | None,
                        seq: int) -> _LevelBeforeStorm | None:
        """``note``, taken before the storm whose hold a storm found at ``seq`` falls in, kept for
        the new storm; None within a front's hold, or for a note of an earlier storm."""
        if note is None or self._weather_since != self._storm_since or \
                note.storm != self._storm_since:
            return None
        return _LevelBeforeStorm(seq, note.level, note.level_seq, note.trend, note.pressure)

    def _temperature_ceiling(self, reading: Reading) -> float | None:
        """Over it, in the storm's hold, the temperature is no storm's cooling recovering (None:
        the level before the storm not known)."""
        note = self._storm_warmth
        if note is None or note.storm != self._storm_since:
            return None
        rise = max(note.trend, STORM_WARMING_C_PER_HOUR / 60.0)
        return note.level + rise * (reading.seq - note.level_seq) + STORM_WARMING_MARGIN_C

    def _temperature_course(self, reading: Reading) -> float | None:
        """The temperature before the storm moved along its own trend then, and a margin: a
        storm's cooling recovers to it at most (None: the level before the storm not known)."""
        note = self._storm_warmth
        if note is None or note.storm != self._storm_since:
            return None
        return note.level + note.trend * (reading.seq - note.level_seq) + STORM_WARMING_MARGIN_C

    def _check_inconsistent(self) -> None:
        t, rh, _ = self._channels
        channel_fault = t.fault in _STUCK_OR_DROPOUT or rh.fault in _STUCK_OR_DROPOUT
        self._inconsistent.update(self._recent, channel_fault, self._storm_since)

    def _check_drift(self, reading: Reading) -> None:
        t, rh, p = self._channels
        weather = reading.seq <= self._weather_until
        pressure_only = weather and self._pressure_released
        fault_held = self._inconsistent.open or self._inconsistent.found_at_its_end or \
            t.fault in _STUCK_OR_DROPOUT or rh.fault in _STUCK_OR_DROPOUT or \
            p.fault in _STUCK_OR_DROPOUT
        noisy = t.fault == NOISE_REASON or rh.fault == NOISE_REASON
        # A thunderstorm's own hold (not a front's), once its jump and plunge are over.
        after_storm = weather and not pressure_only and not fault_held and \
            self._weather_since == self._storm_since and \
            reading.seq - self._storm_since >= STORM_SETTLED
        held = (weather and not pressure_only and not after_storm) or fault_held
        self._drift.update(reading, held=held, noisy=noisy,
                           faulty=reading.faulty | _DEW_CHANNELS if pressure_only else None,
                           after_storm=after_storm,
                           dew_floor=self._dew_floor(reading) if after_storm else None,
                           temperature_ceiling=self._temperature_ceiling(reading)
                           if after_storm else None,
                           temperature_course=self._temperature_course(reading)
                           if after_storm else None)
        if self._drift_pending:
            raced = self._drift.rain_raced()
            if raced or self._drift.rain_saturated(reading.seq):
                self._withdraw_moistening(saturated=not raced)
        if self._withdrawn:
            self._check_withdrawn(reading)


# x - mean(x) and sum((x - mean(x))^2) for the points x = 0 .. n-1 of a run's trend, per n.
_CENTRED_X = [tuple(x - (n - 1) / 2 for x in range(n)) for n in range(RUN_TREND_READINGS + 1)]
_SXX = [sum((x - (n - 1) / 2) ** 2 for x in range(n)) for n in range(RUN_TREND_READINGS + 1)]


def _line_fit(points: list[float]) -> tuple[float, float]:
    """The least-squares slope of ``points`` (newest first, one reading apart) per reading, and
    the points' standard deviation about that line; (0, inf) for fewer than RUN_TREND_MIN."""
    n = len(points)
    if n < RUN_TREND_MIN:
        return 0.0, math.inf
    mean_y = sum(points) / n
    centred = _CENTRED_X[n]
    deviations = list(map(sub, points, repeat(mean_y)))
    slope = -sum(map(mul, centred, deviations)) / _SXX[n]
    # x runs backwards (newest first): a point's place on the line is -slope * x.
    spread = sum((d + slope * x) ** 2 for d, x in zip(deviations, centred))
    return slope, math.sqrt(spread / (n - 2))


def _repair(reading: Reading, c: int, level: float) -> None:
    """Sets channel ``c`` of ``reading``'s repaired values to ``level``."""
    repaired = list(reading.repaired)
    repaired[c] = level
    reading.repaired = (repaired[0], repaired[1], repaired[2])


def _path_noise(temperatures: list[float], dew_point_c: float, sigma: float) -> float:
    """The largest stray, in humidity, that a thermometer's noise ``sigma`` alone puts into a
    stretch's point of the path at ``dew_point_c`` (``temperatures`` cut into RUN_NODES
    stretches): its mean's noise times the humidity a degree makes there (Magnus)."""
    strays = []
    for stretch in _stretches(temperatures, RUN_NODES):
        mean = _mean_of(stretch)
        per_degree = relative_humidity(mean, dew_point_c) * MAGNUS_A * MAGNUS_B / \
            (MAGNUS_B + mean) ** 2
        strays.append(sigma / math.sqrt(len(stretch)) * per_degree)
    return max(strays)


def _temperature_path_noise(humidities: list[float], path: list[float], sigma: float) -> float:
    """The largest stray, in temperature, that a humidity's noise ``sigma`` alone puts into a
    stretch's point of ``path`` (the temperatures the stretches of ``humidities``, cut into
    RUN_NODES, say at one dew point): its mean's noise over the humidity a degree makes there
    (Magnus)."""
    strays = []
    for stretch, temperature in zip(_stretches(humidities, RUN_NODES), path):
        per_degree = _mean_of(stretch) * MAGNUS_A * MAGNUS_B / (MAGNUS_B + temperature) ** 2
        strays.append(sigma / math.sqrt(len(stretch)) / max(per_degree, 1e-9))
    return max(strays)


def _off_line(points: list[float]) -> list[float]:
    """``points`` (one apart) less their least-squares line (its level kept)."""
    n = len(points)
    middle = (n - 1) / 2
    mean_y = sum(points) / n
    sxx = sum((x - middle) ** 2 for x in range(n))
    slope = sum((x - middle) * (y - mean_y) for x, y in enumerate(points)) / sxx
    return [y - slope * (x - middle) for x, y in enumerate(points)]


def _shrunk(slope: float, n: int, sigma: float) -> float:
    """A slope fitted to ``n`` points shrunk towards 0 by two standard errors of a noise
    ``sigma``; 0 for fewer than RUN_TREND_MIN points."""
    if n < RUN_TREND_MIN:
        return 0.0
    error = sigma / math.sqrt(_SXX[n])
    return math.copysign(max(0.0, abs(slope) - 2 * error), slope)


def _confirms(trend: float, out: float, repeats: int, resolution: float) -> bool:
    """Whether a run of ``repeats`` ended by a step of ``out`` steps confirms ``trend`` (per
    reading): the trend would have carried the channel RUN_END_CARRIED steps over the run, and
    the step out went its way at least RUN_END_LANDS of that far."""
    carried = abs(trend) * repeats / resolution  # steps
    return carried >= RUN_END_CARRIED and out * trend > 0 and abs(out) >= RUN_END_LANDS * carried


def _trends(points: list[float], sigma: float) -> tuple[float, float]:
    """The shrunk trend of ``points`` (newest first, one reading apart; ``_shrunk_trend``) and
    its steady part: the lesser of it and the newer half's, if the points lie within
    RUN_STEADY_SD noise widths of their line and both halves head the same way, else 0."""
    slope, spread = _line_fit(points)
    trend = _shrunk(slope, len(points), sigma)
    newer = points[:len(points) // 2]
    newer_trend = _shrunk(_line_fit(newer)[0], len(newer), sigma)
    if spread > RUN_STEADY_SD * sigma or newer_trend * trend <= 0:
        return trend, 0.0
    return trend, math.copysign(min(abs(trend), abs(newer_trend)), trend)


def _shrunk_trend(points: list[float], sigma: float) -> float:
    """The least-squares slope of ``points`` (newest first, one reading apart) per reading,
    shrunk towards 0 by two standard errors of a noise ``sigma``; 0 for fewer than
    RUN_TREND_MIN points."""
    return _shrunk(_line_fit(points)[0], len(points), sigma)


class _Line:
    """The least-squares line through points at ``xs``: its level at any x, the points' scatter
    about it, and that level's standard error."""

    def __init__(self, xs: list[float], ys: list[float]) -> None:
        n = len(xs)
        self.n = n
        self.mean_x = sum(xs) / n
        self.mean_y = sum(ys) / n
        self.sxx = sum((x - self.mean_x) ** 2 for x in xs)
        self.slope = sum((x - self.mean_x) * (y - self.mean_y) for x, y in zip(xs, ys)) / self.sxx
        squares = sum((y - self.at(x)) ** 2 for x, y in zip(xs, ys))
        self.scatter = math.sqrt(squares / (n - 2))

    def at(self, x: float) -> float:
        return self.mean_y + self.slope * (x - self.mean_x)

    def error_at(self, x: float, sigma: float) -> float:
        """The standard error of the level at x, the points' noise the larger of their scatter
        and ``sigma``."""
        spread = max(self.scatter, sigma)
        return spread * math.sqrt(1 / self.n + (x - self.mean_x) ** 2 / self.sxx)


def _towards(held: float, line: _Line, x: float, sigma: float, slack: float) -> float:
    """The line's level at x taken BRACKET_SURE standard errors, and at least ``slack``, towards
    ``held`` (no further)."""
    off = line.at(x) - held
    margin = max(BRACKET_SURE * line.error_at(x, sigma), slack)
    return held + math.copysign(max(abs(off) - margin, 0.0), off)


def _released_by(c: int, step: float, held: int) -> bool:
    """Whether a step of ``step`` into a run out of a run of ``held`` repeats is one the weather
    could have made while that run held: a barometer's, no faster than RELEASE_HPA_PER_READING
    over the readings it held."""
    return c == P and 0 < step <= RELEASE_HPA_PER_READING * (held + 1)


def _step_into_run(c: int, first: Reading, before: Reading) -> float:
    """Channel c's step from ``before`` to a run's first reading (its size), as little as the
    weather explains: for the humidity, also its step from what the temperature's step makes
    of the air's moisture before it (a storm's plunge saturates the air within a minute:
    humidity jumps to 100 % and stays there, clipped, the dew point barely moved)."""
    step = abs(first.values[c] - before.values[c])
    if c != RH:
        return step
    return min(step, abs(first.values[RH] - relative_humidity(first.values[T], before.dew_point)))


def _stretches(values: list[float], count: int) -> list[list[float]]:
    """``values`` cut into ``count`` stretches one after another, as even as they go (each at
    least one value: fewer values than stretches repeat some)."""
    n = len(values)
    return [values[n * k // count:max(n * (k + 1) // count, n * k // count + 1)]
            for k in range(count)]


def _mean_of(values: list[float]) -> float:
    return sum(values) / len(values)


def _within_decimals(value: float, decimals: int) -> bool:
    """Whether ``value`` has at most ``decimals`` decimals."""
    scaled = value * 10.0 ** decimals
    return abs(scaled - round(scaled)) < DECIMAL_TOLERANCE * max(1.0, abs(scaled))


def _decimals(value: float) -> int:
    """How many decimals ``value`` has (at most MAX_DECIMALS)."""
    for decimals in range(MAX_DECIMALS):
        if _within_decimals(value, decimals):
            return decimals
    return MAX_DECIMALS


def _humidity_step(stats: ChannelStats) -> float:
    """The humidity's step a pull or a warming off saturation is counted in: the larger of its
    resolution and noise, 0 while neither was measured (``ChannelStats.measured``: the noise's
    1e-3 floor is no step). final-25 sim-2602-030: a station humidity at 1.6 % steps read only
    99.2 and 100 % through its first night, so it had learnt neither; held at 99.2 % while the
    morning warmed the air 0.16 °C it counted as warmed off saturation by 3 steps of 0.001 %,
    and 22 repeats by the rate under the limit (0.57) flagged 49 readings."""
    return max(stats.resolution, stats.sigma) if stats.measured else 0.0


def _on_course(rise: float, step_before: float, step_earlier: float, sigma: float) -> bool:
    """Whether a reading's ``rise`` out of the reading before it exceeds ``step_before``, the
    step into that reading, by no more than the channel's noise ``sigma`` the same way, where
    the channel was plainly moving that way (``step_earlier``, the step before, too): the
    reading stays on the course of the readings before it (``SPIKE_OFF_COURSE``), no spike."""
    return step_earlier * rise > 0 and \
        (rise - step_before) * math.copysign(1.0, rise) <= SPIKE_OFF_COURSE * sigma


def _near_limit_resolution(stats: ChannelStats) -> float:
    """A humidity's step near its limit: its resolution, or for a channel that has known only
    saturated air, the steps it made under the limit (as ``_near_limit_unjudged``)."""
    return stats.resolution or stats.under_limit_resolution


def _saturated_step_share(stats: ChannelStats, held: float) -> float | None:
    """The chance that saturated air (100 %) reads ``held``, the step under the limit, by the
    channel's noise and step; None unless ``held`` is that step and its upper rounding boundary
    lies LIMIT_BOUNDARY_MARGIN_PCT or more under the limit (or the noise or step is unknown)."""
    resolution, sigma = _near_limit_resolution(stats), stats.quantised_sigma
    top = HUMIDITY_LIMITS_PCT[1]
    if resolution <= 0 or sigma <= 0 or not top - resolution < held < top or \
            held + resolution / 2 > top - LIMIT_BOUNDARY_MARGIN_PCT:
        return None
    return _read_shares(top, held, resolution, sigma)[1]


def _read_shares(air: float, held: float, resolution: float, sigma: float,
                 ) -> tuple[float, float, float]:
    """The chances that air at ``air`` % reads under the step ``held``, the step, and over it
    (the limit), by a channel with noise ``sigma`` rounding to ``resolution``."""
    scale = sigma * math.sqrt(2.0)
    under = 0.5 * math.erfc((air - held + resolution / 2) / scale)
    over = 0.5 * math.erfc((held + resolution / 2 - air) / scale)
    return under, max(1.0 - under - over, 0.0), over


def _read_log_likelihood(counts: tuple[int, int, int], air: float, held: float,
                         resolution: float, sigma: float) -> float:
    """ln of the chance of ``counts`` readings under the step ``held``, at it and over it, from
    air at ``air`` % (``_read_shares``)."""
    return sum(n * math.log(max(share, 1e-300)) for n, share in
               zip(counts, _read_shares(air, held, resolution, sigma)) if n)


def _noise_spans_steps(stats: ChannelStats, steps: float) -> bool:
    return 0 < stats.resolution <= stats.quantised_sigma / steps


_HOLDING_FAULTS = (STUCK_REASON, DROPOUT_REASON, INCONSISTENT_REASON)


def _held_by_fault(reading: Reading) -> bool:
    """A fault that holds the drift check back was flagged on the reading."""
    return any(reason.startswith(_HOLDING_FAULTS) for reason in reading.reasons)


def _bits(channels: list[int]) -> int:
    return sum(1 << c for c in channels)


def _mean(readings: list[Reading], channel: int) -> float:
    return sum(r.values[channel] for r in readings) / len(readings)


def _fall_before(earlier: list[Reading], later: list[Reading]) -> float:
    """How fast the pressure fell from ``earlier`` to ``later`` (hPa per reading, <= 0; a
    rise, or a fall the tide makes, is 0), at most STORM_FALL_MAX."""
    span = _seq_span(earlier, later)
    slope = (_mean(later, P) - _mean(earlier, P)) / span if span > 0 else 0.0
    return max(-STORM_FALL_MAX, slope) if slope <= -STORM_FALL_MIN else 0.0


def _seq_span(earlier: list[Reading], later: list[Reading]) -> float:
    """Readings from the middle of ``earlier`` to the middle of ``later``."""
    return (later[0].seq + later[-1].seq - earlier[0].seq - earlier[-1].seq) / 2


def _dew_before_storm(seq: int, level_window: list[Reading],
                      earlier_window: list[Reading]) -> _LevelBeforeStorm | None:
    """The dew point's level before the storm found at ``seq`` (over ``level_window``), its
    trend since ``earlier_window`` (at most 0) and the pressure's level; None without enough
    readings, for a dew point falling fast or air already moist."""
    level, earlier = _dew_readings(level_window), _dew_readings(earlier_window)
    pressure = [r for r in level if P not in r.blocked]
    if len(level) < 5 or len(earlier) < 5 or not pressure:
        return None
    span = _seq_span(earlier, level)
    trend = (_mean_dew_point(level) - _mean_dew_point(earlier)) / span if span > 0 else 0.0
    if trend * 60 > STORM_DEW_FALL_C_PER_HOUR or _mean(level, RH) >= STORM_DEW_MOIST_PCT:
        return None
    middle = (level[0].seq + level[-1].seq) / 2
    return _LevelBeforeStorm(seq, _mean_dew_point(level), middle, min(0.0, trend),
                             _mean(pressure, P))


def _temperature_before_storm(seq: int, level_window: list[Reading],
                              earlier_window: list[Reading]) -> _LevelBeforeStorm | None:
    """The temperature's level before the storm found at ``seq`` (over ``level_window``) and
    its trend since ``earlier_window`` (at least 0); None without enough readings."""
    level = [r for r in level_window if T not in r.blocked]
    earlier = [r for r in earlier_window if T not in r.blocked]
    if len(level) < 5 or len(earlier) < 5:
        return None
    span = _seq_span(earlier, level)
    trend = (_mean(level, T) - _mean(earlier, T)) / span if span > 0 else 0.0
    middle = (level[0].seq + level[-1].seq) / 2
    return _LevelBeforeStorm(seq, _mean(level, T), middle, max(0.0, trend))


def _dew_readings(readings: list[Reading]) -> list[Reading]:
    """The readings whose dew point is known (neither its temperature nor humidity blocked)."""
    return [r for r in readings if T not in r.blocked and RH not in r.blocked]


def _mean_dew_point(readings: list[Reading]) -> float:
    return sum(r.dew_point for r in readings) / len(readings)


def _dew_slack_path(temperatures: list[float], held: float, dew_point_c: float,
                    c_per_hour: float, stray: float, most_c: float) -> list[float]:
    """The humidity each of RUN_NODES stretches of ``temperatures`` (one a minute) says, its
    dew point let move from ``dew_point_c`` by ``c_per_hour`` either way (``most_c`` at most)
    and each point a further ``stray`` towards ``held``: ``held`` itself where that reaches it,
    else the nearest the dew point's reach comes to it."""
    path = []
    for k, stretch in enumerate(_stretches(temperatures, RUN_NODES)):
        minutes = (k + 0.5) * len(temperatures) / RUN_NODES
        mean = _mean_of(stretch)
        slack = min(c_per_hour * minutes / 60.0, most_c)
        moist = relative_humidity(mean, dew_point_c + slack)
        dry = relative_humidity(mean, dew_point_c - slack)
        path.append(held if dry - stray <= held <= moist + stray else
                    moist + stray if held > moist else dry - stray)
    return path
