{{/* The release's resources are named after the release; the pods' label app=<that name> is how
cluster bootstrap finds them (ENTWINE_SERVICE_NAME). */}}
{{- define "entwine.fullname" -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "entwine.selectorLabels" -}}
app: {{ include "entwine.fullname" . }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "entwine.labels" -}}
{{ include "entwine.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: node
app.kubernetes.io/part-of: entwine
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "entwine.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "entwine.fullname" .)) -}}
{{- end -}}

{{- define "entwine.tlsSecretName" -}}
{{- .Values.tls.existingSecret | default (printf "%s-tls" (include "entwine.fullname" .)) -}}
{{- end -}}

{{- define "entwine.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}
