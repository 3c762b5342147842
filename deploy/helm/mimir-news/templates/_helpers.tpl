{{/* The chart's name, shortened to the 63 characters a label value allows. */}}
{{- define "mimir.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: objects are called <fullname>-api, <fullname>-worker... */}}
{{- define "mimir.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mimir.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "mimir.labels" -}}
helm.sh/chart: {{ include "mimir.chart" . }}
app.kubernetes.io/name: {{ include "mimir.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/part-of: mimir-news
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "api") */}}
{{- define "mimir.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mimir.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "mimir.componentLabels" -}}
{{ include "mimir.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "mimir.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mimir.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mimir.image" -}}
{{- if or (not .Values.image.tag) (eq (toString .Values.image.tag) "latest") -}}
{{- fail "image.tag must name a released version (never empty or latest)" -}}
{{- end -}}
{{- printf "%s:%s" .Values.image.repository (toString .Values.image.tag) -}}
{{- end -}}

{{/* Mimir's settings: the ConfigMap's data, and the migrate hook's environment. */}}
{{- define "mimir.settings" -}}
MIMIR_HTTP_HOST: "0.0.0.0"
MIMIR_HTTP_PORT: "8080"
MIMIR_METRICS_PORT: "9464"
MIMIR_SHUTDOWN_GRACE_SECONDS: {{ .Values.shutdownGraceSeconds | toString | quote }}
MIMIR_PUBLIC_URL: {{ .Values.publicUrl | quote }}
{{- range $key, $value := .Values.config }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* The secret environment: files from the mounted Secret. */}}
{{- define "mimir.secretEnv" -}}
- name: MIMIR_DATABASE_URL_FILE
  value: /run/secrets/mimir/{{ .Values.secrets.databaseUrlKey }}
{{- if .Values.secrets.redisUrlKey }}
- name: MIMIR_REDIS_URL_FILE
  value: /run/secrets/mimir/{{ .Values.secrets.redisUrlKey }}
{{- end }}
{{- end -}}

{{- define "mimir.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: secrets
  secret:
    secretName: {{ .Values.secrets.existingSecret }}
    defaultMode: 0440
{{- end -}}

{{- define "mimir.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: secrets
  mountPath: /run/secrets/mimir
  readOnly: true
{{- end -}}

{{/* Spread a component's pods over zones, then nodes: (dict "ctx" $ "component" "api" "hashKey" "pod-template-hash") */}}
{{- define "mimir.topologySpread" -}}
{{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
- maxSkew: 1
  topologyKey: {{ . }}
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ $.ctx.Release.Name }}
      app.kubernetes.io/component: {{ $.component }}
  matchLabelKeys:
    - {{ $.hashKey }}
{{- end }}
{{- end -}}

{{/* The api's pod template, shared by its Deployment and its Rollout. */}}
{{- define "mimir.apiPodTemplate" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
metadata:
  labels:
    {{- include "mimir.selectorLabels" (dict "ctx" $ctx "component" "api") | nindent 4 }}
  annotations:
    checksum/config: {{ include (print $ctx.Template.BasePath "/configmap.yaml") $ctx | sha256sum }}
    {{- with $v.api.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "mimir.serviceAccountName" $ctx }}
  automountServiceAccountToken: false
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ $v.api.terminationGracePeriodSeconds }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- if $v.api.topologySpread }}
  topologySpreadConstraints:
    {{- include "mimir.topologySpread" (dict "ctx" $ctx "component" "api" "hashKey" .hashKey) | nindent 4 }}
  {{- end }}
  {{- with $v.api.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.api.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.api.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: api
      image: {{ include "mimir.image" $ctx }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      args: ["serve", "--workers", {{ $v.api.processes | toString | quote }}]
      ports:
        - name: http
          containerPort: 8080
          protocol: TCP
      envFrom:
        - configMapRef:
            name: {{ include "mimir.fullname" $ctx }}-config
      env:
        {{- include "mimir.secretEnv" $ctx | nindent 8 }}
      resources:
        {{- toYaml $v.api.resources | nindent 8 }}
      startupProbe:
        httpGet:
          path: /healthz
          port: http
        periodSeconds: 2
        timeoutSeconds: 2
        failureThreshold: 30
      livenessProbe:
        httpGet:
          path: /healthz
          port: http
        periodSeconds: 10
        timeoutSeconds: 3
        failureThreshold: 3
      readinessProbe:
        httpGet:
          path: /readyz
          port: http
        periodSeconds: 5
        timeoutSeconds: 3
        failureThreshold: 2
      lifecycle:
        preStop:
          exec:
            command: ["sleep", {{ $v.api.preStopSleepSeconds | toString | quote }}]
      securityContext:
        {{- toYaml $v.containerSecurityContext | nindent 8 }}
      volumeMounts:
        {{- include "mimir.volumeMounts" $ctx | nindent 8 }}
  volumes:
    {{- include "mimir.volumes" $ctx | nindent 4 }}
{{- end -}}

{{/* Checks across values that a schema cannot express. */}}
{{- define "mimir.validate" -}}
{{- if le (int .Values.api.terminationGracePeriodSeconds) (add (int .Values.shutdownGraceSeconds) (int .Values.api.preStopSleepSeconds) | int) -}}
{{- fail "api.terminationGracePeriodSeconds must be longer than shutdownGraceSeconds + api.preStopSleepSeconds" -}}
{{- end -}}
{{- if le (int .Values.worker.terminationGracePeriodSeconds) (int .Values.shutdownGraceSeconds) -}}
{{- fail "worker.terminationGracePeriodSeconds must be longer than shutdownGraceSeconds" -}}
{{- end -}}
{{- if and .Values.ingress.tls.enabled (not (or .Values.ingress.tls.clusterIssuer .Values.ingress.tls.issuer)) -}}
{{- fail "ingress.tls needs a cert-manager clusterIssuer or issuer" -}}
{{- end -}}
{{- if and .Values.ingress.tls.createSelfSignedIssuer (not .Values.ingress.tls.issuer) -}}
{{- fail "ingress.tls.createSelfSignedIssuer needs ingress.tls.issuer (its name)" -}}
{{- end -}}
{{- end -}}
