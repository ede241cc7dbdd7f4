package tests

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/components"
	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// namespaces of the stacks, as Pulumi.dev.yaml and Pulumi.prod.yaml set them.
var namespaces = map[string]string{"dev": "jd-jones-rag-dev", "prod": "jd-jones-rag"}

// freshNamespace is where a fresh up of dev's configuration runs, beside the stacks the test upgrades.
const freshNamespace = "jd-jones-rag-fresh"

// startCluster starts the local control plane with kwok's fake node (or connects to $JDJ_TEST_KUBECONFIG's
// cluster) for one test and stops it at the end; a failing test prints the tail of every process's log.
func startCluster(t *testing.T) *cluster.Cluster {
	t.Helper()
	return startLocalCluster(t, nil)
}

// startLocalCluster starts the local control plane, with realNode as its node if set, as startCluster does.
func startLocalCluster(t *testing.T, realNode func(t *testing.T) *cluster.RealNode) *cluster.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("cluster test; -short skips it")
	}
	if path := os.Getenv(cluster.KubeconfigEnv); path != "" {
		c, err := cluster.Connect(path)
		require.NoError(t, err)
		t.Logf("testing against the cluster of %s=%s", cluster.KubeconfigEnv, path)
		return c
	}
	var classes []string
	for _, stack := range []string{"dev", "prod"} {
		stackClasses, err := stacktest.StorageClasses(stack)
		require.NoError(t, err)
		classes = append(classes, stackClasses...)
	}
	dir, err := os.MkdirTemp("", "jdj-cluster-")
	require.NoError(t, err)
	opts := cluster.Options{
		BinDir: filepath.Join(repo, ".tools", "bin"), Dir: dir, CRDDir: filepath.Join(repo, ".tools", "crds"),
		StorageClasses: classes, IngressClasses: []string{"nginx"},
	}
	if realNode != nil {
		opts.RealNode = realNode(t)
	}
	start := time.Now()
	c, err := cluster.Start(context.Background(), opts)
	require.NoError(t, err, "starting the local control plane (make tools builds it)")
	t.Logf("phase: control plane up with a Ready node in %s (storage classes %v; logs in %s)", since(start), classes, dir)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("control plane logs:\n%s", c.Logs(40))
		}
		assert.NoError(t, c.Stop(), "stopping the cluster leaves nothing behind")
		if !t.Failed() {
			assert.NoError(t, os.RemoveAll(dir))
		}
	})
	return c
}

func since(t time.Time) time.Duration { return time.Since(t).Round(100 * time.Millisecond) }

// phase runs one step of a lifecycle as a subtest, logs its duration and stops the test if it fails.
func phase(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	start := time.Now()
	ok := t.Run(name, f)
	t.Logf("phase: %-55s %8s", name, since(start))
	if !ok {
		t.FailNow()
	}
}

// clusterSession is a session of stack against c, keeping its state in state across phases.
func clusterSession(t *testing.T, c *cluster.Cluster, stack, state string) *runner.Session {
	s := session(t, stack)
	s.StateDir = state
	s.Env = map[string]string{"KUBECONFIG": c.Kubeconfig, "PULUMI_CONFIG_PASSPHRASE": testPassphrase}
	return s
}

// testPassphrase encrypts the cluster tests' state: the runner refuses its built-in one for prod, and
// for any cluster but the local control plane (JDJ_TEST_KUBECONFIG's).
const testPassphrase = "jd-jones-rag-cluster-test"

// changes is an operation's summary without the unchanged resources.
func changes(summary auto.UpdateSummary) map[string]int {
	out := map[string]int{}
	if summary.ResourceChanges != nil {
		for op, n := range *summary.ResourceChanges {
			if op != string(apitype.OpSame) && n > 0 {
				out[op] = n
			}
		}
	}
	return out
}

func TestBothStacksOnARealControlPlane(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	// Both stacks start from the previous release, as users' stacks do, and the current tree is applied
	// over that state: the upgrade must keep every namespace, data and secret object. A fresh up of the
	// current tree is the phase after the second ups, in a namespace of its own (the outage phase's up from
	// nothing does not count: it is cut midway and its error is not checked).
	start := time.Now()
	previous := checkoutRelease(t, previousRelease)
	t.Logf("phase: %-55s %8s", "check out and build the previous release "+previousRelease[:7], since(start))
	state := previous.stateDir()
	released := map[string]*liveState{}

	for _, stack := range []string{"dev", "prod"} {
		phase(t, "up "+stack+" of the previous release "+previousRelease[:7], func(t *testing.T) {
			previous.up(t, c, stack)
			released[stack] = snapshot(t, c, namespaces[stack])
			require.NotEmpty(t, released[stack].statefulSets, "the previous release's StatefulSets")
			require.NotEmpty(t, released[stack].claims, "the previous release's claims")
			require.NotEmpty(t, released[stack].secrets, "the previous release's Secrets")
		})
	}
	for _, stack := range []string{"dev", "prod"} {
		phase(t, "up "+stack+" of the current tree over it keeps namespace, data and secrets", func(t *testing.T) {
			evs, err := upgradeUp(t, c, stack, state)
			assert.Empty(t, replacedKept(evs), "namespace, data and secret resources the upgrade replaces or deletes")
			require.NoError(t, err, "up of the current tree over the previous release's %s", stack)
			assertKept(t, released[stack], assertRunning(t, c, stack))
		})
	}
	for _, stack := range []string{"dev", "prod"} {
		phase(t, "a second up of "+stack+" changes nothing", func(t *testing.T) {
			res, err := clusterSession(t, c, stack, state).Up(ctx, nil)
			require.NoError(t, err)
			assert.Empty(t, changes(res.Summary), "changes of a second up")
		})
		phase(t, "refresh of "+stack+" finds no drift", func(t *testing.T) {
			res, err := clusterSession(t, c, stack, state).Refresh(ctx)
			require.NoError(t, err)
			assert.Empty(t, changes(res.Summary), "drift found by refresh")
		})
		phase(t, "the exported state of "+stack+" holds no plaintext secret", func(t *testing.T) {
			assertNoPlaintextSecrets(t, c, clusterSession(t, c, stack, state), namespaces[stack])
		})
	}
	phase(t, "prod's snapshot job is accepted, may only touch VolumeSnapshots, and takes snapshots the API validates", func(t *testing.T) {
		assertSnapshotJobAccepted(t, c, namespaces["prod"])
	})
	phase(t, "a fresh up of dev's configuration brings every workload up under Pod Security restricted", func(t *testing.T) {
		s := clusterSession(t, c, "dev", t.TempDir())
		s.ProjectDir = stackFile(t, "dev", "", map[string]string{"namespace: " + namespaces["dev"]: "namespace: " + freshNamespace})
		if !c.Local {
			// An external cluster outlives the test: leave no extra namespace behind.
			t.Cleanup(func() {
				_, err := s.Destroy(ctx)
				assert.NoError(t, err, "destroy of the fresh up")
			})
		}
		_, err := s.Up(ctx, nil)
		require.NoError(t, err)
		assertRunningIn(t, c, "dev", freshNamespace)
	})
	phase(t, "an image tag and a config value roll exactly the workloads that use them", func(t *testing.T) {
		assertUpdateRollsOnlyUsers(t, c, state)
	})
	phase(t, "a change that breaks a stack policy is refused before anything is applied", func(t *testing.T) {
		assertStackPolicyGatesUp(t, c, "dev", state)
	})
	phase(t, "a data claim's new size previews as a refused replacement of its StatefulSet and nothing else", func(t *testing.T) {
		assertClaimResizePreviewsAReplace(t, c, state)
	})
	phase(t, "destroy of dev removes everything", func(t *testing.T) {
		_, err := clusterSession(t, c, "dev", state).Destroy(ctx)
		require.NoError(t, err)
		assertGone(t, c, namespaces["dev"])
	})
	// The outage, prod's refused destroy and its later up run on the real node (node_test.go), where pods
	// are processes that must come back.
	if exited := c.Exited(); len(exited) > 0 {
		t.Errorf("control plane processes exited on their own: %v", exited)
	}
}

// liveState is what a stack's namespace holds.
type liveState struct {
	namespace    corev1.Namespace
	deployments  map[string]appsv1.Deployment
	statefulSets map[string]appsv1.StatefulSet
	claims       map[string]corev1.PersistentVolumeClaim
	secrets      map[string]corev1.Secret
	jobs         []batchv1.Job
}

func snapshot(t *testing.T, c *cluster.Cluster, ns string) *liveState {
	t.Helper()
	ctx := context.Background()
	s := &liveState{
		deployments: map[string]appsv1.Deployment{}, statefulSets: map[string]appsv1.StatefulSet{},
		claims: map[string]corev1.PersistentVolumeClaim{}, secrets: map[string]corev1.Secret{},
	}
	namespace, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	require.NoError(t, err)
	s.namespace = *namespace
	deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, d := range deps.Items {
		s.deployments[d.Name] = d
	}
	sets, err := c.Client.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, d := range sets.Items {
		s.statefulSets[d.Name] = d
	}
	claims, err := c.Client.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, d := range claims.Items {
		s.claims[d.Name] = d
	}
	secrets, err := c.Client.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, d := range secrets.Items {
		s.secrets[d.Name] = d
	}
	jobs, err := c.Client.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	s.jobs = jobs.Items
	return s
}

// expectedNames are the metadata.names the program registers for stack, per kind, under mocks.
func expectedNames(t *testing.T, stack string) map[string][]string {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	rec, err := stacktest.Run(stack, cfg, platform.Program)
	require.NoError(t, err)
	out := map[string][]string{}
	for _, kind := range []string{"apps/v1:Deployment", "apps/v1:StatefulSet", "core/v1:PersistentVolumeClaim",
		"autoscaling/v2:HorizontalPodAutoscaler", "policy/v1:PodDisruptionBudget", "networking.k8s.io/v1:NetworkPolicy"} {
		for _, r := range rec.OfType("kubernetes:" + kind) {
			out[kind[strings.LastIndex(kind, ":")+1:]] = append(out[kind[strings.LastIndex(kind, ":")+1:]], r.ObjectName())
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func names[T any](items []T, name func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, i := range items {
		out = append(out, name(i))
	}
	sort.Strings(out)
	return out
}

// assertRunning checks a stack's namespace after up, as assertRunningIn does.
func assertRunning(t *testing.T, c *cluster.Cluster, stack string) *liveState {
	t.Helper()
	return assertRunningIn(t, c, stack, namespaces[stack])
}

// waitForRollouts waits until every Deployment of ns has rolled out its current size. `up` may return a
// little before: a Deployment its HorizontalPodAutoscaler sizes starts at 1 replica, which is all the
// provider's awaiter waits for, until the autoscaler's next sync raises it to minReplicas (CI saw prod's
// API and workers at 1 of 2 Ready right after an up, the controller manager rescaling them from 1 to 2
// a second before). The rollout must still finish, without a change, within two minutes.
func waitForRollouts(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	start := time.Now()
	var pending []string
	waitFor(t, 2*time.Minute, "the Deployments of "+ns+" to finish rolling out", func() bool {
		list, err := c.Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false
		}
		var now []string
		for _, d := range list.Items {
			if !rolledOut(d) {
				now = append(now, d.Name)
			}
		}
		if len(now) > 0 && pending == nil {
			pending = now
		}
		return len(now) == 0
	})
	if pending != nil {
		t.Logf("Deployments %v finished rolling out %s after up returned", pending, time.Since(start).Round(time.Second/10))
	}
}

// rolledOut says whether d's controller has seen its current generation and every one of its replicas
// (1 when spec.replicas is unset) is updated, Ready and Available, with no other Pod left.
func rolledOut(d appsv1.Deployment) bool {
	st, want := d.Status, int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	return st.ObservedGeneration >= d.Generation && st.UpdatedReplicas == want && st.ReadyReplicas == want &&
		st.AvailableReplicas == want && st.Replicas == want
}

// assertRunningIn checks the namespace ns after an up of stack's configuration: every Deployment Available,
// every StatefulSet Ready, every claim Bound, the migration Job Complete, autoscalers, budgets and network
// policies as registered, and no pod refused by Pod Security admission (which the namespace still enforces).
func assertRunningIn(t *testing.T, c *cluster.Cluster, stack, ns string) *liveState {
	t.Helper()
	ctx := context.Background()
	waitForRollouts(t, c, ns)
	want := expectedNames(t, stack)
	live := snapshot(t, c, ns)

	assert.Equal(t, want["Deployment"], names(mapValues(live.deployments), func(d appsv1.Deployment) string { return d.Name }))
	for _, d := range live.deployments {
		available := false
		for _, cond := range d.Status.Conditions {
			available = available || cond.Type == appsv1.DeploymentAvailable && cond.Status == corev1.ConditionTrue
		}
		assert.True(t, available, "Deployment %s is Available", d.Name)
		assert.Equal(t, *d.Spec.Replicas, d.Status.ReadyReplicas, "Deployment %s ready replicas", d.Name)
	}
	assert.Equal(t, want["StatefulSet"], names(mapValues(live.statefulSets), func(d appsv1.StatefulSet) string { return d.Name }))
	for _, s := range live.statefulSets {
		assert.Equal(t, *s.Spec.Replicas, s.Status.ReadyReplicas, "StatefulSet %s ready replicas", s.Name)
	}
	for _, name := range want["PersistentVolumeClaim"] {
		assert.Contains(t, live.claims, name)
	}
	for _, pvc := range live.claims {
		assert.Equal(t, corev1.ClaimBound, pvc.Status.Phase, "claim %s", pvc.Name)
	}
	migrations := 0
	for _, j := range live.jobs {
		if j.Labels["app.kubernetes.io/name"] == "db-migrate" {
			migrations++
			complete := false
			for _, cond := range j.Status.Conditions {
				complete = complete || cond.Type == batchv1.JobComplete && cond.Status == corev1.ConditionTrue
			}
			assert.True(t, complete, "Job %s is Complete", j.Name)
		}
	}
	assert.Equal(t, 1, migrations, "one migration Job")

	hpas, err := c.Client.AutoscalingV2().HorizontalPodAutoscalers(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, want["HorizontalPodAutoscaler"], names(hpas.Items, func(h autoscalingv2.HorizontalPodAutoscaler) string { return h.Name }))
	pdbs, err := c.Client.PolicyV1().PodDisruptionBudgets(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, want["PodDisruptionBudget"], names(pdbs.Items, func(p policyv1.PodDisruptionBudget) string { return p.Name }))
	nps, err := c.Client.NetworkingV1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, want["NetworkPolicy"], names(nps.Items, func(p networkingv1.NetworkPolicy) string { return p.Name }))

	evs, err := c.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, e := range evs.Items {
		if e.Reason == "FailedCreate" {
			assert.NotContains(t, e.Message, "PodSecurity", "pod refused by admission: %s/%s", e.InvolvedObject.Name, e.Message)
			t.Logf("FailedCreate event (not Pod Security): %s: %s", e.InvolvedObject.Name, e.Message)
		}
	}
	// The control: the namespace still refuses a pod that breaks restricted, so the above means something.
	bad := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "violates-restricted"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox:1.36"}}},
	}
	_, err = c.Client.CoreV1().Pods(ns).Create(ctx, bad, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if assert.Error(t, err, "a pod without a restricted security context is refused") {
		assert.Contains(t, err.Error(), `violates PodSecurity "restricted`)
	}
	return live
}

func mapValues[T any](m map[string]T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// pulumiCLI runs the session's pulumi CLI in its work folder with its environment and returns stdout.
func pulumiCLI(t *testing.T, s *runner.Session, args ...string) string {
	t.Helper()
	ctx := context.Background()
	stack, err := s.Select(ctx)
	require.NoError(t, err)
	ws := stack.Workspace()
	var env []string
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	out, stderr, _, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), nil, nil, nil, env, append(args, "--stack", s.Stack)...)
	require.NoError(t, err, "pulumi %v: %s", args, stderr)
	return out
}

// rawExport is `pulumi stack export` of the session's stack as the CLI prints it: secrets stay encrypted
// (the Automation API's Export adds --show-secrets).
func rawExport(t *testing.T, s *runner.Session) apitype.DeploymentV3 {
	t.Helper()
	var exported apitype.UntypedDeployment
	require.NoError(t, json.Unmarshal([]byte(pulumiCLI(t, s, "stack", "export")), &exported))
	var dep apitype.DeploymentV3
	require.NoError(t, json.Unmarshal(exported.Deployment, &dep))
	return dep
}

// assertNoPlaintextSecrets checks that no value of jd-jones-secrets (the generated passwords among them)
// appears in `pulumi stack export`, neither as is nor base64-encoded.
func assertNoPlaintextSecrets(t *testing.T, c *cluster.Cluster, s *runner.Session, ns string) {
	t.Helper()
	ctx := context.Background()
	dep := rawExport(t, s)
	raw, err := json.Marshal(dep)
	require.NoError(t, err)
	text := string(raw)
	secret, err := c.Client.CoreV1().Secrets(ns).Get(ctx, "jd-jones-secrets", metav1.GetOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, secret.Data)
	for key, value := range secret.Data {
		require.GreaterOrEqual(t, len(value), 16, "%s is a generated secret", key)
		assert.NotContains(t, text, string(value), "plaintext %s in the exported state", key)
		assert.NotContains(t, text, base64.StdEncoding.EncodeToString(value), "base64 %s in the exported state", key)
	}
	assert.Contains(t, text, "ciphertext", "secret values are stored encrypted")
}

// assertGone waits until the namespace and every volume bound to its claims are deleted.
func assertGone(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "namespace %s is deleted: %v", ns, err)
	deadline := time.Now().Add(time.Minute)
	for {
		pvs, err := c.Client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		var left []string
		for _, pv := range pvs.Items {
			if pv.Spec.ClaimRef != nil && pv.Spec.ClaimRef.Namespace == ns {
				left = append(left, pv.Name+" ("+pv.Spec.ClaimRef.Name+")")
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("volumes of %s left after destroy: %v", ns, left)
			return
		}
		time.Sleep(time.Second)
	}
}

// stackFile writes a project folder whose stack file has its replacements made and extra config
// appended; the folder is named like the repository so the session reuses the stack's work folder and
// its encryption salt.
func stackFile(t *testing.T, stack, extra string, replace map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(repo))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	project, err := os.ReadFile(filepath.Join(repo, "Pulumi.yaml"))
	require.NoError(t, err)
	file := "Pulumi." + stack + ".yaml"
	original, err := os.ReadFile(filepath.Join(repo, file))
	require.NoError(t, err)
	text := string(original)
	for old, new := range replace {
		require.Contains(t, text, old)
		text = strings.ReplaceAll(text, old, new)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(text+extra), 0o644))
	return dir
}

// devIn is a session of dev's stack file moved to a namespace of its own (so one test's up never meets
// another's), with extra appended and replace applied, keeping its state in a folder of the test's.
// Against an external cluster, the stack is destroyed when the test ends; the local one goes with it.
func devIn(t *testing.T, c *cluster.Cluster, namespace, extra string, replace map[string]string) *runner.Session {
	t.Helper()
	moved := map[string]string{"namespace: " + namespaces["dev"]: "namespace: " + namespace}
	maps.Copy(moved, replace)
	s := clusterSession(t, c, "dev", t.TempDir())
	s.ProjectDir = stackFile(t, "dev", extra, moved)
	if !c.Local {
		t.Cleanup(func() {
			_, err := s.Destroy(context.Background())
			assert.NoError(t, err, "destroy of the stack in %s", namespace)
		})
	}
	return s
}

// usesConfigMap reports whether a pod template reads the ConfigMap.
func usesConfigMap(spec corev1.PodSpec, name string) bool {
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == name {
			return true
		}
	}
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			for _, e := range c.EnvFrom {
				if e.ConfigMapRef != nil && e.ConfigMapRef.Name == name {
					return true
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil && e.ValueFrom.ConfigMapKeyRef.Name == name {
					return true
				}
			}
		}
	}
	return false
}

func usesImage(spec corev1.PodSpec, image string) bool {
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			if c.Image == image {
				return true
			}
		}
	}
	return false
}

// assertUpdateRollsOnlyUsers changes the external portal's image tag and the LLM model of jd-jones-config
// in dev's config, and checks that exactly the workloads using either roll, nothing holding data or
// secrets is replaced and the generated passwords keep their values.
func assertUpdateRollsOnlyUsers(t *testing.T, c *cluster.Cluster, state string) {
	ctx := context.Background()
	ns := namespaces["dev"]
	old := snapshot(t, c, ns)
	portal := old.deployments["external-portal"].Spec.Template.Spec.Containers[0].Image
	repoPart := portal[:strings.LastIndex(portal, ":")]
	newImage := repoPart + ":9.9.9-cluster-test"
	dir := stackFile(t, "dev", "  jd-jones-rag-infra:images:\n    externalPortal: "+newImage+"\n",
		map[string]string{"model: llama3.1:8b": "model: llama3.2:3b"})

	want := map[string]bool{}
	for name, d := range old.deployments {
		if usesImage(d.Spec.Template.Spec, portal) || usesConfigMap(d.Spec.Template.Spec, "jd-jones-config") {
			want["Deployment/"+name] = true
		}
	}
	for name, s := range old.statefulSets {
		if usesImage(s.Spec.Template.Spec, portal) || usesConfigMap(s.Spec.Template.Spec, "jd-jones-config") {
			want["StatefulSet/"+name] = true
		}
	}
	require.Contains(t, want, "Deployment/external-portal")
	require.Contains(t, want, "Deployment/api")

	s := clusterSession(t, c, "dev", state)
	s.ProjectDir = dir
	ch, wait := collect()
	_, err := s.Up(ctx, ch)
	evs := wait()
	require.NoError(t, err)
	for _, e := range evs {
		if pre := e.ResourcePreEvent; pre != nil {
			m := pre.Metadata
			if m.Op == apitype.OpReplace || m.Op == apitype.OpCreateReplacement || m.Op == apitype.OpDeleteReplaced {
				for _, kind := range []string{":StatefulSet", ":PersistentVolumeClaim", ":Secret", "RandomPassword"} {
					assert.False(t, strings.HasSuffix(m.Type, kind), "%s is replaced (%s)", m.URN, m.Op)
				}
			}
		}
	}

	now := snapshot(t, c, ns)
	got := map[string]bool{}
	for name, d := range now.deployments {
		if d.Generation != old.deployments[name].Generation {
			got["Deployment/"+name] = true
		}
	}
	for name, st := range now.statefulSets {
		if st.Generation != old.statefulSets[name].Generation {
			got["StatefulSet/"+name] = true
		}
		assert.Equal(t, old.statefulSets[name].UID, st.UID, "StatefulSet %s is the same object", name)
	}
	assert.Equal(t, want, got, "workloads whose pod template changed")
	assert.Equal(t, newImage, now.deployments["external-portal"].Spec.Template.Spec.Containers[0].Image)
	for name, pvc := range old.claims {
		assert.Equal(t, pvc.UID, now.claims[name].UID, "claim %s is the same object", name)
	}
	for name, sec := range old.secrets {
		assert.Equal(t, sec.UID, now.secrets[name].UID, "Secret %s is the same object", name)
		assert.Equal(t, sec.Data, now.secrets[name].Data, "Secret %s keeps its values", name)
	}
	cm, err := c.Client.CoreV1().ConfigMaps(ns).Get(ctx, "jd-jones-config", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "llama3.2:3b", cm.Data["LLM_MODEL"])
	assertRunning(t, c, "dev")
}

// assertSnapshotJobAccepted checks the snapshot CronJob prod runs against the real API server with the
// real snapshot CRDs: its ServiceAccount may create, list and delete VolumeSnapshots and nothing else
// asked here, and the VolumeSnapshot its script would create, read from the live ConfigMap, passes the
// CRD's validation (a server-side dry run).
func assertSnapshotJobAccepted(t *testing.T, c *cluster.Cluster, ns string) {
	ctx := context.Background()
	job, err := c.Client.BatchV1().CronJobs(ns).Get(ctx, "volume-snapshots", metav1.GetOptions{})
	require.NoError(t, err, "the snapshot CronJob")
	env := map[string]string{}
	for _, e := range job.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	require.NotEmpty(t, env["CLAIMS"])
	for _, claim := range strings.Fields(env["CLAIMS"]) {
		_, err := c.Client.CoreV1().PersistentVolumeClaims(ns).Get(ctx, claim, metav1.GetOptions{})
		assert.NoError(t, err, "the job snapshots claim %s, which exists", claim)
	}

	user := "system:serviceaccount:" + ns + ":volume-snapshots"
	can := func(verb, group, resource string) bool {
		review, err := c.Client.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: user, ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: ns, Verb: verb, Group: group, Resource: resource,
			}},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
		return review.Status.Allowed
	}
	for _, verb := range []string{"create", "list", "delete"} {
		assert.True(t, can(verb, "snapshot.storage.k8s.io", "volumesnapshots"), "the job may %s VolumeSnapshots", verb)
	}
	assert.False(t, can("get", "", "secrets"), "the job may not read Secrets")
	assert.False(t, can("delete", "", "persistentvolumeclaims"), "the job may not delete claims")
	assert.False(t, can("create", "snapshot.storage.k8s.io", "volumesnapshotcontents"), "the job may not forge snapshot contents")

	cm, err := c.Client.CoreV1().ConfigMaps(ns).Get(ctx, "volume-snapshots", metav1.GetOptions{})
	require.NoError(t, err)
	manifest, err := components.SnapshotInScript(cm.Data["snapshot.sh"], strings.Fields(env["CLAIMS"])[0], "20261126030000", env["CLASS"])
	require.NoError(t, err)
	var snapshot unstructured.Unstructured
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &snapshot.Object))
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	require.NoError(t, err)
	client, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	snapshots := client.Resource(schema.GroupVersionResource{Group: "snapshot.storage.k8s.io", Version: "v1", Resource: "volumesnapshots"}).Namespace(ns)
	_, err = snapshots.Create(ctx, &snapshot, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	assert.NoError(t, err, "the VolumeSnapshot the job would create validates against the CRD")
	// The compliant twin's broken sibling: the CRD's schema does refuse a snapshot without a source.
	unstructured.RemoveNestedField(snapshot.Object, "spec", "source")
	_, err = snapshots.Create(ctx, &snapshot, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	assert.Error(t, err, "the CRD is installed and validating: a snapshot without a source is refused")
}

// assertClaimResizePreviewsAReplace previews dev with a larger ChromaDB claim: claim templates are
// immutable, so the preview plans to replace the StatefulSet, and the API server's dry run of the
// replacement, while the old StatefulSet of that name exists, refuses it. That refusal is what a user
// sees, and what docs/operations.md's resize procedure is for; nothing else that holds data or secrets is
// replaced, and nothing changes.
func assertClaimResizePreviewsAReplace(t *testing.T, c *cluster.Cluster, state string) {
	s := clusterSession(t, c, "dev", state)
	s.ProjectDir = stackFile(t, "dev", "", map[string]string{"chromaData: 10Gi": "chromaData: 20Gi"})
	ch, wait := collect()
	_, err := s.Preview(context.Background(), ch)
	evs := wait()
	require.Error(t, err, "the preview refuses the replacement")
	assert.Contains(t, err.Error(), `StatefulSet.apps "chromadb" is invalid: spec: Forbidden: updates to statefulset spec`)
	replaced := map[string]bool{}
	for _, e := range evs {
		if pre := e.ResourcePreEvent; pre != nil && pre.Metadata.Op == apitype.OpReplace {
			for _, kind := range []string{":StatefulSet", ":PersistentVolumeClaim", ":Secret", "RandomPassword"} {
				if strings.HasSuffix(pre.Metadata.Type, kind) {
					replaced[pre.Metadata.URN[strings.LastIndex(pre.Metadata.URN, "::")+2:]] = true
				}
			}
		}
	}
	assert.Equal(t, map[string]bool{"jd-jones-rag-data-chromadb": true}, replaced, "the one StatefulSet whose claim template changed")
	live := snapshot(t, c, namespaces["dev"])
	q := live.claims["chroma-data-chromadb-0"].Spec.Resources.Requests[corev1.ResourceStorage]
	assert.Equal(t, "10Gi", q.String(), "a preview changes nothing")
}

// assertOutageConverges runs a fresh up of dev (sessions of one state, from session), stops the
// apiserver once Pulumi starts creating Deployments, starts it again after a few seconds, and checks
// that the next up converges with nothing pending in the state.
func assertOutageConverges(t *testing.T, c *cluster.Cluster, session func() *runner.Session) {
	if !c.Local {
		t.Skip("the outage needs the local control plane")
	}
	ctx := context.Background()
	s := session()
	ch := make(chan events.EngineEvent)
	cut := make(chan struct{})
	go func() {
		cutOnce := false
		for e := range ch {
			if pre := e.ResourcePreEvent; pre != nil && !cutOnce && strings.HasSuffix(pre.Metadata.Type, ":Deployment") {
				cutOnce = true
				close(cut)
			}
		}
		if !cutOnce {
			close(cut)
		}
	}()
	upDone := make(chan error, 1)
	go func() {
		_, err := s.Up(ctx, ch)
		upDone <- err
	}()
	<-cut
	start := time.Now()
	c.StopAPIServer()
	time.Sleep(5 * time.Second)
	require.NoError(t, c.StartAPIServer(ctx))
	t.Logf("apiserver was down for %s", since(start))
	err := <-upDone
	t.Logf("the interrupted up ended with: %v", err)

	_, err = session().Up(ctx, nil)
	require.NoError(t, err, "the up after the outage converges")
	assertRunning(t, c, "dev")
	assert.Empty(t, rawExport(t, session()).PendingOperations, "pending operations in the state")
	res, err := session().Up(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, changes(res.Summary), "nothing left to do after convergence")

	// The outage's worst case, made certain: objects the cluster holds but the state lost (their create was
	// cut after the apiserver accepted it), chromadb's StatefulSet and the workloads that depend on it, are
	// adopted by the next up.
	var lost string
	for _, r := range rawExport(t, session()).Resources {
		if r.Type == "kubernetes:apps/v1:StatefulSet" && strings.HasSuffix(string(r.URN), "-chromadb") {
			lost = string(r.URN)
		}
	}
	require.NotEmpty(t, lost, "chromadb's StatefulSet is in the state")
	pulumiCLI(t, session(), "state", "delete", "--yes", "--target-dependents", lost)
	_, err = session().Up(ctx, nil)
	require.NoError(t, err, "an up adopts objects missing from state")
	assertRunning(t, c, "dev")
}

// assertDestroyKeepsClaims runs a destroy of prod, which its protected resources refuse, and checks that
// its data claims are the same objects as before, still Bound to their volumes.
func assertDestroyKeepsClaims(t *testing.T, c *cluster.Cluster, s *runner.Session, before *liveState) {
	t.Helper()
	ctx := context.Background()
	_, err := s.Destroy(ctx)
	require.Error(t, err, "destroying protected resources fails")
	assert.Contains(t, err.Error(), "protected")
	after := snapshot(t, c, namespaces["prod"])
	for _, claim := range []string{"model-cache", "uploads-data"} {
		pvc, ok := after.claims[claim]
		if assert.True(t, ok, "claim %s survives", claim) {
			assert.Equal(t, before.claims[claim].UID, pvc.UID, "claim %s is the same object", claim)
			assert.Equal(t, corev1.ClaimBound, pvc.Status.Phase)
			_, err := c.Client.CoreV1().PersistentVolumes().Get(ctx, pvc.Spec.VolumeName, metav1.GetOptions{})
			assert.NoError(t, err, "volume of %s", claim)
		}
	}
}
