package checks

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// labelledNamespace is a Namespace with the given labels (a YAML flow map).
func labelledNamespace(name, labels string) string {
	return `
apiVersion: v1
kind: Namespace
metadata: {name: ` + name + `, labels: ` + labels + `}
`
}

// baselineOnlyDeployment is a Deployment in namespace rag that baseline admits and restricted refuses
// for one reason: it does not set runAsNonRoot.
const baselineOnlyDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: rag}
spec:
  template:
    spec:
      securityContext: {seccompProfile: {type: RuntimeDefault}}
      containers:
      - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`

func TestPodSecurityNamespaceLevel(t *testing.T) {
	baseline := map[*engine.Policy]map[string]any{PodSecurityStandards: {"level": "baseline"}}
	const runAsRoot = `Deployment "api": Pod Security restricted (v1.34) forbids runAsNonRoot != true: pod or container "app" must set securityContext.runAsNonRoot=true; ` +
		`set securityContext.runAsNonRoot: true on the pod or on every container, with a non-zero runAsUser, under spec.template.spec`
	runTable(t, PodSecurityNamespaceLevel, []checkCase{
		{name: "a namespace that enforces what the pack is configured with adds nothing", before: baseline, manifests: []string{
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: v1.34}`),
			baselineOnlyDeployment,
		}},
		{name: "a namespace labelled stricter than the pack's level judges its pods at its own", before: baseline, manifests: []string{
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.34}`),
			baselineOnlyDeployment,
		}, want: []string{runAsRoot + ` (namespace "rag" enforces restricted:v1.34)`}},
		{name: "a label admission cannot parse enforces restricted at the latest version", before: baseline, manifests: []string{
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: Restricted}`),
			baselineOnlyDeployment,
		}, want: []string{
			`Deployment "api": Pod Security restricted (latest) forbids runAsNonRoot != true: pod or container "app" must set securityContext.runAsNonRoot=true; ` +
				`set securityContext.runAsNonRoot: true on the pod or on every container, with a non-zero runAsUser, under spec.template.spec (namespace "rag" enforces restricted:latest)`,
		}},
		{name: "with the pack at restricted, a restricted namespace reports nothing the resource policy did not", manifests: []string{
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: latest}`),
			baselineOnlyDeployment,
		}},
		{name: "a pod in another namespace is judged by that namespace, not this one", before: baseline, manifests: []string{
			labelledNamespace("other", `{pod-security.kubernetes.io/enforce: restricted}`),
			baselineOnlyDeployment,
		}},
		{name: "a namespace without labels enforces privileged, the cluster's default", before: baseline, manifests: []string{
			labelledNamespace("rag", `{team: search}`),
			baselineOnlyDeployment,
		}},
		{name: "a privileged pod in a privileged namespace is still refused by the resource policy, not twice here", before: baseline, manifests: []string{
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: privileged}`),
			`
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: rag}
spec: {containers: [{name: app, image: "app:1", securityContext: {privileged: true}}]}
`,
		}},
		{name: "a Job and a CronJob in a stricter namespace are judged too", before: baseline, manifests: []string{
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.34}`),
			`
apiVersion: batch/v1
kind: CronJob
metadata: {name: reindex, namespace: rag}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
          containers: [{name: app, image: "app:1"}]
`,
		}, want: []string{
			`CronJob "reindex": Pod Security restricted (v1.34) forbids allowPrivilegeEscalation != false: container "app" must set securityContext.allowPrivilegeEscalation=false; ` +
				`set securityContext.allowPrivilegeEscalation: false on each container named, under spec.jobTemplate.spec.template.spec (namespace "rag" enforces restricted:v1.34)`,
			`CronJob "reindex": Pod Security restricted (v1.34) forbids unrestricted capabilities: container "app" must set securityContext.capabilities.drop=["ALL"]; ` +
				`set securityContext.capabilities.drop: [ALL] on each container named (only NET_BIND_SERVICE may be added), under spec.jobTemplate.spec.template.spec (namespace "rag" enforces restricted:v1.34)`,
		}},
		{name: "labels not known yet are decided later", before: baseline, manifests: []string{
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: "<unknown>"}`),
			baselineOnlyDeployment,
		}, undecided: []string{
			`Namespace "rag": pod-security-namespace-level cannot decide during preview: metadata.labels (the Pod Security level its pods are judged at) is not known yet; it is checked again when the value is known`,
		}},
	})
}
