"""`streamml status`: pods and readiness, topics and partitions, per-service lag and throughput."""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

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

    from streamml.status.cluster import NO_STATUS, Cluster

    cluster = Cluster(args.context, args.namespace)
    services = cluster.pods(f"app.kubernetes.io/instance={args.release},"
                            "app.kubernetes.io/part-of=streamml")
    kafka_name = args.kafka or args.release
    kafka_pods = cluster.pods(f"strimzi.io/cluster={kafka_name}")
    print(f"Pods in namespace {args.namespace}")
    print(table(["NAME", "SERVICE", "READY", "STATUS", "RESTARTS"],
                [[p.name, p.service, p.ready, p.phase, p.restarts]
                 for p in services + kafka_pods]))
    stuck = [p for p in services + kafka_pods if p.reason]
    if stuck:
        print("\nNot running, and why")
        for pod in stuck:
            print(f"  {pod.name}: {pod.reason}")
    try:
        kafka = cluster.kafka(kafka_name)
        topics = cluster.topics()
    except ApiException as error:
        if error.status == 404:
            print("\nKafka: this cluster does not serve Strimzi's API (kafka.strimzi.io/v1): "
                  "the Strimzi operator and its CRDs are not installed")
        else:
            print(f"\nKafka: cannot read Strimzi resources ({error.status} {error.reason})")
    else:
        print()
        if kafka is None:
            print(f"Kafka {kafka_name}: no Kafka resource in namespace {args.namespace}")
        else:
            print(f"Kafka {kafka.name}: Ready={kafka.ready}")
        print("\nTopics")
        print(table(["TOPIC", "PARTITIONS", "REPLICAS", "READY"],
                    [[t.name, t.partitions, t.replicas, t.ready] for t in topics]))
        silent = [t for t in topics if t.ready == NO_STATUS] + \
            ([kafka] if kafka and kafka.ready == NO_STATUS else [])
        if silent:
            print(f"\nStrimzi has not reported status on {len(silent)} of its resources here "
                  f"(Kafka, KafkaTopics): no operator has reconciled them. Is the Strimzi "
                  f"cluster operator running and watching namespace {args.namespace}?")
    running = [p for p in services if p.phase == "Running" and p.metrics_port]
    before = _scrape_all(cluster, running)
    if running and not before:
        print(f"\nServices: no pod's /metrics answered through the API server "
              f"({len(running)} running); no throughput or lag to show")
    elif running:
        started = time.monotonic()
        time.sleep(args.interval)
        after = _scrape_all(cluster, running)
        statuses = summarize({p.name: p.service for p in running}, before, after,
                             time.monotonic() - started)
        print(f"\nServices (throughput over {args.interval:.0f} s; lag in records)")
        print(table(["SERVICE", "PODS", "CONSUMED/S", "PRODUCED/S", "LAG", "DEAD LETTERS"],
                    [[s.service, s.pods, s.consumed_per_s, s.produced_per_s, s.lag,
                      s.dead_letters] for s in statuses]))
        unreachable = sorted(set(p.name for p in running) - set(after))
        if unreachable:
            print(f"  metrics unreachable: {', '.join(unreachable)}")
    unready = [p for p in services if p.ready.split("/")[0] != p.ready.split("/")[1]]
    return 1 if unready or not services else 0


def _scrape_all(cluster, pods) -> dict:
    """Scrape every pod at once, so one that does not answer costs one timeout, not one each."""
    if not pods:
        return {}
    with ThreadPoolExecutor(max_workers=min(len(pods), 16)) as pool:
        texts = dict(zip((p.name for p in pods), pool.map(lambda p: _scrape(cluster, p), pods)))
    scrapes = {}
    for name, text in texts.items():
        if text is None:
            continue
        try:
            scrapes[name] = parse(text)
        except ValueError:
            continue
    return scrapes


def _scrape(cluster, pod) -> str | None:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        return cluster.scrape(pod)
    except (ApiException, HTTPError, OSError):
        return None
