package engine

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Finding is one result as a user sees it, whichever engine ran the checks.
type Finding struct {
	// Policy is the name of the policy that reports the finding: the check itself, or
	// PolicyCouldNotDecide / PolicyCouldNotDecideStack for "cannot decide during preview" notes.
	Policy string
	// Check is the policy whose check produced the finding (differs from Policy for notes).
	Check string
	// URN is the resource the finding is reported against.
	URN string
	// Message names the resource, the problem and the fix. Pulumi prints the policy's description,
	// a newline, then this message.
	Message string
	// Level is the enforcement level in force for Policy.
	Level Level
	// Undecided marks notes about values unknown during preview.
	Undecided bool
	// Exceptions lists the IDs of policy exceptions that match the finding (Evaluate only).
	Exceptions []string
}

// Blocking reports whether the finding fails a Pulumi run: mandatory and not excepted.
func (f Finding) Blocking() bool { return f.Level == Mandatory && len(f.Exceptions) == 0 }

// Session runs policies the way the policy pack does, for any engine: it decodes each resource once
// and reuses the decoding across policies, decodes each policy's config once, and holds "cannot
// decide" notes until the notes policies report them. It is safe for concurrent use.
type Session struct {
	production bool

	mu            sync.Mutex
	objects       map[string]cachedObject // by URN
	notes         map[string][]Finding    // by URN
	failures      map[string][]Finding    // by URN: checks that failed or could not read the object
	stacks        map[any]*Stack          // by the engine's identity of one stack analysis
	stackNotes    map[any][]Finding
	stackFailures map[any][]Finding
	params        map[*Policy]decodedParams // the config each policy last ran with
}

type cachedObject struct {
	res Resource
	obj *Object
	// ran are the resource policies that used obj since it was last compared with the engine's
	// properties: an engine runs each policy once per resource analysis, so a policy that already
	// ran means a new analysis, whose properties must be compared again.
	ran map[*Policy]bool
}

// decodedParams is a policy's raw config (by identity: engines pass the same map on every call)
// and what it decoded to.
type decodedParams struct {
	props  uintptr
	params any
	err    error
}

// NewSession starts a session; production is the stack-level production flag (DetectProduction).
func NewSession(production bool) *Session {
	return &Session{
		production:    production,
		objects:       map[string]cachedObject{},
		notes:         map[string][]Finding{},
		failures:      map[string][]Finding{},
		stacks:        map[any]*Stack{},
		stackNotes:    map[any][]Finding{},
		stackFailures: map[any][]Finding{},
		params:        map[*Policy]decodedParams{},
	}
}

// Prime decodes resources into the cache on every core, so the policies that follow find them decoded,
// and returns the decodings in the order of resources (the caller holding them needs no lookup, whose
// comparison of the properties costs a tenth of a whole evaluation). Decoding dominates the cost of a
// large stack and each object decodes on its own.
func (s *Session) Prime(resources []Resource) []*Object {
	objects := make([]*Object, len(resources))
	parallel(len(resources), func(i int) { objects[i] = s.Object(resources[i]) })
	return objects
}

// parallel calls f(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// maxCached bounds the decode cache; past it the cache starts over.
const maxCached = 50_000

// Object decodes r, reusing the decoding of an earlier call for the same URN and equal properties.
func (s *Session) Object(r Resource) *Object {
	s.mu.Lock()
	c, ok := s.objects[r.URN]
	s.mu.Unlock()
	if ok && c.res.Type == r.Type && c.res.Name == r.Name && c.res.Properties.Equals(r.Properties) {
		return c.obj
	}
	o := decode(r, s.podTemplatePaths())
	s.mu.Lock()
	if len(s.objects) >= maxCached {
		s.objects = map[string]cachedObject{}
	}
	s.objects[r.URN] = cachedObject{res: r, obj: o}
	s.mu.Unlock()
	return o
}

// RunResource runs resource policy p on r with p's raw config properties (as Pulumi passes them) and
// returns what to report under p: the decided findings of its check, or, for PolicyCouldNotDecide and
// PolicyCouldNotJudge, the notes and failures the checks left for r. A check only sees objects of the
// kinds it declares. A config that does not decode is reported as a violation of p naming the key.
func (s *Session) RunResource(p *Policy, r Resource, props map[string]any) []Finding {
	if p == KubernetesObjectReadable {
		// Its podTemplatePaths decide how custom resources decode; it runs first on every resource.
		_, _ = s.Configure(p, props)
	}
	return s.runResource(p, s.objectFor(p, r), props)
}

// objectFor is Object for resource policy p: within one analysis of a resource (each policy once) it
// reuses the decoding without comparing the properties again, which would cost as much as every
// policy's own check; a policy that already ran on the decoding starts a new analysis.
func (s *Session) objectFor(p *Policy, r Resource) *Object {
	s.mu.Lock()
	if c, ok := s.objects[r.URN]; ok && c.ran != nil && !c.ran[p] && c.res.Type == r.Type && c.res.Name == r.Name {
		c.ran[p] = true
		s.mu.Unlock()
		return c.obj
	}
	s.mu.Unlock()
	o := s.Object(r)
	s.mu.Lock()
	if c, ok := s.objects[r.URN]; ok && c.obj == o {
		c.ran = map[*Policy]bool{p: true}
		s.objects[r.URN] = c
	}
	s.mu.Unlock()
	return o
}

// podTemplatePaths returns the pod template paths of custom kinds as kubernetes-object-readable is
// configured in this session (its defaults when it has not run).
func (s *Session) podTemplatePaths() []string {
	prm, ok := s.paramsOf(KubernetesObjectReadable).(*readableParams)
	if !ok {
		prm = KubernetesObjectReadable.Params.(*readableParams)
	}
	return prm.PodTemplatePaths
}

// runResource is RunResource for an object decoded by s.Object.
func (s *Session) runResource(p *Policy, o *Object, props map[string]any) []Finding {
	switch {
	case p.collects == resourceNotes:
		return s.takeNotes(o.URN)
	case p.collects == resourceFailures:
		return take(s, s.failures, o.URN)
	case p.Resource == nil:
		return nil
	case !p.judges(o):
		if CouldJudge(p.Kinds, o) {
			failure := failed(p, Unreadable(p.Name, o))
			s.mu.Lock()
			s.failures[o.URN] = append(s.failures[o.URN], failure)
			s.mu.Unlock()
		}
		return nil
	}
	params, err := s.Configure(p, props)
	if err != nil {
		return []Finding{configFinding(p, o.URN, err)}
	}
	views := []*Object{o}
	if slices.Contains(p.Kinds, PodBearing) {
		views = o.Views() // each pod template of the object, judged as a workload of its own
	}
	var results []Result
	for i, view := range views {
		for _, r := range safely(p, view, func() []Result { return p.Resource(view, newConfig(params, s.production, s.paramsOf)) }) {
			// What a check says of the object as a whole, it says of every view: once is enough.
			if i == 0 || !slices.ContainsFunc(results, func(seen Result) bool {
				return seen.Subject == r.Subject && seen.Problem == r.Problem && seen.Undecided == r.Undecided
			}) {
				results = append(results, r)
			}
		}
	}
	return s.split(p, results, func(notes, failures []Finding) {
		s.notes[o.URN] = append(s.notes[o.URN], notes...)
		s.failures[o.URN] = append(s.failures[o.URN], failures...)
	})
}

// Unreadable is the result of a check that cannot read o as its kind, which PolicyCouldNotJudge reports.
func Unreadable(check string, o *Object) Result {
	return Result{Object: o, Subject: o.Subject(), failed: true,
		Problem: check + " cannot judge it: it cannot be read as " + o.APIVersion() + " " + o.Kind + " (" + o.Problem + ")",
		Fix:     "fix the object so it fits its Kubernetes type (see " + KubernetesObjectReadable.Name + ")"}
}

// CouldJudge reports whether a policy judging kinds would judge o, were o readable as its kind.
func CouldJudge(kinds []string, o *Object) bool {
	if !o.undecodable {
		return false
	}
	builtin := builtinGroups[o.Group]
	for _, k := range kinds {
		switch {
		case k == o.Kind && builtin:
			return true
		case k == PodBearing && (!builtin || slices.Contains(PodBearingKindNames(false), o.Kind)):
			return true
		}
	}
	return false
}

// Configure decodes p's raw config, reusing the decoding when the engine passes the same map again,
// and records it as the config p runs with.
func (s *Session) Configure(p *Policy, props map[string]any) (any, error) {
	id := reflect.ValueOf(props).Pointer()
	s.mu.Lock()
	d, ok := s.params[p]
	s.mu.Unlock()
	if ok && d.props == id {
		return d.params, d.err
	}
	params, err := p.DecodeParams(props)
	s.mu.Lock()
	s.params[p] = decodedParams{id, params, err}
	s.mu.Unlock()
	return params, err
}

// paramsOf returns the parameters p last ran with in this session, or nil when it has not run or
// its config did not decode.
func (s *Session) paramsOf(p *Policy) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.params[p]; ok && d.err == nil {
		return d.params
	}
	return nil
}

// configFinding reports a config of p that does not decode, against the resource p was to judge.
func configFinding(p *Policy, urn string, err error) Finding {
	return Finding{Policy: p.Name, Check: p.Name, URN: urn, Level: p.Level,
		Message: "the policy pack config is invalid: " + err.Error() + "; fix the value or remove it to use the default"}
}

// takeNotes returns and forgets the notes held for a resource.
func (s *Session) takeNotes(urn string) []Finding {
	return take(s, s.notes, urn)
}

// take returns and forgets what a map of held findings holds for key.
func take[K comparable](s *Session, held map[K][]Finding, key K) []Finding {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := held[key]
	delete(held, key)
	return n
}

// inputs returns the decoded inputs last seen for a URN by a resource policy, if any.
func (s *Session) inputs(urn string) *Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.objects[urn]; ok && !c.res.FromOutputs {
		return c.obj
	}
	return nil
}

// RunStack runs stack policy p over the stack identified by key (any value that is the same for
// every policy of one stack analysis) and returns what to report under p: the decided findings of
// its check, or, for PolicyCouldNotDecideStack, the notes the stack checks left (after which the decoded
// stack is forgotten). resources is called only the first time a key is seen. Stack policies get no
// config from Pulumi, so they run with their defaults.
func (s *Session) RunStack(p *Policy, key any, resources func() []Resource) []Finding {
	switch {
	case p.collects == stackNotes:
		return s.takeStackNotes(key)
	case p.collects == stackFailures:
		return take(s, s.stackFailures, key)
	case p.Stack == nil:
		return nil
	}
	st := s.stack(key, resources)
	results := safely(p, &Object{URN: "", Kind: "stack", Name: "checks"}, func() []Result {
		return p.Stack(st, newConfig(p.Params, s.production, s.paramsOf))
	})
	return s.split(p, results, func(notes, failures []Finding) {
		s.stackNotes[key] = append(s.stackNotes[key], notes...)
		s.stackFailures[key] = append(s.stackFailures[key], failures...)
	})
}

// stack returns the decoded stack for key, decoding it the first time.
func (s *Session) stack(key any, resources func() []Resource) *Stack {
	s.mu.Lock()
	st, ok := s.stacks[key]
	s.mu.Unlock()
	if ok {
		return st
	}
	rs := resources()
	objs := make([]*Object, len(rs))
	for i, r := range rs {
		if r.FromOutputs {
			objs[i] = decode(r, s.podTemplatePaths())
		} else {
			objs[i] = s.Object(r)
		}
	}
	return s.KeepStack(key, objs)
}

// KeepStack indexes objs as the stack for key, for the stack policies that follow.
func (s *Session) KeepStack(key any, objs []*Object) *Stack {
	st := NewStack(objs)
	st.inputs = s.inputs
	s.mu.Lock()
	s.stacks[key] = st
	s.mu.Unlock()
	return st
}

// takeStackNotes returns and forgets the notes, the failures and the decoded stack held for key
// (PolicyCouldNotDecideStack runs after every other stack policy).
func (s *Session) takeStackNotes(key any) []Finding {
	n := take(s, s.stackNotes, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.stackFailures, key)
	delete(s.stacks, key)
	return n
}

// split turns results into findings, keeps the decided ones and hands the notes and failures to
// hold. A patch leaves no note about a field it does not set: the live object keeps that value, and
// the patch is judged only on the fields it sets.
func (s *Session) split(p *Policy, results []Result, hold func(notes, failures []Finding)) []Finding {
	var decided, notes, failures []Finding
	for _, r := range results {
		f := Finding{Policy: p.Name, Check: p.Name, URN: r.Object.URN, Message: r.Message(p), Level: p.Level}
		switch {
		case r.Object.Patch && r.Undecided && !r.Object.ComputedNear(r.Problem):
		case r.Undecided:
			f.Undecided = true
			notes = append(notes, f)
		case r.failed:
			failures = append(failures, failed(p, r))
		default:
			decided = append(decided, f)
		}
	}
	if len(notes) > 0 || len(failures) > 0 {
		s.mu.Lock()
		hold(notes, failures)
		s.mu.Unlock()
	}
	return decided
}

// ComputedNear reports whether a note's path (its first word) is, holds or lies within a value
// computed during preview.
func (o *Object) ComputedNear(path string) bool {
	path, _, _ = strings.Cut(path, " ")
	for _, u := range o.unknown {
		if IsPrefixPath(u, path) || IsPrefixPath(path, u) {
			return true
		}
	}
	return false
}

// safely runs a check and turns a panic (a bug in the check) into a failure, which PolicyCouldNotJudge
// reports as a mandatory violation, instead of crashing the analyzer (which would fail the whole
// preview) or letting the resource pass unjudged.
func safely(p *Policy, o *Object, run func() []Result) (results []Result) {
	defer func() {
		if r := recover(); r != nil {
			results = []Result{{Object: o, Subject: o.Subject(), failed: true,
				Problem: fmt.Sprintf("the check %s failed (%v), so it is refused unjudged", p.Name, r),
				Fix:     "please report this bug in the policy pack; until it is fixed, except the resource from " + PolicyCouldNotJudge.Name + " with a reason"}}
		}
	}()
	return run()
}

// failed renders a failure of check p as the finding PolicyCouldNotJudge (or PolicyCouldNotJudgeStack) reports.
func failed(p *Policy, r Result) Finding {
	collector := PolicyCouldNotJudge
	if p.IsStack() {
		collector = PolicyCouldNotJudgeStack
	}
	return Finding{Policy: collector.Name, Check: p.Name, URN: r.Object.URN, Message: r.Message(p), Level: collector.Level}
}

// PolicyCouldNotJudge reports, for each resource, every check that failed on it (a panic, a bug in the
// check) or could not read it as the kind it judges: the resource is refused rather than passed
// unjudged. Every Pack runs it after its resource policies.
var PolicyCouldNotJudge = &Policy{
	Name:        "policy-could-not-judge",
	Description: "A policy could not judge a resource it must judge, so the resource is refused until it can.",
	Remediation: "fix what the message names, or report the failing check",
	Why:         "fail closed: a check that crashes or cannot read an object must not let it through",
	Level:       Mandatory,
	collects:    resourceFailures,
}

// PolicyCouldNotJudgeStack is PolicyCouldNotJudge for stack policies. Every Pack runs it after its stack policies.
var PolicyCouldNotJudgeStack = &Policy{
	Name:        "policy-could-not-judge-stack",
	Description: "A stack policy could not judge the stack, so the stack is refused until it can.",
	Remediation: "report the failing check",
	Why:         "fail closed: a check that crashes must not let the stack through",
	Level:       Mandatory,
	collects:    stackFailures,
}
