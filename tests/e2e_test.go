package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
	"github.com/jdjones/jd-jones-rag-infra/tests/testdata/badstack"
)

var (
	repo = stacktest.RepoRoot()
	// policyPack is built once for every test.
	policyPack string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if _, _, err := runner.Toolchain(repo); err != nil {
		// The README's test command builds the toolchain first, so this only happens to a bare
		// `go test`; -short skips these tests there, anything else fails loudly.
		if testing.Short() {
			fmt.Println("tests: -short and no toolchain: skipping the end-to-end tests")
			return 0
		}
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "jdj-policy-pack-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	policyPack, err = runner.BuildPolicyPack(context.Background(), repo, dir, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("tests: policy pack built in %s\n", time.Since(start).Round(100*time.Millisecond))
	return m.Run()
}

// session is a runner session with its own state directory and the shared policy pack; Pulumi's own
// output goes to a buffer that is printed when the test fails.
func session(t *testing.T, stack string) *runner.Session {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test; -short skips it")
	}
	var log bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pulumi output:\n%s", log.String())
		}
	})
	return &runner.Session{
		Repo: repo, Stack: stack, Program: platform.Program,
		StateDir: t.TempDir(), PolicyPackPath: policyPack,
		Stdout: &log, Stderr: &log,
	}
}

// collect gathers an operation's engine events.
func collect() (chan<- events.EngineEvent, func() []events.EngineEvent) {
	ch := make(chan events.EngineEvent)
	done := make(chan []events.EngineEvent)
	go func() {
		var all []events.EngineEvent
		for e := range ch {
			all = append(all, e)
		}
		done <- all
	}()
	return ch, func() []events.EngineEvent { return <-done }
}

// violation is one policy event: the policy, the resource's name, the level.
type violation struct {
	Policy, Resource, Level string
	Excepted                bool
}

func violations(evs []events.EngineEvent) []violation {
	var out []violation
	for _, e := range evs {
		if p := e.PolicyEvent; p != nil {
			name := p.ResourceURN[strings.LastIndex(p.ResourceURN, "::")+2:]
			out = append(out, violation{p.PolicyName, name, p.EnforcementLevel, len(p.Exceptions) > 0})
		}
	}
	return out
}

func mandatory(vs []violation) []violation {
	var out []violation
	for _, v := range vs {
		if v.Level == "mandatory" && !v.Excepted {
			out = append(out, v)
		}
	}
	return out
}

// registered counts the resources the program registers for stack, under mocks.
func registered(t *testing.T, stack string) int {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	rec, err := stacktest.Run(stack, cfg, platform.Program)
	require.NoError(t, err)
	return len(rec.Resources)
}

func TestPreviewBothStacksPassThePolicyPack(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s := session(t, stack)
			ch, wait := collect()
			res, err := s.Preview(context.Background(), ch)
			evs := wait()
			require.NoError(t, err)
			vs := violations(evs)
			assert.Empty(t, mandatory(vs), "no mandatory violation")
			// The advisories the program knowingly leaves: tags rather than digests (so pulls with
			// IfNotPresent) and no egress NetworkPolicies yet.
			known := []string{"image-pinned-by-digest", "image-pull-policy-always", "network-policy-egress-coverage"}
			for _, v := range vs {
				assert.Contains(t, known, v.Policy, "only the known advisories: %+v", v)
			}
			// Every resource the program registers (and the stack itself) is planned for creation.
			assert.Equal(t, registered(t, stack)+1, res.ChangeSummary[apitype.OpCreate], "resources to create")
		})
	}
}

func TestPreviewOfABadProgramFailsOnEveryRiskAndNothingElse(t *testing.T) {
	got, _ := refusedPreview(t, badSession(t))
	assert.Equal(t, badstack.Expected, got)
}

func badSession(t *testing.T) *runner.Session {
	return testdataSession(t, "bad", "badstack", badstack.Program)
}

// testdataSession is a session of the program in tests/testdata/<dir>, whose project is "<stack>-stack".
func testdataSession(t *testing.T, stack, dir string, program pulumi.RunFunc) *runner.Session {
	s := session(t, stack)
	s.ProjectDir = filepath.Join(repo, "tests", "testdata", dir)
	s.Project, s.Program = stack+"-stack", program
	return s
}

// refusedPreview previews a deliberately bad program, which must fail, and returns its mandatory
// violations as policy → the names of the resources it refused (sorted), and every event.
func refusedPreview(t *testing.T, s *runner.Session) (map[string][]string, []events.EngineEvent) {
	t.Helper()
	ch, wait := collect()
	_, err := s.Preview(context.Background(), ch)
	require.Error(t, err, "the preview fails")
	evs := wait()
	got := map[string][]string{}
	for _, v := range mandatory(violations(evs)) {
		got[v.Policy] = append(got[v.Policy], v.Resource)
	}
	for _, names := range got {
		sort.Strings(names)
	}
	return got, evs
}

// exceptionsFor writes a v2 policy config excepting the given violations, with a reason each.
func exceptionsFor(t *testing.T, urns map[violation]string, except []violation) string {
	t.Helper()
	exceptions := map[string]any{}
	for i, v := range except {
		exceptions[fmt.Sprintf("EXC-%d", i+1)] = map[string]any{
			"reason": "accepted for the test: " + v.Policy + " on " + v.Resource,
			"match":  []map[string]any{{"policies": []string{v.Policy}, "targets": []string{urns[v]}}},
		}
	}
	b, err := json.Marshal(map[string]any{"version": 2, "exceptions": exceptions})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "policy-config.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

func TestAPerResourceExceptionStopsOnlyItsViolationFromFailing(t *testing.T) {
	s := badSession(t)
	ch, wait := collect()
	_, err := s.Preview(context.Background(), ch)
	require.Error(t, err)
	urns := map[violation]string{}
	var all []violation
	for _, e := range wait() {
		if p := e.PolicyEvent; p != nil && p.EnforcementLevel == "mandatory" {
			v := violation{p.PolicyName, p.ResourceURN[strings.LastIndex(p.ResourceURN, "::")+2:], p.EnforcementLevel, false}
			urns[v] = p.ResourceURN
			all = append(all, v)
		}
	}
	require.NotEmpty(t, all)
	grafana := violation{"no-literal-credentials", "grafana", "mandatory", false}
	require.Contains(t, all, grafana)

	// Every violation but Grafana's is excepted: the preview still fails, on Grafana's alone.
	var others []violation
	for _, v := range all {
		if v != grafana {
			others = append(others, v)
		}
	}
	s.PolicyConfig = exceptionsFor(t, urns, others)
	ch, wait = collect()
	_, err = s.Preview(context.Background(), ch)
	require.Error(t, err, "an un-excepted violation still fails the preview")
	assert.Equal(t, []violation{grafana}, mandatory(violations(wait())))

	// With Grafana's excepted too, the preview passes and still reports every violation as excepted.
	s.PolicyConfig = exceptionsFor(t, urns, all)
	ch, wait = collect()
	_, err = s.Preview(context.Background(), ch)
	require.NoError(t, err, "excepted violations no longer fail the preview")
	vs := violations(wait())
	assert.Empty(t, mandatory(vs))
	excepted := 0
	for _, v := range vs {
		if v.Excepted {
			excepted++
		}
	}
	assert.Equal(t, len(all), excepted, "every excepted violation is still shown")
}

func TestABadStackConfigFailsBeforeAnyResourceIsRegistered(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(repo, "Pulumi.yaml"))
	require.NoError(t, err)
	dev, err := os.ReadFile(filepath.Join(repo, "Pulumi.dev.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	bad := string(dev) + "  jd-jones-rag-infra:workloads:\n    api: {minReplicas: 5, maxReplicas: 2}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.badconfig.yaml"), []byte(bad), 0o644))

	s := session(t, "badconfig")
	s.ProjectDir = dir
	var log bytes.Buffer
	s.Stdout, s.Stderr = &log, &log
	ch, wait := collect()
	_, err = s.Preview(context.Background(), ch)
	require.Error(t, err)
	assert.Contains(t, log.String(), "config jd-jones-rag-infra:workloads.api.maxReplicas = 2: must be at least minReplicas (5)")
	for _, e := range wait() {
		if pre := e.ResourcePreEvent; pre != nil {
			assert.Equal(t, "pulumi:pulumi:Stack", pre.Metadata.Type, "only the stack itself is registered, not %s", pre.Metadata.URN)
		}
	}
}
