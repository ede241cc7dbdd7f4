package checks

import "testing"

func TestNoLiteralCredentials(t *testing.T) {
	const fix = "; reference a Secret with valueFrom.secretKeyRef"
	runTable(t, NoLiteralCredentials, []checkCase{
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
		{name: "the OTLP exporter's headers written into the pod spec are flagged, per signal too", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - name: api
        image: ghcr.io/jdjones/rag-api:1.0.0
        env:
        - {name: OTEL_EXPORTER_OTLP_HEADERS, value: "Authorization=Bearer%20t0ken"}
        - {name: OTEL_EXPORTER_OTLP_TRACES_HEADERS, valueFrom: {configMapKeyRef: {name: otel, key: headers}}}
`}, want: []string{
			`Deployment "api" container "api": env OTEL_EXPORTER_OTLP_HEADERS has a literal value` + fix,
			`Deployment "api" container "api": env OTEL_EXPORTER_OTLP_TRACES_HEADERS does not come from a Secret` + fix,
		}},
		{name: "the OTLP exporter's headers from a Secret pass", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - name: api
        image: ghcr.io/jdjones/rag-api:1.0.0
        env:
        - {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "https://otel.example.com:4318"}
        - {name: OTEL_EXPORTER_OTLP_HEADERS, valueFrom: {secretKeyRef: {name: otel-collector-headers, key: headers}}}
`}},
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
			`Job "migrate" init container "wait": env DATABASE_URL holds a URL with an embedded password` + fix,
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
			`ConfigMap "jd-jones-config": key CELERY_BROKER_URL holds a URL with an embedded password; move it to a Secret and reference it with secretKeyRef`,
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

// envPod is a Pod whose one container sets the given env entries (a YAML flow list body).
func envPod(env string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec: {containers: [{name: app, image: \"app:1\", env: [" + env + "]}]}\n"
}

// argsPod is a Pod whose one container runs the given command and args (YAML flow lists).
func argsPod(command, args string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec: {containers: [{name: app, image: \"app:1\", command: " +
		command + ", args: " + args + "}]}\n"
}

// configMap is a ConfigMap with the given data (a YAML flow map body).
func configMap(data string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {" + data + "}\n"
}

func TestLiteralCredentialsOutsideEnvAndUnderMoreNames(t *testing.T) {
	const envFix = "; reference a Secret with valueFrom.secretKeyRef"
	const cmFix = "; move it to a Secret and reference it with secretKeyRef"
	argFix := func(what string) string {
		return "; pass it through an env var from a Secret (valueFrom.secretKeyRef) and refer to it as $(VAR) in " + what
	}
	const pod = `Pod "app" container "app": `
	runTable(t, NoLiteralCredentials, []checkCase{
		{name: "redis started with a password from a secret-backed env var passes", manifests: []string{
			argsPod(`[redis-server]`, `[--requirepass, "$(REDIS_PASSWORD)", --appendonly, "yes"]`),
			argsPod(`[sh, -c]`, `["exec redis-server --requirepass \"$REDIS_PASSWORD\" --masterauth ${REDIS_PASSWORD}"]`),
		}},
		{name: "a password flag with its value after an equals sign is flagged", manifests: []string{
			argsPod(`[app]`, `["--db-password=hunter2", "--loglevel=INFO"]`),
		}, want: []string{pod + "args pass a literal value to --db-password" + argFix("args")}},
		{name: "a password flag followed by its value is flagged", manifests: []string{
			argsPod(`[redis-server]`, `[--requirepass, hunter2]`),
			argsPod(`[app, --api-key, sk-live-123]`, `[]`),
		}, want: []string{
			pod + "args pass a literal value to --requirepass" + argFix("args"),
			pod + "command pass a literal value to --api-key" + argFix("command"),
		}},
		{name: "a shell script's password flag, assignment and url are flagged", manifests: []string{
			argsPod(`[sh, -c]`, `["export API_TOKEN=abc123; celery -A app worker --broker redis://:hunter2@redis:6379/0"]`),
		}, want: []string{
			pod + "args set API_TOKEN to a literal value" + argFix("args"),
			pod + "args holds a URL with an embedded password" + argFix("args"),
		}},
		{name: "the short password flags of redis-cli and mysql are flagged", manifests: []string{
			argsPod(`[redis-cli, -h, redis, -a, hunter2, ping]`, `[]`),
			argsPod(`[mysqladmin, -uroot, -phunter2, ping]`, `[]`),
		}, want: []string{
			pod + "command pass a literal password to redis-cli -a" + argFix("command"),
			pod + "command pass a literal password to mysqladmin -p" + argFix("command"),
		}},
		{name: "a probe's exec command with a literal password is flagged", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  template:
    spec:
      containers:
      - {name: redis, image: "redis:7", livenessProbe: {exec: {command: [redis-cli, -a, hunter2, ping]}}}
`}, want: []string{`StatefulSet "redis" container "redis": livenessProbe command pass a literal password to redis-cli -a` + argFix("livenessProbe command")}},
		{name: "env names beyond password and secret are flagged", manifests: []string{envPod(
			`{name: DB_PASS, value: hunter2}, {name: SMTP_PWD, value: hunter2}, {name: REDIS_AUTH, value: hunter2},` +
				`{name: GITHUB_TOKEN, value: ghp_abc}, {name: SIGNING_PRIVATE_KEY, value: abc}, {name: AZURE_CREDENTIAL, value: abc},` +
				`{name: clientSecret, value: abc}, {name: DB_PASSWORD, value: "123456"}, {name: TLS_KEY, value: "-----BEGIN PRIVATE KEY-----"}`)},
			want: []string{
				pod + "env DB_PASS has a literal value" + envFix,
				pod + "env SMTP_PWD has a literal value" + envFix,
				pod + "env REDIS_AUTH has a literal value" + envFix,
				pod + "env GITHUB_TOKEN has a literal value" + envFix,
				pod + "env SIGNING_PRIVATE_KEY has a literal value" + envFix,
				pod + "env AZURE_CREDENTIAL has a literal value" + envFix,
				pod + "env clientSecret has a literal value" + envFix,
				pod + "env DB_PASSWORD has a literal value" + envFix,
				pod + "env TLS_KEY holds a PEM private key" + envFix,
			}},
		{name: "a configmap's env-file lines, credential keys and urls are flagged", manifests: []string{configMap(
			`app.env: "LOG_LEVEL=info\nDB_PASSWORD=hunter2\nexport API_KEY='sk-123' # prod\nTOKEN_TTL=3600\n",` +
				`smtp.pass: hunter2, prometheus.yml: "remote_write:\n- url: https://user:hunter2@metrics.example.com/push\n"`)},
			want: []string{
				`ConfigMap "app": key app.env line 2 sets DB_PASSWORD to a literal value` + cmFix,
				`ConfigMap "app": key app.env line 3 sets API_KEY to a literal value` + cmFix,
				`ConfigMap "app": key prometheus.yml holds a URL with an embedded password` + cmFix,
				`ConfigMap "app": key smtp.pass has a literal value` + cmFix,
			}},
		{name: "a password flag's value unknown during preview is not judged", manifests: []string{
			argsPod(`[redis-server]`, `[--requirepass, "<unknown>"]`),
		}, undecided: []string{cannotDecide(pod[:len(pod)-2], "no-literal-credentials", "spec.containers[0].args[1]")}},
	})
}

// TestSettingsAboutCredentialsAreNotCredentials is the false-alarm table: each row is the twin of a
// shape the policy flags, with a value or a name that holds no credential.
func TestSettingsAboutCredentialsAreNotCredentials(t *testing.T) {
	for _, c := range []struct{ name, manifest string }{
		{"a minimum password length", envPod(`{name: PASSWORD_MIN_LENGTH, value: "12"}`)},
		{"a token lifetime in seconds", envPod(`{name: TOKEN_TTL, value: "3600"}`)},
		{"a token refresh interval with a unit", envPod(`{name: TOKEN_REFRESH, value: 30s}`)},
		{"auth switched on", envPod(`{name: AUTH_ENABLED, value: "true"}`)},
		{"redis auth switched off", envPod(`{name: REDIS_AUTH, value: "no"}`)},
		{"a password file path", envPod(`{name: PASSWORD_FILE, value: /run/secrets/x}`)},
		{"a credentials file url", envPod(`{name: GOOGLE_CREDENTIALS, value: "file:///var/secrets/key.json"}`)},
		{"a kubelet reference", envPod(`{name: DB_PASSWORD, value: "$(POSTGRES_PASSWORD)"}`)},
		{"a bearer token reference", envPod(`{name: AUTH_TOKEN, value: "Bearer $(API_TOKEN)"}`)},
		{"an empty value", envPod(`{name: API_KEY, value: ""}`)},
		{"a password digit count", envPod(`{name: PASSWORD_MIN_DIGITS, value: "2"}`)},
		{"an auth provider", envPod(`{name: AUTH_PROVIDER, value: google}`)},
		{"grafana's anonymous role", envPod(`{name: GF_AUTH_ANONYMOUS_ORG_ROLE, value: Viewer}`)},
		{"a max token count", envPod(`{name: LLM_MAX_TOKENS, value: "4096"}`)},
		{"a pass-through switch", envPod(`{name: PASS_THROUGH, value: "1"}`)},
		{"the working directory", envPod(`{name: PWD, value: /app}`)},
		{"an access key id", envPod(`{name: AWS_ACCESS_KEY_ID, value: AKIAEXAMPLE}`)},
		{"a secret's name in camel case", envPod(`{name: secretName, value: app-secrets}`)},
		{"a url without a password", envPod(`{name: REDIS_URL, value: "redis://redis:6379/0"}`)},
		{"a password flag's file", argsPod(`[app]`, `[--password-file, /run/secrets/db]`)},
		{"a token ttl flag", argsPod(`[app]`, `["--token-ttl=3600"]`)},
		{"an auth switch flag followed by a subcommand", argsPod(`[app]`, `[--no-auth, serve]`)},
		{"a boolean auth flag followed by another flag", argsPod(`[app]`, `[--auth, --port, "8080"]`)},
		{"mysql -p followed by a database name prompts", argsPod(`[mysql, -u, root, -p, app]`, `[]`)},
		{"an -a flag of another tool", argsPod(`[tar, -a, archive.tar.gz]`, `[]`)},
		{"a shell reference to a password", argsPod(`[sh, -c]`, `["redis-cli -a \"$REDIS_PASSWORD\" ping"]`)},
		{"an env-file setting about a password", configMap(`app.env: "PASSWORD_MIN_LENGTH=12\nAUTH_ENABLED=true\nSECRET_KEY=${SECRET_KEY}\n"`)},
		{"a configmap key naming a secret", configMap(`SECRET_NAME: app-secrets, TOKEN_TTL: "3600", AUTH_MODE: oidc`)},
		{"a config file that reads its password from a file", configMap(`prometheus.yml: "basic_auth:\n  password_file: /etc/secrets/pw\n"`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			decided, notes := runPolicy(t, NoLiteralCredentials, checkCase{manifests: []string{c.manifest}})
			assertLines(t, "violations", nil, decided)
			assertLines(t, "notes", nil, notes)
		})
	}
}
