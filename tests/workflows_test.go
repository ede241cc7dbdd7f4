package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

func TestWorkflowsPassActionlint(t *testing.T) {
	out, err := exec.Command(filepath.Join(repo, ".tools", "bin", "actionlint"), "-no-color").CombinedOutput()
	require.NoError(t, err, "actionlint:\n%s", out)
}

// TestWorkflowRulesHoldForTheWorkflows runs every rule of workflowRules on the committed workflows.
func TestWorkflowRulesHoldForTheWorkflows(t *testing.T) {
	set := readWorkflows(t)
	for _, r := range workflowRules {
		t.Run(r.name, func(t *testing.T) {
			assert.Empty(t, r.check(set))
		})
	}
}

// TestWorkflowRulesCatchEachMutation breaks each rule in a copy of one workflow, the way a careless
// or hostile change would, and requires the rule to say so (and the mutated copy to still be YAML, so
// it is the rule that catches it, not the parser).
func TestWorkflowRulesCatchEachMutation(t *testing.T) {
	set := readWorkflows(t)
	rules := map[string]workflowRule{}
	for _, r := range workflowRules {
		rules[r.name] = r
	}
	covered := map[string]bool{}
	for _, m := range workflowMutations {
		r, ok := rules[m.rule]
		require.True(t, ok, "mutation %q names no rule %q", m.name, m.rule)
		covered[m.rule] = true
		t.Run(m.rule+"/"+m.name, func(t *testing.T) {
			raw := set[m.file].raw
			require.Contains(t, raw, m.old, "the mutation no longer applies to %s: update it with the workflow", m.file)
			mutated, err := parseWorkflow(m.file, strings.Replace(raw, m.old, m.new, 1))
			require.NoError(t, err, "the mutated %s is not YAML", m.file)
			copied := workflowSet{}
			for name, w := range set {
				copied[name] = w
			}
			copied[m.file] = mutated
			caught := r.check(copied)
			assert.NotEmpty(t, caught, "the rule missed it")
			t.Log(strings.Join(caught, "\n"))
		})
	}
	for name := range rules {
		assert.True(t, covered[name], "rule %q has no mutation showing it catches anything", name)
	}
}

// workflowRule is one property the workflows must keep; check returns what breaks it, if anything.
type workflowRule struct {
	name  string
	check func(workflowSet) []string
}

var workflowRules = []workflowRule{
	{"every action is pinned by a full commit SHA with its tag in a comment", checkPinnedActions},
	{"every checkout leaves no credentials behind", checkCheckoutsPersistNoCredentials},
	{"no workflow grants permissions at the top, and each job only what it uses", checkLeastPermissions},
	{"no workflow runs on pull_request_target", checkNoPullRequestTarget},
	{"a pull request is judged by the base commit's pack and config", checkPreviewPackFromBase},
	{"a pull request preview runs with its environment's credentials", checkPreviewEnvironment},
	{"no job gets the organisation's Pulumi token", checkScopedPulumiTokens},
	{"a fork's pull request gets a message, not a failing preview", checkForksAreSkipped},
	{"the deploy runs only from main", checkDeployOnlyFromMain},
	{"prod deploys only after dev succeeded", checkProdNeedsDev},
	{"one deploy per stack at a time", checkDeployConcurrency},
	{"up applies exactly the plan its preview saved, behind the stack's environment", checkUpAppliesThePlan},
	{"drift refreshes as a preview, fails on changes and names them", checkDriftDetection},
	{"every workflow installs the pulumi CLI the toolchain builds, and only installs it", checkPulumiCLIVersion},
	{"no run script expands an expression", checkNoExpressionsInScripts},
	{"every run script is valid bash", checkScriptsParse},
}

// workflowMutation turns a workflow into one that breaks rule: the first old in file becomes new.
type workflowMutation struct {
	rule, name, file, old, new string
}

const (
	checkoutPin = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"
	guard       = "    if: github.ref == 'refs/heads/main'\n"
)

var workflowMutations = []workflowMutation{
	{"every action is pinned by a full commit SHA with its tag in a comment", "a tag instead of a commit",
		"preview.yml", checkoutPin, "actions/checkout@v4"},
	{"every action is pinned by a full commit SHA with its tag in a comment", "a branch instead of a commit",
		"drift.yml", checkoutPin, "actions/checkout@main # v6.0.2"},
	{"every action is pinned by a full commit SHA with its tag in a comment", "a SHA of 39 characters",
		"up.yml", checkoutPin, "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83d # v6.0.2"},
	{"every action is pinned by a full commit SHA with its tag in a comment", "no tag comment",
		"preview.yml", checkoutPin, strings.TrimSuffix(checkoutPin, " # v6.0.2")},
	{"every action is pinned by a full commit SHA with its tag in a comment", "a quoted tag",
		"preview.yml", "uses: " + checkoutPin, `uses: "actions/checkout@v4"`},
	{"every action is pinned by a full commit SHA with its tag in a comment", "two pins of one action disagree",
		"up.yml", checkoutPin, "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0"},
	{"every action is pinned by a full commit SHA with its tag in a comment", "a reusable workflow of another repository by tag",
		"deploy.yml", "uses: ./.github/workflows/up.yml", "uses: someone/else/.github/workflows/up.yml@v1"},

	{"every checkout leaves no credentials behind", "persist-credentials missing",
		"preview.yml", "          persist-credentials: false\n", ""},
	{"every checkout leaves no credentials behind", "persist-credentials true",
		"up.yml", "persist-credentials: false", "persist-credentials: true"},
	{"every checkout leaves no credentials behind", "a checkout without with",
		"drift.yml", "        with:\n          persist-credentials: false\n", ""},

	{"no workflow grants permissions at the top, and each job only what it uses", "top-level write-all",
		"preview.yml", "\npermissions: {}\n", "\npermissions: write-all\n"},
	{"no workflow grants permissions at the top, and each job only what it uses", "top-level permissions left to the repository default",
		"deploy.yml", "\npermissions: {}\n", "\n"},
	{"no workflow grants permissions at the top, and each job only what it uses", "the preview may write to pull requests",
		"preview.yml", "      id-token: write\n", "      id-token: write\n      pull-requests: write\n"},
	{"no workflow grants permissions at the top, and each job only what it uses", "the test job may mint OIDC tokens",
		"preview.yml", "    permissions:\n      contents: read\n    steps:", "    permissions:\n      contents: read\n      id-token: write\n    steps:"},
	{"no workflow grants permissions at the top, and each job only what it uses", "the fork job may read the repository",
		"preview.yml", "    timeout-minutes: 5\n    permissions: {}", "    timeout-minutes: 5\n    permissions:\n      contents: read"},
	{"no workflow grants permissions at the top, and each job only what it uses", "a job without permissions of its own",
		"drift.yml", "    permissions:\n      contents: read\n      id-token: write\n", ""},
	{"no workflow grants permissions at the top, and each job only what it uses", "the deploy may push",
		"deploy.yml", "      contents: read", "      contents: write"},

	{"no workflow runs on pull_request_target", "pull_request_target",
		"preview.yml", "\n  pull_request:\n", "\n  pull_request_target:\n"},
	{"no workflow runs on pull_request_target", "pull_request_target beside push",
		"deploy.yml", "\n  workflow_dispatch:\n", "\n  pull_request_target:\n  workflow_dispatch:\n"},

	{"a pull request is judged by the base commit's pack and config", "the pack of the pull request's checkout",
		"preview.yml", `--policy-pack "$BASE/policy"`, "--policy-pack ./policy"},
	{"a pull request is judged by the base commit's pack and config", "the pack given with =",
		"preview.yml", `--policy-pack "$BASE/policy"`, "--policy-pack=policy"},
	{"a pull request is judged by the base commit's pack and config", "the config of the pull request's checkout",
		"preview.yml", `--policy-pack-config "$BASE/policy`, `--policy-pack-config "$GITHUB_WORKSPACE/pr/policy`},
	{"a pull request is judged by the base commit's pack and config", "no pack at all",
		"preview.yml", ` \
            --policy-pack "$BASE/policy" "${config[@]}"`, ""},
	{"a pull request is judged by the base commit's pack and config", "the base checkout of the head commit",
		"preview.yml", "ref: ${{ github.event.pull_request.base.sha }}", "ref: ${{ github.event.pull_request.head.sha }}"},
	{"a pull request is judged by the base commit's pack and config", "the base checkout of the moving base branch",
		"preview.yml", "ref: ${{ github.event.pull_request.base.sha }}", "ref: ${{ github.base_ref }}"},
	{"a pull request is judged by the base commit's pack and config", "BASE pointing at the pull request",
		"preview.yml", "BASE: ${{ github.workspace }}/base", "BASE: ${{ github.workspace }}/pr"},
	{"a pull request is judged by the base commit's pack and config", "the pull request checked out over base",
		"preview.yml", "          path: pr\n", "          path: base\n"},

	{"a pull request preview runs with its environment's credentials", "no environment",
		"preview.yml", "    environment: preview-${{ matrix.stack }}\n", ""},
	{"a pull request preview runs with its environment's credentials", "the deploy environment",
		"preview.yml", "environment: preview-${{ matrix.stack }}", "environment: ${{ matrix.stack }}"},
	{"a pull request preview runs with its environment's credentials", "prod not previewed",
		"preview.yml", "stack: [dev, prod]", "stack: [dev]"},

	{"no job gets the organisation's Pulumi token", "the organisation token as a secret",
		"preview.yml", "          KUBECONFIG: ${{ runner.temp }}/kubeconfig\n", "          KUBECONFIG: ${{ runner.temp }}/kubeconfig\n          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n"},
	{"no job gets the organisation's Pulumi token", "an organisation token by OIDC",
		"preview.yml", "access_token:team", "access_token:organization"},
	{"no job gets the organisation's Pulumi token", "a pull request asks for the deploy team",
		"preview.yml", "scope: team:ci-preview", "scope: team:ci-deploy-prod"},
	{"no job gets the organisation's Pulumi token", "every secret inherited",
		"deploy.yml", "\n\n  prod:\n", "\n    secrets: inherit\n\n  prod:\n"},

	{"a fork's pull request gets a message, not a failing preview", "forks previewed without secrets",
		"preview.yml", "    if: github.event.pull_request.head.repo.full_name == github.repository\n", ""},
	{"a fork's pull request gets a message, not a failing preview", "no fork job",
		"preview.yml", "    if: github.event.pull_request.head.repo.full_name != github.repository\n", "    if: false\n"},
	{"a fork's pull request gets a message, not a failing preview", "a fork fails the result",
		"preview.yml", "            exit 0\n          fi\n          if [ \"$RESULT\"", "            exit 1\n          fi\n          if [ \"$RESULT\""},

	{"the deploy runs only from main", "no guard on dev",
		"deploy.yml", guard, ""},
	{"the deploy runs only from main", "a guard a dispatch walks around",
		"deploy.yml", "if: github.ref == 'refs/heads/main'", "if: github.event_name == 'workflow_dispatch' || github.ref == 'refs/heads/main'"},
	{"the deploy runs only from main", "pushes to other branches deploy",
		"deploy.yml", "branches: [main]", "branches: [main, 'release/**']"},
	{"the deploy runs only from main", "drift from any branch",
		"drift.yml", guard, ""},

	{"prod deploys only after dev succeeded", "prod without needs",
		"deploy.yml", "    needs: dev\n", ""},
	{"prod deploys only after dev succeeded", "prod even when dev failed",
		"deploy.yml", "    needs: dev\n    if: github.ref == 'refs/heads/main'", "    needs: dev\n    if: always() && github.ref == 'refs/heads/main'"},
	{"prod deploys only after dev succeeded", "the prod job deploys dev",
		"deploy.yml", "      stack: prod\n", "      stack: dev\n"},

	{"one deploy per stack at a time", "a running deploy cancelled",
		"deploy.yml", "      cancel-in-progress: false", "      cancel-in-progress: true"},
	{"one deploy per stack at a time", "a group per run",
		"deploy.yml", "group: deploy-prod", "group: deploy-${{ github.run_id }}"},
	{"one deploy per stack at a time", "no concurrency",
		"deploy.yml", "    concurrency:\n      group: deploy-dev\n      cancel-in-progress: false\n", ""},

	{"up applies exactly the plan its preview saved, behind the stack's environment", "a required workflow_call secret",
		"up.yml", "        default: false\n\npermissions: {}", "        default: false\n    secrets:\n      KUBECONFIG:\n        required: true\n\npermissions: {}"},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "up without the plan",
		"up.yml", ` \
            --plan "$RUNNER_TEMP/plan/plan.json"`, ""},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "the fallback always on",
		"up.yml", "        if: ${{ inputs.without-plan }}\n", ""},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "the fallback without its preview",
		"up.yml", `          pulumi preview --stack "$STACK" --non-interactive --diff --color never \
            --policy-pack "$GITHUB_WORKSPACE/policy" "${config[@]}"
          pulumi up`, "          pulumi up"},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "no plan saved",
		"up.yml", ` \
            --save-plan "$RUNNER_TEMP/plan/plan.json"`, ""},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "the plan's preview without the pack",
		"up.yml", `--policy-pack "$GITHUB_WORKSPACE/policy" "${config[@]}" \
            --save-plan`, `"${config[@]}" \
            --save-plan`},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "up outside the environment",
		"up.yml", "    environment: ${{ inputs.stack }}\n", ""},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "up before the plan",
		"up.yml", "    needs: plan\n", ""},
	{"up applies exactly the plan its preview saved, behind the stack's environment", "the plan never handed over",
		"up.yml", "name: plan-${{ inputs.stack }}\n          path: ${{ runner.temp }}/plan/plan.json", "name: preview-${{ inputs.stack }}\n          path: ${{ runner.temp }}/plan/plan.json"},

	{"drift refreshes as a preview, fails on changes and names them", "a refresh that writes the state",
		"drift.yml", "--non-interactive --preview-only", "--non-interactive --yes"},
	{"drift refreshes as a preview, fails on changes and names them", "drift that passes",
		"drift.yml", "--preview-only --expect-no-changes --json", "--preview-only --json"},
	{"drift refreshes as a preview, fails on changes and names them", "nothing to name the resources from",
		"drift.yml", "--expect-no-changes --json >", "--expect-no-changes >"},
	{"drift refreshes as a preview, fails on changes and names them", "no schedule",
		"drift.yml", "  schedule:\n    - cron: \"17 5 * * *\"\n", ""},
	{"drift refreshes as a preview, fails on changes and names them", "nothing in the summary",
		"drift.yml", `} | tee -a "$GITHUB_STEP_SUMMARY"`, "}"},

	{"every workflow installs the pulumi CLI the toolchain builds, and only installs it", "another CLI version",
		"up.yml", "pulumi-version: 3.274.1", "pulumi-version: 3.200.0"},
	{"every workflow installs the pulumi CLI the toolchain builds, and only installs it", "a preview run by the action",
		"preview.yml", "          pulumi-version: 3.274.1\n", "          pulumi-version: 3.274.1\n          command: preview\n          policyPacks: policy\n"},

	{"no run script expands an expression", "a pull request title in a script",
		"preview.yml", `          echo "$msg" >> "$GITHUB_STEP_SUMMARY"`, `          echo "${{ github.event.pull_request.title }}" >> "$GITHUB_STEP_SUMMARY"`},

	{"every run script is valid bash", "an if without fi",
		"drift.yml", "            exit 1\n          fi\n", "            exit 1\n"},
}

// workflowSet is the workflows by file name.
type workflowSet map[string]workflowFile

type workflowFile struct {
	raw string
	doc map[string]any
}

func readWorkflows(t *testing.T) workflowSet {
	t.Helper()
	dir := filepath.Join(repo, ".github", "workflows")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	set := workflowSet{}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		w, err := parseWorkflow(e.Name(), string(raw))
		require.NoError(t, err)
		set[e.Name()] = w
	}
	for _, name := range []string{"preview.yml", "deploy.yml", "up.yml", "drift.yml"} {
		require.Contains(t, set, name)
	}
	return set
}

func parseWorkflow(name, raw string) (workflowFile, error) {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(raw), &doc); err != nil {
		return workflowFile{}, fmt.Errorf("%s: %w", name, err)
	}
	return workflowFile{raw: raw, doc: doc}, nil
}

// triggers is the workflow's on: YAML 1.1 reads the bare key on as true.
func (w workflowFile) triggers() map[string]any {
	if on, ok := w.doc["on"].(map[string]any); ok {
		return on
	}
	on, _ := w.doc["true"].(map[string]any)
	return on
}

func (w workflowFile) jobs() map[string]map[string]any {
	out := map[string]map[string]any{}
	jobs, _ := w.doc["jobs"].(map[string]any)
	for id, j := range jobs {
		if m, ok := j.(map[string]any); ok {
			out[id] = m
		}
	}
	return out
}

func steps(job map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := job["steps"].([]any)
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func with(step map[string]any) map[string]any {
	w, _ := step["with"].(map[string]any)
	return w
}

// uses reports whether the step runs the action owner/repo (at any ref).
func uses(step map[string]any, action string) bool {
	return strings.HasPrefix(str(step, "uses"), action+"@")
}

// expr strips ${{ }} from a job's if, which GitHub reads the same with or without it.
func expr(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "${{") && strings.HasSuffix(s, "}}") {
		s = strings.TrimSpace(s[3 : len(s)-2])
	}
	return s
}

// forEachJob calls f for every job of every workflow, in a stable order.
func (set workflowSet) forEachJob(f func(file, id string, job map[string]any)) {
	for _, file := range sortedKeys(set) {
		jobs := set[file].jobs()
		for _, id := range sortedKeys(jobs) {
			f(file, id, jobs[id])
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// scripts are the job's run scripts with line continuations joined, one command a line.
func scripts(job map[string]any) []string {
	var out []string
	for _, s := range steps(job) {
		if run := str(s, "run"); run != "" {
			out = append(out, strings.ReplaceAll(run, "\\\n", " "))
		}
	}
	return out
}

// commandLines are the lines of the job's scripts that run `pulumi <verb>` (not those that echo it).
func commandLines(job map[string]any, verb string) []string {
	var out []string
	for _, s := range scripts(job) {
		for _, line := range strings.Split(s, "\n") {
			if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "echo ") || strings.HasPrefix(trimmed, "#") {
				continue
			}
			if regexp.MustCompile(`(^|[\s;(&|])pulumi\s+` + verb + `\b`).MatchString(line) {
				out = append(out, line)
			}
		}
	}
	return out
}

var (
	usesLine    = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(.*)$`)
	pinnedUses  = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(/[A-Za-z0-9_./-]+)?@([0-9a-f]{40})\s+#\s+(v\d+(?:\.\d+){0,2})\s*$`)
	packArg     = regexp.MustCompile(`--policy-pack(?:-config)?(?:=|\s+)(\S+)`)
	packFlag    = regexp.MustCompile(`--policy-pack(?:=|\s)`)
	expressions = regexp.MustCompile(`\$\{\{`)
)

func checkPinnedActions(set workflowSet) []string {
	var bad []string
	pins := map[string]map[string]bool{} // action -> "sha # tag"
	for _, file := range sortedKeys(set) {
		w := set[file]
		lines := usesLine.FindAllStringSubmatch(w.raw, -1)
		for _, m := range lines {
			ref := strings.TrimSpace(m[1])
			if strings.HasPrefix(ref, "./") {
				if _, ok := set[filepath.Base(ref)]; !ok || !strings.HasPrefix(ref, "./.github/workflows/") {
					bad = append(bad, fmt.Sprintf("%s: %s is not a workflow of this repository", file, ref))
				}
				continue
			}
			p := pinnedUses.FindStringSubmatch(ref)
			if p == nil {
				bad = append(bad, fmt.Sprintf("%s: uses: %s is not owner/repo@<40-hex commit> # vX.Y.Z", file, ref))
				continue
			}
			action := p[1] + p[2]
			if pins[action] == nil {
				pins[action] = map[string]bool{}
			}
			pins[action][p[3]+" # "+p[4]] = true
		}
		// Every uses the YAML holds must be one of those lines (no flow style slipping past them).
		var parsed int
		for _, job := range w.jobs() {
			if str(job, "uses") != "" {
				parsed++
			}
			for _, s := range steps(job) {
				if str(s, "uses") != "" {
					parsed++
				}
			}
		}
		if parsed != len(lines) {
			bad = append(bad, fmt.Sprintf("%s: %d uses in the YAML, %d uses: lines", file, parsed, len(lines)))
		}
	}
	for _, action := range sortedKeys(pins) {
		if len(pins[action]) > 1 {
			bad = append(bad, fmt.Sprintf("%s is pinned to more than one commit: %v", action, sortedKeys(pins[action])))
		}
	}
	return bad
}

func checkCheckoutsPersistNoCredentials(set workflowSet) []string {
	var bad []string
	set.forEachJob(func(file, id string, job map[string]any) {
		for i, s := range steps(job) {
			if !uses(s, "actions/checkout") {
				continue
			}
			if v := with(s)["persist-credentials"]; v != false && v != "false" {
				bad = append(bad, fmt.Sprintf("%s: job %s step %d: checkout without persist-credentials: false (%v)", file, id, i, v))
			}
		}
	})
	return bad
}

func checkLeastPermissions(set workflowSet) []string {
	var bad []string
	for _, file := range sortedKeys(set) {
		top, ok := set[file].doc["permissions"].(map[string]any)
		if !ok || len(top) != 0 {
			bad = append(bad, fmt.Sprintf("%s: top-level permissions must be {} (is %v)", file, set[file].doc["permissions"]))
		}
	}
	set.forEachJob(func(file, id string, job map[string]any) {
		perms, ok := job["permissions"].(map[string]any)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: job %s declares no permissions map of its own (%v)", file, id, job["permissions"]))
			return
		}
		calls := strings.HasPrefix(str(job, "uses"), "./")
		var checksOut, mintsToken bool
		for _, s := range steps(job) {
			checksOut = checksOut || uses(s, "actions/checkout")
			mintsToken = mintsToken || uses(s, "pulumi/auth-actions")
		}
		need := map[string]string{}
		if checksOut || calls {
			need["contents"] = "read"
		}
		if mintsToken || calls {
			need["id-token"] = "write"
		}
		for scope, level := range perms {
			if need[scope] != level {
				bad = append(bad, fmt.Sprintf("%s: job %s has %s: %v, which it does not use", file, id, scope, level))
			}
		}
		for scope, level := range need {
			if perms[scope] != level {
				bad = append(bad, fmt.Sprintf("%s: job %s needs %s: %s", file, id, scope, level))
			}
		}
	})
	return bad
}

func checkNoPullRequestTarget(set workflowSet) []string {
	var bad []string
	for _, file := range sortedKeys(set) {
		if _, ok := set[file].triggers()["pull_request_target"]; ok {
			bad = append(bad, file+": runs on pull_request_target")
		}
	}
	return bad
}

func checkPreviewPackFromBase(set workflowSet) []string {
	var bad []string
	w := set["preview.yml"]
	if _, ok := w.triggers()["pull_request"]; !ok {
		bad = append(bad, "preview.yml: not run on pull_request")
	}
	job := w.jobs()["preview"]
	env, _ := job["env"].(map[string]any)
	if env["BASE"] != "${{ github.workspace }}/base" {
		bad = append(bad, fmt.Sprintf("preview: BASE is %v, not the base checkout ${{ github.workspace }}/base", env["BASE"]))
	}
	var bases int
	for _, s := range steps(job) {
		if !uses(s, "actions/checkout") {
			continue
		}
		ref, _ := with(s)["ref"].(string)
		path, _ := with(s)["path"].(string)
		switch {
		case path == "base":
			bases++
			if ref != "${{ github.event.pull_request.base.sha }}" {
				bad = append(bad, "preview: the base checkout is of "+ref+", not ${{ github.event.pull_request.base.sha }}")
			}
		case ref != "":
			bad = append(bad, "preview: a checkout of "+ref+" besides the base one")
		}
	}
	if bases != 1 {
		bad = append(bad, fmt.Sprintf("preview: %d checkouts into base, want 1", bases))
	}
	for id, job := range w.jobs() {
		for _, s := range scripts(job) {
			for _, m := range packArg.FindAllStringSubmatch(s, -1) {
				if !strings.HasPrefix(m[1], `"$BASE/`) {
					bad = append(bad, fmt.Sprintf("preview.yml: job %s reads %s from %s, not the base checkout", id, m[0], m[1]))
				}
			}
		}
		for _, line := range commandLines(job, "(preview|up)") {
			if !packFlag.MatchString(line) {
				bad = append(bad, fmt.Sprintf("preview.yml: job %s runs pulumi without the pack: %s", id, line))
			}
		}
	}
	if len(commandLines(job, "preview")) == 0 {
		bad = append(bad, "preview: no pulumi preview")
	}
	return bad
}

func checkPreviewEnvironment(set workflowSet) []string {
	var bad []string
	job := set["preview.yml"].jobs()["preview"]
	if env := str(job, "environment"); env != "preview-${{ matrix.stack }}" {
		bad = append(bad, "preview: environment is "+env+", not preview-${{ matrix.stack }}")
	}
	strategy, _ := job["strategy"].(map[string]any)
	matrix, _ := strategy["matrix"].(map[string]any)
	if stacks := fmt.Sprint(matrix["stack"]); stacks != "[dev prod]" {
		bad = append(bad, "preview: the matrix previews "+stacks+", not [dev prod]")
	}
	// A job reads an environment secret only inside its environment.
	set.forEachJob(func(file, id string, job map[string]any) {
		out, _ := yaml.Marshal(job)
		if strings.Contains(string(out), "secrets.KUBECONFIG") && str(job, "environment") == "" {
			bad = append(bad, fmt.Sprintf("%s: job %s reads KUBECONFIG outside any environment", file, id))
		}
	})
	return bad
}

func checkScopedPulumiTokens(set workflowSet) []string {
	var bad []string
	for _, file := range sortedKeys(set) {
		raw := set[file].raw
		for _, leak := range []string{"secrets.PULUMI_ACCESS_TOKEN", "secrets: inherit"} {
			if strings.Contains(raw, leak) {
				bad = append(bad, file+": "+leak)
			}
		}
	}
	scopes := map[string]string{
		"preview.yml/preview": "team:ci-preview",
		"up.yml/plan":         "team:ci-preview",
		"up.yml/up":           "team:ci-deploy-${{ inputs.stack }}",
		"drift.yml/drift":     "team:ci-preview",
	}
	set.forEachJob(func(file, id string, job map[string]any) {
		want, runsPulumi := scopes[file+"/"+id]
		var got []string
		for _, s := range steps(job) {
			if uses(s, "pulumi/auth-actions") {
				w := with(s)
				got = append(got, fmt.Sprint(w["scope"]))
				if w["requested-token-type"] != "urn:pulumi:token-type:access_token:team" {
					bad = append(bad, fmt.Sprintf("%s: job %s asks for a %v token, not a team's", file, id, w["requested-token-type"]))
				}
			}
		}
		if len(commandLines(job, `\w+`)) > 0 && !runsPulumi {
			bad = append(bad, fmt.Sprintf("%s: job %s runs pulumi but has no known token scope", file, id))
		}
		if runsPulumi && (len(got) != 1 || got[0] != want) {
			bad = append(bad, fmt.Sprintf("%s: job %s gets Pulumi tokens %v, want exactly %s", file, id, got, want))
		}
	})
	return bad
}

func checkForksAreSkipped(set workflowSet) []string {
	var bad []string
	const sameRepo = "github.event.pull_request.head.repo.full_name == github.repository"
	const fork = "github.event.pull_request.head.repo.full_name != github.repository"
	jobs := set["preview.yml"].jobs()
	if got := expr(str(jobs["preview"], "if")); got != sameRepo {
		bad = append(bad, "preview: runs for forks too (if: "+got+")")
	}
	var message bool
	for _, job := range jobs {
		if expr(str(job, "if")) != fork {
			continue
		}
		for _, s := range scripts(job) {
			message = message || strings.Contains(s, "GITHUB_STEP_SUMMARY") && strings.Contains(s, "::notice")
		}
		out, _ := yaml.Marshal(job)
		if strings.Contains(string(out), "secrets.") || len(steps(job)) != 1 {
			bad = append(bad, "preview.yml: the fork job does more than explain")
		}
	}
	if !message {
		bad = append(bad, "preview.yml: no job explains to a fork why it is not previewed")
	}
	// The required check passes for a fork (with a warning) and fails for any other unpassed preview.
	result := jobs["result"]
	if expr(str(result, "if")) != "always()" || fmt.Sprint(result["needs"]) != "[preview]" {
		bad = append(bad, "preview.yml: the result job does not always report on the preview")
	}
	for _, s := range scripts(result) {
		if !regexp.MustCompile(`(?s)if \[ "\$FORK" = true \]; then.*?exit 0\s*fi`).MatchString(s) {
			bad = append(bad, "preview.yml: the result job fails a fork's pull request")
		}
	}
	return bad
}

func checkDeployOnlyFromMain(set workflowSet) []string {
	var bad []string
	deploy := set["deploy.yml"]
	on := deploy.triggers()
	push, _ := on["push"].(map[string]any)
	if fmt.Sprint(push["branches"]) != "[main]" {
		bad = append(bad, fmt.Sprintf("deploy.yml: push branches are %v, not [main]", push["branches"]))
	}
	if _, ok := on["workflow_dispatch"]; !ok {
		bad = append(bad, "deploy.yml: no workflow_dispatch")
	}
	for _, file := range []string{"deploy.yml", "drift.yml"} {
		for id, job := range set[file].jobs() {
			if got := expr(str(job, "if")); got != "github.ref == 'refs/heads/main'" {
				bad = append(bad, fmt.Sprintf("%s: job %s is not guarded to main (if: %s)", file, id, got))
			}
		}
	}
	return bad
}

func checkProdNeedsDev(set workflowSet) []string {
	var bad []string
	jobs := set["deploy.yml"].jobs()
	if fmt.Sprint(jobs["prod"]["needs"]) != "dev" && fmt.Sprint(jobs["prod"]["needs"]) != "[dev]" {
		bad = append(bad, fmt.Sprintf("deploy.yml: prod needs %v, not dev", jobs["prod"]["needs"]))
	}
	for _, stack := range []string{"dev", "prod"} {
		job := jobs[stack]
		if str(job, "uses") != "./.github/workflows/up.yml" || fmt.Sprint(with(job)["stack"]) != stack {
			bad = append(bad, fmt.Sprintf("deploy.yml: job %s does not deploy %s through up.yml", stack, stack))
		}
		if cond := expr(str(job, "if")); strings.Contains(cond, "always()") || strings.Contains(cond, "failure()") {
			bad = append(bad, fmt.Sprintf("deploy.yml: job %s runs whatever came before (if: %s)", stack, cond))
		}
	}
	return bad
}

func checkDeployConcurrency(set workflowSet) []string {
	var bad []string
	jobs := set["deploy.yml"].jobs()
	for _, stack := range []string{"dev", "prod"} {
		c, _ := jobs[stack]["concurrency"].(map[string]any)
		if c["group"] != "deploy-"+stack || c["cancel-in-progress"] != false {
			bad = append(bad, fmt.Sprintf("deploy.yml: job %s's concurrency is %v, not group deploy-%s without cancel-in-progress", stack, c, stack))
		}
	}
	return bad
}

func checkUpAppliesThePlan(set workflowSet) []string {
	var bad []string
	up := set["up.yml"]
	call, _ := up.triggers()["workflow_call"].(map[string]any)
	if call == nil {
		bad = append(bad, "up.yml: not a reusable workflow")
	}
	if secrets, ok := call["secrets"]; ok {
		bad = append(bad, fmt.Sprintf("up.yml: declares workflow_call secrets %v; environment secrets bind only when the job starts", secrets))
	}
	jobs := up.jobs()
	plan, apply := jobs["plan"], jobs["up"]
	if str(plan, "environment") != "plan-${{ inputs.stack }}" {
		bad = append(bad, "up.yml: the plan job is not in plan-<stack>")
	}
	const planFile = `"$RUNNER_TEMP/plan/plan.json"`
	previews := commandLines(plan, "preview")
	if len(previews) != 1 || !strings.Contains(previews[0], "--save-plan "+planFile) || !packFlag.MatchString(previews[0]) {
		bad = append(bad, fmt.Sprintf("up.yml: the plan job does not preview with the pack saving %s: %q", planFile, previews))
	}
	var uploaded, downloaded bool
	for _, s := range steps(plan) {
		uploaded = uploaded || uses(s, "actions/upload-artifact") && with(s)["name"] == "plan-${{ inputs.stack }}" &&
			with(s)["path"] == "${{ runner.temp }}/plan/plan.json"
	}
	for _, s := range steps(apply) {
		downloaded = downloaded || uses(s, "actions/download-artifact") && with(s)["name"] == "plan-${{ inputs.stack }}" &&
			with(s)["path"] == "${{ runner.temp }}/plan"
	}
	if !uploaded || !downloaded {
		bad = append(bad, "up.yml: the plan is not handed from the plan job to the up job")
	}
	if fmt.Sprint(apply["needs"]) != "plan" || str(apply, "environment") != "${{ inputs.stack }}" {
		bad = append(bad, "up.yml: up does not wait for the plan and the stack's environment")
	}
	var planned, fallback int
	for _, s := range steps(apply) {
		run := strings.ReplaceAll(str(s, "run"), "\\\n", " ")
		ups := regexp.MustCompile(`(?m)^.*\bpulumi\s+up\b.*$`).FindAllString(run, -1)
		for _, line := range ups {
			if !packFlag.MatchString(line) {
				bad = append(bad, "up.yml: pulumi up without the pack: "+line)
			}
			switch cond := expr(str(s, "if")); {
			case strings.Contains(line, "--plan "+planFile) && cond == "!inputs.without-plan":
				planned++
			case cond == "inputs.without-plan":
				// The fallback: a preview with the pack in the same script, before the up.
				pre := run[:strings.Index(run, line)]
				if !regexp.MustCompile(`\bpulumi\s+preview\b[^\n]*--policy-pack\s`).MatchString(pre) {
					bad = append(bad, "up.yml: the fallback applies without previewing with the pack first")
				}
				fallback++
			default:
				bad = append(bad, fmt.Sprintf("up.yml: pulumi up without the plan outside the fallback (if: %s): %s", cond, line))
			}
		}
	}
	if planned != 1 || fallback != 1 {
		bad = append(bad, fmt.Sprintf("up.yml: %d planned ups and %d fallbacks, want one of each", planned, fallback))
	}
	return bad
}

func checkDriftDetection(set workflowSet) []string {
	var bad []string
	drift := set["drift.yml"]
	on := drift.triggers()
	if _, ok := on["schedule"]; !ok {
		bad = append(bad, "drift.yml: no schedule")
	}
	if _, ok := on["workflow_dispatch"]; !ok {
		bad = append(bad, "drift.yml: no workflow_dispatch")
	}
	job := drift.jobs()["drift"]
	strategy, _ := job["strategy"].(map[string]any)
	matrix, _ := strategy["matrix"].(map[string]any)
	if fmt.Sprint(matrix["stack"]) != "[dev prod]" {
		bad = append(bad, fmt.Sprintf("drift.yml: checks %v, not [dev prod]", matrix["stack"]))
	}
	refreshes := commandLines(job, "refresh")
	if len(refreshes) != 1 {
		return append(bad, fmt.Sprintf("drift.yml: %d pulumi refresh commands, want 1", len(refreshes)))
	}
	fields := strings.Fields(refreshes[0])
	for _, flag := range []string{"--preview-only", "--expect-no-changes", "--json"} {
		if !slices.Contains(fields, flag) {
			bad = append(bad, "drift.yml: pulumi refresh without "+flag)
		}
	}
	for _, flag := range []string{"--yes", "-y", "--skip-preview", "-f", "--run-program"} {
		if slices.Contains(fields, flag) {
			bad = append(bad, "drift.yml: pulumi refresh with "+flag)
		}
	}
	script := strings.Join(scripts(job), "\n")
	if !strings.Contains(script, `tee -a "$GITHUB_STEP_SUMMARY"`) || !strings.Contains(script, `select(.op == "update" or .op == "delete")`) {
		bad = append(bad, "drift.yml: the drifted resources are not listed in the job summary")
	}
	return bad
}

func checkPulumiCLIVersion(set workflowSet) []string {
	var bad []string
	mod, err := os.ReadFile(filepath.Join(repo, "tools", "pulumi", "go.mod"))
	if err != nil {
		return []string{err.Error()}
	}
	m := regexp.MustCompile(`github\.com/pulumi/pulumi/pkg/v3 v(\S+)`).FindSubmatch(mod)
	if m == nil {
		return []string{"tools/pulumi/go.mod pins no pulumi/pkg/v3"}
	}
	set.forEachJob(func(file, id string, job map[string]any) {
		var installs int
		for _, s := range steps(job) {
			if !uses(s, "pulumi/actions") {
				continue
			}
			installs++
			if w := with(s); len(w) != 1 || fmt.Sprint(w["pulumi-version"]) != string(m[1]) {
				bad = append(bad, fmt.Sprintf("%s: job %s: pulumi/actions with %v, want only pulumi-version: %s", file, id, w, m[1]))
			}
		}
		if len(commandLines(job, `\w+`)) > 0 && installs != 1 {
			bad = append(bad, fmt.Sprintf("%s: job %s runs pulumi without installing it once", file, id))
		}
	})
	return bad
}

func checkNoExpressionsInScripts(set workflowSet) []string {
	var bad []string
	set.forEachJob(func(file, id string, job map[string]any) {
		for _, s := range scripts(job) {
			if expressions.MatchString(s) {
				bad = append(bad, fmt.Sprintf("%s: job %s expands an expression into a script; pass it in env", file, id))
			}
		}
	})
	return bad
}

func checkScriptsParse(set workflowSet) []string {
	var bad []string
	set.forEachJob(func(file, id string, job map[string]any) {
		for _, s := range steps(job) {
			run := str(s, "run")
			if run == "" {
				continue
			}
			cmd := exec.Command("bash", "-n")
			cmd.Stdin = strings.NewReader(run)
			if out, err := cmd.CombinedOutput(); err != nil {
				bad = append(bad, fmt.Sprintf("%s: job %s: %v: %s", file, id, err, out))
			}
		}
	})
	return bad
}
