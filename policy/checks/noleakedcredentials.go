package checks

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"hash/maphash"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// NoLeakedCredentials runs gitleaks' default rules (its detector and rule set, as `gitleaks detect`
// runs them) over every string an object stores, so a token is caught by its shape whatever field
// holds it: ConfigMap data and base64-decoded binaryData, annotations, labels, env values, command
// lines, probe and lifecycle handlers, custom resources' specs: every field of the resource's
// properties, whatever its kind. A Secret's data and stringData and
// Pulumi secret values are where credentials belong and are not scanned; map keys are not scanned
// either (they are printed in field paths). A message names the field and the gitleaks rule, never
// the value. It complements no-literal-credentials (names and URL shapes): both may report one value.
var NoLeakedCredentials = &engine.Policy{
	Name:        "no-leaked-credentials",
	Description: "No string the cluster stores outside a Secret holds a credential that gitleaks' default rules recognise.",
	Remediation: leakRemediation,
	Why:         "gitleaks v8 default rules (GitHub, AWS, Slack, Stripe, JWT, private keys, …) catch tokens by shape in any field, which name-based checks cannot",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.EveryKind},
	Resource:    checkNoLeakedCredentials,
}

// leakRemediation is the fix for a credential in a field with no more specific advice.
const leakRemediation = "move the credential to a Secret and reference it (valueFrom.secretKeyRef, a Secret volume, or the field's secret reference)"

// gitleaksDecodeDepth is how many times gitleaks decodes base64, hex, percent and unicode escapes
// inside a value before scanning again: the default of the gitleaks CLI (--max-decode-depth).
const gitleaksDecodeDepth = 5

// leakScanner is gitleaks' detector with its default rules, built once per process, plus a
// prefilter that skips values on which no rule can run.
type leakScanner struct {
	detector *detect.Detector
	// keywords are the rules' keywords, lowercase: gitleaks runs a rule on a value only when the
	// value holds one of its keywords.
	keywords *ahocorasick.Trie
	// unfiltered is true when a rule has a pattern but no keywords, so every value must be scanned.
	unfiltered bool

	// seen caches the hits of values already scanned, by a hash seeded anew in each process (the cache
	// holds no value, and no one can craft a value that collides with another): the names, images and
	// config files of a stack repeat, and gitleaks costs 10-300µs a value.
	mu   sync.Mutex
	seed maphash.Seed
	seen map[leakKey][]leakHit
}

// leakKey identifies a scanned value: its hash and length.
type leakKey struct {
	hash   uint64
	length int
}

// leakHit is one rule gitleaks found a value to match, and the value's line (from 0) it matched on.
type leakHit struct {
	rule string
	line int
}

// maxLeakCache bounds the scanner's cache; past it the cache starts over.
const maxLeakCache = 100_000

// leakDetector builds the scanner on first use; the default config is embedded in gitleaks.
var leakDetector = sync.OnceValues(newLeakScanner)

func newLeakScanner() (*leakScanner, error) {
	// gitleaks logs progress to stderr, and matched secrets at debug level: the plugin's output
	// must hold neither.
	logging.Logger = logging.Logger.Output(io.Discard)
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		return nil, fmt.Errorf("load gitleaks' default rules: %w", err)
	}
	d.MaxDecodeDepth = gitleaksDecodeDepth
	s := &leakScanner{detector: d, seed: maphash.MakeSeed(), seen: map[leakKey][]leakHit{}}
	keywords := make([]string, 0, len(d.Config.Keywords))
	for k := range d.Config.Keywords {
		keywords = append(keywords, strings.ToLower(k))
	}
	for _, r := range d.Config.Rules {
		if len(r.Keywords) == 0 && r.Regex != nil {
			s.unfiltered = true
		}
	}
	s.keywords = ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()
	return s, nil
}

// mayBeEncoded reports whether v may hold what gitleaks' decoder decodes (its patterns, loosely: a
// percent sign, a backslash, "U+", or a run of 16 base64 or hex characters). A value with neither
// such a segment nor a keyword yields no finding, so gitleaks is not called on it.
func mayBeEncoded(v string) bool {
	run := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '/', c == '-':
			run++
		case c == '+':
			if i > 0 && v[i-1] == 'U' {
				return true
			}
			run++
		case c == '%', c == '\\':
			return true
		default:
			run = 0
		}
		if run >= 16 {
			return true
		}
	}
	return false
}

// mayMatch reports whether gitleaks could find anything in v. Calling gitleaks costs about 6µs
// even on "100m"; this check costs a fraction of that and rejects most values an object holds.
func (s *leakScanner) mayMatch(v string) bool {
	return s.unfiltered || s.keywords.MatchFirstString(strings.ToLower(v)) != nil ||
		(s.detector.MaxDecodeDepth > 0 && mayBeEncoded(v))
}

// hits returns the rules gitleaks finds v to match, one hit per rule (its first), ordered by line
// and rule ID.
func (s *leakScanner) hits(v string) []leakHit {
	if v == "" {
		return nil
	}
	key := leakKey{maphash.String(s.seed, v), len(v)}
	s.mu.Lock()
	hits, ok := s.seen[key]
	s.mu.Unlock()
	if ok {
		return hits
	}
	if s.mayMatch(v) {
		for _, f := range s.findings(v) {
			hits = append(hits, leakHit{f.RuleID, f.StartLine})
		}
	}
	s.mu.Lock()
	if len(s.seen) >= maxLeakCache {
		clear(s.seen)
	}
	s.seen[key] = hits
	s.mu.Unlock()
	return hits
}

// findings returns gitleaks' findings in v, one per rule (its first), ordered by line and rule ID.
func (s *leakScanner) findings(v string) []report.Finding {
	fs := s.detector.DetectString(v)
	byRule := func(a, b report.Finding) int {
		return cmp.Or(strings.Compare(a.RuleID, b.RuleID), cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(a.StartColumn, b.StartColumn))
	}
	slices.SortFunc(fs, byRule)
	fs = slices.CompactFunc(fs, func(a, b report.Finding) bool { return a.RuleID == b.RuleID })
	slices.SortFunc(fs, func(a, b report.Finding) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), strings.Compare(a.RuleID, b.RuleID))
	})
	return fs
}

func checkNoLeakedCredentials(o *engine.Object, _ *engine.Config) []engine.Result {
	s, err := leakDetector()
	if err != nil {
		panic(err) // reported by policy-could-not-judge: the resource is not passed unjudged
	}
	w := leakWalk{o: o, s: s, configMap: o.Group == "" && o.Kind == "ConfigMap"}
	w.property("", property.New(o.Properties))
	if w.configMap {
		for _, u := range o.UnknownPaths() {
			if isConfigMapData(u) {
				w.out = append(w.out, engine.Undecided(o, o.Subject(), u))
			}
		}
	}
	return w.out
}

// isConfigMapData reports whether path is a ConfigMap's data or binaryData, or one of their keys.
func isConfigMapData(path string) bool {
	for _, field := range []string{"data", "binaryData"} {
		if _, ok := childKey(field, path); ok || path == field {
			return true
		}
	}
	return false
}

// leakWalk scans the string leaves of one object, each with its field path.
type leakWalk struct {
	o         *engine.Object
	s         *leakScanner
	configMap bool
	out       []engine.Result
}

// property scans the string leaves of v, found at path, in the resource's properties as the engine
// sent them: every field of every kind, custom resources' specs included. Pulumi secrets (encrypted
// in state, where a credential belongs) and values unknown during preview are skipped, with all they
// hold.
func (w *leakWalk) property(path string, v property.Value) {
	switch {
	case v.Secret() || v.IsComputed():
	case v.IsString():
		w.leaf(path, v.AsString())
	case v.IsMap():
		for k, e := range v.AsMap().AllStable {
			if !w.skips(path, k) {
				w.property(engine.JoinKey(path, k), e)
			}
		}
	case v.IsArray():
		for i, e := range v.AsArray().All {
			w.property(engine.JoinIndex(path, i), e)
		}
	}
}

// skips reports whether the field key under path is not scanned: a Secret's data and stringData.
func (w *leakWalk) skips(path, key string) bool {
	return path == "" && w.o.Group == "" && w.o.Kind == "Secret" && (key == "data" || key == "stringData")
}

// leaf scans one string; a ConfigMap's binaryData is base64-decoded first.
func (w *leakWalk) leaf(path, v string) {
	if w.configMap && engine.IsPrefixPath("binaryData", path) {
		if b, err := base64.StdEncoding.DecodeString(v); err == nil {
			w.report(path, path+" (base64-decoded)", string(b))
			return
		}
	}
	w.report(path, path, v)
}

// report reports each gitleaks rule v (at path, described as what) matches, without the value.
func (w *leakWalk) report(path, what, v string) {
	for _, h := range w.s.hits(v) {
		where := what
		if strings.Contains(v, "\n") {
			where += fmt.Sprintf(" line %d", h.line+1)
		}
		w.out = append(w.out, engine.Violation(w.o, w.o.Subject(),
			fmt.Sprintf("%s holds a credential that gitleaks rule %s recognises", where, h.rule), w.fix(path)))
	}
}

var (
	envValuePath   = regexp.MustCompile(`\.env\[\d+\]\.value$`)
	commandPath    = regexp.MustCompile(`\.(command|args)\[\d+\]$`)
	httpHeaderPath = regexp.MustCompile(`\.httpHeaders\[\d+\]\.value$`)
	metadataPath   = regexp.MustCompile(`(^|\.)metadata\.(annotations|labels)\b`)
)

// fix says how to move a credential out of the field at path.
func (w *leakWalk) fix(path string) string {
	switch {
	case w.configMap && isConfigMapData(path):
		return "move it to a Secret and mount it, or reference it with secretKeyRef"
	case envValuePath.MatchString(path):
		return "reference a Secret with valueFrom.secretKeyRef"
	case commandPath.MatchString(path):
		return "pass it through an env var from a Secret (valueFrom.secretKeyRef) and refer to it as $(VAR)"
	case httpHeaderPath.MatchString(path):
		return "a probe's headers cannot come from a Secret: probe an endpoint that needs no credential, or use an exec probe that reads it from a mounted Secret"
	case metadataPath.MatchString(path):
		return "move it to a Secret: anyone who can read the object reads its annotations and labels"
	}
	return leakRemediation
}
