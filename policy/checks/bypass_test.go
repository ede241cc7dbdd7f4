package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

const pinned = "registry.example.com/app:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// compliantPod is a pod template compliant in every respect the pack checks: an init container, a
// native sidecar with probes, and the app container. Indented to sit under a "template:" key at 0.
var compliantPod = `
  metadata: {labels: {app: web}}
  spec:
    automountServiceAccountToken: false
    securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
    topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
    initContainers:
      - name: migrate
        image: ` + pinned + `
        resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 100m, memory: 128Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
      - name: proxy
        restartPolicy: Always
        image: ` + pinned + `
        ports: [{name: proxy, containerPort: 9000}]
        livenessProbe: {tcpSocket: {port: proxy}}
        readinessProbe: {tcpSocket: {port: proxy}}
        resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 100m, memory: 128Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    containers:
      - name: app
        image: ` + pinned + `
        ports: [{name: http, containerPort: 8080}]
        livenessProbe: {httpGet: {path: /healthz, port: http}}
        readinessProbe: {httpGet: {path: /ready, port: http}}
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`

// indent shifts every line of a YAML block right by n spaces.
func indent(block string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.Trim(block, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// podBearing renders an object of the kind with the pod template tpl (as compliantPod is written).
func podBearing(apiVersion, kind, name, tpl string) string {
	head := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata: {name: %s, namespace: shop}\n", apiVersion, kind, name)
	selector := "  selector: {matchLabels: {app: web}}\n"
	switch kind {
	case "Pod":
		var body []string
		for _, l := range strings.Split(strings.Trim(tpl, "\n"), "\n")[1:] { // drop the template's metadata
			body = append(body, strings.TrimPrefix(l, "  "))
		}
		return head + strings.Join(body, "\n") + "\n"
	case "ReplicationController":
		return head + "spec:\n  replicas: 1\n  selector: {app: web}\n  template:\n" + indent(tpl, 2)
	case "Deployment": // two replicas, so production rules pass too
		return head + "spec:\n  replicas: 2\n" + selector + "  template:\n" + indent(tpl, 2)
	case "ReplicaSet", "StatefulSet":
		return head + "spec:\n  replicas: 1\n" + selector + "  template:\n" + indent(tpl, 2)
	case "DaemonSet":
		return head + "spec:\n" + selector + "  template:\n" + indent(tpl, 2)
	case "Job":
		return head + "spec:\n  template:\n" + indent(strings.Replace(tpl, "  spec:\n", "  spec:\n    restartPolicy: Never\n", 1), 2)
	case "CronJob":
		return head + "spec:\n  schedule: \"0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n" +
			indent(strings.Replace(tpl, "  spec:\n", "  spec:\n    restartPolicy: Never\n", 1), 6)
	}
	// A custom resource: the template at spec.template (an Argo Rollout, say).
	return head + "spec:\n  replicas: 1\n" + selector + "  template:\n" + indent(tpl, 2)
}

// podBearingKindsUnderTest are every pod-bearing kind, plus a custom resource with a pod template.
var podBearingKindsUnderTest = []struct{ apiVersion, kind string }{
	{"v1", "Pod"}, {"apps/v1", "ReplicaSet"}, {"v1", "ReplicationController"}, {"apps/v1", "Deployment"},
	{"apps/v1", "StatefulSet"}, {"apps/v1", "DaemonSet"}, {"batch/v1", "Job"}, {"batch/v1", "CronJob"},
	{"argoproj.io/v1alpha1", "Rollout"}, {"apps.kruise.io/v1alpha1", "CloneSet"},
}

// compliantNeighbours are the namespace-level objects a compliant workload needs around it.
const compliantNeighbours = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
`

// parse reads manifests as guardrails does.
func parse(t *testing.T, docs ...string) []engine.Resource {
	t.Helper()
	rs, err := engine.ParseManifests(strings.NewReader(strings.Join(docs, "\n---\n")))
	require.NoError(t, err)
	return rs
}

// blocking evaluates resources and returns the blocking findings as "policy: message" lines.
func blocking(rs []engine.Resource, opts engine.Options) []string {
	var out []string
	for _, f := range engine.Blocking(Evaluate(rs, opts)) {
		out = append(out, f.Policy+": "+f.Message)
	}
	return out
}

// findingsOf returns the messages of the findings of one policy.
func findingsOf(rs []engine.Resource, policy string) []string {
	var out []string
	for _, f := range Evaluate(rs, engine.Options{}) {
		if f.Policy == policy {
			out = append(out, f.Message)
		}
	}
	return out
}

func TestCompliantObjectsOfEveryPodBearingKindRaiseNoMandatoryViolation(t *testing.T) {
	docs := []string{compliantNeighbours}
	for _, k := range podBearingKindsUnderTest {
		docs = append(docs, podBearing(k.apiVersion, k.kind, strings.ToLower(k.kind), compliantPod))
	}
	docs = append(docs, compliantPatches...)
	rs := parse(t, docs...)
	require.Len(t, rs, 3+len(podBearingKindsUnderTest)+len(compliantPatches))
	assert.Empty(t, blocking(rs, engine.Options{}), "no false alarm on compliant objects")
	assert.Empty(t, blocking(rs, engine.Options{Production: true}), "no false alarm in production either")
}

func TestEveryPodBearingKindIsJudged(t *testing.T) {
	literal := strings.Replace(compliantPod, "      - name: app\n", "      - name: app\n        env: [{name: API_TOKEN, value: hunter2}]\n", 1)
	for _, k := range podBearingKindsUnderTest {
		t.Run(k.kind, func(t *testing.T) {
			rs := parse(t, podBearing(k.apiVersion, k.kind, "bad", literal))
			assert.Equal(t, []string{fmt.Sprintf(`%s "bad" container "app": env API_TOKEN has a literal value; reference a Secret with valueFrom.secretKeyRef`, k.kind)},
				findingsOf(rs, NoLiteralCredentials.Name))
		})
	}
}

func TestNativeSidecarsNeedProbesAndPlainInitContainersDoNot(t *testing.T) {
	noSidecarProbes := strings.Replace(compliantPod, "        livenessProbe: {tcpSocket: {port: proxy}}\n        readinessProbe: {tcpSocket: {port: proxy}}\n", "", 1)
	require.NotEqual(t, compliantPod, noSidecarProbes)
	rs := parse(t, podBearing("apps/v1", "Deployment", "web", noSidecarProbes))
	assert.Equal(t, []string{`Deployment "web" sidecar container "proxy": no livenessProbe and no readinessProbe; add livenessProbe and readinessProbe (httpGet, tcpSocket, grpc or exec)`},
		findingsOf(rs, WorkloadProbes.Name))
	// The plain init container "migrate" has no probes and needs none (the compliant twin passes).
	assert.Empty(t, findingsOf(parse(t, podBearing("apps/v1", "Deployment", "web", compliantPod)), WorkloadProbes.Name))
}

func TestEphemeralContainersAreJudgedForWhatAppliesToThem(t *testing.T) {
	pod := func(sc string) string {
		return podBearing("v1", "Pod", "debugged", strings.Replace(compliantPod, "    containers:\n",
			"    ephemeralContainers:\n      - name: debug\n        image: "+pinned+"\n        securityContext: "+sc+"\n    containers:\n", 1))
	}
	good := parse(t, compliantNeighbours, pod("{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}"))
	assert.Empty(t, blocking(good, engine.Options{}), "no resources are asked of an ephemeral container (the API forbids them)")
	bad := parse(t, pod("{privileged: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}"))
	assert.Equal(t, []string{`Pod "debugged": Pod Security restricted (v1.34) forbids privileged: container "debug" must not set securityContext.privileged=true; remove securityContext.privileged (or set it to false), under spec`},
		findingsOf(bad, PodSecurityStandards.Name))
}

func TestADatabaseIsRefusedInEveryControllerButAStatefulSet(t *testing.T) {
	postgres := strings.Replace(compliantPod, "      - name: app\n        image: "+pinned,
		"      - name: app\n        image: pgvector/pgvector:0.8.0-pg17@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1)
	for _, k := range podBearingKindsUnderTest {
		t.Run(k.kind, func(t *testing.T) {
			got := findingsOf(parse(t, podBearing(k.apiVersion, k.kind, "db", postgres)), DatabaseRunsAsStatefulSet.Name)
			switch k.kind {
			case "StatefulSet", "Job", "CronJob":
				assert.Empty(t, got)
			default:
				assert.Equal(t, []string{fmt.Sprintf(`%s "db" container "app": runs the database/cache image pgvector/pgvector:0.8.0-pg17@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef as a %s; run it as a StatefulSet with a volumeClaimTemplate, or use a managed service`, k.kind, k.kind)}, got)
			}
		})
	}
}

func TestACustomKindsPodTemplateIsFoundAtItsConfiguredPath(t *testing.T) {
	hostPort := strings.Replace(compliantPod, "[{name: http, containerPort: 8080}]", "[{name: http, containerPort: 8080, hostPort: 8080}]", 1)
	rs := parse(t, "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: crawl, namespace: shop}\nspec:\n  jobTargetRef:\n    template:\n"+
		indent(hostPort, 4))
	assert.Equal(t, []string{`ScaledJob "crawl": Pod Security restricted (v1.34) forbids hostPort: container "app" uses hostPort 8080; remove hostPort and reach the container through a Service, under spec.jobTargetRef.template.spec`},
		findingsOf(rs, PodSecurityStandards.Name))
	assert.Empty(t, findingsOf(rs, WorkloadProbes.Name), "a ScaledJob's pods run to completion")

	// A path configured for another kind, refused when malformed.
	opts := engine.Options{Policies: map[string]engine.PolicyConfig{engine.KubernetesObjectReadable.Name: {Properties: map[string]any{
		"podTemplatePaths": []any{"example.com/Runner=spec.pod"}}}}}
	runner := parse(t, "apiVersion: example.com/v1\nkind: Runner\nmetadata: {name: r, namespace: shop}\nspec:\n  pod:\n"+
		indent(strings.Replace(compliantPod, "runAsNonRoot: true", "runAsNonRoot: false", 1), 2))
	var got []string
	for _, f := range engine.Blocking(Evaluate(runner, opts)) {
		got = append(got, f.Policy)
	}
	assert.Contains(t, got, PodSecurityStandards.Name)
	_, err := engine.KubernetesObjectReadable.DecodeParams(map[string]any{"podTemplatePaths": []any{"Runner:spec.pod"}})
	assert.ErrorContains(t, err, `parameter "podTemplatePaths": item 0: "Runner:spec.pod" does not match`)
}

func TestEveryTemplateOfAnArrayOfPodTemplatesIsJudged(t *testing.T) {
	privileged := strings.Replace(compliantPod, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: false, privileged: true", 1)
	require.NotEqual(t, compliantPod, privileged)
	job := "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: train, namespace: shop}\nspec:\n  tasks:\n" +
		"  - name: ps\n    template:\n" + indent(compliantPod, 6) +
		"  - name: worker\n    template:\n" + indent(privileged, 6)
	rs := parse(t, job)
	assert.Equal(t, []string{`Job "train": Pod Security restricted (v1.34) forbids privileged: container "migrate" must not set securityContext.privileged=true; remove securityContext.privileged (or set it to false), under spec.tasks[1].template.spec`},
		findingsOf(rs, PodSecurityStandards.Name), "the second task's template, by its index; the first passes")

	// Tasks not known yet are decided later, not passed.
	unknown := []engine.Resource{manifest(t, "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: train, namespace: shop}\nspec:\n  tasks: "+unknownMarker+"\n")}
	var notes []string
	for _, f := range Evaluate(unknown, engine.Options{}) {
		if f.Policy == engine.PolicyCouldNotDecide.Name && f.Check == PodSecurityStandards.Name {
			notes = append(notes, f.Message)
		}
	}
	assert.NotEmpty(t, notes, "an array of templates not known yet leaves Pod Security undecided")

	_, err := engine.KubernetesObjectReadable.DecodeParams(map[string]any{"podTemplatePaths": []any{"example.com/Runner=spec.pods[].template"}})
	assert.NoError(t, err, "[] marks an array")
	_, err = engine.KubernetesObjectReadable.DecodeParams(map[string]any{"podTemplatePaths": []any{"example.com/Runner=spec.pods[0].template"}})
	assert.Error(t, err, "an index is not a path to every template")
}

// compliantPatches change compliant fields only, of objects the stack does not create (objects-managed-once): no
// finding may be raised about what they leave out.
var compliantPatches = []string{`
apiVersion: apps/v1
kind: DeploymentPatch
metadata: {name: web, namespace: shop}
spec: {template: {spec: {containers: [{name: app, image: "` + pinned + `"}]}}}
`, `
apiVersion: v1
kind: NamespacePatch
metadata: {name: search, labels: {team: search}}
`}

// patchOf reads one patch as Pulumi hands it to the pack (manifests have no Patch kinds of their own).
func patchOf(t *testing.T, doc string) engine.Resource {
	t.Helper()
	return manifest(t, doc)
}

func TestAPatchIsJudgedOnTheFieldsItSets(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		want      []string
	}{
		{"an image-only DeploymentPatch is not missing probes or anything else", compliantPatches[0], nil},
		{"a NamespacePatch adding a label is not missing the Pod Security label", compliantPatches[1], nil},
		{"a DeploymentPatch adding privileged is refused", `
apiVersion: apps/v1
kind: DeploymentPatch
metadata: {name: web, namespace: shop}
spec: {template: {spec: {containers: [{name: app, securityContext: {privileged: true}}]}}}
`, []string{`pod-security-standards: DeploymentPatch "web": Pod Security restricted (v1.34) forbids privileged: container "app" must not set securityContext.privileged=true; remove securityContext.privileged (or set it to false), under spec.template.spec`}},
		{"a DeploymentPatch turning runAsNonRoot off for the pod is refused", `
apiVersion: apps/v1
kind: DeploymentPatch
metadata: {name: web, namespace: shop}
spec: {template: {spec: {securityContext: {runAsNonRoot: false}, containers: [{name: app, image: "` + pinned + `"}]}}}
`, []string{`pod-security-standards: DeploymentPatch "web": Pod Security restricted (v1.34) forbids runAsNonRoot != true: pod must not set securityContext.runAsNonRoot=false; set securityContext.runAsNonRoot: true on the pod or on every container, with a non-zero runAsUser, under spec.template.spec`}},
		{"a NamespacePatch lowering Pod Security is refused", `
apiVersion: v1
kind: NamespacePatch
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: privileged}}
`, []string{`namespace-pod-security: NamespacePatch "shop": enforces Pod Security "privileged", below the required "restricted"; label the namespace pod-security.kubernetes.io/enforce: restricted`}},
		{"a SecretPatch with plaintext data is refused", `
apiVersion: v1
kind: SecretPatch
metadata: {name: db, namespace: shop}
stringData: {password: hunter2}
`, []string{`secret-data-is-pulumi-secret: SecretPatch "db": value stringData.password is not a Pulumi secret, so the stack state holds it in plaintext; wrap the values with pulumi.ToSecret (or read them with config.RequireSecret)`}},
		{"a ConfigMapPatch with a literal credential is refused", `
apiVersion: v1
kind: ConfigMapPatch
metadata: {name: settings, namespace: shop}
data: {OPENAI_API_KEY: sk-live}
`, []string{`no-literal-credentials: ConfigMap "settings": key OPENAI_API_KEY has a literal value; move it to a Secret and reference it with secretKeyRef`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := blocking([]engine.Resource{patchOf(t, c.doc)}, engine.Options{})
			for i := range got {
				got[i] = strings.Replace(got[i], `ConfigMapPatch "settings"`, `ConfigMap "settings"`, 1)
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestWrongCasedAndUnknownFieldsAreRefusedAndNeverCount(t *testing.T) {
	wrong := strings.NewReplacer("        securityContext: {allowPrivilegeEscalation", "        SecurityContext: {allowPrivilegeEscalation",
		"livenessProbe: {httpGet", "LivenessProbe: {httpGet", "resources: {requests: {cpu: 100m", "Resources: {requests: {cpu: 100m",
	).Replace(compliantPod)
	wrong = strings.Replace(wrong, "    automountServiceAccountToken: false\n", "    automountServiceAccountToken: false\n    hostNetwrk: true\n", 1)
	rs := parse(t, podBearing("apps/v1", "Deployment", "web", wrong))
	got := blocking(rs, engine.Options{})
	for _, want := range []string{
		`kubernetes-object-readable: Deployment "web": spec.template.spec.containers[0].LivenessProbe is not a field of apps/v1 Deployment (field names are case-sensitive); rename it to livenessProbe`,
		`kubernetes-object-readable: Deployment "web": spec.template.spec.containers[0].Resources is not a field of apps/v1 Deployment (field names are case-sensitive); rename it to resources`,
		`kubernetes-object-readable: Deployment "web": spec.template.spec.hostNetwrk is not a field of apps/v1 Deployment; remove it or correct its name: the API server drops or rejects fields its type does not define`,
		`workload-probes: Deployment "web" container "app": no livenessProbe; add livenessProbe (httpGet, tcpSocket, grpc or exec)`,
		`container-resources: Deployment "web" container "app": no requests.cpu, requests.memory, limits.cpu, limits.memory; set resources.requests.cpu, resources.requests.memory, resources.limits.cpu and resources.limits.memory`,
		`pod-security-standards: Deployment "web": Pod Security restricted (v1.34) forbids allowPrivilegeEscalation != false: containers "migrate", "proxy", "app" must set securityContext.allowPrivilegeEscalation=false; set securityContext.allowPrivilegeEscalation: false on each container named, under spec.template.spec`,
	} {
		assert.Contains(t, got, want)
	}
	assert.Contains(t, strings.Join(got, "\n"), `initContainers[0].SecurityContext is not a field of apps/v1 Deployment (field names are case-sensitive); rename it to securityContext`)
	assert.Empty(t, blocking(parse(t, compliantNeighbours, podBearing("apps/v1", "Deployment", "web", compliantPod)), engine.Options{}), "the compliant twin passes")
}

// Through Pulumi the provider drops fields its schema does not know before the pack sees them; a
// wrong-cased key that still arrived would be judged as the field missing, never as the field.
func TestAWrongCasedKeyInPulumiInputsIsJudgedAsMissing(t *testing.T) {
	container := resource.NewPropertyMapFromMap(map[string]any{
		"name": "app", "image": pinned,
		"SecurityContext": map[string]any{"privileged": false, "runAsNonRoot": true, "allowPrivilegeEscalation": false,
			"capabilities": map[string]any{"drop": []any{"ALL"}}, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
	})
	inputs := resource.NewPropertyMapFromMap(map[string]any{
		"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "tool"},
		"spec": map[string]any{"containers": []any{container.Mappable()}},
	})
	fs := findingsOf([]engine.Resource{engine.ResourceFromInputs("kubernetes:core/v1:Pod", "tool", inputs)}, PodSecurityStandards.Name)
	assert.Contains(t, fs, `Pod "tool": Pod Security restricted (v1.34) forbids runAsNonRoot != true: pod or container "app" must set securityContext.runAsNonRoot=true; set securityContext.runAsNonRoot: true on the pod or on every container, with a non-zero runAsUser, under spec`)
}

func TestVerdictsDoNotDependOnMapIterationOrder(t *testing.T) {
	messy := strings.NewReplacer("securityContext: {allowPrivilegeEscalation", "SecurityContext: {allowPrivilegeEscalation",
		"resources: {requests: {cpu: 100m", "Resources: {requests: {cpu: 100m").Replace(compliantPod)
	messy = strings.Replace(messy, "    automountServiceAccountToken: false\n", "    automountServiceAccountToken: false\n    zz: 1\n    aa: 2\n    mm: {x: 1}\n", 1)
	rs := []engine.Resource{
		manifest(t, podBearing("apps/v1", "Deployment", "web", messy)),
		manifest(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {b: x, a: y, c: \"<unknown>\", d: \"<unknown>\"}\n"),
		manifest(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {B_TOKEN: x, A_PASSWORD: y, C_SECRET: \"<unknown>\", D_KEY: \"<unknown>\"}\n"),
		manifest(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: \"2\", minReadySeconds: \"3\", paused: \"no\"}\n"),
	}
	first := fmt.Sprint(Evaluate(rs, engine.Options{}))
	require.Contains(t, first, "SecurityContext")
	for range 50 {
		require.Equal(t, first, fmt.Sprint(Evaluate(rs, engine.Options{})))
	}
}

// panicky is a resource policy with a bug.
var panicky = &engine.Policy{Name: "test-panics", Description: "d", Remediation: "r", Why: "w", Level: engine.Advisory,
	Kinds: []string{engine.PodBearing}, Resource: func(*engine.Object, *engine.Config) []engine.Result { panic("index out of range") }}

func TestAFailingCheckRefusesTheResource(t *testing.T) {
	rs := parse(t, podBearing("apps/v1", "Deployment", "web", compliantPod))
	got := blocking(rs, engine.Options{Pack: engine.NewPack(panicky)})
	assert.Equal(t, []string{`policy-could-not-judge: Deployment "web": the check test-panics failed (index out of range), so it is refused unjudged; please report this bug in the policy pack; until it is fixed, except the resource from policy-could-not-judge with a reason`}, got)
}

func TestAnObjectTheChecksCannotReadIsRefusedNamingTheChecks(t *testing.T) {
	rs := parse(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: tool}\nspec: {containers: [{name: t, resources: {limits: {memory: lots}}}]}\n")
	var could []string
	for _, f := range engine.Blocking(Evaluate(rs, engine.Options{})) {
		if f.Policy == engine.PolicyCouldNotJudge.Name {
			could = append(could, f.Check)
		}
	}
	assert.Contains(t, could, WorkloadProbes.Name)
	assert.Contains(t, could, PodSecurityStandards.Name)
	assert.True(t, slices.ContainsFunc(engine.Blocking(Evaluate(rs, engine.Options{})), func(f engine.Finding) bool {
		return f.Policy == engine.PolicyCouldNotJudge.Name && strings.HasPrefix(f.Message, `Pod "tool": workload-probes cannot judge it: it cannot be read as v1 Pod (quantities must match`)
	}))
}

func TestManifestsSplitAsKubectlSplitsThem(t *testing.T) {
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" }
	for _, c := range []struct {
		name, stream string
		want         []string
	}{
		{"plain separators", cm("a") + "---\n" + cm("b"), []string{"a", "b"}},
		{"a separator with a comment", cm("a") + "--- # next\n" + cm("b"), []string{"a", "b"}},
		{"a separator, a tab and a comment", cm("a") + "---\t# next\n" + cm("b"), []string{"a", "b"}},
		{"CRLF line ends", strings.ReplaceAll(cm("a")+"---\n"+cm("b"), "\n", "\r\n"), []string{"a", "b"}},
		{"a leading separator", "---\n" + cm("a") + "---\n" + cm("b"), []string{"a", "b"}},
		{"a trailing document without a newline", cm("a") + "---\n" + strings.TrimSuffix(cm("b"), "\n"), []string{"a", "b"}},
		{"empty and comment-only documents", "---\n# nothing\n---\n" + cm("a") + "---\n---\n", []string{"a"}},
		{"a List is flattened", "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(strings.TrimSuffix(cm("a"), "\n"), "\n", "\n  ") +
			"\n- " + strings.ReplaceAll(strings.TrimSuffix(cm("b"), "\n"), "\n", "\n  ") + "\n---\t# then\n" + cm("c"), []string{"a", "b", "c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, err := engine.ParseManifests(strings.NewReader(c.stream))
			require.NoError(t, err)
			var got []string
			for _, r := range rs {
				got = append(got, r.Name)
			}
			assert.Equal(t, c.want, got)
		})
	}
	_, err := engine.ParseManifests(strings.NewReader(cm("a") + "--- not a comment\n" + cm("b")))
	assert.Error(t, err, "kubectl refuses text after a separator")
}
