"""Process scaffolding shared by every service: logging, signals, metrics/health HTTP port."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from streamml.runtime.access_check import AccessRefused, check_access
from streamml.runtime.health import Health
from streamml.runtime.http import ServiceHttpServer
from streamml.runtime.logs import configure_logging
from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.shutdown import install_stop_handlers
from streamml.runtime.stream import Handler, StreamProcessor
from streamml.runtime.summary import PeriodicSummary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceContext:
    config: RuntimeConfig
    registry: CollectorRegistry
    metrics: RuntimeMetrics
    health: Health
    stop: threading.Event
    # Services add their own fields to the periodic log summary here.
    summary: PeriodicSummary


def create_context(config: RuntimeConfig, stop: threading.Event | None = None) -> ServiceContext:
    registry = CollectorRegistry()
    return ServiceContext(
        config=config,
        registry=registry,
        metrics=RuntimeMetrics.create(registry),
        health=Health(stall_after_s=config.liveness_stall_s),
        stop=stop or threading.Event(),
        summary=PeriodicSummary(registry, config.summary_interval_s),
    )


def run_service(config: RuntimeConfig, main: Callable[[ServiceContext], None]) -> int:
    """Run ``main`` as a service process; returns the process exit code."""
    configure_logging(config.service_name, config.log_level, config.log_format)
    set_switch_interval(config)
    context = create_context(config)
    install_stop_handlers(context.stop)
    server = ServiceHttpServer(config.http_host, config.http_port, context.registry,
                               context.health).start()
    log.info("started", extra={"http_port": server.port,
                               "bootstrap_servers": config.bootstrap_servers,
                               "security_protocol": config.security_protocol,
                               "sasl_username": config.sasl_username or None,
                               "switch_interval_ms": config.switch_interval_ms})
    context.summary.start(context.stop)
    try:
        if check_access(config, context.stop):
            context.metrics.gc_frozen.labels(config.service_name).set(freeze_startup_heap())
            context.metrics.gc_pauses.track(config.service_name)
            main(context)
    except AccessRefused as exc:
        log.error("kafka refuses this service", extra={"error": str(exc)})
        return 3
    except Exception:
        log.exception("service failed")
        return 1
    finally:
        context.stop.set()
        context.metrics.gc_pauses.untrack()
        context.summary.log_now(final=True)
        server.stop()
    return 0


def set_switch_interval(config: RuntimeConfig) -> None:
    """How long a thread that wants the interpreter waits before the running one must hand it
    over (CPython's GIL switch interval; process-wide, so set once, before any client thread
    starts). Kafka's replies are handled on kafka-python's own threads: each waits up to this
    long whenever the main loop is computing (docs/runtime.md, "Thread hand-offs")."""
    sys.setswitchinterval(config.switch_interval_ms / 1000)


def freeze_startup_heap() -> int:
    """Move what start-up made (modules, classes, schemas: about 45,000 objects, alive as long
    as the process) out of every later garbage collection. A full collection visits every
    object the collector tracks and pauses the thread that triggered it, here mostly the main
    loop: whatever it need not visit shortens every full collection. Objects frozen are still
    freed when their last reference goes; only a reference cycle among them would outlive
    its use, and start-up objects live as long as the process anyway. Returns how many
    objects are frozen (counted now, while the process does nothing else)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def run_stream(context: ServiceContext, handler: Handler) -> None:
    StreamProcessor(context.config, handler, context.metrics, context.health, context.stop).run()
