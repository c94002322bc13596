{{- define "stevedore.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stevedore.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The headless Service that lists each replica: cluster peers find each other by it. */}}
{{- define "stevedore.headless" -}}
{{- printf "%s-headless" (include "stevedore.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stevedore.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stevedore.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "stevedore.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "stevedore.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "stevedore.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* HTTP or HTTPS: what probes and scrapers speak to the registry port. */}}
{{- define "stevedore.scheme" -}}
{{- if .Values.tls.enabled }}HTTPS{{ else }}HTTP{{ end -}}
{{- end -}}

{{/* Where an upstream's password Secret is mounted. */}}
{{- define "stevedore.upstreamSecretDir" -}}
{{- printf "/etc/stevedore/upstreams/%s" .name -}}
{{- end -}}

{{/* Checks across values that the schema cannot express. */}}
{{- define "stevedore.validate" -}}
{{- $mode := .Values.config.auth.mode -}}
{{- if and (ne $mode "none") (not .Values.auth.htpasswdSecret.name) -}}
{{- fail (printf "config.auth.mode %s needs auth.htpasswdSecret.name (a Secret with the htpasswd file)" $mode) -}}
{{- end -}}
{{- if and (eq $mode "token") (gt (int .Values.replicaCount) 1) (not .Values.auth.tokenKeySecret.name) -}}
{{- fail "config.auth.mode token with more than one replica needs auth.tokenKeySecret.name: each replica must accept the tokens the others issue" -}}
{{- end -}}
{{- if and .Values.cluster.enabled (not .Values.cluster.secret.name) -}}
{{- fail "cluster.enabled needs cluster.secret.name (a Secret with the secret the replicas share)" -}}
{{- end -}}
{{- if and .Values.cluster.enabled .Values.tls.enabled -}}
{{- fail "cluster.enabled does not work with tls.enabled yet: replicas reach each other by pod IP over plain HTTP" -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) -}}
{{- fail "tls.enabled needs tls.secretName (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- $defaults := 0 -}}
{{- range .Values.config.upstreams -}}
{{- if .default }}{{ $defaults = add1 $defaults }}{{ end -}}
{{- end -}}
{{- if gt $defaults 1 -}}
{{- fail "config.upstreams: at most one upstream may be the default" -}}
{{- end -}}
{{- end -}}
