{{/* Names, labels and shared lookups. */}}

{{- define "streamml.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* The release-scoped name of any resource of this release: <release>-<name>, or <name> when
     the release is "streamml". Every object the chart renders is named through it, so two
     releases in one namespace never collide. Arguments: (list $ "predictor"). */}}
{{- define "streamml.serviceName" -}}
{{- $root := index . 0 -}}{{- $svc := index . 1 -}}
{{- if eq $root.Release.Name "streamml" -}}
{{ $svc | trunc 63 | trimSuffix "-" }}
{{- else -}}
{{ printf "%s-%s" $root.Release.Name $svc | trunc 63 | trimSuffix "-" }}
{{- end -}}
{{- end -}}

{{- define "streamml.baseLabels" -}}
helm.sh/chart: {{ include "streamml.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: streamml
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "streamml.commonLabels" -}}
{{ include "streamml.baseLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one service's pods. Arguments: (list $ "predictor"). */}}
{{- define "streamml.selectorLabels" -}}
{{- $root := index . 0 -}}{{- $svc := index . 1 -}}
app.kubernetes.io/name: {{ $svc }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end -}}

{{- define "streamml.labels" -}}
{{- $root := index . 0 -}}{{- $svc := index . 1 -}}
{{ include "streamml.baseLabels" $root }}
{{ include "streamml.selectorLabels" . }}
app.kubernetes.io/component: {{ $svc }}
{{- end -}}

{{- define "streamml.image" -}}
{{- $root := index . 0 -}}{{- $svc := index . 1 -}}{{- $cfg := index . 2 -}}
{{- $repository := default (printf "streamml-%s" $svc) (dig "image" "repository" "" $cfg) -}}
{{- $tag := default (default $root.Chart.AppVersion $root.Values.image.tag) (dig "image" "tag" "" $cfg) -}}
{{ printf "%s%s:%s" $root.Values.image.registry $repository $tag }}
{{- end -}}

{{/* The port of the listener the services use: 9093 (TLS) or 9092. */}}
{{- define "streamml.kafkaPort" -}}
{{- if and .Values.kafka.enabled .Values.kafka.security.enabled .Values.kafka.security.tls -}}9093{{- else -}}9092{{- end -}}
{{- end -}}

{{/* "true" when the chart's Kafka authenticates and authorizes the services. */}}
{{- define "streamml.kafkaSecure" -}}
{{- if and .Values.kafka.enabled .Values.kafka.security.enabled -}}true{{- end -}}
{{- end -}}

{{/* Who may do what (access.yaml, a link to services/streamml/access.yaml). */}}
{{- define "streamml.access" -}}
{{- $access := .Files.Get "access.yaml" | fromYaml -}}
{{- if not $access.services -}}
{{- fail "access.yaml (the link to services/streamml/access.yaml) is missing or empty" -}}
{{- end -}}
{{ toYaml $access }}
{{- end -}}

{{- define "streamml.bootstrapServers" -}}
{{- if .Values.kafka.enabled -}}
{{ printf "%s-kafka-bootstrap.%s.svc:%s" (include "streamml.kafkaCluster" .) .Release.Namespace (include "streamml.kafkaPort" .) }}
{{- else -}}
{{ required "kafka.externalBootstrapServers is required when kafka.enabled is false" .Values.kafka.externalBootstrapServers }}
{{- end -}}
{{- end -}}

{{/* The topic catalog: topics.yaml in the chart is a link to services/streamml/topics.yaml. */}}
{{- define "streamml.catalog" -}}
{{- $catalog := .Files.Get "topics.yaml" | fromYaml -}}
{{- if not $catalog.topics -}}
{{- fail "topics.yaml (the link to services/streamml/topics.yaml) is missing or empty" -}}
{{- end -}}
{{ toYaml $catalog }}
{{- end -}}

{{/* The Secret holding model-signing.key and model-signing.pub (`make deploy` creates it). */}}
{{- define "streamml.modelSigningSecret" -}}
{{ .Values.modelSigning.secretName | default (include "streamml.serviceName" (list . "model-signing")) }}
{{- end -}}

{{- define "streamml.monitoringLabels" -}}
release: {{ .Values.monitoring.release | quote }}
{{- end -}}

{{/* Selects the pods of every enabled service of this release (and never Strimzi's pods,
     which may carry the Kafka resource's labels). */}}
{{- define "streamml.servicesSelector" -}}
{{- $names := list -}}
{{- range $svc, $cfg := .Values.services -}}
{{- if $cfg.enabled -}}{{- $names = append $names $svc -}}{{- end -}}
{{- end -}}
matchLabels:
  app.kubernetes.io/instance: {{ .Release.Name }}
matchExpressions:
  - key: app.kubernetes.io/name
    operator: In
    values: {{ toJson $names }}
{{- end -}}


{{/* Name of this release's Strimzi Kafka cluster: kafka.name, or the release name. Strimzi
     derives its own names from it (<cluster>-kafka-bootstrap, <cluster>-<pool>-<id> pods). */}}
{{- define "streamml.kafkaCluster" -}}
{{- $name := default .Release.Name .Values.kafka.name -}}
{{- $longestPod := printf "%s-%s-999" $name (include "streamml.kafkaNodePool" .) -}}
{{- if gt (len $longestPod) 63 -}}
{{- fail (printf "Kafka pod names (%s) would exceed 63 characters: set a shorter kafka.name or release name" $longestPod) -}}
{{- end -}}
{{ $name }}
{{- end -}}

{{/* Name of the KafkaNodePool of dual-role (controller + broker) nodes. */}}
{{- define "streamml.kafkaNodePool" -}}
{{ include "streamml.serviceName" (list . "dual-role") }}
{{- end -}}

{{/* The label that binds a Strimzi resource (KafkaNodePool, KafkaTopic, KafkaUser) to this
     release's Kafka cluster. */}}
{{- define "streamml.kafkaClusterLabel" -}}
strimzi.io/cluster: {{ include "streamml.kafkaCluster" . }}
{{- end -}}

{{/* "true" when the cluster serves the API (a CRD installed), else "". Arguments:
     (list $ "monitoring.coreos.com/v1" "PodMonitor"). `helm template` sees only built-in APIs
     unless given --api-versions monitoring.coreos.com/v1/PodMonitor. */}}
{{- define "streamml.hasApi" -}}
{{- $root := index . 0 -}}{{- $apiVersion := index . 1 -}}{{- $kind := index . 2 -}}
{{- if $root.Capabilities.APIVersions.Has (printf "%s/%s" $apiVersion $kind) -}}true{{- end -}}
{{- end -}}

{{/* Fails the render with a clear message unless the cluster serves the API. Arguments:
     (list $ "keda.sh/v1alpha1" "ScaledObject" "autoscaling.enabled=true" "install KEDA 2.x"). */}}
{{- define "streamml.requireApi" -}}
{{- $root := index . 0 -}}{{- $apiVersion := index . 1 -}}{{- $kind := index . 2 -}}
{{- $wanted := index . 3 -}}{{- $remedy := index . 4 -}}
{{- if not (include "streamml.hasApi" (list $root $apiVersion $kind)) -}}
{{- fail (printf "%s needs the %s %s API, which this cluster does not serve: %s (offline: helm template --api-versions %s/%s)" $wanted $apiVersion $kind $remedy $apiVersion $kind) -}}
{{- end -}}
{{- end -}}

{{/* "true" when monitoring is on and the prometheus-operator CRDs are installed. */}}
{{- define "streamml.monitoringApi" -}}
{{- if and .Values.monitoring.enabled (include "streamml.hasApi" (list . "monitoring.coreos.com/v1" "PodMonitor")) (include "streamml.hasApi" (list . "monitoring.coreos.com/v1" "PrometheusRule")) -}}true{{- end -}}
{{- end -}}

{{/* Pod anti-affinity that spreads pods matching `labels` over nodes: mode "soft" (preferred),
     "hard" (required) or "" (none). Arguments: (list "soft" (dict "app.kubernetes.io/name" "predictor")). */}}
{{- define "streamml.antiAffinity" -}}
{{- $mode := index . 0 -}}{{- $labels := index . 1 -}}
{{- $term := dict "labelSelector" (dict "matchLabels" $labels) "topologyKey" "kubernetes.io/hostname" -}}
{{- if eq $mode "soft" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        {{- toYaml $term | nindent 8 }}
{{- else if eq $mode "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - {{- toYaml $term | nindent 6 }}
{{- else if $mode -}}
{{- fail (printf "podAntiAffinity must be \"\", \"soft\" or \"hard\", not %q" $mode) -}}
{{- end -}}
{{- end -}}
