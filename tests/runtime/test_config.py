from dataclasses import dataclass

import pytest

from streamml.runtime.config import ConfigError, load_config, require
from streamml.runtime.settings import RuntimeConfig


def test_defaults_then_environment_then_flags():
    config = load_config(
        RuntimeConfig,
        {"STREAMML_HTTP_PORT": "9100", "STREAMML_LOG_LEVEL": "debug"},
        {"http_port": "9200", "log_level": None},
    )
    assert config.http_port == 9200
    assert config.log_level == "debug"
    assert config.bootstrap_servers == "127.0.0.1:9092"


def test_config_is_frozen():
    config = load_config(RuntimeConfig, {})
    with pytest.raises(AttributeError):
        config.http_port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("STREAMML_HTTP_PORT", "eighty", "STREAMML_HTTP_PORT"),
        ("STREAMML_HTTP_PORT", "70000", "STREAMML_HTTP_PORT"),
        ("STREAMML_MAX_POLL_RECORDS", "0", "STREAMML_MAX_POLL_RECORDS"),
        ("STREAMML_LOG_LEVEL", "LOUD", "STREAMML_LOG_LEVEL"),
        ("STREAMML_SHUTDOWN_TIMEOUT_S", "nan", "STREAMML_SHUTDOWN_TIMEOUT_S"),
        ("STREAMML_SHUTDOWN_TIMEOUT_S", "45", "STREAMML_SHUTDOWN_TIMEOUT_S"),
        ("STREAMML_COMPRESSION_TYPE", "brotli", "STREAMML_COMPRESSION_TYPE"),
        ("STREAMML_SWITCH_INTERVAL_MS", "0", "STREAMML_SWITCH_INTERVAL_MS"),
        ("STREAMML_SWITCH_INTERVAL_MS", "500", "STREAMML_SWITCH_INTERVAL_MS"),
    ],
)
def test_invalid_value_names_the_variable(variable, value, named):
    with pytest.raises(ConfigError, match=named):
        load_config(RuntimeConfig, {variable: value})


def test_flag_errors_name_the_flag():
    with pytest.raises(ConfigError, match="--http-port"):
        load_config(RuntimeConfig, {}, {"http_port": "x"})


@dataclass(frozen=True)
class _Custom:
    ENV_PREFIX = "APP_"
    ratio: float = 0.5
    enabled: bool = False
    names: tuple[str, ...] = ()
    label: str | None = None

    def validate(self) -> None:
        require(self, 0 <= self.ratio <= 1, "ratio", "must be within [0, 1]")


def test_typed_parsing_and_own_prefix():
    config = load_config(
        _Custom, {"APP_RATIO": "0.25", "APP_ENABLED": "yes", "APP_NAMES": "a, b,", "APP_LABEL": ""}
    )
    assert config == _Custom(ratio=0.25, enabled=True, names=("a", "b"), label=None)


def test_cross_field_validation_names_the_variable():
    with pytest.raises(ConfigError, match="APP_RATIO: must be within"):
        load_config(_Custom, {"APP_RATIO": "2"})
    with pytest.raises(ConfigError, match="APP_ENABLED"):
        load_config(_Custom, {"APP_ENABLED": "maybe"})


def test_unknown_rebalance_protocol_is_refused():
    with pytest.raises(ConfigError, match="STREAMML_REBALANCE_PROTOCOL"):
        RuntimeConfig(rebalance_protocol="sticky").validate()
