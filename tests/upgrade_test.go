package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
)

// previousRelease is the commit of main users last applied; the cluster test brings both stacks up from
// it before the current tree takes over their state, as an upgrade does.
const previousRelease = "fd1cd795d8accdec4bf5383ad6c3f014aa416a5b"

// release is a previous release checked out into a git worktree, with its cmd/stack built.
type release struct {
	sha string
	// dir is the worktree, named like the repository: its runner keeps each stack's work folder (and the
	// passphrase's encryption salt) under the project folder's name, which a current session must match.
	dir string
	// stack is the release's cmd/stack binary.
	stack string
}

// checkoutRelease checks sha out into a temporary worktree of the repository, links the toolchain into it
// and builds its cmd/stack; the worktree is removed when the test ends.
func checkoutRelease(t *testing.T, sha string) *release {
	t.Helper()
	inClone := func() bool { return exec.Command("git", "-C", repo, "cat-file", "-e", sha+"^{commit}").Run() == nil }
	if !inClone() {
		// A shallow clone lacks it: fetch that one commit from where the clone came from, if it can.
		out, err := exec.Command("git", "-C", repo, "fetch", "--quiet", "origin", sha).CombinedOutput()
		t.Logf("the previous release %s was not in the clone; fetching it from origin: %v %s", sha, err, out)
	}
	if !inClone() {
		t.Fatalf("the previous release %s is not in the clone at %s (a shallow clone? run `git fetch --unshallow` "+
			"or check out with fetch-depth: 0): the upgrade phase needs it", sha, repo)
	}
	tmp := t.TempDir()
	r := &release{sha: sha, dir: filepath.Join(tmp, filepath.Base(repo)), stack: filepath.Join(tmp, "previous-stack")}
	git(t, "worktree", "add", "--detach", r.dir, sha)
	t.Cleanup(func() {
		if out, err := exec.Command("git", "-C", repo, "worktree", "remove", "--force", r.dir).CombinedOutput(); err != nil {
			t.Errorf("removing the worktree %s: %v: %s", r.dir, err, out)
		}
	})
	require.NoError(t, os.Symlink(filepath.Join(repo, ".tools"), filepath.Join(r.dir, ".tools")))
	build := exec.Command("go", "build", "-o", r.stack, "./cmd/stack")
	build.Dir = r.dir
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building cmd/stack of %s: %s", sha, out)
	return r
}

// git runs git in the repository and fails the test with its output if it fails.
func git(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput()
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
}

// stateDir is where the release's runner keeps its file backend and work folders; a current session
// with this StateDir continues the same stacks and decrypts their secrets with the same salt.
func (r *release) stateDir() string { return filepath.Join(r.dir, ".pulumi-local") }

// up runs the release's `stack up` of stack against c, as a user of that release would (without the policy
// pack, which registers nothing); its output is printed if it fails.
func (r *release) up(t *testing.T, c *cluster.Cluster, stack string) {
	t.Helper()
	cmd := exec.Command(r.stack, "up", "-s", stack, "-no-policy")
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig, "PULUMI_CONFIG_PASSPHRASE="+testPassphrase)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("up of %s by the previous release %s failed after %s: %v\n%s", stack, r.sha[:7], since(start), err, out.String())
	}
}

// upgradeUp applies the current tree over the stack's state and returns the engine's events and the up's
// error, so that a failed upgrade still reports what it replaced.
func upgradeUp(t *testing.T, c *cluster.Cluster, stack, state string) ([]events.EngineEvent, error) {
	t.Helper()
	ch, wait := collect()
	res, err := clusterSession(t, c, stack, state).Up(context.Background(), ch)
	evs := wait()
	t.Logf("the upgrade of %s: %v\n%s", stack, changes(res.Summary), strings.Join(changedSteps(evs), "\n"))
	return evs, err
}

// changedSteps lists, as "op URN", every step of the events that is not a same or a read.
func changedSteps(evs []events.EngineEvent) []string {
	var out []string
	for _, e := range evs {
		if pre := e.ResourcePreEvent; pre != nil && pre.Metadata.Op != apitype.OpSame && pre.Metadata.Op != apitype.OpRead {
			out = append(out, string(pre.Metadata.Op)+" "+pre.Metadata.URN)
		}
	}
	sort.Strings(out)
	return out
}

// keptKinds are the resource types an upgrade must never replace or delete: they hold the namespace,
// data and credentials (a replaced RandomPassword would change a credential the data was written with).
var keptKinds = []string{"kubernetes:core/v1:Namespace", "kubernetes:apps/v1:StatefulSet",
	"kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:Secret", "random:index/randomPassword:RandomPassword"}

// lossSteps are the engine steps that delete an object's live copy.
var lossSteps = map[apitype.OpType]bool{apitype.OpReplace: true, apitype.OpCreateReplacement: true,
	apitype.OpDeleteReplaced: true, apitype.OpDelete: true}

// replacedKept lists, as "URN (op)", every resource of keptKinds that the events replace or delete.
func replacedKept(evs []events.EngineEvent) []string {
	seen := map[string]bool{}
	for _, e := range evs {
		var m *apitype.StepEventMetadata
		switch {
		case e.ResourcePreEvent != nil:
			m = &e.ResourcePreEvent.Metadata
		case e.ResOutputsEvent != nil:
			m = &e.ResOutputsEvent.Metadata
		}
		if m == nil || !lossSteps[m.Op] {
			continue
		}
		for _, kind := range keptKinds {
			if m.Type == kind {
				seen[m.URN+" ("+string(m.Op)+")"] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// assertKept checks that the Namespace, every StatefulSet, claim and Secret of old are still the same
// objects (same UID) in now, and that every Secret keeps its values.
func assertKept(t *testing.T, old, now *liveState) {
	t.Helper()
	assert.Equal(t, old.namespace.UID, now.namespace.UID, "Namespace %s is the same object", old.namespace.Name)
	for name, s := range old.statefulSets {
		if assert.Contains(t, now.statefulSets, name, "StatefulSet %s survives", name) {
			assert.Equal(t, s.UID, now.statefulSets[name].UID, "StatefulSet %s is the same object", name)
		}
	}
	for name, pvc := range old.claims {
		if assert.Contains(t, now.claims, name, "claim %s survives", name) {
			assert.Equal(t, pvc.UID, now.claims[name].UID, "claim %s is the same object", name)
			assert.Equal(t, pvc.Spec.VolumeName, now.claims[name].Spec.VolumeName, "claim %s keeps its volume", name)
		}
	}
	for name, sec := range old.secrets {
		if assert.Contains(t, now.secrets, name, "Secret %s survives", name) {
			assert.Equal(t, sec.UID, now.secrets[name].UID, "Secret %s is the same object", name)
			// A release may add a credential (chroma-token); every value the old one held is kept.
			for key, value := range sec.Data {
				assert.Equal(t, value, now.secrets[name].Data[key], "Secret %s keeps its value of %s", name, key)
			}
		}
	}
}
