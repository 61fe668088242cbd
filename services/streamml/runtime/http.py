"""One HTTP port per service: /metrics, /startupz (startup), /healthz (liveness) and /readyz
(readiness)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from streamml.runtime.health import Health


class _Handler(BaseHTTPRequestHandler):
    registry: CollectorRegistry
    health: Health

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, generate_latest(self.registry), CONTENT_TYPE_LATEST)
        elif path == "/startupz":
            started = self.health.started()
            self._send_json(200 if started else 503, {"started": started})
        elif path == "/healthz":
            live = self.health.live()
            self._send_json(200 if live else 503, {"live": live})
        elif path == "/readyz":
            checks = self.health.readiness()
            ready = bool(checks) and all(checks.values())
            self._send_json(200 if ready else 503, {"ready": ready, "checks": checks})
        else:
            self._send_json(404, {"error": f"no such path {path}"})

    def _send_json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # probes every few seconds would drown the service's own logs


class ServiceHttpServer:
    def __init__(self, host: str, port: int, registry: CollectorRegistry, health: Health):
        handler = type("Handler", (_Handler,), {"registry": registry, "health": health})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="http")

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> ServiceHttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
