package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// podSecurityVersion is the enforce-version the stacks' namespaces set and pod-security-standards
// judges at by default.
const podSecurityVersion = "v1.34"

// podSecurityFixture is one of upstream's Pod Security test pods: a pod that level admits (pass) or
// refuses (fail) at podSecurityVersion.
type podSecurityFixture struct {
	level, file string
	pass        bool
	pod         map[string]any
}

// podSecurityFixtures reads k8s.io/pod-security-admission's own test pods (test/testdata/<level>/
// <version>/{pass,fail}/*.yaml, which its integration test applies to a real API server): one pod
// per way to pass or fail each control of baseline and restricted.
func podSecurityFixtures(t *testing.T) []podSecurityFixture {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/pod-security-admission").Output()
	require.NoError(t, err, "finding the pod-security-admission module (go list -m)")
	dir := filepath.Join(strings.TrimSpace(string(out)), "test", "testdata")
	var fixtures []podSecurityFixture
	for _, level := range []string{"baseline", "restricted"} {
		for _, verdict := range []string{"pass", "fail"} {
			files, err := filepath.Glob(filepath.Join(dir, level, podSecurityVersion, verdict, "*.yaml"))
			require.NoError(t, err)
			require.NotEmpty(t, files, "upstream's %s %s fixtures of %s", level, verdict, podSecurityVersion)
			for _, f := range files {
				data, err := os.ReadFile(f)
				require.NoError(t, err)
				var pod map[string]any
				require.NoError(t, yaml.Unmarshal(data, &pod), f)
				fixtures = append(fixtures, podSecurityFixture{level: level, file: filepath.Base(f), pass: verdict == "pass", pod: pod})
			}
		}
	}
	return fixtures
}

// asDeployment wraps a pod in a Deployment's template: Pod Security admission does not refuse
// templates, it warns (the namespace's warn label), and the pack judges templates as pods.
func asDeployment(pod map[string]any, name string) map[string]any {
	meta, _ := pod["metadata"].(map[string]any)
	labels := map[string]any{"app": name}
	tplMeta := map[string]any{"labels": labels}
	if a, ok := meta["annotations"]; ok {
		tplMeta["annotations"] = a
	}
	return map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{"metadata": tplMeta, "spec": pod["spec"]},
		},
	}
}

// warnings collects the API server's warning headers.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

// packPodSecurityFinding reads a pod-security-standards finding, `forbids reason: detail; fix`: the
// API server says the same as `reason (detail)` in its refusal or warning.
var packPodSecurityFinding = regexp.MustCompile(`forbids (.*?): (.*); [^;]*$`)

func TestThePackJudgesPodSecurityExactlyAsTheAPIServer(t *testing.T) {
	fixtures := podSecurityFixtures(t)
	require.GreaterOrEqual(t, len(fixtures), 60, "the agreement table's size")
	c := startCluster(t)
	ctx := context.Background()
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	require.NoError(t, err)
	warned := &warnings{}
	cfg.WarningHandler = warned
	cfg.QPS, cfg.Burst = 200, 200 // client-go's default of 5 a second would make 288 dry runs take a minute
	client, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	pods := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	deployments := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

	for _, level := range []string{"baseline", "restricted"} {
		ns := "psa-" + level
		_, err := c.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{
			"pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/enforce-version": podSecurityVersion,
			"pod-security.kubernetes.io/warn": level, "pod-security.kubernetes.io/warn-version": podSecurityVersion,
		}}}, metav1.CreateOptions{})
		require.NoError(t, err)
		// A pod needs its ServiceAccount to exist; the controller manager makes it soon, this now.
		_, err = c.Client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
		if !apierrors.IsAlreadyExists(err) {
			require.NoError(t, err)
		}
	}

	// The server's verdict on a pod (refused or admitted, and why) and on its template (warned or not).
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	server := func(t *testing.T, gvr schema.GroupVersionResource, ns string, obj map[string]any) (refusedFor string) {
		warned.take()
		_, err := client.Resource(gvr).Namespace(ns).Create(ctx, &unstructured.Unstructured{Object: obj}, dryRun)
		if gvr == pods {
			if err == nil {
				return ""
			}
			require.True(t, apierrors.IsForbidden(err), "a refusal by admission, not another error: %v", err)
			require.Contains(t, err.Error(), "violates PodSecurity")
			return err.Error()
		}
		require.NoError(t, err, "a template is admitted whatever Pod Security says of it")
		var podSecurity []string
		for _, w := range warned.take() {
			if strings.Contains(w, "violate PodSecurity") {
				podSecurity = append(podSecurity, w)
			}
		}
		return strings.Join(podSecurity, "\n")
	}
	pack := func(level string, obj map[string]any) []string {
		r, err := checks.ResourceFromManifest(obj)
		require.NoError(t, err)
		var out []string
		for _, f := range checks.Evaluate([]checks.Resource{r}, checks.Options{
			Pack: checks.NewPack(checks.PodSecurityStandards),
			Policies: map[string]checks.PolicyConfig{checks.PodSecurityStandards.Name: {Properties: map[string]any{
				"level": level, "version": podSecurityVersion}}},
		}) {
			if f.Policy == checks.PodSecurityStandards.Name {
				out = append(out, f.Message)
			}
		}
		return out
	}

	var disagreements []string
	judged := map[string]int{}
	for i, f := range fixtures {
		name := fmt.Sprintf("f%d", i)
		pod := f.pod
		pod["metadata"].(map[string]any)["name"] = name
		ns := "psa-" + f.level
		for _, obj := range []map[string]any{pod, asDeployment(pod, name)} {
			kind := obj["kind"].(string)
			gvr := pods
			if kind == "Deployment" {
				gvr = deployments
			}
			said := server(t, gvr, ns, obj)
			found := pack(f.level, obj)
			judged[f.level+" "+kind]++
			cell := fmt.Sprintf("%s %s/%s as a %s", f.level, map[bool]string{true: "pass", false: "fail"}[f.pass], f.file, kind)
			switch {
			case (said == "") != (len(found) == 0):
				disagreements = append(disagreements, fmt.Sprintf("%s: API server: %q; pack: %q", cell, said, found))
			case (said == "") != f.pass:
				disagreements = append(disagreements, fmt.Sprintf("%s: upstream expects pass=%t, both said %q", cell, f.pass, said))
			}
			// The pack gives the server's reasons, all of them, in its words and order: the server
			// ends its refusal or warning with `reason (detail), reason (detail)`.
			if len(found) == 0 {
				continue
			}
			var reasons []string
			for _, m := range found {
				parts := packPodSecurityFinding.FindStringSubmatch(m)
				require.NotNil(t, parts, "a pod-security-standards finding: %q", m)
				reasons = append(reasons, parts[1]+" ("+parts[2]+")")
			}
			if !strings.HasSuffix(said, ": "+strings.Join(reasons, ", ")) {
				disagreements = append(disagreements, fmt.Sprintf("%s: the pack's reasons %q are not the API server's %q", cell, reasons, said))
			}
		}
	}
	var counts []string
	for k, n := range judged {
		counts = append(counts, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(counts)
	t.Logf("judged by the API server and the pack: %d upstream pods, as Pods and as Deployment templates (%s)", len(fixtures), strings.Join(counts, ", "))
	assert.Empty(t, disagreements, "the pack disagrees with the API server's Pod Security admission")
}
