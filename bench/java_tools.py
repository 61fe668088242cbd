"""The broker's own ceiling: Kafka's Java perf tools (kafka-tools jar) with the broker's jars."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

PRODUCER_CLASS = "org.apache.kafka.tools.ProducerPerformance"
CONSUMER_CLASS = "org.apache.kafka.tools.ConsumerPerformance"
LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = STDERR
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
"""


@dataclass(frozen=True)
class JavaTools:
    libs: Path
    work_dir: Path
    heap: str = "512m"

    def _command(self, main: str, *args: str) -> list[str]:
        log_config = self.work_dir / "tools-log4j2.properties"
        if not log_config.exists():
            log_config.parent.mkdir(parents=True, exist_ok=True)
            log_config.write_text(LOG4J2)
        return ["java", f"-Xmx{self.heap}", f"-Dlog4j2.configurationFile={log_config}",
                "-cp", f"{self.libs}/*", main, *args]

    def producer_command(self, bootstrap: str, topic: str, records: int, payload_file: Path) -> list[str]:
        # acks=all and idempotence (the Java client's defaults) as in streamml's producers.
        return self._command(PRODUCER_CLASS, "--topic", topic, "--num-records", str(records),
                             "--payload-file", str(payload_file), "--throughput", "-1",
                             "--producer-props", f"bootstrap.servers={bootstrap}", "acks=all",
                             "enable.idempotence=true")

    def consumer_command(self, bootstrap: str, topic: str, records: int, group: str) -> list[str]:
        return self._command(CONSUMER_CLASS, "--bootstrap-server", bootstrap, "--topic", topic,
                             "--num-records", str(records), "--group", group, "--timeout", "60000")

    def producer_run(self, command: list[str]) -> tuple[float, str]:
        """(records/s, the tool's own summary line) from ProducerPerformance: its last line
        of this form (the ones before are progress reports every 5 s)."""
        output = _run(command)
        matches = list(re.finditer(r"^.*?(\d+) records sent, ([\d.]+) records/sec.*$", output,
                                   re.MULTILINE))
        match = matches[-1] if matches else None
        if match is None:
            raise RuntimeError("ProducerPerformance printed no summary:\n" + output[-2000:])
        return float(match.group(2)), match.group(0).strip()

    def consumer_run(self, command: list[str]) -> tuple[float, str]:
        """(records/s while fetching, the tool's own header and values lines) from
        ConsumerPerformance: fetch.nMsg.sec leaves the group join out."""
        output = _run(command)
        lines = [line for line in output.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if line.startswith("start.time") and index + 1 < len(lines):
                header = [h.strip() for h in line.split(",")]
                values = [v.strip() for v in lines[index + 1].split(",")]
                return float(dict(zip(header, values))["fetch.nMsg.sec"]), f"{line}\n{lines[index + 1]}"
        raise RuntimeError("ConsumerPerformance printed no summary:\n" + output[-2000:])


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"{command[-1]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout
