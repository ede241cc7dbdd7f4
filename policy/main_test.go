package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// The tests drive the pack over the analyzer gRPC protocol the way the Pulumi engine does:
// Handshake, ConfigureStack, GetAnalyzerInfo, Configure, then Analyze per resource and AnalyzeStack.

const (
	project = "jd-jones-rag-infra"
	urnBase = "urn:pulumi:prod::" + project + "::"
)

// resourceProps reads a YAML object into properties; the string "<unknown>" becomes a computed value.
func resourceProps(t *testing.T, doc string) property.Map {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
		t.Fatal(err)
	}
	r, err := checks.ResourceFromManifest(obj)
	if err != nil {
		t.Fatal(err)
	}
	return unknowns(property.New(r.Properties)).AsMap()
}

func unknowns(v property.Value) property.Value {
	switch {
	case v.IsString() && v.AsString() == "<unknown>":
		return property.New(property.Computed)
	case v.IsArray():
		arr := v.AsArray().AsSlice()
		for i := range arr {
			arr[i] = unknowns(arr[i])
		}
		return property.New(arr)
	case v.IsMap():
		m := v.AsMap().AsMap()
		for k := range m {
			m[k] = unknowns(m[k])
		}
		return property.New(m)
	}
	return v
}

func rpcProps(t *testing.T, m property.Map) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(resource.ToResourcePropertyMap(m), plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const grafana = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana, namespace: rag}
spec:
  selector: {matchLabels: {app: grafana}}
  template:
    metadata: {labels: {app: grafana}}
    spec:
      containers:
      - name: grafana
        image: "<unknown>"
        env: [{name: GF_SECURITY_ADMIN_PASSWORD, value: jdjones-admin}]
`

const sharedClaim = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: rag}
spec: {accessModes: [ReadWriteMany], storageClassName: corp-nfs}
`

const grafanaHPA = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: grafana, namespace: rag}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: grafana}, minReplicas: 1, maxReplicas: 3}
`

// diagnostic is the part of an AnalyzeDiagnostic the tests compare.
type diagnostic struct {
	policy, urn, message string
	level                pulumirpc.EnforcementLevel
}

func diagnostics(resp *pulumirpc.AnalyzeResponse) []diagnostic {
	var out []diagnostic
	for _, d := range resp.GetDiagnostics() {
		out = append(out, diagnostic{d.GetPolicyName(), d.GetUrn(), d.GetMessage(), d.GetEnforcementLevel()})
	}
	return out
}

func find(ds []diagnostic, policy string) []diagnostic {
	var out []diagnostic
	for _, d := range ds {
		if d.policy == policy {
			out = append(out, d)
		}
	}
	return out
}

// drivePack runs the engine's side of the protocol against an analyzer listening at addr.
func drivePack(t *testing.T, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := pulumirpc.NewAnalyzerClient(conn)

	dir := t.TempDir()
	if _, err := client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir, ProgramDirectory: &dir}); err != nil {
		t.Fatal(err)
	}
	// A stack named "live" is production only because of its environment config: the factory reads it.
	if _, err := client.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
		Stack: "live", Project: project, DryRun: true,
		Config: map[string]string{project + ":environment": "production"},
	}); err != nil {
		t.Fatal(err)
	}

	info, err := client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the pack describes every policy with its default level and schema", func(t *testing.T) {
		if info.GetName() != checks.PackName || info.GetVersion() != version.String() || !info.GetSupportsConfig() {
			t.Errorf("pack info: %s %s config=%v", info.GetName(), info.GetVersion(), info.GetSupportsConfig())
		}
		var names []string
		for _, p := range info.GetPolicies() {
			names = append(names, p.GetName())
			want, _ := checks.Lookup(p.GetName())
			if want == nil || pulumirpc.EnforcementLevel(levels[want.Level]) != p.GetEnforcementLevel() || p.GetDescription() != want.Description {
				t.Errorf("policy %s: level %v, description %q", p.GetName(), p.GetEnforcementLevel(), p.GetDescription())
			}
			if want != nil && len(want.Parameters()) > 0 {
				props := p.GetConfigSchema().GetProperties().AsMap()
				for _, prm := range want.Parameters() {
					if _, ok := props[prm.Name].(map[string]any)["default"]; !ok {
						t.Errorf("policy %s: schema lacks a default for %s", p.GetName(), prm.Name)
					}
				}
			}
		}
		var want []string
		for _, p := range checks.All() {
			want = append(want, p.Name)
		}
		if !slices.Equal(names, want) {
			t.Errorf("policies:\nwant %v\ngot  %v", want, names)
		}
	})

	rwx, err := structpb.NewStruct(map[string]any{"rwxStorageClasses": []any{"corp-nfs"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: map[string]*pulumirpc.PolicyConfig{
		"workload-probes":     {EnforcementLevel: pulumirpc.EnforcementLevel_ADVISORY},
		"container-resources": {EnforcementLevel: pulumirpc.EnforcementLevel_DISABLED},
		"rwx-storage-class":   {EnforcementLevel: pulumirpc.EnforcementLevel_MANDATORY, Properties: rwx},
	}}); err != nil {
		t.Fatal(err)
	}

	grafanaURN := urnBase + "kubernetes:apps/v1:Deployment::grafana"
	resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
		Type: "kubernetes:apps/v1:Deployment", Name: "grafana", Urn: grafanaURN, Properties: rpcProps(t, resourceProps(t, grafana)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := diagnostics(resp)
	t.Run("configured levels override the defaults", func(t *testing.T) {
		probes := find(ds, "workload-probes")
		if len(probes) != 1 || probes[0].level != pulumirpc.EnforcementLevel_ADVISORY {
			t.Errorf("workload-probes should report once at advisory: %v", probes)
		}
		if got := find(ds, "container-resources"); len(got) != 0 {
			t.Errorf("a disabled policy reported: %v", got)
		}
		creds := find(ds, "no-literal-credentials")
		want := checks.NoLiteralCredentials.Description + "\n" +
			`Deployment "grafana" container "grafana": env GF_SECURITY_ADMIN_PASSWORD has a literal value; reference a Secret with valueFrom.secretKeyRef`
		if len(creds) != 1 || creds[0].message != want || creds[0].level != pulumirpc.EnforcementLevel_MANDATORY || creds[0].urn != grafanaURN {
			t.Errorf("no-literal-credentials:\nwant %q\ngot  %v", want, creds)
		}
	})
	t.Run("values unknown during preview become advisory notes, not violations", func(t *testing.T) {
		if got := find(ds, "image-tag-not-latest"); len(got) != 0 {
			t.Errorf("an unknown image was judged: %v", got)
		}
		notes := find(ds, checks.PolicyCouldNotDecide.Name)
		found := false
		for _, n := range notes {
			found = found || strings.Contains(n.message, "image-tag-not-latest cannot decide during preview")
			if n.level != pulumirpc.EnforcementLevel_ADVISORY {
				t.Errorf("a note is not advisory: %v", n)
			}
		}
		if !found {
			t.Errorf("no note for the unknown image: %v", notes)
		}
	})

	resp, err = client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
		Type: "kubernetes:core/v1:PersistentVolumeClaim", Name: "shared", Urn: urnBase + "kubernetes:core/v1:PersistentVolumeClaim::shared",
		Properties: rpcProps(t, resourceProps(t, sharedClaim)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("policy parameters from the config are used", func(t *testing.T) {
		if got := find(diagnostics(resp), "rwx-storage-class"); len(got) != 0 {
			t.Errorf("the configured RWX class list was ignored: %v", got)
		}
	})

	// Stack policies see outputs: here the server defaulted spec.replicas, which the program left unset.
	deployOutputs := resourceProps(t, strings.Replace(grafana, "spec:\n  selector", "spec:\n  replicas: 1\n  selector", 1))
	hpaURN := urnBase + "kubernetes:autoscaling/v2:HorizontalPodAutoscaler::grafana"
	stack, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{
		{Type: "kubernetes:apps/v1:Deployment", Name: "grafana", Urn: grafanaURN, Properties: rpcProps(t, deployOutputs)},
		{Type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", Name: "grafana", Urn: hpaURN, Properties: rpcProps(t, resourceProps(t, grafanaHPA))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	sds := diagnostics(stack)
	t.Run("stack policies know production from the stack config and report against the resource", func(t *testing.T) {
		hpas := find(sds, "hpa-targets")
		want := checks.HPATargets.Description + "\n" +
			`HorizontalPodAutoscaler "grafana": minReplicas is 1 in production, so one pod failure takes the workload down; set minReplicas to at least 2`
		if len(hpas) != 1 || hpas[0].message != want || hpas[0].urn != hpaURN || hpas[0].level != pulumirpc.EnforcementLevel_MANDATORY {
			t.Errorf("hpa-targets:\nwant one %q\ngot  %v", want, hpas)
		}
	})
	t.Run("stack policies judge pinned replicas from the program's inputs", func(t *testing.T) {
		for _, d := range sds {
			if strings.Contains(d.message, "sets spec.replicas") {
				t.Errorf("a server-defaulted replica count was taken for a pinned one: %v", d)
			}
		}
	})
	t.Run("stack violations are reported per resource, so exceptions can match them", func(t *testing.T) {
		pdbs := find(sds, "pdb-coverage")
		if len(pdbs) == 0 {
			t.Error("an autoscaled Deployment without a PodDisruptionBudget was not reported")
		}
		for _, d := range pdbs {
			if d.urn != grafanaURN {
				t.Errorf("pdb-coverage reported against %q", d.urn)
			}
		}
	})
}

// TestPackOverTheAnalyzerProtocol serves the pack in-process with policyx.Main, as the binary does.
func TestPackOverTheAnalyzerProtocol(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	go func() { _ = policyx.Main(newPack) }()
	port, err := bufio.NewReader(r).ReadString('\n')
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	drivePack(t, "127.0.0.1:"+strings.TrimSpace(port))
}

// TestBuiltBinaryServesTheAnalyzerProtocol builds the pack the way it runs here (`go build -o pack
// ./policy`) and launches it as the engine launches a policy-pack binary: with the engine's address
// as its only argument, reading the port it prints.
func TestBuiltBinaryServesTheAnalyzerProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the pack binary")
	}
	bin := filepath.Join(t.TempDir(), "pack")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "127.0.0.1:1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	port, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	drivePack(t, "127.0.0.1:"+strings.TrimSpace(port))
}

// analyzeInProcess runs a pack the way policyx's analyzer server does — every resource policy on
// each resource in pack order (Analyze), then every stack policy on all of them (AnalyzeStack) —
// without the gRPC transport, and returns what the policies reported.
func analyzeInProcess(t *testing.T, pack policyx.PolicyPack, config map[string]map[string]any, docs ...string) []diagnostic {
	t.Helper()
	var out []diagnostic
	var resources []policyx.AnalyzerResource
	for _, doc := range docs {
		props := resourceProps(t, doc)
		typ := "kubernetes:" + props.Get("apiVersion").AsString() + ":" + props.Get("kind").AsString()
		if !strings.Contains(props.Get("apiVersion").AsString(), "/") {
			typ = "kubernetes:core/" + props.Get("apiVersion").AsString() + ":" + props.Get("kind").AsString()
		}
		name := props.Get("metadata").AsMap().Get("name").AsString()
		resources = append(resources, policyx.AnalyzerResource{Type: typ, Name: name, URN: urnBase + typ + "::" + name, Properties: props})
	}
	manager := func(policy, urn string) policyx.PolicyManager {
		return reporter(func(message, u string) {
			if u == "" {
				u = urn
			}
			out = append(out, diagnostic{policy: policy, urn: u, message: message})
		})
	}
	for _, r := range resources {
		for _, p := range pack.Policies() {
			if rp, ok := p.(policyx.ResourceValidationPolicy); ok {
				args := policyx.ResourceValidationArgs{Manager: manager(p.Name(), r.URN), Resource: r, Config: config[p.Name()]}
				if err := rp.Validate(context.Background(), args); err != nil {
					t.Fatalf("%s: %v", p.Name(), err)
				}
			}
		}
	}
	for _, p := range pack.Policies() {
		if sp, ok := p.(policyx.StackValidationPolicy); ok {
			if err := sp.Validate(context.Background(), policyx.StackValidationArgs{Manager: manager(p.Name(), ""), Resources: resources}); err != nil {
				t.Fatalf("%s: %v", p.Name(), err)
			}
		}
	}
	return out
}

// reporter is a policyx.PolicyManager that hands each violation to a function.
type reporter func(message, urn string)

func (r reporter) ReportViolation(message, urn string) { r(message, urn) }

const settingsConfigMap = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: rag}
data: {LOG_LEVEL: info}
`

func TestNotesReachTheEngineWhereverAPolicySits(t *testing.T) {
	undecided := func(o *checks.Object) []checks.Result {
		return []checks.Result{checks.Undecided(o, o.Subject(), "the test value")}
	}
	resourcePolicy := &checks.Policy{Name: "test-always-undecided", Description: "d", Level: checks.Mandatory,
		Kinds: []string{checks.EveryKind}, Resource: func(o *checks.Object, _ *checks.Config) []checks.Result { return undecided(o) }}
	stackPolicy := &checks.Policy{Name: "test-always-undecided-stack", Description: "d", Level: checks.Mandatory,
		Stack: func(s *checks.Stack, _ *checks.Config) []checks.Result { return undecided(s.Objects[0]) }}
	for _, c := range []struct {
		extra *checks.Policy
		notes *checks.Policy
	}{{resourcePolicy, checks.PolicyCouldNotDecide}, {stackPolicy, checks.PolicyCouldNotDecideStack}} {
		base := slices.Concat([]*checks.Policy{checks.PolicyCouldNotDecide, checks.PolicyCouldNotDecideStack}, checks.ResourcePolicies(), checks.StackPolicies())
		for i := range len(base) + 1 {
			policies := slices.Insert(slices.Clone(base), i, c.extra)
			pack, err := buildPack(checks.NewSession(false), checks.NewPack(policies...))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range analyzeInProcess(t, pack, nil, settingsConfigMap) {
				found = found || (d.policy == c.notes.Name && strings.Contains(d.message, c.extra.Name+" cannot decide during preview"))
			}
			if !found {
				t.Errorf("%s at position %d: its note was dropped", c.extra.Name, i)
			}
		}
	}
}

// TestANewResourcePolicyIsOneEntryThroughThePack adds a policy to the resource list and sees the
// policyx-wired pack publish its schema, dispatch it by kind, pass it its config and report its notes.
func TestANewResourcePolicyIsOneEntryThroughThePack(t *testing.T) {
	type params struct {
		Forbidden []string `param:"forbidden" help:"data keys a ConfigMap may not have"`
	}
	forbiddenKeys := &checks.Policy{Name: "test-forbidden-keys", Description: "ConfigMaps hold no forbidden keys.",
		Remediation: "remove the key", Level: checks.Mandatory, Kinds: []string{"ConfigMap"},
		Params: &params{Forbidden: []string{"DEBUG"}},
		Resource: func(o *checks.Object, c *checks.Config) []checks.Result {
			var out []checks.Result
			for _, k := range c.Params.(*params).Forbidden {
				if o.Unknown("data") {
					return []checks.Result{checks.Undecided(o, o.Subject(), "data")}
				}
				if _, ok := o.Typed.(*corev1.ConfigMap).Data[k]; ok {
					out = append(out, checks.Violation(o, o.Subject(), "has key "+k, ""))
				}
			}
			return out
		}}
	pack, err := buildPack(checks.NewSession(false), checks.NewPack(slices.Concat(checks.ResourcePolicies(),
		[]*checks.Policy{forbiddenKeys}, checks.StackPolicies())...))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pack.Policies() {
		if p.Name() == forbiddenKeys.Name && p.ConfigSchema().Properties["forbidden"]["type"] != "array" {
			t.Errorf("schema: %v", p.ConfigSchema())
		}
	}
	var got []string
	for _, d := range analyzeInProcess(t, pack, map[string]map[string]any{forbiddenKeys.Name: {"forbidden": []any{"LOG_LEVEL"}}},
		settingsConfigMap,
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later, namespace: rag}\ndata: \"<unknown>\"\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: other, namespace: rag}\ndata: {LOG_LEVEL: aW5mbw==}\n",
	) {
		if d.policy == forbiddenKeys.Name || strings.Contains(d.message, forbiddenKeys.Name) {
			got = append(got, d.policy+": "+d.message)
		}
	}
	want := []string{
		forbiddenKeys.Name + ": ConfigMap \"settings\": has key LOG_LEVEL; remove the key",
		checks.PolicyCouldNotDecide.Name + ": ConfigMap \"later\": test-forbidden-keys cannot decide during preview: data is not known yet; it is checked again when the value is known",
	}
	if !slices.Equal(got, want) {
		t.Errorf("want:\n  %s\ngot:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}

const vectorStore = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: vectors, namespace: rag}
spec: {replicas: 1, template: {spec: {containers: [{name: db, image: "acme/vectorstore:2", ports: [{containerPort: 6333}]}]}}}
`

func TestThePackSharesTheDatabaseImagePatterns(t *testing.T) {
	pack, err := buildPack(checks.NewSession(true), checks.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	widened := map[string]map[string]any{checks.DatabaseRunsAsStatefulSet.Name: {"imagePatterns": []any{"vectorstore"}}}
	var got []string
	for _, d := range analyzeInProcess(t, pack, widened, vectorStore) {
		if d.policy == checks.ServingDeploymentReplicas.Name || d.policy == checks.DatabaseRunsAsStatefulSet.Name {
			got = append(got, d.policy)
		}
	}
	if !slices.Equal(got, []string{checks.DatabaseRunsAsStatefulSet.Name}) {
		t.Errorf("a widened imagePatterns must make serving-deployment-replicas leave the image alone: %v", got)
	}
}

func TestABadParameterIsAViolationOfItsPolicyNotAPanic(t *testing.T) {
	pack, err := buildPack(checks.NewSession(true), checks.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]map[string]any{
		checks.ServingDeploymentReplicas.Name: {"minReplicas": -3.0},
		checks.DatabaseRunsAsStatefulSet.Name: {"imagePatterns": []any{"(unclosed"}},
	}
	var got []string
	for _, d := range analyzeInProcess(t, pack, bad, vectorStore) {
		if strings.Contains(d.message, "policy pack config is invalid") {
			got = append(got, d.policy+": "+d.message)
		}
	}
	want := []string{
		`database-runs-as-statefulset: the policy pack config is invalid: policy "database-runs-as-statefulset": parameter "imagePatterns": item 0: "(unclosed" is not a regular expression: error parsing regexp: missing closing ): ` + "`(unclosed`" + `; fix the value or remove it to use the default`,
		`serving-deployment-replicas: the policy pack config is invalid: policy "serving-deployment-replicas": parameter "minReplicas": -3 is below the minimum 1; fix the value or remove it to use the default`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("want:\n  %s\ngot:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}
