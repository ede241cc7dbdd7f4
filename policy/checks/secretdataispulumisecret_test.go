package checks

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

func TestSecretDataIsPulumiSecret(t *testing.T) {
	const fix = "; wrap the values with pulumi.ToSecret (or read them with config.RequireSecret)"
	runTable(t, SecretDataIsPulumiSecret, []checkCase{
		{name: "a secret whose values are pulumi secrets passes", manifests: []string{`
apiVersion: v1
kind: Secret
metadata: {name: jd-jones-secrets}
stringData: {postgres-password: "<secret>hunter2", jwt: "<secret>abc"}
data: {tls.key: "<secret>a2V5"}
`, `
apiVersion: v1
kind: Secret
metadata: {name: empty}
stringData: {unused: ""}
`}},
		{name: "a secret with one plaintext value is flagged", manifests: []string{`
apiVersion: v1
kind: Secret
metadata: {name: jd-jones-secrets}
stringData: {postgres-password: hunter2, jwt: "<secret>abc"}
`}, want: []string{
			`Secret "jd-jones-secrets": value stringData.postgres-password is not a Pulumi secret, so the stack state holds it in plaintext` + fix,
		}},
		{name: "a secret with several plaintext values names them all", manifests: []string{`
apiVersion: v1
kind: Secret
metadata: {name: api-keys}
data: {openai: b3BlbmFp, anthropic: YW50aHJvcGlj}
stringData: {jwt: abc}
`}, want: []string{
			`Secret "api-keys": values data.anthropic, data.openai, stringData.jwt are not Pulumi secrets, so the stack state holds them in plaintext` + fix,
		}},
		{name: "a tls secret with a plaintext key is flagged", manifests: []string{`
# pulumi name: ingress-tls
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
data: {tls.crt: "<secret>Y2VydA==", tls.key: a2V5}
`}, want: []string{
			`Secret "ingress-tls": value data.tls.key is not a Pulumi secret, so the stack state holds it in plaintext` + fix,
		}},
		{name: "rendered manifests have no pulumi secrets and are not judged", manifests: []string{`
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-secret}
data: {password: hunter2}
`}},
		{name: "a plaintext value unknown during preview is not judged", manifests: []string{`
apiVersion: v1
kind: Secret
metadata: {name: generated}
stringData: {password: "<unknown>", static: "<secret>x"}
`}, undecided: []string{
			cannotDecide(`Secret "generated"`, "secret-data-is-pulumi-secret", "stringData.password (and whether it is a Pulumi secret)"),
		}},
	})
}

func TestSecretDataIsNotJudgedForRenderedManifests(t *testing.T) {
	r := manifest(t, `
apiVersion: v1
kind: Secret
metadata: {name: rendered}
stringData: {password: hunter2}
`)
	r.FromManifest = true
	if fs := engine.NewSession(false).RunResource(SecretDataIsPulumiSecret, r, nil); len(fs) != 0 {
		t.Errorf("want no findings for a rendered manifest, got %v", fs)
	}
}
