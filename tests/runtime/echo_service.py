"""A minimal consuming service for runtime tests: validates `Ping`s and echoes them.

Run as ``python -m tests.runtime.echo_service`` with STREAMML_* variables; it uses the same
runtime entry points as the real services.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field

from streamml.runtime.config import load_config
from streamml.runtime.dead_letter import Outgoing
from streamml.runtime.messages import Message
from streamml.runtime.service import ServiceContext, run_service, run_stream
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.stream import HandlerResult, Incoming


class Ping(Message):
    id: str
    n: int = Field(ge=0)


@dataclass(frozen=True)
class EchoConfig(RuntimeConfig):
    service_name: str = "echo"
    input_topic: str = ""
    output_topic: str = ""
    handle_delay_s: float = 0.0
    # Not ready until this file exists (empty: always ready); stands in for "no model yet".
    ready_file: str = ""


class EchoHandler:
    def __init__(self, config: EchoConfig) -> None:
        self._config = config
        self.inputs = {config.input_topic: Ping}

    def is_ready(self) -> bool:
        return not self._config.ready_file or os.path.exists(self._config.ready_file)

    def handle(self, batch: Sequence[Incoming[Ping]]) -> HandlerResult:
        if self._config.handle_delay_s:
            time.sleep(self._config.handle_delay_s)
        return HandlerResult(outputs=[
            Outgoing(self._config.output_topic, item.message.to_bytes(), item.record.key)
            for item in batch
        ])

    def on_idle(self) -> list[Outgoing]:
        return []

    def close(self) -> None:
        pass


def main() -> int:
    config = load_config(EchoConfig, os.environ)

    def serve(context: ServiceContext) -> None:
        run_stream(context, EchoHandler(config))

    return run_service(config, serve)


if __name__ == "__main__":
    sys.exit(main())
