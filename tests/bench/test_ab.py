"""bench.ab: the A/B variants' settings as the services read them."""

from __future__ import annotations

from pathlib import Path

from bench import ab, procs


def test_settings_become_the_services_environment(tmp_path) -> None:
    settings = ab.settings("linger_ms=0,max_poll_records=100")

    proc = procs.service("s", "detector", "127.0.0.1:1", "g", tmp_path, settings)

    assert settings == {"linger_ms": "0", "max_poll_records": "100"}
    assert proc.env["STREAMML_LINGER_MS"] == "0"
    assert proc.env["STREAMML_MAX_POLL_RECORDS"] == "100"
    assert ab.settings("") == {}


def test_bench_processes_run_this_checkouts_services(tmp_path) -> None:
    service = procs.service("s", "detector", "127.0.0.1:1", "g", tmp_path)
    script = procs.module("m", "bench.loadgen", [], tmp_path, site=procs.PURE_CRC_DIR)

    assert service.env["PYTHONPATH"] == str(procs.REPO / "services")
    assert script.env["PYTHONPATH"].split(":") == [str(procs.PURE_CRC_DIR), str(procs.REPO),
                                                   str(procs.REPO / "services")]


def test_a_variants_generator_setting_picks_the_load_generators_client() -> None:
    variant = ab.make_variant("ab_b", "B", "generator=kafka-python,linger_ms=0", ("quiet",))

    assert variant.generator == "kafka-python"
    assert variant.settings == {"linger_ms": "0"}
    assert ab.make_variant("ab_a", "A", "linger_ms=5", ("quiet",)).generator == ""


def test_a_variants_site_setting_puts_a_sitecustomize_folder_on_the_services_path() -> None:
    variant = ab.make_variant("ab_b", "B", "site=bench/turn_trace,linger_ms=0", ("quiet",))

    assert variant.site is not None and variant.site.is_absolute()
    assert variant.site == Path("bench/turn_trace").resolve()
    assert variant.settings == {"linger_ms": "0"}
    assert ab.make_variant("ab_a", "A", "", ("quiet",)).site is None


def test_a_variants_replicas_setting_runs_that_many_service_processes() -> None:
    assert ab.make_variant("ab_b", "B", "replicas=2,linger_ms=0", ("quiet",)).replicas == 2
    assert ab.make_variant("ab_a", "A", "", ("quiet",)).replicas == 1
