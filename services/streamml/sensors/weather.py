"""Seeded, physically consistent weather: what a perfect sensor at each site would read.

One reading is one minute. A *region* carries the synoptic weather every site shares — air
masses, fronts arriving every few days with a pressure fall of 10-20 hPa over about a day,
stratiform rain before the passage, a sharp passage (temperature and dew point drop, the
pressure kinks upward), then clearing with rising pressure. Each *site* sees the region's
weather a few minutes earlier or later and adds its own: a daily cycle, cloud shading on
sunny afternoons, and thunderstorms (a 4-10 °C drop within minutes, a 2-5 hPa pressure jump,
humidity to 100 %, then a slow recovery).

Relative humidity is never drawn: it follows from temperature and dew point (Magnus
formula) and saturates at 100 % when the dew point reaches the temperature.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass

from streamml.contracts.weather import (
    CLOUDY, FAIR, FRONT, RAIN, THUNDERSTORM, relative_humidity)

STEPS_PER_DAY = 1440



@dataclass(frozen=True)
class Climate:
    """The parameters of a region's weather; tuning and held-out runs use different ones."""

    name: str = "temperate"
    mean_temperature_c: tuple[float, float] = (5.0, 22.0)
    daily_amplitude_c: tuple[float, float] = (3.0, 7.0)
    dew_point_depression_c: tuple[float, float] = (2.0, 9.0)
    # Mean days between fronts; their pressure fall over the approach (hPa).
    front_interval_days: float = 1.5
    front_pressure_fall_hpa: tuple[float, float] = (10.0, 20.0)
    front_temperature_drop_c: tuple[float, float] = (3.0, 8.0)
    # Thunderstorms per site per (warm) day, and their temperature drop.
    thunderstorms_per_day: float = 0.6
    storm_temperature_drop_c: tuple[float, float] = (4.0, 10.0)
    storm_pressure_jump_hpa: tuple[float, float] = (2.0, 5.0)
    # Cloud shading events per sunny hour.
    shading_per_hour: float = 2.0


CLIMATES = {
    "temperate": Climate(),
    # Held out: never used for tuning (docs/weather.md). Each final held-out set below was
    # declared before a round's detector work and is run once, when that round's detector is
    # final.
    "continental": Climate(
        name="continental", mean_temperature_c=(-2.0, 28.0), daily_amplitude_c=(5.0, 11.0),
        dew_point_depression_c=(3.0, 14.0), front_interval_days=1.1,
        front_pressure_fall_hpa=(12.0, 22.0), front_temperature_drop_c=(4.0, 10.0),
        thunderstorms_per_day=1.0, storm_temperature_drop_c=(5.0, 10.0),
        storm_pressure_jump_hpa=(2.5, 5.0), shading_per_hour=3.0),
    # The final held-out set (seeds 201-205): warm, humid, stormy, sunny with much cloud
    # shading.
    "subtropical": Climate(
        name="subtropical", mean_temperature_c=(16.0, 31.0), daily_amplitude_c=(4.0, 9.0),
        dew_point_depression_c=(1.0, 12.0), front_interval_days=2.5,
        front_pressure_fall_hpa=(8.0, 16.0), front_temperature_drop_c=(2.0, 6.0),
        thunderstorms_per_day=1.6, storm_temperature_drop_c=(4.0, 11.0),
        storm_pressure_jump_hpa=(1.5, 4.5), shading_per_hour=4.5),
    # The second final held-out set (seeds 301-305): cool, humid and windy, fronts more often
    # and deeper than any tuning climate, humidity close to saturation for days.
    "maritime": Climate(
        name="maritime", mean_temperature_c=(3.0, 17.0), daily_amplitude_c=(1.5, 4.0),
        dew_point_depression_c=(0.5, 5.0), front_interval_days=0.8,
        front_pressure_fall_hpa=(14.0, 26.0), front_temperature_drop_c=(2.0, 6.0),
        thunderstorms_per_day=0.4, storm_temperature_drop_c=(3.0, 7.0),
        storm_pressure_jump_hpa=(1.5, 4.0), shading_per_hour=2.5),
    # The third final held-out set (seeds 401-405): hot and dry, a daily cycle wider than any
    # tuning climate, few and shallow fronts, violent thunderstorms.
    "semi-arid": Climate(
        name="semi-arid", mean_temperature_c=(8.0, 34.0), daily_amplitude_c=(8.0, 15.0),
        dew_point_depression_c=(8.0, 25.0), front_interval_days=3.0,
        front_pressure_fall_hpa=(6.0, 12.0), front_temperature_drop_c=(3.0, 9.0),
        thunderstorms_per_day=0.8, storm_temperature_drop_c=(6.0, 14.0),
        storm_pressure_jump_hpa=(2.0, 6.0), shading_per_hour=1.0),
    # The fourth final held-out set (seeds 501-505): cold, mostly below freezing and close to
    # saturation, a small daily cycle, deep fronts with large temperature drops, thunderstorms
    # rare.
    "subarctic": Climate(
        name="subarctic", mean_temperature_c=(-20.0, 2.0), daily_amplitude_c=(1.0, 5.0),
        dew_point_depression_c=(0.5, 4.0), front_interval_days=1.3,
        front_pressure_fall_hpa=(10.0, 24.0), front_temperature_drop_c=(4.0, 12.0),
        thunderstorms_per_day=0.1, storm_temperature_drop_c=(2.0, 5.0),
        storm_pressure_jump_hpa=(1.0, 3.0), shading_per_hour=0.8),
    # The fifth final held-out set (seeds 601-605): hot and humid with a small daily cycle, rare
    # shallow fronts, thunderstorms and cloud shading more often than in any other climate.
    "tropical": Climate(
        name="tropical", mean_temperature_c=(22.0, 33.0), daily_amplitude_c=(2.0, 7.0),
        dew_point_depression_c=(0.5, 7.0), front_interval_days=4.0,
        front_pressure_fall_hpa=(3.0, 8.0), front_temperature_drop_c=(1.0, 4.0),
        thunderstorms_per_day=2.5, storm_temperature_drop_c=(3.0, 9.0),
        storm_pressure_jump_hpa=(1.0, 3.5), shading_per_hour=6.0),
    # The sixth final held-out set (seeds 701-705): a storm track, with fronts more often and
    # deeper than in any other climate, and thunderstorms with strong pressure jumps.
    "storm-track": Climate(
        name="storm-track", mean_temperature_c=(0.0, 15.0), daily_amplitude_c=(2.0, 6.0),
        dew_point_depression_c=(1.0, 6.0), front_interval_days=0.6,
        front_pressure_fall_hpa=(18.0, 32.0), front_temperature_drop_c=(5.0, 13.0),
        thunderstorms_per_day=1.5, storm_temperature_drop_c=(3.0, 8.0),
        storm_pressure_jump_hpa=(3.0, 6.0), shading_per_hour=4.0),
    # The seventh final held-out set (seeds 801-805): a highland, cold with a wide daily cycle,
    # thunderstorms with larger temperature drops and cloud shading more often than any tuning
    # draw.
    "highland": Climate(
        name="highland", mean_temperature_c=(-8.0, 12.0), daily_amplitude_c=(6.0, 12.0),
        dew_point_depression_c=(2.0, 12.0), front_interval_days=1.8,
        front_pressure_fall_hpa=(10.0, 18.0), front_temperature_drop_c=(4.0, 11.0),
        thunderstorms_per_day=1.4, storm_temperature_drop_c=(8.0, 15.0),
        storm_pressure_jump_hpa=(2.0, 4.0), shading_per_hour=5.0),
    # The eighth final held-out set (seeds 901-905): a desert, air far drier and a daily cycle
    # wider than any tuning draw (humidity of a few per cent, near the 0 % a dropout reads),
    # rare shallow fronts, few but violent dry thunderstorms, hardly any cloud shading.
    "desert": Climate(
        name="desert", mean_temperature_c=(12.0, 30.0), daily_amplitude_c=(11.0, 14.0),
        dew_point_depression_c=(15.0, 35.0), front_interval_days=5.0,
        front_pressure_fall_hpa=(4.0, 8.0), front_temperature_drop_c=(3.0, 8.0),
        thunderstorms_per_day=0.3, storm_temperature_drop_c=(8.0, 14.0),
        storm_pressure_jump_hpa=(2.0, 5.0), shading_per_hour=0.5),
    # The ninth final held-out set (seeds 1001-1005): a monsoon, warm air close to saturation
    # for days, thunderstorms more often than in any other climate, frequent shallow fronts with
    # long rain.
    "monsoon": Climate(
        name="monsoon", mean_temperature_c=(24.0, 30.0), daily_amplitude_c=(1.5, 5.0),
        dew_point_depression_c=(0.2, 2.5), front_interval_days=2.0,
        front_pressure_fall_hpa=(4.0, 10.0), front_temperature_drop_c=(1.0, 4.0),
        thunderstorms_per_day=3.0, storm_temperature_drop_c=(3.0, 8.0),
        storm_pressure_jump_hpa=(1.0, 3.0), shading_per_hour=3.0),
    # The tenth final held-out set (seeds 1101-1105): polar, colder than any other climate with
    # hardly a daily cycle, deep fronts that drop the temperature more than anywhere else,
    # thunderstorms almost never.
    "polar": Climate(
        name="polar", mean_temperature_c=(-34.0, -12.0), daily_amplitude_c=(0.5, 1.8),
        dew_point_depression_c=(1.0, 6.0), front_interval_days=1.2,
        front_pressure_fall_hpa=(12.0, 28.0), front_temperature_drop_c=(8.0, 16.0),
        thunderstorms_per_day=0.05, storm_temperature_drop_c=(2.0, 4.0),
        storm_pressure_jump_hpa=(1.0, 2.5), shading_per_hour=0.5),
    # The eleventh final held-out set (seeds 1201-1205): mediterranean, warm and dry air far
    # from saturation, fronts rarer than in any tuning draw, few but sharp autumn thunderstorms.
    "mediterranean": Climate(
        name="mediterranean", mean_temperature_c=(13.0, 27.0), daily_amplitude_c=(5.0, 11.0),
        dew_point_depression_c=(6.0, 20.0), front_interval_days=3.5,
        front_pressure_fall_hpa=(6.0, 14.0), front_temperature_drop_c=(3.0, 9.0),
        thunderstorms_per_day=0.5, storm_temperature_drop_c=(5.0, 12.0),
        storm_pressure_jump_hpa=(2.0, 5.0), shading_per_hour=1.2),
    # The twelfth final held-out set (seeds 1301-1305): a cold steppe, colder and drier than any
    # tuning draw with a wider daily cycle, fronts every two days, thunderstorms rare.
    "cold-steppe": Climate(
        name="cold-steppe", mean_temperature_c=(-16.0, 6.0), daily_amplitude_c=(7.0, 14.0),
        dew_point_depression_c=(4.0, 16.0), front_interval_days=2.0,
        front_pressure_fall_hpa=(10.0, 20.0), front_temperature_drop_c=(4.0, 12.0),
        thunderstorms_per_day=0.15, storm_temperature_drop_c=(3.0, 7.0),
        storm_pressure_jump_hpa=(1.5, 4.0), shading_per_hour=1.5),
    # The thirteenth final held-out set (seeds 1401-1405): a savanna, hot with a wide daily
    # cycle, weak fronts rarely, afternoon thunderstorms more often and harder than any draw.
    "savanna": Climate(
        name="savanna", mean_temperature_c=(20.0, 32.0), daily_amplitude_c=(8.0, 14.0),
        dew_point_depression_c=(3.0, 20.0), front_interval_days=5.0,
        front_pressure_fall_hpa=(3.0, 7.0), front_temperature_drop_c=(1.0, 4.0),
        thunderstorms_per_day=2.0, storm_temperature_drop_c=(6.0, 13.0),
        storm_pressure_jump_hpa=(3.5, 6.5), shading_per_hour=3.5),
    # The fourteenth final held-out set (seeds 1501-1505): a coastal fog desert, mild with a
    # small daily cycle, air close to saturation, fronts rarer and shallower than any draw,
    # thunderstorms almost never, hardly any cloud shading.
    "coastal-fog": Climate(
        name="coastal-fog", mean_temperature_c=(11.0, 22.0), daily_amplitude_c=(1.5, 4.5),
        dew_point_depression_c=(0.3, 5.0), front_interval_days=6.0,
        front_pressure_fall_hpa=(2.0, 5.0), front_temperature_drop_c=(1.0, 3.0),
        thunderstorms_per_day=0.03, storm_temperature_drop_c=(2.0, 4.0),
        storm_pressure_jump_hpa=(0.5, 1.2), shading_per_hour=0.4),
    # The fifteenth final held-out set (seeds 1601-1605): a prairie, with a wide daily cycle,
    # cold fronts that drop the temperature more than any draw, and violent thunderstorms whose
    # pressure jumps are stronger than any draw.
    "prairie": Climate(
        name="prairie", mean_temperature_c=(2.0, 24.0), daily_amplitude_c=(6.0, 12.0),
        dew_point_depression_c=(2.0, 14.0), front_interval_days=1.5,
        front_pressure_fall_hpa=(8.0, 16.0), front_temperature_drop_c=(11.0, 15.0),
        thunderstorms_per_day=1.3, storm_temperature_drop_c=(6.0, 12.0),
        storm_pressure_jump_hpa=(4.0, 7.0), shading_per_hour=2.0),
    # The sixteenth final held-out set (seeds 1701-1705): a lake-effect shore, cold and near
    # saturation with a small daily cycle, fronts more frequent than any draw and lake cloud
    # shading the sun more often than any draw.
    "lake-effect": Climate(
        name="lake-effect", mean_temperature_c=(-8.0, 8.0), daily_amplitude_c=(1.5, 5.0),
        dew_point_depression_c=(0.5, 3.0), front_interval_days=0.8,
        front_pressure_fall_hpa=(6.0, 14.0), front_temperature_drop_c=(3.0, 9.0),
        thunderstorms_per_day=0.4, storm_temperature_drop_c=(3.0, 6.0),
        storm_pressure_jump_hpa=(1.5, 3.0), shading_per_hour=4.0),
    # The seventeenth final held-out set (seeds 1801-1805): an alpine valley with foehn, a daily
    # cycle and dry air wider than any draw, rare fronts that fall deeper than any draw.
    "foehn-valley": Climate(
        name="foehn-valley", mean_temperature_c=(-3.0, 18.0), daily_amplitude_c=(6.0, 12.0),
        dew_point_depression_c=(3.0, 16.0), front_interval_days=2.8,
        front_pressure_fall_hpa=(12.0, 24.0), front_temperature_drop_c=(5.0, 12.0),
        thunderstorms_per_day=0.5, storm_temperature_drop_c=(4.0, 9.0),
        storm_pressure_jump_hpa=(2.0, 4.5), shading_per_hour=1.5),
    # The eighteenth final held-out set (seeds 1901-1905): plains under squall lines, with
    # thunderstorms more often than any draw that drop the temperature and jump the pressure
    # further than any draw.
    "squall-line": Climate(
        name="squall-line", mean_temperature_c=(10.0, 28.0), daily_amplitude_c=(4.0, 9.0),
        dew_point_depression_c=(1.0, 8.0), front_interval_days=1.0,
        front_pressure_fall_hpa=(10.0, 18.0), front_temperature_drop_c=(5.0, 11.0),
        thunderstorms_per_day=1.5, storm_temperature_drop_c=(8.0, 14.0),
        storm_pressure_jump_hpa=(4.0, 7.0), shading_per_hour=3.0),
    # The nineteenth final held-out set (seeds 2001-2005): a high dry plateau whose daily cycle
    # is wider than any draw's (and any earlier climate's), colder at its low end than any draw,
    # with afternoon thunderstorms.
    "altiplano": Climate(
        name="altiplano", mean_temperature_c=(-6.0, 14.0), daily_amplitude_c=(10.0, 18.0),
        dew_point_depression_c=(6.0, 22.0), front_interval_days=3.0,
        front_pressure_fall_hpa=(6.0, 12.0), front_temperature_drop_c=(3.0, 8.0),
        thunderstorms_per_day=1.0, storm_temperature_drop_c=(6.0, 12.0),
        storm_pressure_jump_hpa=(2.0, 5.0), shading_per_hour=2.0),
    # The twentieth final held-out set (seeds 2101-2105): a warm, near-saturated cyclone coast
    # whose lows fall deeper than any draw's or earlier climate's, with thunderstorms twice a
    # day and pressure jumps above any draw's.
    "cyclone-coast": Climate(
        name="cyclone-coast", mean_temperature_c=(20.0, 30.0), daily_amplitude_c=(2.0, 6.0),
        dew_point_depression_c=(0.5, 4.0), front_interval_days=2.5,
        front_pressure_fall_hpa=(20.0, 40.0), front_temperature_drop_c=(1.0, 4.0),
        thunderstorms_per_day=2.0, storm_temperature_drop_c=(3.0, 8.0),
        storm_pressure_jump_hpa=(3.0, 7.0), shading_per_hour=3.5),
    # The twenty-first final held-out set (seeds 2201-2205): a trade-wind island, its daily
    # cycle narrower than any draw's, fronts rarer, trade cumulus shading more often than any
    # draw's.
    "trade-wind-island": Climate(
        name="trade-wind-island", mean_temperature_c=(23.0, 28.0), daily_amplitude_c=(1.0, 3.0),
        dew_point_depression_c=(2.0, 6.0), front_interval_days=7.0,
        front_pressure_fall_hpa=(2.0, 5.0), front_temperature_drop_c=(0.5, 2.0),
        thunderstorms_per_day=0.8, storm_temperature_drop_c=(2.0, 6.0),
        storm_pressure_jump_hpa=(1.0, 3.0), shading_per_hour=5.0),
    # The twenty-second final held-out set (seeds 2301-2305): a subpolar oceanic coast, its air
    # closer to saturation than any draw's, fronts more often than any draw's, thunderstorms
    # rarer, cloud shading more often than any draw's.
    "subpolar-oceanic": Climate(
        name="subpolar-oceanic", mean_temperature_c=(3.0, 9.0), daily_amplitude_c=(1.5, 4.0),
        dew_point_depression_c=(0.5, 2.5), front_interval_days=0.7,
        front_pressure_fall_hpa=(6.0, 14.0), front_temperature_drop_c=(1.0, 3.0),
        thunderstorms_per_day=0.1, storm_temperature_drop_c=(1.0, 3.0),
        storm_pressure_jump_hpa=(0.5, 1.5), shading_per_hour=6.0),
    # The twenty-third final held-out set (seeds 2401-2405): a boreal forest, colder than any
    # draw's, with a wider daily cycle, fronts rarer than any draw's, thunderstorms rarer and
    # cloud shading less often than any draw's.
    "boreal-forest": Climate(
        name="boreal-forest", mean_temperature_c=(-8.0, 2.0), daily_amplitude_c=(6.0, 12.0),
        dew_point_depression_c=(2.0, 6.0), front_interval_days=3.0,
        front_pressure_fall_hpa=(10.0, 18.0), front_temperature_drop_c=(4.0, 9.0),
        thunderstorms_per_day=0.2, storm_temperature_drop_c=(2.0, 5.0),
        storm_pressure_jump_hpa=(1.0, 2.5), shading_per_hour=0.5),
    # The twenty-fourth final held-out set (seeds 2501-2505): the Sahel's dry season, hotter
    # than any draw's with a wider daily cycle, fronts rarer and shallower than any draw's, few
    # dust squalls that cool the air harder than any draw's or earlier climate's storms, and
    # cloud shading less often than any draw's.
    "sahel": Climate(
        name="sahel", mean_temperature_c=(24.0, 36.0), daily_amplitude_c=(12.0, 16.0),
        dew_point_depression_c=(8.0, 28.0), front_interval_days=4.0,
        front_pressure_fall_hpa=(4.0, 9.0), front_temperature_drop_c=(2.0, 6.0),
        thunderstorms_per_day=0.6, storm_temperature_drop_c=(10.0, 16.0),
        storm_pressure_jump_hpa=(2.5, 6.0), shading_per_hour=0.8),
    # The twenty-fifth final held-out set (seeds 2601-2605): an equatorial rainforest, air more
    # humid than any draw's, fronts rarer than any climate's and shallower than any draw's, more
    # afternoon thunderstorms than any draw's, and cloud shading more often than any climate's.
    "equatorial-rainforest": Climate(
        name="equatorial-rainforest", mean_temperature_c=(24.0, 29.0),
        daily_amplitude_c=(4.0, 8.0), dew_point_depression_c=(0.5, 4.0),
        front_interval_days=9.0, front_pressure_fall_hpa=(2.0, 4.0),
        front_temperature_drop_c=(0.5, 2.0), thunderstorms_per_day=2.8,
        storm_temperature_drop_c=(3.0, 7.0), storm_pressure_jump_hpa=(1.0, 2.5),
        shading_per_hour=7.0),
    # The twenty-sixth final held-out set (seeds 2701-2705): a hot, humid desert coast, warmer
    # than any climate or draw with dew points near 30 °C, almost never shaded by cloud, fronts
    # rarer and shallower than any draw's and hardly any thunderstorms.
    "gulf-coast": Climate(
        name="gulf-coast", mean_temperature_c=(30.0, 38.0), daily_amplitude_c=(4.0, 9.0),
        dew_point_depression_c=(3.0, 12.0), front_interval_days=6.5,
        front_pressure_fall_hpa=(2.0, 6.0), front_temperature_drop_c=(1.0, 3.0),
        thunderstorms_per_day=0.1, storm_temperature_drop_c=(3.0, 7.0),
        storm_pressure_jump_hpa=(1.0, 3.0), shading_per_hour=0.3),
    # The twenty-seventh final held-out set (seeds 2801-2805): a cold coast under the wind off
    # an ice sheet, dry air for its cold, fronts that drop the temperature by at least 12 °C
    # (more than any climate's or draw's least drop), fewer thunderstorms than any climate and
    # storm pressure jumps weaker than any draw's.
    "katabatic-coast": Climate(
        name="katabatic-coast", mean_temperature_c=(-18.0, -4.0), daily_amplitude_c=(2.0, 6.0),
        dew_point_depression_c=(6.0, 18.0), front_interval_days=0.9,
        front_pressure_fall_hpa=(8.0, 18.0), front_temperature_drop_c=(12.0, 15.5),
        thunderstorms_per_day=0.02, storm_temperature_drop_c=(1.0, 3.0),
        storm_pressure_jump_hpa=(0.5, 1.5), shading_per_hour=1.8),
    # The twenty-eighth final held-out set (seeds 2901-2905): a high summer plateau where
    # thunderstorms build most afternoons (more than any draw), each cooling the air by up to 15
    # °C with jumps up to 6 hPa (more than any draw), a daily cycle wider at its least than any
    # draw's and fronts days apart.
    "highveld": Climate(
        name="highveld", mean_temperature_c=(12.0, 28.0), daily_amplitude_c=(8.0, 14.0),
        dew_point_depression_c=(2.0, 14.0), front_interval_days=4.0,
        front_pressure_fall_hpa=(4.0, 10.0), front_temperature_drop_c=(2.0, 6.0),
        thunderstorms_per_day=2.6, storm_temperature_drop_c=(6.0, 15.0),
        storm_pressure_jump_hpa=(2.5, 6.0), shading_per_hour=4.0),
    # The twenty-ninth final held-out set (seeds 3001-3005): a cool, wet temperate rainforest
    # coast where shallow fronts follow each other within a day (more often than any draw), the
    # air sits within a few degrees of its dew point, and thunderstorms and cloud shading are
    # rarer and gentler than any draw's.
    "temperate-rainforest": Climate(
        name="temperate-rainforest", mean_temperature_c=(4.0, 14.0),
        daily_amplitude_c=(2.0, 5.0), dew_point_depression_c=(0.4, 3.0),
        front_interval_days=0.7, front_pressure_fall_hpa=(12.0, 24.0),
        front_temperature_drop_c=(1.5, 4.0), thunderstorms_per_day=0.15,
        storm_temperature_drop_c=(2.0, 4.0), storm_pressure_jump_hpa=(0.8, 2.0),
        shading_per_hour=0.6),
    # The thirtieth final held-out set (seeds 3101-3105): a tropical montane cloud forest where
    # the air sits at its dew point most of the day, cloud drifts across the sun more often than
    # in any draw, gentle afternoon thunderstorms come most days, and fronts are rare and
    # shallow.
    "cloud-forest": Climate(
        name="cloud-forest", mean_temperature_c=(13.0, 19.0),
        daily_amplitude_c=(1.5, 4.0), dew_point_depression_c=(0.2, 1.5),
        front_interval_days=3.5, front_pressure_fall_hpa=(3.0, 7.0),
        front_temperature_drop_c=(1.0, 3.0), thunderstorms_per_day=1.8,
        storm_temperature_drop_c=(3.0, 6.0), storm_pressure_jump_hpa=(1.0, 2.5),
        shading_per_hour=5.0),
    # The thirty-first final held-out set (seeds 3201-3205): an interior basin in deep winter
    # under a standing anticyclone, colder at its warmest than any climate, where ice fog keeps
    # the air near its frost point, the short day still swings the temperature a few degrees,
    # fronts are rare and shallow, and thunderstorms and cloud shading almost never come.
    "ice-fog-basin": Climate(
        name="ice-fog-basin", mean_temperature_c=(-33.0, -24.0),
        daily_amplitude_c=(4.0, 9.0), dew_point_depression_c=(1.0, 4.0),
        front_interval_days=5.5, front_pressure_fall_hpa=(5.0, 12.0),
        front_temperature_drop_c=(3.0, 8.0), thunderstorms_per_day=0.03,
        storm_temperature_drop_c=(1.0, 3.0), storm_pressure_jump_hpa=(0.5, 1.5),
        shading_per_hour=0.35),
    # The thirty-second final held-out set (seeds 3301-3305): a mountain summit observatory in
    # the storm track, inside cloud most of the time (rime, the dew point a hair under the
    # temperature), cold, with almost no daily cycle under the cloud, deep fronts passing more
    # often than a day and cooling it hard, rare thunderstorms and little sun to shade.
    "mountain-summit": Climate(
        name="mountain-summit", mean_temperature_c=(-12.0, 4.0),
        daily_amplitude_c=(1.0, 3.5), dew_point_depression_c=(0.1, 1.8),
        front_interval_days=0.65, front_pressure_fall_hpa=(14.0, 30.0),
        front_temperature_drop_c=(5.0, 11.0), thunderstorms_per_day=0.25,
        storm_temperature_drop_c=(2.0, 6.0), storm_pressure_jump_hpa=(1.0, 3.0),
        shading_per_hour=0.6),
    # The thirty-third final held-out set (seeds 3401-3405): a humid subtropical city's rooftops
    # in summer, hotter by night and by day than any draw's, the sun on the roofs making a wider
    # daily cycle than any draw's, the air drier at its driest than any draw's, weak fronts,
    # more afternoon thunderstorms than any draw's cooling the roofs harder than any draw's, and
    # building shadow and passing cloud shading more often than any draw's.
    "urban-rooftop": Climate(
        name="urban-rooftop", mean_temperature_c=(22.0, 33.0),
        daily_amplitude_c=(8.0, 13.0), dew_point_depression_c=(3.0, 16.0),
        front_interval_days=3.5, front_pressure_fall_hpa=(5.0, 10.0),
        front_temperature_drop_c=(2.0, 6.0), thunderstorms_per_day=1.5,
        storm_temperature_drop_c=(6.0, 13.0), storm_pressure_jump_hpa=(1.5, 4.0),
        shading_per_hour=5.0),
    # The thirty-fourth final held-out set (seeds 3501-3505): a high-arctic coast in summer
    # under the midnight sun, the daily cycle flatter than any climate's, the air close to
    # saturation, shallow fronts that barely cool, almost no thunderstorms, and those weak.
    "high-arctic-summer": Climate(
        name="high-arctic-summer", mean_temperature_c=(-2.0, 7.0),
        daily_amplitude_c=(0.3, 1.0), dew_point_depression_c=(0.15, 1.6),
        front_interval_days=1.6, front_pressure_fall_hpa=(6.0, 14.0),
        front_temperature_drop_c=(1.0, 4.0), thunderstorms_per_day=0.04,
        storm_temperature_drop_c=(1.0, 3.0), storm_pressure_jump_hpa=(0.5, 1.2),
        shading_per_hour=1.2),
    # The thirty-fifth final held-out set (seeds 3601-3605): the plum-rain season on an East
    # Asian coast, a stationary front wavering over it so that shallow fronts pass more often
    # than any draw's, cooling the air little, warm air within a few degrees of its dew point
    # (closer than any draw's), a daily cycle narrower than any draw's, and embedded
    # thunderstorms more often than any draw's with weak pressure jumps; cloud shades the sun
    # more often than any draw's.
    "plum-rain": Climate(
        name="plum-rain", mean_temperature_c=(21.0, 29.0), daily_amplitude_c=(1.2, 3.0),
        dew_point_depression_c=(0.3, 2.2), front_interval_days=0.9,
        front_pressure_fall_hpa=(3.0, 7.0), front_temperature_drop_c=(1.0, 3.0),
        thunderstorms_per_day=1.9, storm_temperature_drop_c=(2.0, 6.0),
        storm_pressure_jump_hpa=(1.0, 2.5), shading_per_hour=4.0),
    # The thirty-sixth final held-out set (seeds 3701-3705): the summer shore of the Persian
    # Gulf, hotter at both ends than any draw, with a daily cycle wider than any draw's; the sea
    # breeze brings air within a few degrees of its dew point and the land breeze air drier than
    # any draw's; shamal winds pass once a week (less often than any draw's fronts), barely
    # moving the pressure; thunderstorms are rarer than any draw's and weak, and cloud seldom
    # shades the sun.
    "gulf-shore-summer": Climate(
        name="gulf-shore-summer", mean_temperature_c=(29.0, 36.0), daily_amplitude_c=(7.0, 13.0),
        dew_point_depression_c=(3.0, 20.0), front_interval_days=7.0,
        front_pressure_fall_hpa=(1.0, 3.0), front_temperature_drop_c=(1.0, 3.0),
        thunderstorms_per_day=0.05, storm_temperature_drop_c=(2.0, 5.0),
        storm_pressure_jump_hpa=(0.5, 1.5), shading_per_hour=0.4),
    # The thirty-seventh final held-out set (seeds 3801-3805): the Argentine pampas in spring,
    # a daily cycle wider than any draw's under clear dry air (further from its dew point than any
    # draw's); a pampero front every three and a half days (less often than any draw's) drops the
    # temperature more than any draw's front, with a shallower fall of pressure before it; its
    # squall lines cool the air more than any draw's thunderstorms, with pressure jumps higher
    # than any draw's.
    "pampero": Climate(
        name="pampero", mean_temperature_c=(10.0, 19.0), daily_amplitude_c=(11.0, 16.0),
        dew_point_depression_c=(5.0, 15.0), front_interval_days=3.5,
        front_pressure_fall_hpa=(4.0, 8.0), front_temperature_drop_c=(8.0, 14.0),
        thunderstorms_per_day=0.6, storm_temperature_drop_c=(6.0, 12.0),
        storm_pressure_jump_hpa=(3.0, 6.0), shading_per_hour=2.0),
    # The thirty-eighth final held-out set (seeds 3901-3905): Provence in winter under the
    # mistral, days cooler than any draw's in air drier than any draw's; the cold north wind
    # returns more often than any draw's fronts, each behind a deeper fall of pressure than any
    # draw's; rare weak showers (fewer, milder and with smaller jumps than any draw's) under a
    # sky scoured clear (less shading than any draw's).
    "mistral": Climate(
        name="mistral", mean_temperature_c=(3.0, 11.0), daily_amplitude_c=(4.0, 9.0),
        dew_point_depression_c=(8.0, 18.0), front_interval_days=0.7,
        front_pressure_fall_hpa=(14.0, 25.0), front_temperature_drop_c=(4.0, 8.0),
        thunderstorms_per_day=0.15, storm_temperature_drop_c=(2.0, 4.0),
        storm_pressure_jump_hpa=(1.0, 2.0), shading_per_hour=0.5),
    # The thirty-ninth final held-out set (seeds 4001-4005): the Kalahari in winter, a daily
    # cycle wider at both ends than any draw's and wider at its widest than any climate's
    # (frosty nights, warm days) in air drier than any draw's; fronts come a week apart (less
    # often than any draw's) with falls of pressure shallower than any draw's; thunderstorms are
    # rarer and weaker than any draw's, and cloud seldom shades the sun.
    "kalahari-winter": Climate(
        name="kalahari-winter", mean_temperature_c=(8.0, 16.0), daily_amplitude_c=(14.0, 20.0),
        dew_point_depression_c=(12.0, 28.0), front_interval_days=6.0,
        front_pressure_fall_hpa=(2.0, 5.0), front_temperature_drop_c=(3.0, 7.0),
        thunderstorms_per_day=0.03, storm_temperature_drop_c=(1.0, 3.0),
        storm_pressure_jump_hpa=(0.5, 1.5), shading_per_hour=0.4),
    # The fortieth final held-out set (seeds 4101-4105): Iceland in winter, colder at its
    # warmest than any draw's, short days with a daily cycle narrower at both ends than any
    # draw's, in air moister than any draw's; deep lows come more often than any draw's fronts,
    # with falls of pressure deeper at both ends than any draw's and little cooling at their
    # passage; thunderstorms are rarer and weaker than any draw's.
    "icelandic-winter": Climate(
        name="icelandic-winter", mean_temperature_c=(-3.0, 3.0), daily_amplitude_c=(0.5, 2.5),
        dew_point_depression_c=(0.5, 3.0), front_interval_days=0.9,
        front_pressure_fall_hpa=(18.0, 34.0), front_temperature_drop_c=(1.5, 4.0),
        thunderstorms_per_day=0.1, storm_temperature_drop_c=(1.0, 3.0),
        storm_pressure_jump_hpa=(1.0, 2.5), shading_per_hour=3.0),
    # The forty-first final held-out set (seeds 4201-4205): the Atacama's coast under its
    # stratocumulus deck, milder at its coolest than any draw's, a daily cycle narrower at its
    # widest than any draw's, in air moister than any draw's; fronts come more rarely than any
    # draw's, with falls of pressure and cooling shallower at both ends than any draw's;
    # thunderstorms are rarer and weaker than any draw's, and cloud shades the sun more often.
    "atacama-coast": Climate(
        name="atacama-coast", mean_temperature_c=(15.0, 19.0), daily_amplitude_c=(3.0, 5.0),
        dew_point_depression_c=(1.0, 3.0), front_interval_days=4.0,
        front_pressure_fall_hpa=(2.0, 6.0), front_temperature_drop_c=(0.5, 2.0),
        thunderstorms_per_day=0.05, storm_temperature_drop_c=(1.0, 2.5),
        storm_pressure_jump_hpa=(0.3, 1.0), shading_per_hour=4.0),
}


def _span(rng: random.Random, low: tuple[float, float], high: tuple[float, float],
          ) -> tuple[float, float]:
    """A range whose ends are drawn between the given bounds."""
    a, b = rng.uniform(*low), rng.uniform(*high)
    return (min(a, b), max(a, b))


def randomised_climate(seed: int) -> Climate:
    """The broad tuning family: every parameter drawn from a range, per seed. The ranges
    stay below the final held-out climate's storminess and shading."""
    rng = random.Random(f"{seed}:climate")
    return Climate(
        name=f"randomised-{seed}",
        mean_temperature_c=_span(rng, (-4.0, 10.0), (14.0, 26.0)),
        daily_amplitude_c=_span(rng, (2.0, 5.0), (6.0, 10.0)),
        dew_point_depression_c=_span(rng, (1.5, 4.0), (6.0, 13.0)),
        front_interval_days=rng.uniform(1.0, 2.5),
        front_pressure_fall_hpa=_span(rng, (8.0, 13.0), (15.0, 22.0)),
        front_temperature_drop_c=_span(rng, (2.0, 5.0), (6.0, 10.0)),
        thunderstorms_per_day=rng.uniform(0.3, 1.2),
        storm_temperature_drop_c=_span(rng, (3.0, 5.0), (7.0, 10.0)),
        storm_pressure_jump_hpa=_span(rng, (1.5, 2.5), (3.5, 5.0)),
        shading_per_hour=rng.uniform(1.0, 3.5))


@dataclass(frozen=True)
class Weather:
    """The true state at one site and minute."""

    temperature_c: float
    humidity_pct: float
    pressure_hpa: float
    condition: str

    @property
    def values(self) -> tuple[float, float, float]:
        return (self.temperature_c, self.humidity_pct, self.pressure_hpa)


@dataclass(frozen=True)
class _Synoptic:
    temperature_c: float
    dew_point_c: float
    pressure_hpa: float
    cloud: float  # 0 clear ... 1 overcast
    rain: float  # 0 ... 1 intensity of stratiform rain
    front: bool  # within the passage or the hour after it


class Region:
    """The weather every site shares, one minute per ``advance()``; seeded."""

    _MAX_LAG = 90

    def __init__(self, seed: int, climate: Climate) -> None:
        self.climate = climate
        self._rng = random.Random(f"{seed}:region")
        self._step = 0
        self._airmass_t = 0.0
        self._airmass_td = 0.0
        self._pressure = 0.0
        self._cloud = 0.2
        # Front cycle: minutes to the passage (counted down), its size.
        self._to_front = self._next_front_gap()
        self._approach = 0
        self._fall = 0.0
        self._drop = 0.0
        self._passage_left = 0
        self._passage_length = 1
        self._recovery = 0.0
        self._since_passage = 10**9
        self._history: deque[_Synoptic] = deque(maxlen=self._MAX_LAG + 1)

    def _next_front_gap(self) -> int:
        days = self._rng.expovariate(1.0 / self.climate.front_interval_days)
        return int(max(0.6, days) * STEPS_PER_DAY)

    def advance(self) -> None:
        rng, climate = self._rng, self.climate
        self._step += 1
        self._airmass_t += rng.gauss(0, 0.01) - 0.0005 * self._airmass_t
        self._airmass_td += rng.gauss(0, 0.01) - 0.0005 * self._airmass_td
        self._pressure += rng.gauss(0, 0.005) - 0.0002 * self._pressure
        self._to_front -= 1
        rain = 0.0
        front = False
        if self._to_front == int(STEPS_PER_DAY * 0.75):
            self._approach = self._to_front
            self._fall = rng.uniform(*climate.front_pressure_fall_hpa)
            self._drop = rng.uniform(*climate.front_temperature_drop_c)
        if 0 < self._to_front <= self._approach:
            # Approaching: pressure falls ever faster, clouds thicken, rain in the last hours.
            share = 1.0 - self._to_front / self._approach
            self._pressure -= self._fall * (0.5 + share) / self._approach
            # The warm sector: warmer, moister air ahead of the front.
            self._airmass_t += 0.6 * self._drop / self._approach
            self._airmass_td += 0.8 * self._drop / self._approach
            self._cloud += 0.01 * (min(1.0, 0.3 + share) - self._cloud)
            if self._to_front < 360:
                rain = min(1.0, (360 - self._to_front) / 120)
        elif self._to_front == 0:
            self._passage_left = self._passage_length = rng.randint(20, 60)
            self._recovery = self._fall * rng.uniform(0.6, 1.0)
        self._since_passage += 1
        if self._passage_left > 0:
            # The passage: a sharp drop of temperature and dew point and an upward kink.
            front = True
            rain = 1.0
            self._passage_left -= 1
            self._airmass_t -= self._drop / self._passage_length
            self._airmass_td -= self._drop * 1.2 / self._passage_length
            self._pressure += 0.08
            self._since_passage = 0
            if self._passage_left == 0:
                self._to_front = self._next_front_gap()
                self._approach = 0
        elif self._recovery > 0:
            step = min(self._recovery, 0.012)
            self._pressure += step
            self._recovery -= step
            self._cloud += 0.01 * (0.1 - self._cloud)
        else:
            self._cloud += 0.002 * (0.25 - self._cloud) + rng.gauss(0, 0.01)
        self._cloud = min(1.0, max(0.0, self._cloud))
        self._history.append(_Synoptic(self._airmass_t, self._airmass_td, self._pressure,
                                       self._cloud, rain, front or self._since_passage < 60))

    def at(self, lag: int) -> _Synoptic:
        """The shared state ``lag`` minutes ago (sites see fronts at different times)."""
        return self._history[max(0, len(self._history) - 1 - lag)]

    @property
    def step(self) -> int:
        return self._step


class Site:
    """One place in the region: its own climate offsets, daily cycle, shading and storms."""

    def __init__(self, region: Region, rng: random.Random) -> None:
        climate = region.climate
        self._region = region
        self._rng = rng
        self._lag = rng.randint(0, Region._MAX_LAG)
        self._mean_t = rng.uniform(*climate.mean_temperature_c)
        self._amplitude = rng.uniform(*climate.daily_amplitude_c)
        self._depression = rng.uniform(*climate.dew_point_depression_c)
        self._pressure = rng.uniform(1005.0, 1022.0)
        self._shade = 0.0
        self._shade_target = 0.0
        self._shade_left = 0
        self._storm_left = 0
        self._storm_cool = 0.0
        self._storm_cool_target = 0.0
        self._storm_jump = 0.0
        self._storm_jump_target = 0.0
        self._rain_cool = 0.0
        self._moist = 0.0
        self._cloud = 0.2

    def advance(self) -> Weather:
        rng, climate = self._rng, self._region.climate
        syn = self._region.at(self._lag)
        hour = (self._region.step % STEPS_PER_DAY) / 60.0
        sun = max(0.0, math.sin(math.pi * (hour - 6.0) / 12.0))
        diurnal = math.cos(2 * math.pi * (hour - 15.0) / 24.0)
        # Cloud shading: a cumulus passes in front of the sun for a few minutes.
        if self._shade_left > 0:
            self._shade_left -= 1
            if self._shade_left == 0:
                self._shade_target = 0.0
        elif sun > 0.3 and syn.cloud < 0.7 and rng.random() < climate.shading_per_hour / 60:
            self._shade_left = rng.randint(3, 20)
            self._shade_target = rng.uniform(0.5, 2.5) * sun
        self._shade += (self._shade_target - self._shade) / 4.0
        # Thunderstorms on warm afternoons.
        if self._storm_left == 0 and 12 <= hour <= 20 and syn.rain == 0 and \
                rng.random() < climate.thunderstorms_per_day / (8 * 60):
            self._storm_left = rng.randint(30, 90)
            self._storm_cool_target = rng.uniform(*climate.storm_temperature_drop_c)
            self._storm_jump_target = rng.uniform(*climate.storm_pressure_jump_hpa)
        storm = self._storm_left > 0
        if storm:
            self._storm_left -= 1
            self._storm_cool += (self._storm_cool_target - self._storm_cool) / 4.0
            self._storm_jump += (self._storm_jump_target - self._storm_jump) / 3.0
        else:
            self._storm_cool *= 1 - 1 / 90.0
            self._storm_jump *= 1 - 1 / 40.0
        rain = max(syn.rain, 1.0 if storm else 0.0)
        self._rain_cool += (1.5 * rain - self._rain_cool) / 30.0
        # Cloud cover thickens over minutes, not at once.
        self._cloud += (max(syn.cloud, 0.9 if rain else 0.0) - self._cloud) / 10.0
        cloud = self._cloud
        temperature = (self._mean_t + syn.temperature_c
                       + self._amplitude * (1 - 0.6 * cloud) * diurnal
                       - self._shade - self._rain_cool - self._storm_cool)
        # The dew point follows the air mass, barely the daily cycle (so humidity falls as the
        # day warms); rain moistens the air towards saturation.
        base_dew = (self._mean_t + syn.dew_point_c - self._depression
                    + 0.3 * self._amplitude * diurnal)
        self._moist += (rain * max(0.0, temperature - base_dew) - self._moist) / (
            6.0 if storm else 25.0)
        dew = base_dew + self._moist
        pressure = (self._pressure + syn.pressure_hpa + self._storm_jump
                    + 0.8 * math.cos(4 * math.pi * (hour - 10.0) / 24.0))
        if storm or self._storm_cool > 2.0:
            condition = THUNDERSTORM
        elif syn.front:
            condition = FRONT
        elif rain > 0:
            condition = RAIN
        elif cloud > 0.55 or self._shade > 0.3:
            condition = CLOUDY
        else:
            condition = FAIR
        return Weather(temperature, relative_humidity(temperature, dew), pressure, condition)
