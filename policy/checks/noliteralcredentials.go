package checks

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// NoLiteralCredentials forbids credentials written as literal values into pod specs, ConfigMaps and
// annotations.
//
// How values are judged (documented in the README):
//   - a name is credential-like when it matches namePattern and not ignoreNamePattern (names such
//     as ACCESS_TOKEN_EXPIRE_MINUTES or AWS_ACCESS_KEY_ID describe a credential, they are not one);
//   - an empty value, a value that is only a $(OTHER_VAR) reference, and an absolute file path
//     (e.g. REDIS_PASSWORD_FILE=/run/secrets/redis) are not literal credentials;
//   - any value that is a URL with a password in it (postgresql://app:hunter2@db/app) is one,
//     whatever the name, unless the password part is a $(VAR) reference;
//   - names listed in secretRefOnly (Grafana's admin password, the OTLP exporter's headers) must come
//     from valueFrom.secretKeyRef;
//   - a ConfigMap value (data, and binaryData that is UTF-8 text) and an annotation are read as the
//     config file they usually are (env file, ini, properties, TOML, YAML, JSON, URLs, HTTP headers),
//     each key = value judged by the rules above (see noliteralcredentials_configfiles.go).
var NoLiteralCredentials = &engine.Policy{
	Name:        credentialsPolicyName,
	Description: "Credentials reach containers from Secrets, never as literal values in a pod spec or ConfigMap.",
	Remediation: "reference a Secret with valueFrom.secretKeyRef",
	Why:         "review finding 2 (GF_SECURITY_ADMIN_PASSWORD hardcoded); kube-linter, Polaris, Kyverno, Checkov",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.PodBearing, "ConfigMap", engine.EveryKind}, // every kind for its annotations
	Params: &credentialRules{
		NamePattern:       regexp.MustCompile(defaultCredentialNamePattern),
		IgnoreNamePattern: regexp.MustCompile(defaultCredentialIgnorePattern),
		SecretRefOnly:     slices.Concat([]string{"GF_SECURITY_ADMIN_PASSWORD"}, otlpHeaders),
	},
	Resource: checkNoLiteralCredentials,
}

// otlpHeaders are the OpenTelemetry specification's exporter headers, which carry the collector's
// credential (an Authorization or API key header) under a name no credential pattern matches.
var otlpHeaders = []string{
	"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
	"OTEL_EXPORTER_OTLP_METRICS_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
}

// The default name patterns. A name holds a credential when a credential word is one of its
// _/./- separated words (secret, token, key, credential(s)), or ends it (pass, pwd, auth), or is
// spelled anywhere (password, passwd, passphrase, api key, private key, redis's requirepass and
// masterauth), or is a camelCase word (clientSecret, accessToken, secretKey). Names ending in a word
// that describes a credential (…_MIN_LENGTH, …_TTL, …_ENABLED, …_FILE is not among them) do not.
var (
	defaultCredentialNamePattern = `(?i)(passw(or)?d|passphrase|requirepass|masterauth|api[_-]?key|private[_-]?key` +
		`|(^|[_.-])(secret|token|key|credentials?)([_.-]|$)|(^|[_.-])(pass|pwd|auth)$)` +
		`|(?-i:[a-z0-9](Secret|Token|Key|Credentials?|Auth)([A-Z]|$))`
	defaultCredentialIgnorePattern = `(?i)[_.-](` + strings.Join(credentialDescriptionWords, "|") + `)$` +
		`|(?-i:[a-z0-9](` + strings.Join(capitalized(credentialDescriptionWords), "|") + `|ID|URL|URI)$)`
)

// credentialDescriptionWords end names that describe a credential rather than hold one.
var credentialDescriptionWords = []string{
	"name", "names", "id", "ids", "prefix", "suffix", "header", "algorithm", "alg", "ttl", "expiry", "expires",
	"expire", "minutes", "seconds", "hours", "days", "length", "size", "enabled", "required", "type", "mode",
	"version", "url", "uri", "endpoint", "host", "port", "issuer", "audience", "scope", "scopes", "min", "max",
	"count", "limit", "retries", "attempts", "timeout", "interval", "period", "path", "dir", "provider", "method",
	"strategy", "backend", "policy", "format", "field", "location", "store", "user", "username", "ref", "class",
}

func capitalized(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return out
}

var (
	// urlWithPassword finds scheme://user:password@ and captures the password.
	urlWithPassword = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:'"]*:([^/@\s'"]+)@`)
	// varRef matches a reference the kubelet ($(VAR)) or a shell or config loader ($VAR, ${VAR}) expands.
	// Grafana's $__file{path}, $__env{VAR} and $__vault{ref} are references too.
	varRef = regexp.MustCompile(`\$__[a-z]+\{[^}]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_.]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)
	// onlyReferences matches what is left of a value once its references are removed, when the value
	// held nothing but references (and an authorization scheme such as "Bearer ").
	onlyReferences = regexp.MustCompile(`^(?i:bearer|basic|token)?[\s"':]*$`)
	// absolutePath matches a file reference such as /run/secrets/db-password or file:///etc/key.
	absolutePath = regexp.MustCompile(`^(file://)?/[^\s]*$`)
	// settingValue matches booleans and numbers with an optional unit (3600, 30s, 512Mi): settings
	// about a credential, never a credential.
	settingValue = regexp.MustCompile(`(?i)^(true|false|yes|no|on|off|enabled|disabled|none|null|-?\d+(\.\d+)?(ms|s|m|h|d|w|[kmgtpe]i?b?)?)$`)
	// bareNumber matches a value that may be a numeric password.
	bareNumber = regexp.MustCompile(`^\d+$`)
	// passwordName matches names whose last word is a password, whose value may be a bare number.
	passwordName = regexp.MustCompile(`(?i)(passw(or)?d|(^|[_.-])(pass|pwd|pin))$`)
	// privateKeyBlock finds a PEM private key, a credential whatever it is called.
	privateKeyBlock = regexp.MustCompile(`-----BEGIN ([A-Z]+ )?PRIVATE KEY-----`)
	// secretStoreRef matches a value that names where a secret store keeps the credential, for a
	// webhook or loader to fetch: vals' ref+vault://…, bank-vaults' vault:path#key, an AWS Secrets
	// Manager or SSM parameter ARN.
	secretStoreRef = regexp.MustCompile(`^(ref\+[a-z0-9]+://\S+|vault:\S+#\S+|arn:aws[a-z-]*:(secretsmanager|ssm):\S+)$`)
	// urlLikeName matches names whose values may be URLs with credentials.
	urlLikeName = regexp.MustCompile(`(?i)(url|uri|dsn|connection[_-]?string)$`)
)

// credentialRules are the parameters of no-literal-credentials.
type credentialRules struct {
	NamePattern       *regexp.Regexp `param:"namePattern" help:"env var, ConfigMap key and command-line flag names that hold credentials (case-insensitive by default)"`
	IgnoreNamePattern *regexp.Regexp `param:"ignoreNamePattern" help:"names that describe a credential rather than hold one (e.g. ..._EXPIRE_MINUTES, ..._ID)"`
	SecretRefOnly     []string       `param:"secretRefOnly" help:"env var names that must come from valueFrom.secretKeyRef"`
}

func (r *credentialRules) credentialName(name string) bool {
	return r.NamePattern.MatchString(name) && !r.IgnoreNamePattern.MatchString(name)
}

// isReference reports whether a value holds nothing but references to other variables.
func isReference(value string) bool {
	return varRef.MatchString(value) && onlyReferences.MatchString(varRef.ReplaceAllString(value, ""))
}

// credentialShaped reports whether a literal value under a credential name looks like a credential:
// not empty, not a reference, not a file path, not a secret store reference, and not a boolean or
// number (a bare number counts under a password name: PINs and numeric passwords exist).
// Placeholders (<password>, CHANGE_ME) are literals: deployed, they are the credential.
func credentialShaped(name, value string) bool {
	value = strings.TrimSpace(value)
	switch {
	case value == "", isReference(value), absolutePath.MatchString(value), secretStoreRef.MatchString(value):
		return false
	case bareNumber.MatchString(value):
		return passwordName.MatchString(name)
	}
	return !settingValue.MatchString(value)
}

// embeddedCredential says what credential a value holds whatever its name (a URL with a password
// that is not a reference, a PEM private key), or "".
func embeddedCredential(value string) string {
	// The substrings every match holds, found far faster than the patterns are run on a config file.
	if strings.Contains(value, "://") && strings.Contains(value, "@") {
		for _, m := range urlWithPassword.FindAllStringSubmatch(value, -1) {
			if !isReference(m[1]) {
				return "a URL with an embedded password"
			}
		}
	}
	if strings.Contains(value, "PRIVATE KEY-----") && privateKeyBlock.MatchString(value) {
		return "a PEM private key"
	}
	return ""
}

// literalProblem says what is wrong with a known literal value, or "" when nothing is.
func (r *credentialRules) literalProblem(what, name, value string) string {
	if found := embeddedCredential(value); found != "" {
		return fmt.Sprintf("%s %s holds %s", what, name, found)
	}
	if r.credentialName(name) && credentialShaped(name, value) {
		return fmt.Sprintf("%s %s has a literal value", what, name)
	}
	return ""
}

// credentialsPolicyName is NoLiteralCredentials' name, for its check to use without referring to it.
const credentialsPolicyName = "no-literal-credentials"

func checkNoLiteralCredentials(o *engine.Object, c *engine.Config) []engine.Result {
	r := c.Params.(*credentialRules)
	if o.Undecodable() {
		// EveryKind (for annotations) lets unreadable objects through: refuse those whose pod spec or
		// data it judges, as the session does for other policies.
		if engine.CouldJudge([]string{engine.PodBearing, "ConfigMap"}, o) {
			return []engine.Result{engine.Unreadable(credentialsPolicyName, o)}
		}
		return nil
	}
	var out []engine.Result
	w, isWorkload := o.Workload()
	if cm, ok := o.Typed.(*corev1.ConfigMap); ok {
		out = checkConfigMapCredentials(o, cm, r)
	} else if isWorkload {
		out = r.checkContainers(o, w)
	}
	out = append(out, r.checkAnnotations(o, "annotation", "metadata.annotations", o.Meta.Annotations)...)
	if isWorkload && w.AnnotationsPath != "metadata.annotations" {
		out = append(out, r.checkAnnotations(o, "pod template annotation", w.AnnotationsPath, w.Annotations)...)
	}
	return out
}

// checkAnnotations reads each annotation as a config file: annotations are readable by whoever can
// read the object, and some (ingress-nginx's configuration-snippet) set request headers.
// kubectl's last-applied-configuration repeats the object, whose fields are judged themselves.
func (r *credentialRules) checkAnnotations(o *engine.Object, what, at string, annotations map[string]string) []engine.Result {
	const fix = "move it to a Secret and have the component read it from there; annotations are readable by whoever can read the object"
	var out []engine.Result
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		if k == "kubectl.kubernetes.io/last-applied-configuration" || o.Unknown(engine.JoinKey(at, k)) {
			continue
		}
		for _, problem := range r.contentProblems(what, k, annotations[k]) {
			out = append(out, engine.Violation(o, o.Subject(), problem, fix))
		}
	}
	return out
}

// contentProblems judges a value read as a config file: a URL with a password or a PEM key anywhere
// in it, else every literal credential it sets, in any syntax.
func (r *credentialRules) contentProblems(what, name, value string) []string {
	if found := embeddedCredential(value); found != "" {
		return []string{fmt.Sprintf("%s %s holds %s", what, name, found)}
	}
	return r.settingProblems(what, name, value)
}

// settingProblems is contentProblems for a value already searched for embedded credentials: every
// literal credential it sets, in any syntax.
func (r *credentialRules) settingProblems(what, name, value string) []string {
	var out []string
	for _, where := range r.configProblems(name, value) {
		out = append(out, fmt.Sprintf("%s %s %s to a literal value", what, name, where))
	}
	return out
}

// checkContainers judges every container's env and command lines.
func (r *credentialRules) checkContainers(o *engine.Object, w engine.Workload) []engine.Result {
	return engine.ForContainers(o, w, true, func(cr engine.ContainerRef) []engine.Result {
		subject := engine.ContainerSubject(o, cr)
		if o.Unknown(cr.Path + ".env") {
			return []engine.Result{engine.Undecided(o, subject, cr.Path+".env")}
		}
		var out []engine.Result
		for i, e := range cr.C.Env {
			path := engine.JoinIndex(cr.Path+".env", i)
			if res, ok := r.checkEnv(o, subject, path, e); ok {
				out = append(out, res)
			}
		}
		for _, cl := range commandLines(cr) {
			out = append(out, r.checkCommandLine(o, subject, cl)...)
		}
		return out
	})
}

// commandLine is one list of words a container runs: its command, its args, a probe's or a
// lifecycle hook's exec command.
type commandLine struct {
	what, path string
	words      []string
}

func commandLines(cr engine.ContainerRef) []commandLine {
	c := cr.C
	lines := []commandLine{{"command", cr.Path + ".command", c.Command}, {"args", cr.Path + ".args", c.Args}}
	for _, p := range []struct {
		field string
		probe *corev1.Probe
	}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
		if p.probe != nil && p.probe.Exec != nil {
			lines = append(lines, commandLine{p.field + " command", cr.Path + "." + p.field + ".exec.command", p.probe.Exec.Command})
		}
	}
	if l := c.Lifecycle; l != nil {
		for _, h := range []struct {
			field string
			hook  *corev1.LifecycleHandler
		}{{"postStart", l.PostStart}, {"preStop", l.PreStop}} {
			if h.hook != nil && h.hook.Exec != nil {
				lines = append(lines, commandLine{h.field + " command", cr.Path + ".lifecycle." + h.field + ".exec.command", h.hook.Exec.Command})
			}
		}
	}
	return lines
}

var (
	// flagWord is a command-line flag, with its value when written --flag=value.
	flagWord = regexp.MustCompile(`^--?([A-Za-z][A-Za-z0-9_.-]*)(=(.*))?$`)
	// negatedFlag is a flag that turns a credential off rather than passing one.
	negatedFlag = regexp.MustCompile(`(?i)^(no|disable|skip|without)-`)
	// envAssignment is NAME=value, as in `env NAME=value cmd`, a shell script or an env file.
	envAssignment = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)=(.*)$`)
	// passwordFlagTools are clients whose short flag takes a password: redis-cli -a PASSWORD and the
	// MySQL clients' -pPASSWORD (attached; a separate word after -p is a database name).
	redisCLI   = regexp.MustCompile(`(^|/)redis-cli$`)
	mysqlTools = regexp.MustCompile(`(^|/)(mysql|mysqladmin|mysqldump|mysqlsh|mariadb|mariadb-dump|mariadb-admin)$`)
)

// checkCommandLine reports literal credentials passed on a command line: --password=x, --api-key x,
// --requirepass x, NAME=x assignments, redis-cli -a x, mysql -px, and URLs with a password. Words
// of a shell script (sh -c "…") are read one by one.
func (r *credentialRules) checkCommandLine(o *engine.Object, subject string, cl commandLine) []engine.Result {
	if o.Unknown(cl.path) {
		return nil
	}
	var words []string
	var index []int // the command-line entry each word came from
	for i, w := range cl.words {
		for _, part := range strings.Fields(w) {
			words = append(words, strings.Trim(part, `"';`))
			index = append(index, i)
		}
		if strings.TrimSpace(w) == "" {
			words, index = append(words, ""), append(index, i)
		}
	}
	fix := fmt.Sprintf("pass it through an env var from a Secret (valueFrom.secretKeyRef) and refer to it as $(VAR) in %s", cl.what)
	var out []engine.Result
	report := func(problem string) {
		out = append(out, engine.Violation(o, subject, cl.what+" "+problem, fix))
	}
	tool := ""
	for i, w := range words {
		next, nextUnknown := "", false
		if i+1 < len(words) {
			next, nextUnknown = words[i+1], o.Unknown(engine.JoinIndex(cl.path, index[i+1]))
		}
		if found := embeddedCredential(w); found != "" {
			report("holds " + found)
			continue
		}
		if redisCLI.MatchString(w) || mysqlTools.MatchString(w) {
			tool = w
		}
		switch m := flagWord.FindStringSubmatch(w); {
		case w == "-a" && redisCLI.MatchString(tool) && next != "" && credentialShaped("password", next):
			report("pass a literal password to redis-cli -a")
		case strings.HasPrefix(w, "-p") && len(w) > 2 && mysqlTools.MatchString(tool):
			if credentialShaped("password", w[2:]) {
				report(fmt.Sprintf("pass a literal password to %s -p", tool[strings.LastIndex(tool, "/")+1:]))
			}
		case m != nil && m[2] != "" && r.credentialName(m[1]) && credentialShaped(m[1], m[3]):
			report(fmt.Sprintf("pass a literal value to --%s", strings.TrimLeft(m[1], "-")))
		case m != nil && m[2] == "" && len(m[1]) > 1 && r.credentialName(m[1]) && !negatedFlag.MatchString(m[1]) &&
			(next != "" || nextUnknown) && !strings.HasPrefix(next, "-"):
			if nextUnknown {
				out = append(out, engine.Undecided(o, subject, engine.JoinIndex(cl.path, index[i+1])))
			} else if credentialShaped(m[1], next) {
				report(fmt.Sprintf("pass a literal value to %s", w))
			}
		default:
			if m := envAssignment.FindStringSubmatch(w); m != nil && r.credentialName(m[1]) && credentialShaped(m[1], m[2]) {
				report(fmt.Sprintf("set %s to a literal value", m[1]))
			}
		}
	}
	return out
}

func (r *credentialRules) checkEnv(o *engine.Object, subject, path string, e corev1.EnvVar) (engine.Result, bool) {
	valueUnknown := o.Unknown(path+".value") || o.Unknown(path)
	if slices.Contains(r.SecretRefOnly, e.Name) {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			return engine.Result{}, false
		case o.Unknown(path + ".valueFrom"):
			return engine.Undecided(o, subject, path+".valueFrom"), true
		case e.ValueFrom != nil:
			return engine.Violation(o, subject, fmt.Sprintf("env %s does not come from a Secret", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		case valueUnknown:
			return engine.Violation(o, subject, fmt.Sprintf("env %s has a literal value", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		case e.Value == "":
			return engine.Violation(o, subject, fmt.Sprintf("env %s is empty, so the default credential applies", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		default:
			return engine.Violation(o, subject, fmt.Sprintf("env %s has a literal value", e.Name),
				"reference a Secret with valueFrom.secretKeyRef"), true
		}
	}
	if e.ValueFrom != nil {
		return engine.Result{}, false
	}
	if valueUnknown {
		if r.credentialName(e.Name) || urlLikeName.MatchString(e.Name) {
			return engine.Undecided(o, subject, path+".value"), true
		}
		return engine.Result{}, false
	}
	if problem := r.literalProblem("env", e.Name, e.Value); problem != "" {
		return engine.Violation(o, subject, problem, "reference a Secret with valueFrom.secretKeyRef"), true
	}
	return engine.Result{}, false
}

// checkConfigMapCredentials judges each data value, and each binaryData value that is UTF-8 text
// (the API base64-decodes it), whole under its key, then as a config file (noliteralcredentials_configfiles.go).
func checkConfigMapCredentials(o *engine.Object, cm *corev1.ConfigMap, r *credentialRules) []engine.Result {
	var out []engine.Result
	for _, field := range []string{"data", "binaryData"} {
		if o.Unknown(field) {
			out = append(out, engine.Undecided(o, o.Subject(), field))
		}
	}
	if len(out) > 0 && o.Unknown("data") {
		return out
	}
	values := map[string]string{}
	for k, v := range cm.Data {
		values[k] = v
	}
	for k, b := range cm.BinaryData {
		if _, inData := values[k]; !inData && utf8.Valid(b) && !bytes.ContainsRune(b, 0) {
			values[k] = string(b)
		}
	}
	const fix = "move it to a Secret and reference it with secretKeyRef"
	for _, k := range slices.Sorted(maps.Keys(values)) {
		// literalProblem searches the value for embedded credentials; what is left is its settings.
		if problem := r.literalProblem("key", k, values[k]); problem != "" {
			out = append(out, engine.Violation(o, o.Subject(), problem, fix))
			continue
		}
		for _, problem := range r.settingProblems("key", k, values[k]) {
			out = append(out, engine.Violation(o, o.Subject(), problem, fix))
		}
	}
	for _, u := range o.UnknownPaths() {
		k, ok := childKey("data", u)
		if !ok {
			k, ok = childKey("binaryData", u)
		}
		if ok && (r.credentialName(k) || urlLikeName.MatchString(k)) {
			out = append(out, engine.Undecided(o, o.Subject(), u))
		}
	}
	return out
}

// unquote removes one pair of matching quotes around a value.
func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// childKey returns the map key of path when path is a direct child of parent.
func childKey(parent, path string) (string, bool) {
	if !engine.IsPrefixPath(parent, path) || len(path) == len(parent) {
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
