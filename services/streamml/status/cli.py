"""`streamml status`: pods and readiness, topics and partitions, per-service lag and throughput."""

from __future__ import annotations

import argparse
import sys
import time

from streamml.status.summary import parse, summarize, table


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status", help="show a deployed release: pods, topics, lag and throughput",
        description=__doc__)
    parser.add_argument("--context", default=None, help="kubeconfig context (default: current)")
    parser.add_argument("--namespace", default="streamml")
    parser.add_argument("--release", default="streamml", help="Helm release name")
    parser.add_argument("--kafka", default=None,
                        help="name of the Kafka resource (default: the release name, as the chart)")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between the two scrapes throughput is measured over")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kubernetes.client.exceptions import ApiException
    from kubernetes.config import ConfigException
    from urllib3.exceptions import HTTPError

    try:
        return _show(args)
    except (ConfigException, ApiException, HTTPError) as error:
        print(f"streamml status: no reachable cluster or namespace: {error}", file=sys.stderr)
        return 2


def _show(args: argparse.Namespace) -> int:
    from kubernetes.client.exceptions import ApiException

    from streamml.status.cluster import Cluster

    cluster = Cluster(args.context, args.namespace)
    services = cluster.pods(f"app.kubernetes.io/instance={args.release},"
                            "app.kubernetes.io/part-of=streamml")
    kafka = cluster.pods(f"strimzi.io/cluster={args.kafka or args.release}")
    print(f"Pods in namespace {args.namespace}")
    print(table(["NAME", "SERVICE", "READY", "STATUS", "RESTARTS"],
                [[p.name, p.service, p.ready, p.phase, p.restarts] for p in services + kafka]))
    try:
        topics = cluster.topics()
    except ApiException as error:
        print(f"\nTopics: cannot list KafkaTopics ({error.status} {error.reason})")
    else:
        print("\nTopics")
        print(table(["TOPIC", "PARTITIONS", "REPLICAS", "READY"],
                    [[t.name, t.partitions, t.replicas, t.ready] for t in topics]))
    running = [p for p in services if p.phase == "Running" and p.metrics_port]
    before = _scrape_all(cluster, running)
    started = time.monotonic()
    time.sleep(args.interval)
    after = _scrape_all(cluster, running)
    statuses = summarize({p.name: p.service for p in running}, before, after,
                         time.monotonic() - started)
    print(f"\nServices (throughput over {args.interval:.0f} s; lag in records)")
    print(table(["SERVICE", "PODS", "CONSUMED/S", "PRODUCED/S", "LAG", "DEAD LETTERS"],
                [[s.service, s.pods, s.consumed_per_s, s.produced_per_s, s.lag, s.dead_letters]
                 for s in statuses]))
    unready = [p for p in services if p.ready.split("/")[0] != p.ready.split("/")[1]]
    return 1 if unready or not services else 0


def _scrape_all(cluster, pods) -> dict:
    from kubernetes.client.exceptions import ApiException

    scrapes = {}
    for pod in pods:
        try:
            scrapes[pod.name] = parse(cluster.scrape(pod))
        except (ApiException, ValueError):
            continue
    return scrapes
