# streamml: every target installs what it needs; downloads are cached in ignored folders.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CACHE := $(CURDIR)/.cache
export STREAMML_BROKER_CACHE_DIR ?= $(CACHE)
# SECURE=1: the broker authenticates (SASL/SCRAM) and authorizes (ACLs of access.yaml) every
# client (docs/security.md); it keeps its own data directory.
SECURE ?= 0
ifeq ($(SECURE),1)
export STREAMML_BROKER_SECURE := true
export STREAMML_BROKER_DATA_DIR ?= $(CACHE)/broker-secure
endif
export STREAMML_BROKER_DATA_DIR ?= $(CACHE)/broker
export PATH := $(CACHE)/bin:$(PATH)
PYTEST_ARGS ?=

.PHONY: help venv jars broker-start broker-stop demo test test-fast faults

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is required ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[ml,dev]'
	touch $@

venv: $(VENV)/.installed ## create the virtual environment with all Python dependencies

jars: venv ## resolve the Kafka broker jars from Maven Central (cached in .cache/)
	$(BIN)/streamml broker fetch

BROKER_NODES ?= 1
broker-start: jars ## start the embedded Kafka broker on 127.0.0.1:9092 (SECURE=1: with users and ACLs; BROKER_NODES=3: a 3-node cluster on 9092, 9094, 9096)
	@bootstrap=$$($(BIN)/streamml broker start --nodes $(BROKER_NODES)) && echo "$$bootstrap" && \
		eval "$$($(BIN)/streamml broker credentials admin)" && \
		STREAMML_BOOTSTRAP_SERVERS=$$bootstrap $(BIN)/streamml topics apply

broker-stop: venv ## stop the embedded Kafka broker (BROKER_NODES=3: the cluster)
	$(BIN)/streamml broker stop --nodes $(BROKER_NODES)

# SECURE=1: the demo reads as the admin; every service it starts connects as its own user.
demo: broker-start ## run both workflows end to end on the embedded broker (SECURE=1: with users and ACLs)
	eval "$$($(BIN)/streamml broker credentials admin)" && $(BIN)/streamml demo all
	@echo "The broker keeps running for you to explore (README: Running things yourself); stop it with 'make broker-stop$(if $(filter 1,$(SECURE)), SECURE=1)'."

# Checks whose tools need root or Go, or data from ../shared, are skipped with the reason when
# those are missing, and fail instead in CI (CI or STREAMML_REQUIRE_ALL set: tests/prerequisites.py).
test: jars ## run the whole test suite (starts and stops its own broker)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: venv ## the edit-test loop: unit tests only, no broker, no Kubernetes tools (~1 min)
	$(BIN)/pytest -m "not broker and not containers and not e2e and not kube and not controlplane" $(PYTEST_ARGS)

faults: jars ## kill, stop and restart services and the broker, count losses -> docs/reliability.md
	$(BIN)/python -m tests.faults.run --size full

# ---- Kubernetes (docs/kubernetes.md): offline-check tools, images, and the kind deploy path ----
# Pinned versions of what `make deploy` installs around the chart, and of the check tools.
KIND_VERSION := v0.32.0
HELM_VERSION := v3.22.0
KUBECTL_VALIDATE_VERSION := v0.0.4
STRIMZI_CHART := oci://quay.io/strimzi-helm/strimzi-kafka-operator
STRIMZI_VERSION := 1.2.0
KPS_CHART := oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack
KPS_VERSION := 88.2.0
ROLES := orchestrator trainer predictor sensors detector
CLUSTER ?= streamml
NAMESPACE ?= streamml
RELEASE ?= streamml
MONITORING ?= 1
SVC ?= predictor
HELM_ARGS ?=
RELEASE_ONLY ?= 0
# Each service's image is tagged by the content that goes into it (Dockerfiles/image_tag.py):
# a redeploy after a change rolls only the services whose images changed. IMAGE_TAG=<tag>
# tags every image alike instead.
IMAGE_TAG ?=
image_tag = $(or $(IMAGE_TAG),$(shell $(PYTHON) Dockerfiles/image_tag.py $(1)))
HELM_CACHED := $(CACHE)/bin/helm
KUBECTL_VALIDATE := $(CACHE)/bin/kubectl-validate
KIND_CACHED := $(CACHE)/bin/kind
KIND = $(or $(shell command -v kind 2>/dev/null),$(KIND_CACHED))
HELM = $(or $(shell command -v helm 2>/dev/null),$(HELM_CACHED))
KUBE_CONTEXT ?= kind-$(CLUSTER)
KUBECTL ?= kubectl --context $(KUBE_CONTEXT)
KUBE_HELM = $(HELM) --kube-context $(KUBE_CONTEXT)
# `make deploy-wait` waits for what the release rendered, found by its instance label (the
# chart names every object after the release): the Kafka cluster, its topics, the Deployments.
RELEASE_SELECTOR = app.kubernetes.io/instance=$(RELEASE)
WAIT_KAFKA_TIMEOUT ?= 15m
WAIT_TOPICS_TIMEOUT ?= 5m
WAIT_DEPLOYMENTS_TIMEOUT ?= 10m
# $(call wait_strimzi,<resource type>,<timeout>): waits until the release's Strimzi objects of
# that type are Ready, if it rendered any (none with kafka.enabled=false, maybe no Strimzi).
wait_strimzi = names=$$($(KUBECTL) -n $(NAMESPACE) get $(1) -l $(RELEASE_SELECTOR) -o name \
	2>/dev/null); if [ -n "$$names" ]; then echo "waiting for $$(echo $$names)"; \
	$(KUBECTL) -n $(NAMESPACE) wait $$names --for=condition=Ready --timeout=$(2); fi

.PHONY: kube-tools container-tools prometheus-server lock images-check deploy deploy-tools deploy-cluster \
	deploy-operators deploy-images deploy-keys deploy-release deploy-release-only deploy-wait undeploy \
	kind-delete logs grafana status watch-deployed

$(HELM_CACHED):
	GOBIN=$(CACHE)/bin go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

$(KUBECTL_VALIDATE):
	GOBIN=$(CACHE)/bin go install sigs.k8s.io/kubectl-validate@$(KUBECTL_VALIDATE_VERSION)

$(KIND_CACHED):
	GOBIN=$(CACHE)/bin go install sigs.k8s.io/kind@$(KIND_VERSION)

prometheus-server: ## install Debian's Prometheus server if possible (the offline checks evaluate queries on it)
	@command -v prometheus >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
		else echo "prometheus missing (sudo apt-get install prometheus): its checks will be skipped"; fi; }

kube-tools: prometheus-server ## build helm + kubectl-validate (go install, cached in .cache/bin), install Prometheus
	@if command -v go >/dev/null; then $(MAKE) --no-print-directory $(HELM_CACHED) $(KUBECTL_VALIDATE); \
	else echo "go missing: helm and kubectl-validate cannot be built, the chart checks will be skipped"; fi

container-tools: ## install podman, runc and debootstrap (Debian) for the image checks, if possible
	@command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq podman runc debootstrap >/dev/null \
			|| echo "podman could not be installed: the image checks will be skipped"; \
		else echo "podman, runc or debootstrap missing: the image checks will be skipped"; fi; }

test: kube-tools container-tools

lock: venv ## regenerate Dockerfiles/requirements/<service>.txt, each image's pinned dependencies
	$(BIN)/python Dockerfiles/lock.py

images-check: venv ## build every image with podman and check each container answers /healthz
	$(BIN)/python -m tests.k8s.container_images

deploy: deploy-release ## kind cluster + Strimzi + Prometheus/Grafana + streamml images and chart, then wait
	@$(MAKE) --no-print-directory deploy-wait
	@echo
	@echo "streamml is running on $(if $(filter 1,$(RELEASE_ONLY)),context $(KUBE_CONTEXT),kind cluster '$(CLUSTER)'), namespace '$(NAMESPACE)'. Next:"
	@echo "  make status                 pods, topics, lag and throughput"
	@echo "  make logs SVC=predictor     follow a service (orchestrator trainer predictor sensors detector)"
	@echo "  make grafana                Grafana on http://localhost:3000 (admin / streamml)"
	@echo "  make undeploy               remove streamml; make kind-delete removes the cluster"

deploy-wait: ## wait until the release's Kafka, topics and Deployments are ready (KUBE_CONTEXT, NAMESPACE, RELEASE)
ifeq ($(RELEASE_ONLY),1)
	@echo "RELEASE_ONLY=1: not waiting for Kafka and KafkaTopics (only the Strimzi operator makes them Ready)"
else
	@$(call wait_strimzi,kafkas.kafka.strimzi.io,$(WAIT_KAFKA_TIMEOUT))
	@$(call wait_strimzi,kafkatopics.kafka.strimzi.io,$(WAIT_TOPICS_TIMEOUT))
endif
	$(KUBECTL) -n $(NAMESPACE) wait deployment -l $(RELEASE_SELECTOR) \
		--for=condition=Available --timeout=$(WAIT_DEPLOYMENTS_TIMEOUT)

deploy-tools:
	@for tool in docker kubectl go; do command -v $$tool >/dev/null || \
		{ echo "make deploy needs $$tool on PATH (see docs/kubernetes.md)"; exit 1; }; done
	@command -v kind >/dev/null || $(MAKE) --no-print-directory $(KIND_CACHED)
	@command -v helm >/dev/null || $(MAKE) --no-print-directory $(HELM_CACHED)

deploy-cluster: deploy-tools
	@$(KIND) get clusters 2>/dev/null | grep -qx '$(CLUSTER)' || \
		$(KIND) create cluster --name $(CLUSTER) --config k8s/kind-cluster.yaml --wait 180s
	$(KUBECTL) create namespace $(NAMESPACE) --dry-run=client -o yaml | $(KUBECTL) apply -f -

deploy-operators: deploy-cluster
	$(KUBE_HELM) upgrade --install strimzi-kafka-operator $(STRIMZI_CHART) --version $(STRIMZI_VERSION) \
		--namespace strimzi --create-namespace -f k8s/strimzi-values.yaml \
		--set-json 'watchNamespaces=["$(NAMESPACE)"]' --wait --timeout 10m
ifeq ($(MONITORING),1)
	$(KUBE_HELM) upgrade --install kube-prometheus-stack $(KPS_CHART) --version $(KPS_VERSION) \
		--namespace monitoring --create-namespace -f k8s/kube-prometheus-stack-values.yaml \
		--wait --timeout 15m
endif

deploy-images: deploy-cluster
	$(foreach role,$(ROLES),docker build -f Dockerfiles/Dockerfile --build-arg ROLE=$(role) \
		-t streamml-$(role):$(call image_tag,$(role)) . &&) true
	$(KIND) load docker-image --name $(CLUSTER) \
		$(foreach role,$(ROLES),streamml-$(role):$(call image_tag,$(role)))

# The model-signing key pair (docs/security.md): generated once into .cache/keys, stored in
# a Secret the trainer (private key) and predictors (public key) mount.
MODEL_KEYS := $(CACHE)/keys
deploy-keys: $(if $(filter 1,$(RELEASE_ONLY)),deploy-release-only,deploy-cluster) venv
	@test -f $(MODEL_KEYS)/model-signing.key || $(BIN)/streamml keys generate --dir $(MODEL_KEYS)
	$(KUBECTL) -n $(NAMESPACE) create secret generic $(RELEASE)-model-signing \
		--from-file=$(MODEL_KEYS)/model-signing.key --from-file=$(MODEL_KEYS)/model-signing.pub \
		--dry-run=client -o yaml | $(KUBECTL) apply -f -

# RELEASE_ONLY=1: only the Kubernetes half, onto the existing context $(KUBE_CONTEXT) (the local
# control plane of the tests, or a cluster you prepared): no kind, no images, no operators, and
# no wait on what only the operators do (Kafka and KafkaTopics Ready).
deploy-release: $(if $(filter 1,$(RELEASE_ONLY)),deploy-release-only,deploy-operators deploy-images) deploy-keys
	$(KUBE_HELM) upgrade --install $(RELEASE) helm/streamml --namespace $(NAMESPACE) \
		$(foreach role,$(ROLES),--set services.$(role).image.tag=$(call image_tag,$(role))) \
		--set monitoring.enabled=$(if $(filter 1,$(MONITORING)),true,false) \
		--set modelSigning.secretName=$(RELEASE)-model-signing $(HELM_ARGS)

deploy-release-only:
	@echo "RELEASE_ONLY=1: not creating a kind cluster, building or loading images, or installing the"
	@echo "operators; installing the chart into context $(KUBE_CONTEXT) and waiting for its Deployments only."
	@$(KUBECTL) get namespace $(NAMESPACE) >/dev/null 2>&1 || $(KUBECTL) create namespace $(NAMESPACE)

undeploy: ## remove the streamml release (Kafka and its topics included); the cluster stays
	-$(KUBE_HELM) uninstall $(RELEASE) --namespace $(NAMESPACE) --wait
	-$(KUBECTL) delete namespace $(NAMESPACE) --ignore-not-found

kind-delete: ## delete the whole kind cluster
	$(KIND) delete cluster --name $(CLUSTER)

logs: ## follow one service's logs: make logs SVC=predictor
	$(KUBECTL) -n $(NAMESPACE) logs -f --prefix --tail=100 --max-log-requests=10 \
		-l app.kubernetes.io/name=$(SVC),app.kubernetes.io/instance=$(RELEASE)

grafana: ## port-forward Grafana to http://localhost:3000 and print the login
	@echo "Grafana: http://localhost:3000  user admin  password streamml  (dashboard: streamml / pipeline overview; Ctrl-C stops)"
	$(KUBECTL) -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80

# `make watch-deployed`: local ports of the forwards (Kafka brokers: base + node id; /metrics).
# With the chart's Kafka security on, watch authenticates as the read-only `watch` KafkaUser
# (access.yaml `viewers`): its password from the user's Secret and, with TLS, Strimzi's cluster
# CA from <cluster>-cluster-ca-cert, kept in a temporary folder removed on exit.
KAFKA_CLUSTER ?= $(RELEASE)
WATCH_KAFKA_PORT ?= 19094
WATCH_METRICS_PORT ?= 18080
WATCH_ARGS ?=

watch-deployed: venv ## streamml watch on a deployed development release over kubectl port-forward (docs/observing.md; WATCH_ARGS="--since 900")
	@set -eo pipefail; secrets=$$(mktemp -d); \
	trap 'kill $$(jobs -p) 2>/dev/null; rm -rf "$$secrets"' EXIT; \
	listener=$$($(KUBECTL) -n $(NAMESPACE) get kafka $(KAFKA_CLUSTER) \
		-o jsonpath='{.spec.kafka.listeners[?(@.name=="portfwd")].port}'); \
	if [ -z "$$listener" ]; then echo "Kafka $(KAFKA_CLUSTER) has no port-forward listener: deploy with" \
		"HELM_ARGS='--set kafka.portForwardListener.enabled=true' (docs/observing.md)" >&2; exit 2; fi; \
	user=$$($(KUBECTL) -n $(NAMESPACE) get kafkauser -l $(RELEASE_SELECTOR),app.kubernetes.io/component=watch \
		-o jsonpath='{.items[*].metadata.name}'); \
	if [ -n "$$user" ]; then \
		export STREAMML_SASL_MECHANISM=SCRAM-SHA-512 STREAMML_SASL_USERNAME=$$user; \
		STREAMML_SASL_PASSWORD=$$($(KUBECTL) -n $(NAMESPACE) get secret $$user \
			-o jsonpath='{.data.password}' | base64 -d); export STREAMML_SASL_PASSWORD; \
		if [ "$$($(KUBECTL) -n $(NAMESPACE) get kafka $(KAFKA_CLUSTER) \
				-o jsonpath='{.spec.kafka.listeners[?(@.name=="portfwd")].tls}')" = true ]; then \
			$(KUBECTL) -n $(NAMESPACE) get secret $(KAFKA_CLUSTER)-cluster-ca-cert \
				-o jsonpath='{.data.ca\.crt}' | base64 -d > "$$secrets/ca.crt"; \
			export STREAMML_SECURITY_PROTOCOL=SASL_SSL STREAMML_SSL_CAFILE="$$secrets/ca.crt"; \
		else export STREAMML_SECURITY_PROTOCOL=SASL_PLAINTEXT; fi; \
		echo "Kafka: SCRAM-SHA-512 as '$$user' ($$STREAMML_SECURITY_PROTOCOL)"; \
	fi; \
	for pod in $$($(KUBECTL) -n $(NAMESPACE) get pods -o name \
			-l strimzi.io/cluster=$(KAFKA_CLUSTER),strimzi.io/broker-role=true); do \
		$(KUBECTL) -n $(NAMESPACE) port-forward $$pod $$(( $(WATCH_KAFKA_PORT) + $${pod##*-} )):$$listener \
			>/dev/null & done; \
	metrics=""; port=$(WATCH_METRICS_PORT); \
	for svc in $$($(KUBECTL) -n $(NAMESPACE) get svc -o name -l $(RELEASE_SELECTOR),app.kubernetes.io/part-of=streamml); do \
		$(KUBECTL) -n $(NAMESPACE) port-forward $$svc $$port:http-metrics >/dev/null & \
		metrics="$$metrics --metrics http://127.0.0.1:$$port/metrics"; port=$$((port + 1)); done; \
	sleep 3; $(BIN)/streamml watch --bootstrap-servers 127.0.0.1:$(WATCH_KAFKA_PORT) $$metrics $(WATCH_ARGS)

status: venv ## pods and readiness, topics and partitions, lag and throughput per service
	$(BIN)/streamml status --context kind-$(CLUSTER) --namespace $(NAMESPACE) --release $(RELEASE)

# ---- local Kubernetes control plane (issue 15, docs/kubernetes.md "Local control plane") ----
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok, built from the
# Go module proxy into .cache/bin. The Go modules pinning them live in k8s/tools/; these pins must
# match them (checked when building).
KUBERNETES_VERSION := v1.35.4
ETCD_VERSION := v3.6.5
KWOK_VERSION := v0.8.0
CONTROLPLANE_TOOLS := k8s/tools/controlplane
KWOK_TOOLS := k8s/tools/kwok
CONTROLPLANE_BINARIES := $(addprefix $(CACHE)/bin/,etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)
KWOK_STAGES := $(CACHE)/kwok-stages
K8S_VERSION_PKG := k8s.io/component-base/version
K8S_LDFLAGS := -s -w -X $(K8S_VERSION_PKG).gitVersion=$(KUBERNETES_VERSION) \
	-X $(K8S_VERSION_PKG).gitMajor=$(word 1,$(subst ., ,$(KUBERNETES_VERSION:v%=%))) \
	-X $(K8S_VERSION_PKG).gitMinor=$(word 2,$(subst ., ,$(KUBERNETES_VERSION:v%=%))) \
	-X $(K8S_VERSION_PKG).gitTreeState=clean

.PHONY: controlplane controlplane-if-go

test: controlplane-if-go

controlplane-if-go:
	@if command -v go >/dev/null; then $(MAKE) --no-print-directory controlplane; \
	else echo "go missing: the local control plane cannot be built, its tests will be skipped"; fi

controlplane: $(CACHE)/bin/.controlplane-$(KUBERNETES_VERSION) $(CACHE)/bin/.kwok-$(KWOK_VERSION) ## build etcd, kube-apiserver, controller-manager, scheduler, kubectl and kwok (~10 min once, cached in .cache/bin)

$(CACHE)/bin/.controlplane-$(KUBERNETES_VERSION): $(CONTROLPLANE_TOOLS)/go.mod $(CONTROLPLANE_TOOLS)/go.sum
	@grep -qE 'k8s.io/kubernetes $(KUBERNETES_VERSION)( |$$)' $(CONTROLPLANE_TOOLS)/go.mod && \
		grep -qE 'go.etcd.io/etcd/server/v3 $(ETCD_VERSION)( |$$)' $(CONTROLPLANE_TOOLS)/go.mod || \
		{ echo "$(CONTROLPLANE_TOOLS)/go.mod does not pin Kubernetes $(KUBERNETES_VERSION) / etcd $(ETCD_VERSION)"; exit 1; }
	@echo "Building Kubernetes $(KUBERNETES_VERSION) and etcd $(ETCD_VERSION) from the Go module proxy (7-12 min on 2 cores, once)"
	cd $(CONTROLPLANE_TOOLS) && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -o $(CACHE)/bin/etcd -ldflags '-s -w' go.etcd.io/etcd/server/v3
	cd $(CONTROLPLANE_TOOLS) && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -o $(CACHE)/bin/ -ldflags '$(K8S_LDFLAGS)' \
		k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
		k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
	touch $@

$(CACHE)/bin/.kwok-$(KWOK_VERSION): $(KWOK_TOOLS)/go.mod $(KWOK_TOOLS)/go.sum
	@grep -qE 'sigs.k8s.io/kwok $(KWOK_VERSION)( |$$)' $(KWOK_TOOLS)/go.mod || \
		{ echo "$(KWOK_TOOLS)/go.mod does not pin kwok $(KWOK_VERSION)"; exit 1; }
	cd $(KWOK_TOOLS) && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -o $(CACHE)/bin/kwok -ldflags '-s -w' sigs.k8s.io/kwok/cmd/kwok
	rm -rf $(KWOK_STAGES) && mkdir -p $(KWOK_STAGES)
	cd $(KWOK_TOOLS) && src=$$(GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' sigs.k8s.io/kwok) && \
		for stage in node/fast node/heartbeat pod/fast; do \
			mkdir -p $(KWOK_STAGES)/$$stage && \
			find $$src/kustomize/stage/$$stage -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml \
				-exec cp {} $(KWOK_STAGES)/$$stage/ \; || exit 1; \
		done
	chmod -R u+w $(KWOK_STAGES)
	touch $@

# ---- benchmarks: not part of `make test` (bench/README.md) ----
.PHONY: bench bench-roll
BENCH_ARGS ?=

$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[ml,dev,bench]'
	touch $@

bench: jars $(VENV)/.bench-installed ## benchmarks on a private broker (127.0.0.1:19592) -> docs/benchmarks.md + plots (~25 min)
	$(BIN)/python -m bench $(BENCH_ARGS)

BENCH_ROLL_PORT ?= 19594
bench-roll: jars ## the pause a rolling restart of 3 predictors causes, eager vs cooperative+static -> docs/scaling.md (~8 min)
	$(BIN)/streamml broker start --port $(BENCH_ROLL_PORT) --controller-port $$(( $(BENCH_ROLL_PORT) + 1 )) \
		--data-dir $(CACHE)/bench-roll/broker
	STREAMML_BOOTSTRAP_SERVERS=127.0.0.1:$(BENCH_ROLL_PORT) $(BIN)/streamml topics apply
	$(BIN)/python -m bench.rolling_restart --bootstrap 127.0.0.1:$(BENCH_ROLL_PORT) --runs 2 $(BENCH_ARGS); \
	status=$$?; $(BIN)/streamml broker stop --data-dir $(CACHE)/bench-roll/broker; exit $$status