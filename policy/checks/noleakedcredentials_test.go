package checks

import (
	"encoding/base64"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// fakeCredential holds made-up credentials in the shapes gitleaks' default rules recognise. They are
// built at run time from a fixed seed, so the source holds no credential-shaped literal for a
// scanner (GitHub push protection, gitleaks itself) to flag.
type fakeCredential struct {
	github, aws, slack, stripe, jwt, privateKey string
}

func newFakeCredentials() fakeCredential {
	r := rand.New(rand.NewPCG(20, 26))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	random := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	b64 := base64.RawURLEncoding
	var pem []string
	for range 6 {
		pem = append(pem, random(alnum+"+/", 64))
	}
	return fakeCredential{
		github: "gh" + "p_" + random(alnum, 36),
		aws:    "AK" + "IA" + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
		slack:  "xo" + "xb-" + random("0123456789", 12) + "-" + random("0123456789", 13) + "-" + random(alnum, 24),
		stripe: "sk" + "_live_" + random(alnum, 24),
		jwt: b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
			b64.EncodeToString([]byte(`{"sub":"svc-ingest","iat":1716239022}`)) + "." + random(alnum+"_-", 43),
		privateKey: "-----BEGIN " + "PRIVATE KEY-----\n" + strings.Join(pem, "\n") + "\n-----END " + "PRIVATE KEY-----\n",
	}
}

var fakes = newFakeCredentials()

// all lists every fake credential.
func (f fakeCredential) all() []string {
	return []string{f.github, f.aws, f.slack, f.stripe, f.jwt, f.privateKey}
}

// withFakes writes the fake credentials into a manifest in place of FAKEGITHUB, FAKEAWS, FAKESLACK,
// FAKESTRIPE, FAKEJWT and FAKEPEM (a YAML double-quoted string), and B64(NAME) for NAME base64-encoded.
func withFakes(doc string) string {
	for _, p := range []struct{ name, value string }{
		{"FAKEGITHUB", fakes.github}, {"FAKEAWS", fakes.aws}, {"FAKESLACK", fakes.slack},
		{"FAKESTRIPE", fakes.stripe}, {"FAKEJWT", fakes.jwt}, {"FAKEPEM", fakes.privateKey},
	} {
		doc = strings.ReplaceAll(doc, "B64("+p.name+")", base64.StdEncoding.EncodeToString([]byte(p.value)))
		if p.name == "FAKEPEM" {
			p.value = strconv.Quote(p.value)
		}
		doc = strings.ReplaceAll(doc, p.name, p.value)
	}
	return doc
}

// leakCases are the table of no-leaked-credentials, with the fake credentials written in.
func leakCases() []checkCase {
	const (
		cmFix      = "; move it to a Secret and mount it, or reference it with secretKeyRef"
		envFix     = "; reference a Secret with valueFrom.secretKeyRef"
		commandFix = "; pass it through an env var from a Secret (valueFrom.secretKeyRef) and refer to it as $(VAR)"
		headerFix  = "; a probe's headers cannot come from a Secret: probe an endpoint that needs no credential, or use an exec probe that reads it from a mounted Secret"
		metaFix    = "; move it to a Secret: anyone who can read the object reads its annotations and labels"
	)
	rule := leakRule
	cases := []checkCase{
		{name: "tokens in configmap files of ini, yaml, toml and json syntax are flagged by key, line and rule", manifests: []string{`
apiVersion: v1
kind: ConfigMap
metadata: {name: integrations}
data:
  app.ini: |
    [github]
    user = release-bot
    token = FAKEGITHUB
  config.yaml: |
    aws:
      region: eu-west-1
      accessKeyId: FAKEAWS
  settings.toml: |
    [slack]
    channel = "#ops"
    bot_token = "FAKESLACK"
  stripe.json: '{"stripe": {"mode": "live", "secretKey": "FAKESTRIPE"}}'
binaryData:
  tls.key: B64(FAKEPEM)
  token.bin: B64(FAKEJWT)
`}, want: []string{
			`ConfigMap "integrations": binaryData["tls.key"] (base64-decoded) line 1` + rule("private-key") + cmFix,
			`ConfigMap "integrations": binaryData["token.bin"] (base64-decoded)` + rule("jwt") + cmFix,
			`ConfigMap "integrations": data["app.ini"] line 3` + rule("github-pat") + cmFix,
			`ConfigMap "integrations": data["config.yaml"] line 3` + rule("aws-access-token") + cmFix,
			`ConfigMap "integrations": data["settings.toml"] line 3` + rule("slack-bot-token") + cmFix,
			`ConfigMap "integrations": data["stripe.json"]` + rule("stripe-access-token") + cmFix,
		}},
		{name: "tokens in annotations, labels, env, args, exec and httpGet probes and hooks of a deployment are flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingest
  annotations: {ci.example.com/deploy-token: FAKEGITHUB}
  labels: {app: ingest, build-key: FAKEAWS}
spec:
  selector: {matchLabels: {app: ingest}}
  template:
    metadata:
      labels: {app: ingest}
      annotations: {vault.example.com/role-token: FAKEJWT}
    spec:
      containers:
      - name: ingest
        image: ghcr.io/jdjones/ingest:1.4.2
        env:
        - {name: AWS_ACCESS_KEY_ID, value: FAKEAWS}
        - {name: NOTIFY, value: "slack://FAKESLACK@ops"}
        args: [--stripe-key, FAKESTRIPE, --log-level=info]
        livenessProbe:
          exec: {command: [sh, -c, "curl -fsS -H 'Authorization: token FAKEGITHUB' https://api.github.com/rate_limit"]}
        readinessProbe:
          httpGet:
            path: /ready
            port: 8000
            httpHeaders: [{name: Authorization, value: "Bearer FAKEJWT"}]
        lifecycle:
          preStop:
            exec: {command: [sh, -c, "curl -X POST -d token=FAKESLACK https://slack.com/api/chat.postMessage"]}
`}, want: []string{
			`Deployment "ingest": metadata.annotations["ci.example.com/deploy-token"]` + rule("github-pat") + metaFix,
			`Deployment "ingest": metadata.labels.build-key` + rule("aws-access-token") + metaFix,
			`Deployment "ingest": spec.template.metadata.annotations["vault.example.com/role-token"]` + rule("jwt") + metaFix,
			`Deployment "ingest": spec.template.spec.containers[0].args[1]` + rule("stripe-access-token") + commandFix,
			`Deployment "ingest": spec.template.spec.containers[0].env[0].value` + rule("aws-access-token") + envFix,
			`Deployment "ingest": spec.template.spec.containers[0].env[1].value` + rule("slack-bot-token") + envFix,
			`Deployment "ingest": spec.template.spec.containers[0].lifecycle.preStop.exec.command[2]` + rule("slack-bot-token") + commandFix,
			`Deployment "ingest": spec.template.spec.containers[0].livenessProbe.exec.command[2]` + rule("curl-auth-header") + commandFix,
			`Deployment "ingest": spec.template.spec.containers[0].livenessProbe.exec.command[2]` + rule("github-pat") + commandFix,
			`Deployment "ingest": spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders[0].value` + rule("jwt") + headerFix,
		}},
		{name: "a token in an ingress annotation is flagged", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      proxy_set_header X-Api-Key "FAKESTRIPE";
      proxy_set_header Authorization "Bearer FAKEGITHUB";
spec:
  rules: [{host: api.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 8000}}}}]}}]
`}, want: []string{
			`Ingress "api": metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"] line 1` + rule("stripe-access-token") + metaFix,
			`Ingress "api": metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"] line 2` + rule("github-pat") + metaFix,
		}},
		{name: "a token in a custom resource's label is flagged", manifests: []string{`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: api
  labels: {release: prometheus, scrape-token: FAKEGITHUB}
spec:
  endpoints: [{port: http}]
`}, want: []string{
			`ServiceMonitor "api": metadata.labels.scrape-token` + rule("github-pat") + metaFix,
		}},
		{name: "one finding per field and rule, however often the token repeats; one per field it is in", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: sync}
spec:
  containers:
  - name: sync
    image: ghcr.io/jdjones/sync:1.0.0
    env:
    - {name: GH_TOKENS, value: "FAKEGITHUB,FAKEGITHUB FAKEGITHUB"}
    - {name: GH_TOKEN, value: FAKEGITHUB}
    - {name: MIXED, value: "FAKEGITHUB FAKEAWS FAKEGITHUB"}
`}, want: []string{
			`Pod "sync": spec.containers[0].env[0].value` + rule("github-pat") + envFix,
			`Pod "sync": spec.containers[0].env[1].value` + rule("github-pat") + envFix,
			`Pod "sync": spec.containers[0].env[2].value` + rule("aws-access-token") + envFix,
			`Pod "sync": spec.containers[0].env[2].value` + rule("github-pat") + envFix,
		}},
		{name: "file references, variable expansions, placeholders, examples and secret references pass", manifests: []string{`
apiVersion: v1
kind: ConfigMap
metadata: {name: grafana}
data:
  grafana.ini: |
    [security]
    admin_password = $__file{/etc/secrets/grafana/admin-password}
    secret_key = $__env{GF_SECRET_KEY}
    [database]
    password_file = /x
  app.env: |
    GITHUB_TOKEN=<your-token>
    SLACK_BOT_TOKEN=changeme
    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
    STRIPE_KEY=${STRIPE_KEY}
  token-path: /run/secrets/token
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, annotations: {docs: "token at /run/secrets/token"}}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: ghcr.io/jdjones/api@sha256:4b2310e19590d86b1634c6fa9b8f44bb14e269a62ecc6498a3399c2e6d7b6f21
        args: [--github-token=$(GITHUB_TOKEN), --token-file=/run/secrets/token]
        env:
        - {name: GITHUB_TOKEN, valueFrom: {secretKeyRef: {name: api, key: github-token}}}
        - {name: API_KEY, value: changeme}
        - {name: DATABASE_URL, value: "postgresql://app:$(DB_PASSWORD)@postgres:5432/app"}
        readinessProbe:
          httpGet: {path: /ready, port: 8000, httpHeaders: [{name: Authorization, value: "Bearer $(PROBE_TOKEN)"}]}
`}},
		{name: "a secret's data and string data and pulumi secret values may hold tokens", manifests: []string{`
apiVersion: v1
kind: Secret
metadata: {name: integrations}
data: {github: B64(FAKEGITHUB), tls.key: B64(FAKEPEM)}
stringData:
  aws: FAKEAWS
  app.ini: |
    [stripe]
    key = FAKESTRIPE
`, `
apiVersion: v1
kind: ConfigMap
metadata: {name: generated}
data: {token: "<secret>FAKEGITHUB"}
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: bot}
spec:
  selector: {matchLabels: {app: bot}}
  template:
    metadata: {labels: {app: bot}}
    spec:
      containers:
      - {name: bot, image: "ghcr.io/jdjones/bot:2.0.0", env: [{name: SLACK_BOT_TOKEN, value: "<secret>FAKESLACK"}]}
`}},
		{name: "a configmap key unknown during preview cannot be decided; other unknown values are skipped", manifests: []string{`
apiVersion: v1
kind: ConfigMap
metadata: {name: generated, annotations: {note: <unknown>}}
data: {token: <unknown>, region: eu-west-1}
binaryData: {blob: <unknown>}
`, `
apiVersion: v1
kind: ConfigMap
metadata: {name: rendered}
data: <unknown>
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: bot}
spec:
  selector: {matchLabels: {app: bot}}
  template:
    metadata: {labels: {app: bot}}
    spec:
      containers:
      - {name: bot, image: "ghcr.io/jdjones/bot:2.0.0", args: [<unknown>], env: [{name: SLACK_BOT_TOKEN, value: <unknown>}]}
`}, undecided: []string{
			`ConfigMap "generated": no-leaked-credentials cannot decide during preview: binaryData.blob is not known yet; it is checked again when the value is known`,
			`ConfigMap "generated": no-leaked-credentials cannot decide during preview: data.token is not known yet; it is checked again when the value is known`,
			`ConfigMap "rendered": no-leaked-credentials cannot decide during preview: data is not known yet; it is checked again when the value is known`,
		}},
	}
	for i := range cases {
		for j := range cases[i].manifests {
			cases[i].manifests[j] = withFakes(cases[i].manifests[j])
		}
	}
	return cases
}

// leakRule is the problem of a message naming gitleaks rule id.
func leakRule(id string) string {
	return " holds a credential that gitleaks rule " + id + " recognises"
}

func TestNoLeakedCredentials(t *testing.T) {
	runTable(t, NoLeakedCredentials, leakCases())
}

// TestLeakedCredentialMessagesHoldNoSecret checks that no message holds any part of a credential:
// no 6 characters in a row of any fake credential.
func TestLeakedCredentialMessagesHoldNoSecret(t *testing.T) {
	var messages []string
	for _, c := range leakCases() {
		decided, notes := runPolicy(t, NoLeakedCredentials, c)
		messages = append(append(messages, decided...), notes...)
	}
	if len(messages) == 0 {
		t.Fatal("no messages")
	}
	all := strings.Join(messages, "\n")
	for _, secret := range fakes.all() {
		for i := 0; i+6 <= len(secret); i++ {
			if part := secret[i : i+6]; strings.Contains(all, part) {
				t.Fatalf("a message holds %q, part of a credential:\n%s", part, all)
			}
		}
	}
}

// TestLeakedCredentialsInCustomResourceSpec: a custom resource's spec is scanned like any field.
func TestLeakedCredentialsInCustomResourceSpec(t *testing.T) {
	doc := withFakes(`
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: platform}
spec:
  source:
    repoURL: https://github.com/jdjones/platform.git
    helm:
      values: |
        github:
          token: FAKEGITHUB
      parameters: [{name: slack.token, value: FAKESLACK}, {name: region, value: eu-west-1}]
  destination: {namespace: platform, server: https://kubernetes.default.svc}
`)
	got, notes := runPolicy(t, NoLeakedCredentials, checkCase{manifests: []string{doc}})
	if len(notes) > 0 {
		t.Errorf("notes: %v", notes)
	}
	assertLines(t, "violations", []string{
		`Application "platform": spec.source.helm.parameters[0].value` + leakRule("slack-bot-token") + "; " + leakRemediation,
		`Application "platform": spec.source.helm.values line 2` + leakRule("github-pat") + "; " + leakRemediation,
	}, got)
}

// TestLeakPrefilterKeepsEveryFinding checks that the prefilter skips only values in which gitleaks
// finds nothing: every string of the table's manifests, line by line too.
func TestLeakPrefilterKeepsEveryFinding(t *testing.T) {
	s, err := leakDetector()
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	var collect func(v property.Value)
	collect = func(v property.Value) {
		switch {
		case v.IsString():
			values = append(values, v.AsString())
			values = append(values, strings.Split(v.AsString(), "\n")...)
		case v.IsMap():
			for _, e := range v.AsMap().All {
				collect(e)
			}
		case v.IsArray():
			for _, e := range v.AsArray().All {
				collect(e)
			}
		}
	}
	for _, c := range leakCases() {
		for _, m := range c.manifests {
			collect(property.New(manifest(t, m).Properties))
		}
	}
	values = append(values, fakes.all()...)
	for _, v := range values {
		if !s.mayMatch(v) && len(s.findings(v)) > 0 {
			t.Errorf("the prefilter skips a value with findings (%d bytes)", len(v))
		}
	}
	skipped := 0
	for _, v := range values {
		if !s.mayMatch(v) {
			skipped++
		}
	}
	t.Logf("the prefilter skips %d of %d values", skipped, len(values))
}

// BenchmarkScanner runs no-leaked-credentials over a realistic Deployment and ConfigMap, decoded
// once: "new values" scans values never seen before (the cache is emptied each time), "seen values"
// values the scanner met in an earlier object (names, images and config files repeat in a stack).
func BenchmarkScanner(b *testing.B) {
	objs := []*engine.Object{engine.Decode(manifest(b, benchDeployment)), engine.Decode(manifest(b, benchConfigMap))}
	s, err := leakDetector()
	if err != nil {
		b.Fatal(err)
	}
	for _, o := range objs {
		if res := checkNoLeakedCredentials(o, nil); len(res) != 0 {
			b.Fatalf("the benchmark objects should be clean: %v", res[0].Message(NoLeakedCredentials))
		}
	}
	for _, cold := range []bool{true, false} {
		name := map[bool]string{true: "new values", false: "seen values"}[cold]
		b.Run(name, func(b *testing.B) {
			var scanning time.Duration
			for range b.N {
				if cold {
					s.mu.Lock()
					clear(s.seen)
					s.mu.Unlock()
				}
				start := time.Now()
				for _, o := range objs {
					checkNoLeakedCredentials(o, nil)
				}
				scanning += time.Since(start)
			}
			b.ReportMetric(float64(scanning.Nanoseconds())/float64(b.N*len(objs)), "ns/object")
		})
	}
	// The synthetic stack of BenchmarkPack, scanned from an empty cache each time: its values repeat
	// from one application to the next, as a real stack's do.
	stack := syntheticStack(10_000)
	decoded := make([]*engine.Object, len(stack))
	for i, r := range stack {
		decoded[i] = engine.Decode(r)
	}
	b.Run("synthetic stack", func(b *testing.B) {
		var scanning time.Duration
		for range b.N {
			s.mu.Lock()
			clear(s.seen)
			s.mu.Unlock()
			start := time.Now()
			for _, o := range decoded {
				checkNoLeakedCredentials(o, nil)
			}
			scanning += time.Since(start)
		}
		b.ReportMetric(float64(scanning.Nanoseconds())/float64(b.N*len(decoded)), "ns/object")
	})
}

const benchDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: platform
  labels: {app.kubernetes.io/name: api, app.kubernetes.io/part-of: jd-jones, app.kubernetes.io/version: 1.4.2}
  annotations: {reloader.stakater.com/auto: "true", deployment.kubernetes.io/revision: "12"}
spec:
  replicas: 3
  selector: {matchLabels: {app.kubernetes.io/name: api}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: api, app.kubernetes.io/part-of: jd-jones}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "8000", checksum/config: 3f1b2c9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c}
    spec:
      serviceAccountName: api
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: {type: RuntimeDefault}}
      initContainers:
      - name: migrate
        image: ghcr.io/jdjones/api:1.4.2
        command: [python, -m, alembic, upgrade, head]
        envFrom: [{configMapRef: {name: api}}]
        env:
        - {name: DATABASE_URL, value: "postgresql://app:$(DB_PASSWORD)@postgres.platform.svc:5432/app"}
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: postgres, key: password}}}
      containers:
      - name: api
        image: ghcr.io/jdjones/api@sha256:4b2310e19590d86b1634c6fa9b8f44bb14e269a62ecc6498a3399c2e6d7b6f21
        args: [uvicorn, app.main:app, --host, 0.0.0.0, --port, "8000", --workers, "4", --proxy-headers]
        ports: [{name: http, containerPort: 8000}]
        envFrom: [{configMapRef: {name: api}}]
        env:
        - {name: DATABASE_URL, value: "postgresql://app:$(DB_PASSWORD)@postgres.platform.svc:5432/app"}
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: postgres, key: password}}}
        - {name: REDIS_URL, value: "redis://redis.platform.svc:6379/0"}
        - {name: OPENAI_API_KEY, valueFrom: {secretKeyRef: {name: api, key: openai-api-key}}}
        - {name: JWT_SECRET, valueFrom: {secretKeyRef: {name: api, key: jwt-secret}}}
        - {name: ACCESS_TOKEN_EXPIRE_MINUTES, value: "30"}
        - {name: LOG_LEVEL, value: info}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector.monitoring.svc:4317"}
        resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1", memory: 1Gi}}
        livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}
        startupProbe: {httpGet: {path: /healthz, port: http}, failureThreshold: 30}
        lifecycle: {preStop: {exec: {command: [sh, -c, sleep 10]}}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        volumeMounts: [{name: tmp, mountPath: /tmp}, {name: config, mountPath: /etc/api, readOnly: true}]
      volumes:
      - {name: tmp, emptyDir: {}}
      - {name: config, configMap: {name: api}}
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app.kubernetes.io/name: api}}}
`

const benchConfigMap = `
apiVersion: v1
kind: ConfigMap
metadata: {name: grafana, namespace: monitoring, labels: {app.kubernetes.io/name: grafana}}
data:
  GF_SERVER_ROOT_URL: https://grafana.example.com
  GF_AUTH_GENERIC_OAUTH_CLIENT_ID: grafana
  grafana.ini: |
    [server]
    root_url = https://grafana.example.com
    [security]
    admin_user = admin
    admin_password = $__file{/etc/secrets/grafana/admin-password}
    cookie_secure = true
    [auth.generic_oauth]
    enabled = true
    client_id = grafana
    client_secret = $__file{/etc/secrets/oauth/client-secret}
    scopes = openid profile email
    auth_url = https://sso.example.com/auth
    token_url = https://sso.example.com/token
    [database]
    type = postgres
    host = postgres.platform.svc:5432
    password = $__env{GF_DATABASE_PASSWORD}
  datasources.yaml: |
    apiVersion: 1
    datasources:
    - name: Prometheus
      type: prometheus
      url: http://prometheus.monitoring.svc:9090
      isDefault: true
`

// TestLeakedCredentialsQuietOnRealObjects runs the scanner over the synthetic platform stack and a
// rendered Grafana chart, which hold no credential: it must raise nothing.
func TestLeakedCredentialsQuietOnRealObjects(t *testing.T) {
	f, err := os.Open("../engine/testdata/rendered-grafana.yaml") // the decoding fixture of package engine
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rendered, err := engine.ParseManifests(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range append(syntheticStack(300), rendered...) {
		for _, res := range checkNoLeakedCredentials(engine.Decode(r), nil) {
			t.Errorf("%s", res.Message(NoLeakedCredentials))
		}
	}
}

// BenchmarkLeakScannerBuild measures what the scanner costs once per process: loading gitleaks'
// default rules and building the keyword prefilter.
func BenchmarkLeakScannerBuild(b *testing.B) {
	for range b.N {
		if _, err := newLeakScanner(); err != nil {
			b.Fatal(err)
		}
	}
}
