package checks

import "testing"

func TestNoLiteralCredentials(t *testing.T) {
	const fix = "; reference a Secret with valueFrom.secretKeyRef"
	runTable(t, LiteralCredentials, []checkCase{
		{name: "secrets, file paths, variable references and settings about credentials pass", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec:
  template:
    spec:
      containers:
      - name: grafana
        image: grafana/grafana:11.1.0
        env:
        - {name: GF_SECURITY_ADMIN_PASSWORD, valueFrom: {secretKeyRef: {name: jd-jones-secrets, key: grafana-admin-password}}}
        - {name: JWT_SECRET, valueFrom: {secretKeyRef: {name: jd-jones-secrets, key: jwt}}}
        - {name: REDIS_PASSWORD_FILE, value: /run/secrets/redis/password}
        - {name: GOOGLE_APPLICATION_CREDENTIALS, value: /var/secrets/google/key.json}
        - {name: DB_PASSWORD, value: "$(POSTGRES_PASSWORD)"}
        - {name: DATABASE_URL, value: "postgresql://app:$(DB_PASSWORD)@postgres:5432/app"}
        - {name: REDIS_URL, value: "redis://redis:6379/0"}
        - {name: ACCESS_TOKEN_EXPIRE_MINUTES, value: "30"}
        - {name: AWS_ACCESS_KEY_ID, value: AKIAEXAMPLE}
        - {name: TOKENIZERS_PARALLELISM, value: "false"}
        - {name: LLM_MAX_TOKENS, value: "4096"}
        - {name: SENTRY_SECRET, value: ""}
`, `
apiVersion: v1
kind: ConfigMap
metadata: {name: jd-jones-config}
data: {POSTGRES_HOST: postgres, REDIS_HOST: redis, LLM_MODEL: gpt-4o, SECRET_NAME: jd-jones-secrets}
`}},
		{name: "grafana's admin password written into the pod spec is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec:
  template:
    spec:
      containers:
      - {name: grafana, image: "grafana/grafana:11.1.0", env: [{name: GF_SECURITY_ADMIN_PASSWORD, value: jdjones-admin}]}
`}, want: []string{
			`Deployment "grafana" container "grafana": env GF_SECURITY_ADMIN_PASSWORD has a literal value` + fix,
		}},
		{name: "grafana's admin password from a configmap or empty is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec:
  template:
    spec:
      containers:
      - name: grafana
        image: grafana/grafana:11.1.0
        env: [{name: GF_SECURITY_ADMIN_PASSWORD, valueFrom: {configMapKeyRef: {name: grafana, key: password}}}]
      - name: sidecar
        image: grafana/grafana:11.1.0
        env: [{name: GF_SECURITY_ADMIN_PASSWORD}]
`}, want: []string{
			`Deployment "grafana" container "grafana": env GF_SECURITY_ADMIN_PASSWORD does not come from a Secret` + fix,
			`Deployment "grafana" container "sidecar": env GF_SECURITY_ADMIN_PASSWORD is empty, so the default credential applies` + fix,
		}},
		{name: "a job's literal secret key and a url with a password are flagged, init containers included", manifests: []string{`
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      initContainers:
      - {name: wait, image: "postgres:16", env: [{name: DATABASE_URL, value: "postgresql://app:hunter2@postgres:5432/app"}]}
      containers:
      - {name: migrate, image: "api:1", env: [{name: JWT_SECRET_KEY, value: s3cr3t}, {name: API_KEY_FILE, value: sk-live-123}]}
`}, want: []string{
			`Job "migrate" init container "wait": env DATABASE_URL is a literal URL with an embedded password` + fix,
			`Job "migrate" container "migrate": env JWT_SECRET_KEY has a literal value` + fix,
			`Job "migrate" container "migrate": env API_KEY_FILE has a literal value` + fix,
		}},
		{name: "a configmap holding a password or a broker url with a password is flagged", manifests: []string{`
apiVersion: v1
kind: ConfigMap
metadata: {name: jd-jones-config}
data:
  POSTGRES_PASSWORD: hunter2
  CELERY_BROKER_URL: "redis://:hunter2@redis:6379/0"
  POSTGRES_HOST: postgres
`}, want: []string{
			`ConfigMap "jd-jones-config": key CELERY_BROKER_URL is a literal URL with an embedded password; move it to a Secret and reference it with secretKeyRef`,
			`ConfigMap "jd-jones-config": key POSTGRES_PASSWORD has a literal value; move it to a Secret and reference it with secretKeyRef`,
		}},
		{name: "a configured name pattern replaces the default", config: map[string]any{"namePattern": "^VAULT_"}, manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec: {containers: [{name: tool, image: "tool:1", env: [{name: VAULT_ROLE, value: app}, {name: DB_PASSWORD, value: x}]}]}
`}, want: []string{
			`Pod "tool" container "tool": env VAULT_ROLE has a literal value` + fix,
		}},
		{name: "credential values unknown during preview are not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - name: api
        image: api:1
        env:
        - {name: OPENAI_API_KEY, value: "<unknown>"}
        - {name: DATABASE_URL, value: "<unknown>"}
        - {name: LOG_LEVEL, value: "<unknown>"}
`, `
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data: {REDIS_PASSWORD: "<unknown>", LOG_LEVEL: "<unknown>"}
`}, undecided: []string{
			cannotDecide(`Deployment "api" container "api"`, "no-literal-credentials", "spec.template.spec.containers[0].env[0].value"),
			cannotDecide(`Deployment "api" container "api"`, "no-literal-credentials", "spec.template.spec.containers[0].env[1].value"),
			cannotDecide(`ConfigMap "app"`, "no-literal-credentials", "data.REDIS_PASSWORD"),
		}},
	})
}
