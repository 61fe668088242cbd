{{/* Names, labels and shared lookups. */}}

{{- define "streamml.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* Resource name of one service: <release>-<service>, or <service> when the release is "streamml". */}}
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

{{- define "streamml.bootstrapServers" -}}
{{- if .Values.kafka.enabled -}}
{{ printf "%s-kafka-bootstrap.%s.svc:9092" .Values.kafka.name .Release.Namespace }}
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
