# Pinned versions of everything `make deploy` installs around the streamml chart.
# Included by the Makefile; bump here only.
KIND_VERSION := v0.32.0
HELM_VERSION := v3.22.0
KUBECTL_VALIDATE_VERSION := v0.0.4
STRIMZI_CHART := oci://quay.io/strimzi-helm/strimzi-kafka-operator
STRIMZI_VERSION := 1.2.0
KPS_CHART := oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack
KPS_VERSION := 88.2.0
