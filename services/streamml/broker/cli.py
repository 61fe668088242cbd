"""`streamml broker start | stop | status`."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from streamml.broker import cluster, embedded, security
from streamml.runtime.admin import admin_client
from streamml.runtime.config import load_config

# Errors `streamml` reports as one line (exit code 2) instead of a traceback.
USER_ERRORS = (embedded.BrokerError,)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("broker", help="run the embedded Apache Kafka broker")
    parser.add_argument("action", choices=["start", "stop", "status", "fetch", "credentials"])
    parser.add_argument("user", nargs="?",
                        help="credentials: the user whose settings to print (admin, a service or "
                             "a viewer such as watch)")
    parser.add_argument("--data-dir", help="broker data (env STREAMML_BROKER_DATA_DIR)")
    parser.add_argument("--cache-dir", help="downloaded jars (env STREAMML_BROKER_CACHE_DIR)")
    parser.add_argument("--port", type=int, help="client port (env STREAMML_BROKER_PORT, default 9092)")
    parser.add_argument("--controller-port", type=int, help="KRaft controller port")
    parser.add_argument("--nodes", type=int, default=1,
                        help="a local cluster of this many broker+controller nodes: node i on "
                             "port+2i (controller port+2i+1), data in DATA_DIR/node-i")
    parser.add_argument("--secure", action="store_const", const=True, default=None,
                        help="SASL/SCRAM-SHA-512 and per-service ACLs (env STREAMML_BROKER_SECURE)")
    parser.add_argument("--tls-port", type=int,
                        help="with --secure: a second listener with TLS (SASL_SSL) on this port; "
                             "clients trust DATA_DIR/tls/ca.crt (env STREAMML_BROKER_TLS_PORT)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    overrides = {
        "data_dir": args.data_dir,
        "cache_dir": args.cache_dir,
        "port": args.port,
        "controller_port": args.controller_port,
        "secure": args.secure,
        "tls_port": args.tls_port,
    }
    config = load_config(embedded.BrokerConfig, os.environ, overrides)
    if args.nodes > 1 and args.action != "fetch":
        if config.secure:
            print("streamml broker: --secure runs one node only (the cluster's nodes talk "
                  "plaintext to each other)", file=sys.stderr)
            return 2
        return run_cluster(args.action, cluster.ClusterConfig(config, args.nodes))
    if args.action == "fetch":
        print(embedded.ensure_jars(config))
        return 0
    if args.action == "start":
        print(embedded.start(config))
        return 0
    if args.action == "credentials":
        return credentials(config, args.user)
    if args.action == "stop":
        stopped = embedded.stop(config)
        print("stopped" if stopped else "not running")
        return 0
    return status(config)


def run_cluster(action: str, config: cluster.ClusterConfig) -> int:
    if action == "start":
        print(cluster.start(config))
        return 0
    if action == "stop":
        print("stopped" if cluster.stop(config) else "not running")
        return 0
    return status(config.node(0), config.bootstrap)


def status(config: embedded.BrokerConfig, bootstrap: str | None = None) -> int:
    bootstrap = bootstrap or config.bootstrap
    addresses = [address.rsplit(":", 1) for address in bootstrap.split(",")]
    if not any(embedded.port_answers(host, int(port)) for host, port in addresses):
        print(f"not running (nothing answers on {bootstrap})")
        return 1
    with admin_client(bootstrap, timeout_ms=10000,
                      security=embedded.admin_settings(config)) as admin:
        cluster_info = admin.describe_cluster()
        topics = sorted(t for t in admin.list_topics() if not t.startswith("__"))
    print(f"bootstrap:     {bootstrap}")
    print(f"brokers:       {len(cluster_info.get('brokers', []))}")
    print(f"kafka version: {embedded.running_version(config) or 'unknown (not started by streamml)'}")
    print(f"cluster id:    {cluster_info.get('cluster_id')}")
    print(f"topics:        {', '.join(topics) if topics else '(none)'}")
    print(f"security:      {'SASL/SCRAM-SHA-512, ACLs from access.yaml' if config.secure else 'none (plaintext, no ACLs)'}")
    return 0


def credentials(config: embedded.BrokerConfig, user: str | None) -> int:
    """Print `export` lines that make a service (or a tool, as admin) use ``user``'s
    credentials: `eval "$(streamml broker credentials predictor)"`. Prints nothing for a
    plain broker, so the same line works in both modes."""
    if not config.secure:
        return 0
    if not user:
        print("streamml broker credentials: name a user (admin or a service)", file=sys.stderr)
        return 2
    try:
        settings = security.service_environment(config.root, user)
    except security.CredentialsError as exc:
        print(f"streamml broker credentials: {exc}", file=sys.stderr)
        return 2
    for name, value in {"STREAMML_BOOTSTRAP_SERVERS": config.bootstrap, **settings}.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0
