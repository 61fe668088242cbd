"""What `streamml status` reads from pod and Strimzi objects (pure logic, client models)."""

from __future__ import annotations

from kubernetes.client import (V1Container, V1ContainerPort, V1ContainerState,
                               V1ContainerStateTerminated, V1ContainerStateWaiting,
                               V1ContainerStatus, V1ObjectMeta, V1Pod, V1PodCondition, V1PodSpec,
                               V1PodStatus)

from streamml.status.cluster import NO_STATUS, _pod_info, _topic_info


def _pod(phase: str, conditions=(), statuses=()) -> V1Pod:
    container = V1Container(name="predictor", ports=[
        V1ContainerPort(name="http-metrics", container_port=8080)])
    return V1Pod(metadata=V1ObjectMeta(name="predictor-abc",
                                       labels={"app.kubernetes.io/name": "predictor"}),
                 spec=V1PodSpec(containers=[container]),
                 status=V1PodStatus(phase=phase, conditions=list(conditions),
                                    container_statuses=list(statuses)))


def _status(ready: bool, restarts: int = 0, waiting=None, last_terminated=None):
    return V1ContainerStatus(
        name="predictor", image="streamml-predictor:dev", image_id="", ready=ready,
        restart_count=restarts,
        state=V1ContainerState(waiting=waiting),
        last_state=V1ContainerState(terminated=last_terminated))


def test_a_running_ready_pod_has_no_reason():
    info = _pod_info(_pod("Running", statuses=[_status(True)]))
    assert (info.ready, info.phase, info.restarts, info.metrics_port, info.reason) == \
        ("1/1", "Running", 0, 8080, "")


def test_an_unschedulable_pod_carries_the_schedulers_message():
    condition = V1PodCondition(type="PodScheduled", status="False", reason="Unschedulable",
                               message="0/1 nodes are available: 1 Insufficient cpu.")
    info = _pod_info(_pod("Pending", conditions=[condition]))
    assert info.reason == "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu."


def test_a_crash_looping_pod_says_so_and_counts_restarts():
    waiting = V1ContainerStateWaiting(reason="CrashLoopBackOff",
                                      message="back-off 40s restarting failed container")
    info = _pod_info(_pod("Running", statuses=[_status(False, 3, waiting=waiting)]))
    assert info.restarts == 3
    assert info.reason == "CrashLoopBackOff: back-off 40s restarting failed container"


def test_a_pod_that_exited_and_is_not_ready_shows_the_exit():
    exited = V1ContainerStateTerminated(exit_code=137, reason="OOMKilled")
    info = _pod_info(_pod("Running", statuses=[_status(False, 1, last_terminated=exited)]))
    assert info.reason == "last exit 137 (OOMKilled)"


def test_a_container_being_created_is_not_a_problem():
    waiting = V1ContainerStateWaiting(reason="ContainerCreating")
    assert _pod_info(_pod("Pending", statuses=[_status(False, waiting=waiting)])).reason == ""


def test_topics_without_strimzi_status_say_so():
    topic = {"metadata": {"name": "cricket-predictions"},
             "spec": {"topicName": "cricket.predictions", "partitions": 6, "replicas": 1}}
    assert _topic_info(topic).ready == NO_STATUS
    topic["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    info = _topic_info(topic)
    assert (info.name, info.partitions, info.replicas, info.ready) == \
        ("cricket.predictions", 6, 1, "True")
