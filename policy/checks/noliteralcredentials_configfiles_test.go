package checks

import (
	"encoding/base64"
	"testing"
)

// configMapFile is a ConfigMap "app" whose data key holds text (a YAML double-quoted string body).
func configMapFile(key, text string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  " + key + ": \"" + text + "\"\n"
}

// binaryConfigMapFile is a ConfigMap "app" whose binaryData key holds text, base64-encoded.
func binaryConfigMapFile(key, text string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\nbinaryData:\n  " + key + ": " +
		base64.StdEncoding.EncodeToString([]byte(text)) + "\n"
}

// ingressWithAnnotation is an Ingress "web" with one annotation (a YAML double-quoted string body).
func ingressWithAnnotation(key, value string) string {
	return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    " + key + ": \"" + value + "\"\n" +
		"spec: {rules: [{host: web.example.com}]}\n"
}

func TestLiteralCredentialsInConfigFileSyntaxes(t *testing.T) {
	const cm = `ConfigMap "app": `
	const cmFix = "; move it to a Secret and reference it with secretKeyRef"
	const annotationFix = "; move it to a Secret and have the component read it from there; annotations are readable by whoever can read the object"
	runTable(t, NoLiteralCredentials, []checkCase{
		{name: "an ini file's password under a section is flagged with its section and line", manifests: []string{
			configMapFile("app.ini", `[database]\nhost = db\n; the password\npassword = hunter2\n`),
		}, want: []string{cm + "key app.ini line 4 sets database.password to a literal value" + cmFix}},
		{name: "a properties file's dotted password key is flagged", manifests: []string{
			configMapFile("application.properties", `spring.datasource.username=app\nspring.datasource.password: s3cr3t\n`),
		}, want: []string{cm + "key application.properties line 2 sets spring.datasource.password to a literal value" + cmFix}},
		{name: "a yaml file's nested and quoted credentials are flagged by their path", manifests: []string{
			configMapFile("app.yaml", `redis:\n  host: redis\n  password: hunter2\napi:\n  token: 'abc123'\nusers:\n- {name: admin, password: \"123456\"}\n`),
		}, want: []string{
			cm + "key app.yaml sets api.token to a literal value" + cmFix,
			cm + "key app.yaml sets redis.password to a literal value" + cmFix,
			cm + "key app.yaml sets users[0].password to a literal value" + cmFix,
		}},
		{name: "yaml is recognised by its content and in every document of a stream", manifests: []string{
			configMapFile("settings", `oauth:\n  clientSecret: abc\n---\nsmtp: {pass: hunter2}\n`),
		}, want: []string{
			cm + "key settings document 1 sets oauth.clientSecret to a literal value" + cmFix,
			cm + "key settings document 2 sets smtp.pass to a literal value" + cmFix,
		}},
		{name: "a toml file's password in a table is flagged", manifests: []string{
			configMapFile("config.toml", `title = 'app'\n[db]\nport = 5432\npassword = \"hunter2\" # prod\n`),
		}, want: []string{cm + "key config.toml line 4 sets db.password to a literal value" + cmFix}},
		{name: "a json document's credentials are flagged at any depth", manifests: []string{
			configMapFile("creds", `{\"service\": {\"apiKey\": \"sk-123\", \"hooks\": [{\"token\": \"t0k\"}]}}`),
		}, want: []string{
			cm + "key creds sets service.apiKey to a literal value" + cmFix,
			cm + "key creds sets service.hooks[0].token to a literal value" + cmFix,
		}},
		{name: "a url's credential query parameter is flagged wherever the url is", manifests: []string{
			configMapFile("endpoints", `primary: https://api.example.com/v1?x=1&api_key=abc123\n`),
			configMapFile("hooks.conf", `notify = https://hooks.example.com/send?access_token=t0k3n&channel=ops\n`),
		}, want: []string{
			cm + "key endpoints line 1 sets URL query parameter api_key to a literal value" + cmFix,
			cm + "key hooks.conf line 1 sets URL query parameter access_token to a literal value" + cmFix,
		}},
		{name: "http authorization and api key headers are flagged", manifests: []string{
			configMapFile("headers.conf", `Accept: application/json\nAuthorization: Basic dXNlcjpwYXNz\nX-Api-Key: k3y\n`),
			configMapFile("probe.sh", `curl -fsS -H 'Authorization: Bearer abc123' http://api:8000/health\n`),
		}, want: []string{
			cm + "key headers.conf line 2 sets Authorization to a literal value" + cmFix,
			cm + "key headers.conf line 3 sets X-Api-Key to a literal value" + cmFix,
			cm + "key probe.sh line 1 sets Authorization to a literal value" + cmFix,
		}},
		{name: "an ingress-nginx snippet that sets an authorization header is flagged", manifests: []string{
			ingressWithAnnotation("nginx.ingress.kubernetes.io/configuration-snippet",
				`more_set_headers \"X-Frame-Options: DENY\";\nproxy_set_header Authorization \"Bearer abc123\";\n`),
			ingressWithAnnotation("example.com/upstream", `https://api.example.com/?token=abc123`),
		}, want: []string{
			`Ingress "web": annotation nginx.ingress.kubernetes.io/configuration-snippet line 2 sets Authorization to a literal value` + annotationFix,
			`Ingress "web": annotation example.com/upstream line 1 sets URL query parameter token to a literal value` + annotationFix,
		}},
		{name: "a pod template's annotations are read too", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, annotations: {example.com/config: "password = hunter2"}}
spec:
  template:
    metadata: {annotations: {example.com/config: "[auth]\ntoken = abc123\n"}}
    spec: {containers: [{name: api, image: "api:1"}]}
`}, want: []string{
			`Deployment "api": annotation example.com/config line 1 sets password to a literal value` + annotationFix,
			`Deployment "api": pod template annotation example.com/config line 2 sets auth.token to a literal value` + annotationFix,
		}},
		{name: "a custom resource's annotations are read too", manifests: []string{`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api, annotations: {example.com/scrape: "Authorization: Bearer abc123"}}
spec: {endpoints: [{port: http}]}
`}, want: []string{
			`ServiceMonitor "api": annotation example.com/scrape sets Authorization to a literal value` + annotationFix,
		}},
		{name: "a binaryData config file is read once decoded", manifests: []string{
			binaryConfigMapFile("app.yaml", "redis:\n  password: hunter2\n"),
		}, want: []string{cm + "key app.yaml sets redis.password to a literal value" + cmFix}},
		{name: "placeholders are literals, as they are in env vars: deployed, they are the password", manifests: []string{
			configMapFile("app.ini", `password = CHANGE_ME\napi_key = <api-key>\n`),
		}, want: []string{
			cm + "key app.ini line 1 sets password to a literal value" + cmFix,
			cm + "key app.ini line 2 sets api_key to a literal value" + cmFix,
		}},
		{name: "binaryData unknown during preview is not judged", manifests: []string{
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\nbinaryData: {REDIS_PASSWORD: \"<unknown>\", logo.png: \"<unknown>\"}\n",
		}, undecided: []string{cannotDecide(`ConfigMap "app"`, "no-literal-credentials", "binaryData.REDIS_PASSWORD")}},
		{name: "references, files and settings in every syntax pass", manifests: []string{
			configMapFile("app.ini", `[database]\npassword_file = /run/secrets/db\npassword = ${DB_PASSWORD}\npassword_min_length = 12\n`),
		}},
	})
}

// TestConfigFileTwinsAreNotCredentials is the false-alarm table of the config syntaxes: each row is
// the twin of a shape TestLiteralCredentialsInConfigFileSyntaxes flags, with nothing literal in it.
func TestConfigFileTwinsAreNotCredentials(t *testing.T) {
	for _, c := range []struct{ name, manifest string }{
		{"an ini file's password file, reference, length, switch and empty value", configMapFile("app.ini",
			`[database]\npassword_file = /run/secrets/db\npassword = ${DB_PASSWORD}\npassword_min_length = 12\nauth_enabled = true\npassword =\n`)},
		{"grafana's file and env references", configMapFile("grafana.ini",
			`[security]\nadmin_password = $__file{/etc/secrets/admin}\nsecret_key = $__env{GF_SECRET_KEY}\n`)},
		{"a properties file's reference and ttl", configMapFile("application.properties",
			`spring.datasource.password=${DB_PASSWORD}\napp.token.ttl: 3600\n`)},
		{"a yaml file's file path, references, empty value, switches and secret reference", configMapFile("app.yaml",
			`db:\n  passwordFile: /run/secrets/db\n  password: $(DB_PASSWORD)\n  token: ''\n  auth: {enabled: true}\n`+
				`  secret: ~\nsmtp:\n  password:\n    valueFrom:\n      secretKeyRef: {name: smtp, key: password}\n`)},
		{"a yaml key naming a credential over a map or a list", configMapFile("app.yaml",
			`apiKeys:\n- name: ci\n  scopes: [read]\ntoken:\n  ttl: 3600\n  audience: api\n`)},
		{"a toml file's empty value, file, reference and inline table", configMapFile("config.toml",
			`[db]\npassword = \"\"\npassword_file = '/run/secrets/db'\napi_key = \"${API_KEY}\"\ntoken = { from = \"env\" }\n`)},
		{"a json document's reference, secret reference, null, switch and list", configMapFile("app.json",
			`{\"apiKey\": \"${API_KEY}\", \"password\": {\"secretKeyRef\": {\"name\": \"db\", \"key\": \"password\"}}, `+
				`\"token\": null, \"secret\": true, \"tokens\": [\"a\"]}`)},
		{"secret store references", configMapFile("app.yaml",
			`db: {password: 'vault:secret/data/db#password'}\napi: {token: 'ref+awssecrets://api/token'}\n`)},
		{"a url whose credential parameter is a reference and whose others are settings", configMapFile("endpoints",
			`https://api.example.com/v1?api_key=${API_KEY}&token_ttl=3600&auth=true&sig_alg=hs256\n`)},
		{"headers from references", configMapFile("headers.conf", `Authorization: Bearer $(API_TOKEN)\nX-Api-Key: ${API_KEY}\nAuthorization: Bearer\n`)},
		{"an nginx snippet passing the client's authorization on", ingressWithAnnotation("nginx.ingress.kubernetes.io/configuration-snippet",
			`proxy_set_header Authorization $http_authorization;\nmore_set_headers \"X-Frame-Options: DENY\";\n`)},
		{"ingress-nginx's basic auth annotations name a secret", ingressWithAnnotation("nginx.ingress.kubernetes.io/auth-secret", `basic-auth`)},
		{"binaryData that is not text", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\nbinaryData: {password.bin: " +
			base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 'p', '=', 'x'}) + "}\n"},
		{"checksum annotations", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata: {annotations: {checksum/secrets: 1b659484c8f26f2daa48b03db396f4e80b8350f9eb0454e203ffae6dc5b1fecd, token-ttl: "3600"}}
    spec: {containers: [{name: api, image: "api:1"}]}
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			decided, notes := runPolicy(t, NoLiteralCredentials, checkCase{manifests: []string{c.manifest}})
			assertLines(t, "violations", nil, decided)
			assertLines(t, "notes", nil, notes)
		})
	}
}
