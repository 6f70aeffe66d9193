{{/* Names and labels. A component is gateway, worker or poller; its app is the module name. */}}
{{- define "cp.app" -}}
{{- get (dict "gateway" "api-gateway" "worker" "transfer-worker" "poller" "status-poller") . -}}
{{- end -}}

{{- define "cp.fullname" -}}
{{- printf "%s-%s" .root.Release.Name (include "cp.app" .component) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cp.app" .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "cp.labels" -}}
{{ include "cp.selectorLabels" . }}
app.kubernetes.io/part-of: cryptshare-pipeline
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The management port of each app: its coded default (ADR 026); the deploy-tests check it. */}}
{{- define "cp.managementPort" -}}
{{- get (dict "gateway" 8081 "worker" 8082 "poller" 8083) . -}}
{{- end -}}

{{/*
Settings read as a Spring Boot configtree (file name = property name), as path: value. Lists
(the gateway's API keys) must come from one property source, so their non-secret fields are files
beside the secret ones in the same projected volume.
*/}}
{{- define "cp.settings" -}}
{{- $v := .root.Values -}}
{{- range $id, $server := $v.cryptshare.servers }}
cryptshare.servers.{{ $id }}.base-url: {{ $server.baseUrl | quote }}
{{- end }}
{{- if eq .component "gateway" }}
{{- range $i, $key := $v.gateway.apiKeys }}
cryptshare.gateway.api-keys[{{ $i }}].name: {{ $key.name | quote }}
cryptshare.gateway.api-keys[{{ $i }}].servers: {{ $key.servers | quote }}
cryptshare.gateway.api-keys[{{ $i }}].senders: {{ $key.senders | quote }}
cryptshare.gateway.api-keys[{{ $i }}].requests-per-second: {{ $key.requestsPerSecond | quote }}
{{- end }}
{{- with $v.gateway.credentialKeyId }}
cryptshare.gateway.credential-key-id: {{ . | quote }}
{{- end }}
cryptshare.gateway.sse-timeout: {{ $v.gateway.sseTimeout | quote }}
cryptshare.gateway.topics.partitions: {{ $v.kafka.topics.partitions | quote }}
cryptshare.gateway.topics.replicas: {{ $v.kafka.topics.replicas | quote }}
{{- else if eq .component "worker" }}
cryptshare.worker.topics.state-partitions: {{ $v.kafka.topics.statePartitions | quote }}
cryptshare.worker.topics.event-partitions: {{ $v.kafka.topics.partitions | quote }}
cryptshare.worker.topics.replication-factor: {{ $v.kafka.topics.replicas | quote }}
{{- end }}
{{- end -}}

{{/* Secret keys mounted as configtree files: Secret key -> property name. */}}
{{- define "cp.secretItems" -}}
{{- $v := .root.Values -}}
{{- if eq .component "gateway" }}
{{- range $i, $key := $v.gateway.apiKeys }}
- key: {{ $key.sha256SecretKey }}
  path: cryptshare.gateway.api-keys[{{ $i }}].sha256
{{- end }}
{{- range $id, $secretKey := $v.gateway.credentialKeys }}
- key: {{ $secretKey }}
  path: cryptshare.gateway.credential-keys.{{ $id }}
{{- end }}
{{- else }}
{{- range $id, $secretKey := $v.secrets.clientIds }}
- key: {{ $secretKey }}
  path: cryptshare.servers.{{ $id }}.client-id
{{- end }}
{{- if eq .component "worker" }}
{{- range $id, $secretKey := $v.worker.credentialKeys }}
- key: {{ $secretKey }}
  path: cryptshare.worker.credential-keys.{{ $id }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* A ConfigMap key cannot hold brackets: api-keys[0] is stored as api-keys.0 and mounted back. */}}
{{- define "cp.configMapKey" -}}
{{- . | replace "[" "." | replace "]" "" -}}
{{- end -}}
