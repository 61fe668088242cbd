"""`streamml evaluate weather`: score the weather detector on a labelled stream.

    streamml evaluate weather                                  # simulator, tuning seeds
    streamml evaluate weather --params held-out --seeds 101,102,103
    streamml evaluate weather --csv recording.csv              # your own labelled data
    streamml evaluate weather --write-csv out.csv --seeds 5    # a simulated stream as CSV

The detector settings are the service's (``STREAMML_*`` variables), so what is scored here is
what `streamml detector` runs. Scoring from the topics of a finished run is what
`streamml demo weather` does (``streamml.demo.weather``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from streamml.runtime.config import load_config

# What each family is for (docs/weather.md): the detector is tuned on "tuning-wide" (and
# "tuning"); "held-out" was looked at during the first build; "final" was run once at the end
# of the second build and has been seen since; "final-2" was run once at the end of the third
# and has been seen since; so have "final-3" and "final-4", run once at the end of the fourth
# and the fifth; so have "final-5" to "final-40", run once at the end of the sixth to the
# forty-first; "final-41" is run once, at the end of the forty-second.
SEED_SETS = {"tuning": "1,2,3", "tuning-wide": ",".join(map(str, range(1, 21))),
             "held-out": "101,102,103", "final": "201,202,203,204,205",
             "final-2": "301,302,303,304,305", "final-3": "401,402,403,404,405",
             "final-4": "501,502,503,504,505", "final-5": "601,602,603,604,605",
             "final-6": "701,702,703,704,705", "final-7": "801,802,803,804,805",
             "final-8": "901,902,903,904,905",
             "final-9": "1001,1002,1003,1004,1005",
             "final-10": "1101,1102,1103,1104,1105",
             "final-11": "1201,1202,1203,1204,1205",
             "final-12": "1301,1302,1303,1304,1305",
             "final-13": "1401,1402,1403,1404,1405",
             "final-14": "1501,1502,1503,1504,1505",
             "final-15": "1601,1602,1603,1604,1605",
             "final-16": "1701,1702,1703,1704,1705",
             "final-17": "1801,1802,1803,1804,1805",
             "final-18": "1901,1902,1903,1904,1905",
             "final-19": "2001,2002,2003,2004,2005",
             "final-20": "2101,2102,2103,2104,2105",
             "final-21": "2201,2202,2203,2204,2205",
             "final-22": "2301,2302,2303,2304,2305",
             "final-23": "2401,2402,2403,2404,2405",
             "final-24": "2501,2502,2503,2504,2505",
             "final-25": "2601,2602,2603,2604,2605",
             "final-26": "2701,2702,2703,2704,2705",
             "final-27": "2801,2802,2803,2804,2805",
             "final-28": "2901,2902,2903,2904,2905",
             "final-29": "3001,3002,3003,3004,3005",
             "final-30": "3101,3102,3103,3104,3105",
             "final-31": "3201,3202,3203,3204,3205",
             "final-32": "3301,3302,3303,3304,3305",
             "final-33": "3401,3402,3403,3404,3405",
             "final-34": "3501,3502,3503,3504,3505",
             "final-35": "3601,3602,3603,3604,3605",
             "final-36": "3701,3702,3703,3704,3705",
             "final-37": "3801,3802,3803,3804,3805",
             "final-38": "3901,3902,3903,3904,3905",
             "final-39": "4001,4002,4003,4004,4005",
             "final-40": "4101,4102,4103,4104,4105",
             "final-41": "4201,4202,4203,4204,4205"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score a detector on a labelled stream")
    workflows = parser.add_subparsers(dest="workflow", required=True)
    weather = workflows.add_parser("weather", help="the weather detector (docs/weather.md)",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    weather.add_argument("--csv", type=Path, help="score a CSV recording (format in "
                         "streamml.evaluate.sources) instead of the simulator")
    weather.add_argument("--params", default="tuning", choices=tuple(SEED_SETS),
                         help="simulated sensor parameters and climate (default: tuning; "
                         "tuning-wide draws them from ranges per seed)")
    weather.add_argument("--seeds", help="comma-separated simulator seeds (default: the family's "
                         "own: 1-3 tuning, 1-20 tuning-wide, 101-103 held-out, 201-205 final, "
                         "301-305 final-2, 401-405 final-3, 501-505 final-4, 601-605 final-5, "
                         "701-705 final-6, 801-805 final-7, 901-905 final-8, "
                         "1001-1005 final-9, 1101-1105 final-10, 1201-1205 final-11, "
                         "1301-1305 final-12, 1401-1405 final-13, "
                         "1501-1505 final-14, 1601-1605 final-15, "
                         "1701-1705 final-16, 1801-1805 final-17, "
                         "1901-1905 final-18, 2001-2005 final-19, "
                         "2101-2105 final-20, 2201-2205 final-21, "
                         "2301-2305 final-22, 2401-2405 final-23, "
                         "2501-2505 final-24, 2601-2605 final-25, "
                         "2701-2705 final-26, 2801-2805 final-27, "
                         "2901-2905 final-28, 3001-3005 final-29, "
                         "3101-3105 final-30, 3201-3205 final-31, "
                         "3301-3305 final-32, 3401-3405 final-33, "
                         "3501-3505 final-34, 3601-3605 final-35, "
                         "3701-3705 final-36, 3801-3805 final-37, "
                         "3901-3905 final-38, 4001-4005 final-39, "
                         "4101-4105 final-40, 4201-4205 final-41)")
    weather.add_argument("--sensors", type=int, default=24, help="sensors with faults")
    weather.add_argument("--controls", type=int, default=12, help="fault-free control sensors")
    weather.add_argument("--readings", type=int, default=2880, help="readings per sensor")
    weather.add_argument("--fault-rate", type=float, default=0.004,
                         help="chance per reading that a fault starts (sensors with faults)")
    weather.add_argument("--write-csv", type=Path,
                         help="write the simulated stream as CSV instead of scoring it")
    weather.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from streamml.detector.config import DetectorConfig
    from streamml.evaluate.offline import combined, evaluate
    from streamml.evaluate.scorecard import report
    from streamml.evaluate.sources import CsvProblems, SimulatedRun, read_csv, simulated, write_csv

    config = load_config(DetectorConfig, os.environ)
    if args.csv:
        problems = CsvProblems()
        try:
            result = evaluate(read_csv(args.csv, problems), config)
        except (OSError, ValueError) as exc:
            print(f"streamml evaluate weather: {exc}", file=sys.stderr)
            return 2
        first = f": {problems.first}" if problems.first else ""
        title = f"{args.csv} ({problems.skipped} invalid rows skipped{first})"
        print(report(result.card, title))
        print(f"  detector cost: {result.microseconds_per_reading:.0f} µs per reading")
        return 0
    seeds = [int(s) for s in (args.seeds or SEED_SETS[args.params]).split(",") if s.strip()]
    runs = [SimulatedRun(seed=seed, params=args.params, faulty=args.sensors,
                         control=args.controls, readings_per_sensor=args.readings,
                         fault_rate=args.fault_rate) for seed in seeds]
    if args.write_csv:
        count = write_csv(args.write_csv, (item for r in runs for item in simulated(r)))
        print(f"wrote {count} readings to {args.write_csv}")
        return 0
    result = combined([evaluate(simulated(r), config) for r in runs])
    title = (f"simulator, parameters {args.params!r}, seeds {','.join(map(str, seeds))}: "
             f"{args.sensors} sensors with faults + {args.controls} control, "
             f"{args.readings} readings each")
    print(report(result.card, title))
    print(f"  detector cost: {result.microseconds_per_reading:.0f} µs per reading "
          f"({result.readings} readings in {result.seconds:.1f} s)")
    return 0
