from streamml.runtime.health import Health


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_liveness_follows_the_loop_heartbeat():
    clock = _Clock()
    health = Health(stall_after_s=10, clock=clock)
    clock.now = 500
    assert health.live(), "live while starting and connecting: the watchdog is not armed yet"
    health.beat()
    clock.now = 509
    assert health.live()
    clock.now = 511
    assert not health.live()
    health.beat()
    assert health.live()


def test_ready_only_when_every_check_passes():
    health = Health()
    assert not health.ready()  # no checks registered yet: nothing says it can work
    state = {"model": False}
    health.add_check("kafka", lambda: True)
    health.add_check("model", lambda: state["model"])
    assert health.readiness() == {"kafka": True, "model": False}
    assert not health.ready()
    state["model"] = True
    assert health.ready()


def test_a_raising_check_means_not_ready():
    health = Health()
    health.add_check("broken", lambda: 1 / 0)
    assert health.readiness() == {"broken": False}


def test_started_once_the_loop_has_turned_without_any_check():
    health = Health()
    assert not health.started(), "not started while connecting"
    health.add_check("model", lambda: False)
    health.beat()
    assert health.started(), "started needs no data and no passing readiness check"
    assert not health.ready()
