import sys

import pytest

from streamml.runtime.config import load_config
from streamml.runtime.service import set_switch_interval
from streamml.runtime.settings import RuntimeConfig


@pytest.fixture
def restore_switch_interval():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("restore_switch_interval")
def test_the_configured_switch_interval_is_the_interpreters():
    set_switch_interval(load_config(RuntimeConfig, {"STREAMML_SWITCH_INTERVAL_MS": "2"}))
    assert sys.getswitchinterval() == pytest.approx(0.002)
    set_switch_interval(load_config(RuntimeConfig, {}))
    assert sys.getswitchinterval() == pytest.approx(RuntimeConfig.switch_interval_ms / 1000)
