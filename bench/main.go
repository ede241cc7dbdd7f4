package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// verbose shows Pulumi's progress during the time-to-Ready up, to see where the time goes.
var verbose bool

// options say what a run measures.
type options struct {
	// runs are the timed runs per measurement (after one warm-up); the median is reported.
	runs int
	// sizes are the object counts of the policy evaluation benchmark.
	sizes []int
	// short leaves out the baselines: kube-score, the preview without the pack, kubectl.
	short bool
}

// row is one line of the results table.
type row struct {
	// baseline names what the figure is measured against; "" when a short run left it out.
	figure, baseline string
	value, base      time.Duration
	// cpu and baseCPU are the processes' user+system CPU time, where both sides are whole processes:
	// steadier than wall time on a shared machine, though blind to parallel speed-ups.
	cpu, baseCPU time.Duration
	goal         string
	met          bool
}

func main() {
	runs := flag.Int("runs", 5, "timed runs per measurement (the median is reported)")
	sizes := flag.String("sizes", "100,1000,10000", "object counts for the policy evaluation benchmark")
	out := flag.String("out", "bench/results.md", "where to write the results table")
	short := flag.Bool("short", false, "every figure once at 100 and 1,000 objects, no baselines, no results file")
	flag.BoolVar(&verbose, "show-up", false, "show Pulumi's output of the time-to-Ready up")
	flag.Parse()
	opts := options{runs: *runs, short: *short}
	var err error
	if opts.sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if opts.short {
		opts.runs, opts.sizes, *out = 1, shortSizes, ""
	}
	if err := run(opts, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// shortSizes are the object counts of a short run: two, to print the per-object cost's growth.
var shortSizes = []int{100, 1000}

// parseSizes reads a comma-separated list of positive object counts.
func parseSizes(list string) ([]int, error) {
	var sizes []int
	for _, field := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-sizes: %q is not a positive object count", field)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// run measures, prints the table and, unless out is "", writes it to out (relative to the repository).
func run(opts options, out string) error {
	before := loadAverage()
	rows, err := measure(context.Background(), opts)
	if err != nil {
		return err
	}
	table := render(rows, opts.runs, before, loadAverage())
	fmt.Print(table)
	if out == "" {
		return nil
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(stacktest.RepoRoot(), out)
	}
	return os.WriteFile(out, []byte(table), 0o644)
}

// measure takes every figure in order: the policy checks, the preview, program construction, time to Ready.
func measure(ctx context.Context, opts options) ([]row, error) {
	repo := stacktest.RepoRoot()
	work, err := os.MkdirTemp("", "jdj-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	rows, err := policyEvaluation(ctx, repo, work, opts)
	if err != nil {
		return nil, err
	}
	previewRow, err := previewOverhead(ctx, repo, work, opts)
	if err != nil {
		return nil, err
	}
	rows = append(rows, previewRow)
	rows = append(rows, programConstruction(opts.runs)...)
	readyRow, err := timeToReady(ctx, repo, work, opts)
	if err != nil {
		return nil, err
	}
	return append(rows, readyRow), nil
}

// median runs f n times (after one warm-up) and returns the median duration.
func median(n int, f func() error) (time.Duration, error) {
	if err := f(); err != nil {
		return 0, err
	}
	times := make([]time.Duration, n)
	for i := range times {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[n/2], nil
}

// process times a command run to completion: wall time through median, CPU time into cpu (the median
// of its runs, once measured). Exit codes are ignored (both linters exit 1 on findings).
type process struct {
	name string
	args []string
	cpus []time.Duration
}

func (p *process) run() error {
	cmd := exec.Command(p.name, p.args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		return err
	}
	p.cpus = append(p.cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	return nil
}

// cpu is the median CPU time of the timed runs (the first, a warm-up, is left out).
func (p *process) cpu() time.Duration {
	timed := slices.Clone(p.cpus[1:])
	slices.Sort(timed)
	return timed[len(timed)/2]
}

// policyEvaluation renders both stacks, replicates their objects to each size and times the pack's
// checks (cmd/guardrails) and kube-score over the same file.
func policyEvaluation(ctx context.Context, repo, work string, opts options) ([]row, error) {
	var objects [][]byte
	for _, stack := range []string{"dev", "prod"} {
		dir := filepath.Join(work, "rendered", stack)
		s := &runner.Session{Repo: repo, Stack: stack, Program: platform.Program, StateDir: filepath.Join(work, "state-"+stack),
			NoPolicy: true, Stdout: io.Discard, Stderr: io.Discard}
		if err := s.Render(ctx, dir); err != nil {
			return nil, fmt.Errorf("rendering %s: %w", stack, err)
		}
		docs, err := readDocs(dir)
		if err != nil {
			return nil, err
		}
		objects = append(objects, docs...)
	}
	guardrails := filepath.Join(work, "guardrails")
	build := exec.CommandContext(ctx, "go", "build", "-o", guardrails, "./cmd/guardrails")
	build.Dir, build.Stderr = repo, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building guardrails: %w", err)
	}
	kubeScore := filepath.Join(repo, ".tools", "bin", "kube-score")
	var rows []row
	for _, n := range opts.sizes {
		file := filepath.Join(work, fmt.Sprintf("objects-%d.yaml", n))
		if err := os.WriteFile(file, replicate(objects, n), 0o644); err != nil {
			return nil, err
		}
		ourProcess := &process{name: guardrails, args: []string{"-quiet", file}}
		ours, err := median(opts.runs, ourProcess.run)
		if err != nil {
			return nil, err
		}
		r := row{
			figure: fmt.Sprintf("policy checks, %d objects (%.1f µs/object)", n, float64(ours.Microseconds())/float64(n)),
			value:  ours, cpu: ourProcess.cpu(), goal: "≥3× less CPU",
		}
		if !opts.short {
			r.baseline = "kube-score score"
			theirProcess := &process{name: kubeScore, args: []string{"score", file}}
			if r.base, err = median(opts.runs, theirProcess.run); err != nil {
				return nil, err
			}
			r.baseCPU = theirProcess.cpu()
			r.met = r.baseCPU >= 3*r.cpu
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// readDocs returns every rendered object as its own YAML document.
func readDocs(dir string) ([][]byte, error) {
	var docs [][]byte
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, doc := range bytes.Split(raw, []byte("\n---\n")) {
			if len(bytes.TrimSpace(doc)) > 0 {
				docs = append(docs, doc)
			}
		}
		return nil
	})
	return docs, err
}

// replicate writes n objects, cycling through objects and giving each copy its own name and namespace
// suffix, so the whole-stack checks see n distinct objects in stacks of the rendered shape.
func replicate(objects [][]byte, n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		var obj map[string]any
		if err := yaml.Unmarshal(objects[i%len(objects)], &obj); err != nil {
			continue
		}
		copyNo := i / len(objects)
		if meta, ok := obj["metadata"].(map[string]any); ok {
			if ns, ok := meta["namespace"].(string); ok {
				meta["namespace"] = fmt.Sprintf("%s-%d", ns, copyNo)
			}
			if obj["kind"] == "Namespace" {
				meta["name"] = fmt.Sprintf("%s-%d", meta["name"], copyNo)
			}
		}
		doc, _ := yaml.Marshal(obj)
		b.WriteString("---\n")
		b.Write(doc)
	}
	return b.Bytes()
}

// previewOverhead times previews of dev with and without the policy pack, warm, interleaved.
func previewOverhead(ctx context.Context, repo, work string, opts options) (row, error) {
	pack, err := runner.BuildPolicyPack(ctx, repo, filepath.Join(work, "pack"), os.Stderr)
	if err != nil {
		return row{}, err
	}
	session := func(noPolicy bool) *runner.Session {
		return &runner.Session{Repo: repo, Stack: "dev", Program: platform.Program, StateDir: filepath.Join(work, "preview"),
			NoPolicy: noPolicy, PolicyPackPath: pack, Stdout: io.Discard, Stderr: io.Discard}
	}
	preview := func(s *runner.Session) func() error {
		return func() error { _, err := s.Preview(ctx, nil); return err }
	}
	r := row{figure: "preview of dev with the policy pack", goal: "≤1.15× the baseline"}
	if r.value, err = median(opts.runs, preview(session(false))); err != nil || opts.short {
		return r, err
	}
	r.baseline = "the same preview without it"
	if r.base, err = median(opts.runs, preview(session(true))); err != nil {
		return row{}, err
	}
	r.met = float64(r.value) <= 1.15*float64(r.base)
	return r, nil
}

// programConstruction times the whole program under mocks per stack, against an empty program.
func programConstruction(runs int) []row {
	empty := func(*pulumi.Context) error { return nil }
	var rows []row
	for _, stack := range []string{"dev", "prod"} {
		cfg, err := stacktest.StackConfig(stack)
		if err != nil {
			panic(err)
		}
		mocked := func(program pulumi.RunFunc) func() error {
			return func() error { _, err := stacktest.Run(stack, cfg, program); return err }
		}
		value, err := median(runs*4, mocked(platform.Program))
		if err != nil {
			panic(err)
		}
		base, _ := median(runs*4, mocked(empty))
		rows = append(rows, row{figure: "program construction under mocks, " + stack, value: value, baseline: "an empty program",
			base: base, goal: "under 0.5 s", met: value < 500*time.Millisecond})
	}
	return rows
}

// loadAverage is the machine's load average over 1, 5 and 15 minutes, as /proc/loadavg gives it: how
// idle the machine was, which every figure depends on.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(data)); err == nil && len(fields) >= 3 {
		return strings.Join(fields[:3], ", ")
	}
	return "unknown"
}

// render formats the table with the machine and date.
func render(rows []row, runs int, loadBefore, loadAfter string) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "Measured %s on %s (%s/%s, %d CPUs, %s); each figure is the median of %d runs after a warm-up.\n"+
		"Load average (1, 5, 15 minutes) before the run: %s; after it: %s.\n\n",
		time.Now().UTC().Format("2006-01-02"), host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), runs,
		loadBefore, loadAfter)
	b.WriteString("| figure | time | baseline | baseline time | ratio | CPU time vs baseline | goal | met |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rows {
		if r.baseline == "" {
			fmt.Fprintf(&b, "| %s | %s | not measured (short run) | — | — | — | %s | — |\n", r.figure,
				r.value.Round(100*time.Microsecond), r.goal)
			continue
		}
		ratio := float64(r.value) / float64(r.base)
		ratioText := fmt.Sprintf("%.2f×", ratio)
		if strings.HasPrefix(r.goal, "≥") {
			ratioText = compared(r.value, r.base, "faster", "slower")
		}
		met := "yes"
		if !r.met {
			met = "**no**"
		}
		cpu := "—"
		if r.cpu > 0 {
			cpu = fmt.Sprintf("%s vs %s (%s)", r.cpu.Round(time.Millisecond), r.baseCPU.Round(time.Millisecond), compared(r.cpu, r.baseCPU, "less", "more"))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.figure, r.value.Round(100*time.Microsecond),
			r.baseline, r.base.Round(100*time.Microsecond), ratioText, cpu, r.goal, met)
	}
	return b.String()
}

// compared says how many times ours is below theirs ("2.5× less") or, when it is above, how many times
// above ("2.5× more"): a ratio under 1 reads wrongly as "0.4× less".
func compared(ours, theirs time.Duration, below, above string) string {
	if ours <= theirs {
		return fmt.Sprintf("%.1f× %s", float64(theirs)/float64(ours), below)
	}
	return fmt.Sprintf("%.1f× %s", float64(ours)/float64(theirs), above)
}

// timeToReady starts a local control plane and times two ways to a Ready dev stack on it: `up` (which
// returns once Pulumi's readiness waits end), and `kubectl apply` of the rendered stack, under another
// namespace name, followed by `kubectl wait` for the same workloads, Job and claims.
func timeToReady(ctx context.Context, repo, work string, opts options) (row, error) {
	cfg, err := stacktest.StackConfig("dev")
	if err != nil {
		return row{}, err
	}
	classes, err := stacktest.StorageClasses("dev")
	if err != nil {
		return row{}, err
	}
	dir := filepath.Join(work, "cluster")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return row{}, err
	}
	c, err := cluster.Start(ctx, cluster.Options{
		BinDir: filepath.Join(repo, ".tools", "bin"), Dir: dir, CRDDir: filepath.Join(repo, ".tools", "crds"),
		StorageClasses: classes, IngressClasses: []string{"nginx"},
	})
	if err != nil {
		return row{}, fmt.Errorf("starting the local control plane: %w", err)
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "bench: stopping the local control plane:", err)
		}
	}()

	s := &runner.Session{Repo: repo, Stack: "dev", Program: platform.Program, StateDir: filepath.Join(work, "ready"),
		NoPolicy: true, Env: map[string]string{"KUBECONFIG": c.Kubeconfig}, Stdout: io.Discard, Stderr: io.Discard}
	if verbose {
		s.Stdout, s.Stderr = os.Stdout, os.Stderr
	}
	start := time.Now()
	if _, err := s.Up(ctx, nil); err != nil {
		return row{}, fmt.Errorf("up of dev: %w", err)
	}
	r := row{figure: "time to Ready, dev on a fresh local control plane (`up`)", value: time.Since(start), goal: "≤1.3× the baseline"}
	if opts.short {
		return r, nil
	}
	r.baseline = "`kubectl apply` + `kubectl wait` of the rendered stack"

	const namespace = "jd-jones-rag-kubectl"
	manifests, err := readDocs(filepath.Join(work, "rendered", "dev"))
	if err != nil {
		return row{}, err
	}
	var namespaceDoc, rest bytes.Buffer
	for _, doc := range manifests {
		doc = bytes.ReplaceAll(doc, []byte(cfg["jd-jones-rag-infra:namespace"]), []byte(namespace))
		target := &rest
		if bytes.Contains(doc, []byte("\nkind: Namespace\n")) {
			target = &namespaceDoc
		}
		target.WriteString("---\n")
		target.Write(doc)
		target.WriteString("\n")
	}
	kubectl := func(stdin []byte, args ...string) error {
		cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out.String())
		}
		return nil
	}
	wait := func(what ...string) error {
		return kubectl(nil, append([]string{"wait", "-n", namespace, "--timeout=600s"}, what...)...)
	}
	start = time.Now()
	steps := []func() error{
		func() error { return kubectl(namespaceDoc.Bytes(), "apply", "-f", "-") },
		func() error { return kubectl(rest.Bytes(), "apply", "-f", "-") },
		func() error { return wait("--for=condition=Complete", "job", "--all") },
		func() error { return wait("--for=jsonpath={.status.phase}=Bound", "pvc", "--all") },
		func() error { return wait("--for=condition=Available", "deployment", "--all") },
		func() error { return wait("--for=jsonpath={.status.readyReplicas}=1", "statefulset", "--all") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return row{}, err
		}
	}
	r.base = time.Since(start)
	r.met = float64(r.value) <= 1.3*float64(r.base)
	return r, nil
}
