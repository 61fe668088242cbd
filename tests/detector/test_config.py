"""Detector settings: defaults valid, thresholds built once, bad values name their variable."""

from __future__ import annotations

import pytest

from streamml.detector.config import DetectorConfig
from streamml.runtime.config import ConfigError, load_config


def test_defaults_are_valid_and_map_to_thresholds():
    config = load_config(DetectorConfig, {"STREAMML_SPIKE_Z": "5.5"})
    assert config.thresholds().spike_z == 5.5
    assert config.effective_group_id == "streamml-detector"


@pytest.mark.parametrize("variable, value", [
    ("STREAMML_WARMUP", "2"), ("STREAMML_SPIKE_Z", "0"), ("STREAMML_NOISE_RATIO", "-1"),
    ("STREAMML_ANOMALIES_TOPIC", "weather.readings"), ("STREAMML_REFIT_EVERY", "0"),
])
def test_invalid_settings_name_their_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_config(DetectorConfig, {variable: value})
