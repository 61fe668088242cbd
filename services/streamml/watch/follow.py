"""Follows the topics of a running system and redraws the view in place.

The reader is its own consumer outside every group (it commits nothing and never takes a
partition from a service) and reads ``read_committed``: only what the transactional services
committed, as their downstream consumers see it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from kafka import KafkaConsumer
from kafka.errors import KafkaError
from rich.console import Console, Group, RenderableType
from rich.live import Live

from streamml.contracts.weather import DETECTOR_WARMUP
from streamml.runtime.clients import connection_settings
from streamml.runtime.settings import KafkaConnection
from streamml.runtime.topics import load_catalog
from streamml.watch.pipeline import PipelineSample, PipelineSampler, known_partitions
from streamml.watch.state import FOLLOWED_TOPICS, WatchState
from streamml.watch.view import frame, minimum_height, rendered_height

# Drawn below the view; called with the most lines it may take (None: no limit).
Extra = Callable[[int | None], RenderableType | None]


class TopicReader:
    def __init__(self, connection: KafkaConnection, topics: Sequence[str] = FOLLOWED_TOPICS,
                 since_ms: int | None = None) -> None:
        """``since_ms``: start at the first record at or after this time; None: at the end."""
        self._consumer = KafkaConsumer(
            **connection_settings(connection), group_id=None, enable_auto_commit=False,
            isolation_level="read_committed", client_id="streamml-watch",
            auto_offset_reset="latest")
        partitions = known_partitions(self._consumer, topics)
        self._consumer.assign(partitions)
        if since_ms is None:
            self._consumer.seek_to_end(*partitions)
            return
        found = self._consumer.offsets_for_times({tp: since_ms for tp in partitions})
        ends = self._consumer.end_offsets(partitions)
        for tp in partitions:
            at = found.get(tp)
            self._consumer.seek(tp, at.offset if at is not None else ends[tp])

    def poll_into(self, state: WatchState, timeout_ms: int = 200) -> int:
        count = 0
        for batch in self._consumer.poll(timeout_ms=timeout_ms, max_records=5000).values():
            for record in batch:
                state.add(record.topic, record.value, record.headers, record.timestamp)
                count += 1
        return count

    def catch_up(self, state: WatchState, timeout_s: float = 15.0) -> None:
        """Read up to the end offsets as of now (or until ``timeout_s``: an open transaction
        holds a read_committed reader back)."""
        assigned = list(self._consumer.assignment())
        ends = self._consumer.end_offsets(assigned)
        deadline = time.monotonic() + timeout_s
        while (any(self._consumer.position(tp) < ends[tp] for tp in assigned)
               and time.monotonic() < deadline):
            self.poll_into(state, timeout_ms=200)

    def close(self) -> None:
        self._consumer.close()


class Watcher:
    """The reader, the pipeline sampler and the state, drawn at ``refresh_s``."""

    def __init__(self, connection: KafkaConnection, since_ms: int | None = None,
                 metrics_urls: Sequence[str] = (), warmup: int = DETECTOR_WARMUP,
                 sample_every_s: float = 2.0) -> None:
        self.source = connection.bootstrap_servers
        self.state = WatchState(warmup=warmup)
        self.pipeline: PipelineSample | None = None
        self._reader = TopicReader(connection, since_ms=since_ms)
        self._sampler = PipelineSampler(connection, load_catalog().names(), metrics_urls)
        self._sample_every_s = sample_every_s
        self._next_sample = 0.0

    def step(self, timeout_ms: int = 200) -> None:
        """Read what arrived; resample offsets and lag when due."""
        self._reader.poll_into(self.state, timeout_ms)
        if time.monotonic() >= self._next_sample:
            try:
                self.pipeline = self._sampler.sample()
            except KafkaError as error:
                self.pipeline = PipelineSample(error=f"Kafka: {error}")
            self._next_sample = time.monotonic() + self._sample_every_s

    def frame(self, extra: Extra | None = None, height: int | None = None,
              width: int = 140) -> RenderableType:
        """The view (and ``extra`` below it); with ``height``, both fit that many lines: the
        view keeps at least its minimum, ``extra`` gets what is left of the rest."""
        below = None
        if extra is not None:
            room = None if height is None else height - minimum_height(self.state, self.pipeline)
            below = extra(room)
        if height is not None and below is not None:
            height -= rendered_height(below, width)
        drawn = frame(self.state, self.pipeline, self.source, height=height)
        return drawn if below is None else Group(drawn, below)

    def live(self, console: Console, stop: threading.Event, refresh_s: float = 0.5,
             extra: Extra | None = None, until: Callable[[], bool] | None = None) -> None:
        """Redraw in place until ``stop`` is set or ``until()`` holds; the last frame stays.
        Each frame fits the terminal's current height (it may be resized), so nothing is
        cropped."""
        def fitted() -> RenderableType:
            return self.frame(extra, height=console.size.height, width=console.size.width)

        with Live(fitted(), console=console, auto_refresh=False,
                  redirect_stdout=False, redirect_stderr=False, vertical_overflow="crop") as live:
            next_draw = 0.0
            while not stop.is_set() and not (until is not None and until()):
                self.step(timeout_ms=int(refresh_s * 400))
                if time.monotonic() >= next_draw:
                    live.update(fitted(), refresh=True)
                    next_draw = time.monotonic() + refresh_s
            # The last frame shows everything written until now.
            self._reader.catch_up(self.state)
            self.step(timeout_ms=100)
            live.update(fitted(), refresh=True)

    def close(self) -> None:
        self._reader.close()
        self._sampler.close()
