"""A local Kubernetes control plane for the tests: etcd, kube-apiserver (TLS, a static token,
RBAC, PodSecurity admission), kube-controller-manager, kube-scheduler and kwok, each a process
on free loopback ports, built by `make controlplane` into .cache/bin.

kwok plays the kubelets: the nodes it manages are API objects, and the pods bound to them go
Running and Ready without running anything. What that does and does not prove is in
docs/kubernetes.md ("Local control plane").
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.helpers import REPO, free_port
from tests.k8s.controlplane.nodes import (KIND_SYSTEM_PODS, NodeShape, node_manifest,
                                          system_pod_manifest)
from tests.k8s.controlplane.pki import Pki, write_pki

BIN = REPO / ".cache" / "bin"
KWOK_STAGES = REPO / ".cache" / "kwok-stages"
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl",
            "kwok")
LOOPBACK = "127.0.0.1"
SERVICE_CIDR = "10.96.0.0/16"
# kwok hands out pod IPs from this range: TEST-NET-2, so nothing ever answers there.
POD_CIDR = "198.51.100.0/24"
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 20.0


def missing_binaries() -> list[str]:
    missing = [name for name in BINARIES if not (BIN / name).exists()]
    if not KWOK_STAGES.is_dir():
        missing.append("kwok-stages")
    return missing


@dataclass(frozen=True)
class Identity:
    """A static-token user of the API server."""

    user: str
    groups: tuple[str, ...]
    token: str


@dataclass
class Component:
    name: str
    process: subprocess.Popen
    log: Path


class ControlPlane:
    """Start with :meth:`start`, stop with :meth:`stop` (stops only what it started)."""

    def __init__(self, work_dir: Path, context: str = "kind-streamml",
                 kubelet_version: str = "v1.35.4") -> None:
        self.work_dir = work_dir
        self.context = context
        self.kubelet_version = kubelet_version
        self.kubeconfig = work_dir / "kubeconfig"
        self.api_port = free_port()
        self.server = f"https://{LOOPBACK}:{self.api_port}"
        self._components: list[Component] = []
        self._identities = {
            "admin": Identity("kubernetes-admin", ("system:masters",), secrets.token_hex(16)),
            "controller-manager": Identity("system:kube-controller-manager", (),
                                           secrets.token_hex(16)),
            "scheduler": Identity("system:kube-scheduler", (), secrets.token_hex(16)),
            # kwok writes node and pod status for every fake node, as all kubelets together.
            "kwok": Identity("kwok-controller", ("system:masters",), secrets.token_hex(16)),
        }
        self.pki: Pki | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.pki = write_pki(self.work_dir / "pki", (LOOPBACK, "10.96.0.1"))
        try:
            self._start_etcd()
            self._start_apiserver()
            self._write_kubeconfigs()
            self._start_controller_manager()
            self._start_scheduler()
            self._start_kwok()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop in reverse start order, each before the next: an API server that loses etcd
        while shutting down waits on it for several seconds."""
        for component in reversed(self._components):
            if component.process.poll() is None:
                os.killpg(component.process.pid, signal.SIGTERM)
            try:
                component.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(component.process.pid, signal.SIGKILL)
                component.process.wait()
        self._components.clear()

    def logs(self, name: str, tail: int = 40) -> str:
        for component in self._components:
            if component.name == name:
                return "\n".join(component.log.read_text(errors="replace").splitlines()[-tail:])
        return ""

    # ---- using it --------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """Environment for kubectl, helm, make and `streamml status` against this cluster."""
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig),
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}

    def kubectl(self, *args: str, input: str | None = None, check: bool = True,
                timeout: float = 120.0) -> subprocess.CompletedProcess:
        result = subprocess.run([str(BIN / "kubectl"), "--context", self.context, *args],
                                input=input, capture_output=True, text=True, env=self.env(),
                                timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def apply(self, *objects: dict, server_side: bool = True) -> None:
        flags = ["--server-side", "--force-conflicts"] if server_side else []
        self.kubectl("apply", *flags, "-f", "-",
                     input="\n---\n".join(json.dumps(obj) for obj in objects))

    def namespace(self, name: str, labels: dict[str, str] | None = None) -> None:
        """Create (or label) a namespace and wait for its `default` ServiceAccount, without
        which the API server admits no pod there."""
        self.apply({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": name, "labels": labels or {}}})
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.kubectl("get", "serviceaccount", "default", "-n", name,
                           check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no default ServiceAccount in {name}:\n"
                                   f"{self.logs('kube-controller-manager')}")
            time.sleep(0.3)

    def add_nodes(self, shapes: tuple[NodeShape, ...], system_pods: bool = True) -> None:
        """Create fake nodes (kwok marks them Ready) with stand-ins for kind's system pods."""
        for shape in shapes:
            manifest = node_manifest(shape, self.kubelet_version)
            status = manifest.pop("status")
            self.apply(manifest)
            self.kubectl("patch", "node", shape.name, "--subresource=status", "--type=merge",
                         "-p", json.dumps({"status": status}))
        self.kubectl("wait", "node", *[s.name for s in shapes], "--for=condition=Ready",
                     f"--timeout={int(START_TIMEOUT_S)}s", timeout=START_TIMEOUT_S + 10)
        if system_pods:
            self._place_system_pods(shapes)

    def _place_system_pods(self, shapes: tuple[NodeShape, ...]) -> None:
        control_plane = next((s.name for s in shapes
                              if "node-role.kubernetes.io/control-plane" in s.labels), None)
        workers = [s.name for s in shapes if s.name != control_plane] or [control_plane]
        for namespace in sorted({pod.namespace for pod in KIND_SYSTEM_PODS}):
            self.namespace(namespace)
        pods = []
        for index, pod in enumerate(KIND_SYSTEM_PODS):
            node = control_plane if pod.on_control_plane and control_plane else \
                workers[index % len(workers)]
            pods.append(system_pod_manifest(pod, node))
        self.apply(*pods)

    def apply_crds(self, directories: list[Path]) -> None:
        files = sorted(path for directory in directories for path in directory.glob("*.yaml"))
        for path in files:
            self.kubectl("apply", "--server-side", "-f", str(path))
        # Polled rather than `kubectl wait`, which fails on a CRD that has no conditions yet.
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            crds = json.loads(self.kubectl("get", "crd", "-o", "json").stdout)["items"]
            pending = [crd["metadata"]["name"] for crd in crds if not any(
                c["type"] == "Established" and c["status"] == "True"
                for c in (crd.get("status") or {}).get("conditions") or [])]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"CRDs not established: {pending}")
            time.sleep(0.3)

    # ---- components ------------------------------------------------------------------------

    def _spawn(self, name: str, args: list[str]) -> Component:
        log = self.work_dir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([str(BIN / args[0]), *args[1:]], stdout=out,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True, cwd=self.work_dir)
        component = Component(name, process, log)
        self._components.append(component)
        return component

    def _start_etcd(self) -> None:
        client, peer = free_port(), free_port()
        self.etcd_url = f"http://{LOOPBACK}:{client}"
        component = self._spawn("etcd", [
            "etcd", "--name=streamml", f"--data-dir={self.work_dir / 'etcd'}",
            f"--listen-client-urls={self.etcd_url}", f"--advertise-client-urls={self.etcd_url}",
            f"--listen-peer-urls=http://{LOOPBACK}:{peer}",
            f"--initial-advertise-peer-urls=http://{LOOPBACK}:{peer}",
            f"--initial-cluster=streamml=http://{LOOPBACK}:{peer}",
            "--unsafe-no-fsync", "--log-level=warn"])
        self._wait_http(component, f"{self.etcd_url}/health", lambda body: '"true"' in body)

    def _start_apiserver(self) -> None:
        assert self.pki is not None
        tokens = self.work_dir / "tokens.csv"
        tokens.write_text("".join(
            f'{i.token},{i.user},{i.user},"{",".join(i.groups)}"\n'
            for i in self._identities.values()))
        component = self._spawn("kube-apiserver", [
            "kube-apiserver", f"--etcd-servers={self.etcd_url}",
            f"--bind-address={LOOPBACK}", f"--advertise-address={LOOPBACK}",
            f"--secure-port={self.api_port}", f"--cert-dir={self.work_dir / 'apiserver-certs'}",
            f"--tls-cert-file={self.pki.server_cert}",
            f"--tls-private-key-file={self.pki.server_key}",
            f"--client-ca-file={self.pki.ca_cert}",
            f"--token-auth-file={tokens}",
            "--authorization-mode=Node,RBAC",
            # PodSecurity is on by default; listed so that this never silently changes.
            "--enable-admission-plugins=NodeRestriction,PodSecurity",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={self.pki.service_account_public_key}",
            f"--service-account-signing-key-file={self.pki.service_account_key}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            # A loopback address may not be an Endpoints address: no `kubernetes` endpoints.
            "--endpoint-reconciler-type=none",
            # Reach kubelets (logs, exec, the pod proxy) by address: node names do not resolve.
            "--kubelet-preferred-address-types=InternalIP,Hostname",
            "--profiling=false", "--v=1"])
        self._wait_http(component, f"{self.server}/readyz", lambda body: body.strip() == "ok",
                        token=self._identities["admin"].token)

    def _write_kubeconfigs(self) -> None:
        self._write_kubeconfig(self.kubeconfig, self._identities["admin"], self.context)
        for name in ("controller-manager", "scheduler", "kwok"):
            self._write_kubeconfig(self.work_dir / f"{name}.kubeconfig", self._identities[name],
                                   name)

    def _write_kubeconfig(self, path: Path, identity: Identity, context: str) -> None:
        assert self.pki is not None
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": context, "cluster": {
                "server": self.server,
                "certificate-authority-data": base64.b64encode(
                    self.pki.ca_cert.read_bytes()).decode()}}],
            "users": [{"name": context, "user": {"token": identity.token}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        }
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)

    def _start_controller_manager(self) -> None:
        assert self.pki is not None
        port = free_port()
        kubeconfig = self.work_dir / "controller-manager.kubeconfig"
        component = self._spawn("kube-controller-manager", [
            "kube-controller-manager", f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            f"--bind-address={LOOPBACK}", f"--secure-port={port}",
            f"--cert-dir={self.work_dir / 'controller-manager-certs'}",
            f"--service-account-private-key-file={self.pki.service_account_key}",
            f"--root-ca-file={self.pki.ca_cert}",
            "--use-service-account-credentials=true",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--leader-elect=false", "--v=1"])
        self._wait_http(component, f"https://{LOOPBACK}:{port}/healthz",
                        lambda body: body.strip() == "ok", verify=False)

    def _start_scheduler(self) -> None:
        port = free_port()
        kubeconfig = self.work_dir / "scheduler.kubeconfig"
        component = self._spawn("kube-scheduler", [
            "kube-scheduler", f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            f"--bind-address={LOOPBACK}", f"--secure-port={port}",
            f"--cert-dir={self.work_dir / 'scheduler-certs'}",
            "--leader-elect=false", "--v=1"])
        self._wait_http(component, f"https://{LOOPBACK}:{port}/healthz",
                        lambda body: body.strip() == "ok", verify=False)

    def _start_kwok(self) -> None:
        port = free_port()
        stages = sorted(KWOK_STAGES.rglob("*.yaml"))
        component = self._spawn("kwok", [
            "kwok", f"--kubeconfig={self.work_dir / 'kwok.kubeconfig'}",
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            f"--cidr={POD_CIDR}", "--node-ip=198.51.100.250",
            "--node-lease-duration-seconds=40",
            f"--server-address={LOOPBACK}:{port}",
            *[f"--config={stage}" for stage in stages]])
        self._wait_http(component, f"http://{LOOPBACK}:{port}/healthz",
                        lambda body: body.strip() == "ok")

    def _wait_http(self, component: Component, url: str, healthy, token: str | None = None,
                   verify: bool = True) -> None:
        context = None
        if url.startswith("https"):
            if verify:
                assert self.pki is not None
                context = ssl.create_default_context(cafile=str(self.pki.ca_cert))
            else:
                context = ssl._create_unverified_context()  # noqa: S323 - self-signed, loopback
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        deadline = time.monotonic() + START_TIMEOUT_S
        last = ""
        while time.monotonic() < deadline:
            if component.process.poll() is not None:
                raise RuntimeError(f"{component.name} exited with {component.process.returncode}:"
                                   f"\n{self.logs(component.name)}")
            try:
                request = urllib.request.Request(url, headers=headers)
                with urllib.request.urlopen(request, timeout=5, context=context) as response:
                    body = response.read().decode()
                    if healthy(body):
                        return
                    last = body
            except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError) as error:
                last = str(error)
            time.sleep(0.3)
        raise RuntimeError(f"{component.name} not healthy at {url} after {START_TIMEOUT_S:.0f} s"
                           f" ({last}):\n{self.logs(component.name)}")
