{{/* Names and labels shared by every template. */}}
{{- define "ovn-evpn.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ovn-evpn.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "ovn-evpn.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "ovn-evpn.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ovn-evpn.labels" -}}
app.kubernetes.io/name: {{ include "ovn-evpn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ovn-evpn
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "ovn-evpn.operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ovn-evpn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "ovn-evpn.nodeAgent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ovn-evpn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node-agent
{{- end -}}

{{- define "ovn-evpn.operator.fullname" -}}
{{- printf "%s-operator" (include "ovn-evpn.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ovn-evpn.nodeAgent.fullname" -}}
{{- printf "%s-node-agent" (include "ovn-evpn.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ovn-evpn.operator.serviceAccountName" -}}
{{- if .Values.serviceAccounts.operator.create -}}
{{- default (include "ovn-evpn.operator.fullname" .) .Values.serviceAccounts.operator.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccounts.operator.name -}}
{{- end -}}
{{- end -}}

{{- define "ovn-evpn.nodeAgent.serviceAccountName" -}}
{{- if .Values.serviceAccounts.nodeAgent.create -}}
{{- default (include "ovn-evpn.nodeAgent.fullname" .) .Values.serviceAccounts.nodeAgent.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccounts.nodeAgent.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the agent API's bearer token (key `token`): the one named in values, else the chart's own. */}}
{{- define "ovn-evpn.nodeAgent.apiTokenSecretName" -}}
{{- default (printf "%s-api-token" (include "ovn-evpn.nodeAgent.fullname" .) | trunc 63 | trimSuffix "-") .Values.nodeAgent.http.tokenSecretName -}}
{{- end -}}

{{- define "ovn-evpn.asnConfigMapName" -}}
{{- printf "%s-asn" (include "ovn-evpn.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ovn-evpn.priorityClassName" -}}
{{- default (printf "%s-node-critical" (include "ovn-evpn.fullname" .)) .Values.priorityClass.name -}}
{{- end -}}

{{- define "ovn-evpn.image" -}}
{{- $tag := .image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}

{{/* The operator's restricted security context (Pod Security "restricted"). */}}
{{- define "ovn-evpn.restrictedContainerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 42494
runAsGroup: 42494
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
