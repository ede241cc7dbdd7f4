package checks

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// LiteralCredentials forbids credentials written as literal values into pod specs and ConfigMaps.
//
// How values are judged (documented in the README):
//   - a name is credential-like when it matches namePattern and not ignoreNamePattern (names such
//     as ACCESS_TOKEN_EXPIRE_MINUTES or AWS_ACCESS_KEY_ID describe a credential, they are not one);
//   - an empty value, a value that is only a $(OTHER_VAR) reference, and an absolute file path
//     (e.g. REDIS_PASSWORD_FILE=/run/secrets/redis) are not literal credentials;
//   - any value that is a URL with a password in it (postgresql://app:hunter2@db/app) is one,
//     whatever the name, unless the password part is a $(VAR) reference;
//   - names listed in secretRefOnly (Grafana's admin password) must come from valueFrom.secretKeyRef.
var LiteralCredentials = &Policy{
	Name:        "no-literal-credentials",
	Description: "Credentials reach containers from Secrets, never as literal values in a pod spec or ConfigMap.",
	Remediation: "reference a Secret with valueFrom.secretKeyRef",
	Why:         "review finding 2 (GF_SECURITY_ADMIN_PASSWORD hardcoded); kube-linter, Polaris, Kyverno, Checkov",
	Level:       Mandatory,
	Kinds:       []string{PodBearing, "ConfigMap"},
	Params: &credentialRules{
		NamePattern:       regexp.MustCompile(defaultCredentialNamePattern),
		IgnoreNamePattern: regexp.MustCompile(defaultCredentialIgnorePattern),
		SecretRefOnly:     []string{"GF_SECURITY_ADMIN_PASSWORD"},
	},
	Resource: checkLiteralCredentials,
}

const (
	defaultCredentialNamePattern   = `(?i)(passw(or)?d|(^|[_.-])(secret|token|key|api[_-]?key|credentials?)([_.-]|$))`
	defaultCredentialIgnorePattern = `(?i)[_.-](name|names|id|ids|prefix|suffix|header|algorithm|alg|ttl|expiry|expires|expire|minutes|seconds|hours|days|length|size|enabled|required|type|mode|version|url|uri|endpoint|host|port|issuer|audience|scope|scopes)$`
)

var (
	// urlWithPassword matches scheme://user:password@ and captures the password.
	urlWithPassword = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:([^/@\s]+)@`)
	// onlyVarRef matches a value that is a single $(VAR) dependent-variable reference.
	onlyVarRef = regexp.MustCompile(`^\$\([A-Za-z_][A-Za-z0-9_]*\)$`)
	// absolutePath matches a file reference such as /run/secrets/db-password.
	absolutePath = regexp.MustCompile(`^/[^\s]*$`)
	// urlLikeName matches names whose values may be URLs with credentials.
	urlLikeName = regexp.MustCompile(`(?i)(url|uri|dsn|connection[_-]?string)$`)
)

// credentialRules are the parameters of no-literal-credentials.
type credentialRules struct {
	NamePattern       *regexp.Regexp `param:"namePattern" help:"env var or ConfigMap key names that hold credentials (case-insensitive by default)"`
	IgnoreNamePattern *regexp.Regexp `param:"ignoreNamePattern" help:"names that describe a credential rather than hold one (e.g. ..._EXPIRE_MINUTES, ..._ID)"`
	SecretRefOnly     []string       `param:"secretRefOnly" help:"env var names that must come from valueFrom.secretKeyRef"`
}

func (r *credentialRules) credentialName(name string) bool {
	return r.NamePattern.MatchString(name) && !r.IgnoreNamePattern.MatchString(name)
}

// literalProblem says what is wrong with a known literal value, or "" when nothing is.
func (r *credentialRules) literalProblem(what, name, value string) string {
	if value == "" {
		return ""
	}
	if m := urlWithPassword.FindStringSubmatch(value); m != nil && !onlyVarRef.MatchString(m[1]) {
		return fmt.Sprintf("%s %s is a literal URL with an embedded password", what, name)
	}
	if !r.credentialName(name) || onlyVarRef.MatchString(value) || absolutePath.MatchString(value) {
		return ""
	}
	return fmt.Sprintf("%s %s has a literal value", what, name)
}

func checkLiteralCredentials(o *Object, c *Config) []Result {
	r := c.Params.(*credentialRules)
	if cm, ok := o.Typed.(*corev1.ConfigMap); ok {
		return checkConfigMapCredentials(o, cm, r)
	}
	w, _ := o.Workload()
	return forContainers(o, w, true, func(cr ContainerRef) []Result {
		subject := containerSubject(o, cr)
		if o.Unknown(cr.Path + ".env") {
			return []Result{Undecided(o, subject, cr.Path+".env")}
		}
		var out []Result
		for i, e := range cr.C.Env {
			path := JoinIndex(cr.Path+".env", i)
			if res, ok := r.checkEnv(o, subject, path, e); ok {
				out = append(out, res)
			}
		}
		return out
	})
}

func (r *credentialRules) checkEnv(o *Object, subject, path string, e corev1.EnvVar) (Result, bool) {
	valueUnknown := o.Unknown(path+".value") || o.Unknown(path)
	if slices.Contains(r.SecretRefOnly, e.Name) {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			return Result{}, false
		case o.Unknown(path + ".valueFrom"):
			return Undecided(o, subject, path+".valueFrom"), true
		case e.ValueFrom != nil:
			return Violation(o, subject, fmt.Sprintf("env %s does not come from a Secret", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		case valueUnknown:
			return Violation(o, subject, fmt.Sprintf("env %s has a literal value", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		case e.Value == "":
			return Violation(o, subject, fmt.Sprintf("env %s is empty, so the default credential applies", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		default:
			return Violation(o, subject, fmt.Sprintf("env %s has a literal value", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		}
	}
	if e.ValueFrom != nil {
		return Result{}, false
	}
	if valueUnknown {
		if r.credentialName(e.Name) || urlLikeName.MatchString(e.Name) {
			return Undecided(o, subject, path+".value"), true
		}
		return Result{}, false
	}
	if problem := r.literalProblem("env", e.Name, e.Value); problem != "" {
		return Violation(o, subject, problem, "reference a Secret with valueFrom.secretKeyRef"), true
	}
	return Result{}, false
}

func checkConfigMapCredentials(o *Object, cm *corev1.ConfigMap, r *credentialRules) []Result {
	if o.Unknown("data") {
		return []Result{Undecided(o, o.Subject(), "data")}
	}
	keys := make([]string, 0, len(cm.Data))
	for k := range cm.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Result
	for _, k := range keys {
		if problem := r.literalProblem("key", k, cm.Data[k]); problem != "" {
			out = append(out, Violation(o, o.Subject(), problem,
				"move it to a Secret and reference it with secretKeyRef"))
		}
	}
	for _, u := range o.unknown {
		if k, ok := childKey("data", u); ok && (r.credentialName(k) || urlLikeName.MatchString(k)) {
			out = append(out, Undecided(o, o.Subject(), u))
		}
	}
	return out
}

// childKey returns the map key of path when path is a direct child of parent.
func childKey(parent, path string) (string, bool) {
	if !isPrefixPath(parent, path) || len(path) == len(parent) {
		return "", false
	}
	rest := path[len(parent):]
	if rest[0] == '.' && !strings.ContainsAny(rest[1:], ".[") {
		return rest[1:], true
	}
	if strings.HasPrefix(rest, `["`) && strings.HasSuffix(rest, `"]`) {
		if k, err := strconv.Unquote(rest[1 : len(rest)-1]); err == nil {
			return k, true
		}
	}
	return "", false
}
