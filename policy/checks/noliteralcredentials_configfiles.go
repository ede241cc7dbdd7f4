package checks

// Credentials inside config files: no-literal-credentials reads a ConfigMap value (or an annotation)
// as the config file it usually is and judges every key = value it sets with the same name and value
// rules as an env var (credentialName, credentialShaped), so one judgment serves every syntax.
//
// The syntax is chosen per value: a key ending .json/.yaml/.yml, or content that parses as a JSON or
// YAML map or list, is read as a structure and judged key by key at any depth (the leaf key is judged,
// the message names its path: redis.password, users[0].token); a key ending .env/.ini/.toml/
// .properties/.conf/.cfg, or content that is no YAML structure, is read line by line (NAME=value,
// key = value, key: value, [section] headers prefixing the keys that follow, # ; ! // comments).
// Whatever the syntax, every line is also searched for URLs whose query parameters carry a credential
// (?api_key=…) and for HTTP headers set in nginx directives (proxy_set_header Authorization "Bearer …")
// or quoted header lines ("Authorization: Bearer …"); Authorization and Proxy-Authorization are
// credential names whatever namePattern says, their scheme word (Bearer, Basic) is not the credential.
// A structure (a YAML/JSON map or list, a TOML inline table or array) is never itself a literal, and
// what sits under valueFrom, secretKeyRef or any …SecretRef key refers to a Secret.

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

var (
	// sectionHeader is an ini or TOML [section] / [[array.of.tables]] header.
	sectionHeader = regexp.MustCompile(`^\[\[?\s*([^\[\]]*?)\s*\]\]?$`)
	// settingLine is NAME=value, export NAME=value, key = value or key: value, the key maybe quoted.
	settingLine = regexp.MustCompile(`^(?:export\s+)?("[^"]+"|'[^']+'|[A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*)$`)
	// headerDirective is an nginx directive setting a request or response header (the ingress-nginx
	// configuration-snippet), followed by the header's name and value.
	headerDirective = regexp.MustCompile(`^(?:proxy_set_header|grpc_set_header|add_header|more_set_headers|more_set_input_headers)\s+(.*?)\s*;?\s*$`)
	// quotedHeader is a "Name: value" header line in quotes, as curl -H and more_set_headers take it.
	quotedHeader = regexp.MustCompile(`["']([A-Za-z][A-Za-z0-9-]*):\s*([^"']*)["']`)
	// headerWords is a header name and its value, separated by blanks, the value maybe quoted.
	headerWords = regexp.MustCompile(`^["']?([A-Za-z][A-Za-z0-9-]*)["']?\s+(.*)$`)
	// urlInText finds URLs in free text.
	urlInText = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>`]+")
	// authorizationHeader names the headers whose value is a credential after its scheme word.
	authorizationHeader = regexp.MustCompile(`(?i)^(proxy-)?authorization$`)
	// authScheme is the scheme word that starts an Authorization value (Bearer, Basic, Token, …).
	authScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
	// bareAuthScheme is an Authorization value that is only a scheme word, with no credential.
	bareAuthScheme = regexp.MustCompile(`(?i)^(bearer|basic|token|digest|negotiate|ntlm|apikey)$`)
	// secretRefKey is a structured key whose value refers to a Secret rather than holding a value.
	secretRefKey = regexp.MustCompile(`(?i)^(valueFrom|secretKeyRef|secretRef|.+SecretRef|.+SecretKeyRef|secretKeySelector)$`)
)

// lineSyntaxExtensions are file names read line by line even when their content parses as YAML.
var lineSyntaxExtensions = map[string]bool{".env": true, ".ini": true, ".toml": true, ".properties": true, ".conf": true, ".cfg": true}

// literalSetting reports whether a config file setting name to value sets a credential to a literal:
// a credential name (or an Authorization header) with a credential-shaped value.
func (r *credentialRules) literalSetting(name, value string) bool {
	if authorizationHeader.MatchString(name) {
		words := strings.Fields(value)
		switch {
		case len(words) == 1 && bareAuthScheme.MatchString(words[0]):
			return false
		case len(words) >= 2 && authScheme.MatchString(words[0]):
			value = strings.Join(words[1:], " ")
		}
		return credentialShaped(name, value)
	}
	return r.credentialName(name) && credentialShaped(name, value)
}

// configProblems lists, for a config file's text, where it sets a credential to a literal value, each
// as the phrase that follows "key app.ini" in a message: "line 3 sets db.password", "sets
// redis.password", "line 2 sets URL query parameter api_key". The value itself is never in it.
func (r *credentialRules) configProblems(file, text string) []string {
	var out []string
	ext := strings.ToLower(path.Ext(file))
	if docs, ok := parseConfigStructure(ext, text); ok {
		for i, doc := range docs {
			var found []string
			r.walkStructure(doc, "", &found)
			for _, phrase := range found {
				if len(docs) > 1 {
					phrase = "document " + strconv.Itoa(i+1) + " " + phrase
				}
				out = append(out, phrase)
			}
		}
		out = append(out, r.lineProblems(text, false)...)
	} else {
		out = append(out, r.lineProblems(text, true)...)
	}
	return uniquePhrases(out)
}

// parseConfigStructure reads text as JSON or YAML documents when it holds a map or a list. It reports
// false for line-syntax files and for text that is a scalar or no YAML.
func parseConfigStructure(ext, text string) ([]any, bool) {
	trimmed := strings.TrimSpace(text)
	if lineSyntaxExtensions[ext] || trimmed == "" {
		return nil, false
	}
	if (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid([]byte(trimmed)) {
		v, err := decodeConfigJSON([]byte(trimmed))
		return []any{v}, err == nil && isMapOrList(v)
	}
	if ext != ".yaml" && ext != ".yml" && ext != ".json" && !strings.Contains(trimmed, ":") && trimmed[0] != '-' {
		return nil, false // no key: value pair nor list item, so no YAML structure worth parsing
	}
	var docs []any
	for _, doc := range yamlDocuments(text) {
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return nil, false
		}
		v, err := decodeConfigJSON(j)
		if err != nil {
			return nil, false
		}
		if v != nil {
			docs = append(docs, v)
		}
	}
	return docs, slices.ContainsFunc(docs, isMapOrList)
}

// yamlDocuments splits a YAML stream at its "---" separator lines.
func yamlDocuments(text string) []string {
	var docs []string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		if line == "---" || strings.HasPrefix(line, "--- ") {
			docs, cur = append(docs, strings.Join(cur, "\n")), nil
			continue
		}
		cur = append(cur, line)
	}
	return append(docs, strings.Join(cur, "\n"))
}

// decodeConfigJSON decodes one JSON value keeping numbers as written (a numeric password stays digits).
func decodeConfigJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func isMapOrList(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// walkStructure judges every scalar under a key, at any depth, in key order.
func (r *credentialRules) walkStructure(v any, at string, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if secretRefKey.MatchString(k) {
				continue
			}
			p := k
			if at != "" {
				p = at + "." + k
			}
			switch child := v[k].(type) {
			case string:
				if r.literalSetting(k, child) {
					*out = append(*out, "sets "+p)
				}
			case json.Number:
				if r.literalSetting(k, child.String()) {
					*out = append(*out, "sets "+p)
				}
			default: // maps and lists are not literals; booleans and nulls are settings
				r.walkStructure(child, p, out)
			}
		}
	case []any:
		for i, e := range v {
			r.walkStructure(e, engine.JoinIndex(at, i), out)
		}
	}
}

// lineProblems judges text line by line: settings (when settings is true), header directives and
// quoted headers, and URL query parameters.
func (r *credentialRules) lineProblems(text string, settings bool) []string {
	var out []string
	section := ""
	for n, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '!' || strings.HasPrefix(line, "//") {
			continue
		}
		at := "line " + strconv.Itoa(n+1) + " sets "
		if settings {
			if m := sectionHeader.FindStringSubmatch(line); m != nil {
				section = strings.Trim(m[1], `"'`)
				continue
			}
			if m := settingLine.FindStringSubmatch(line); m != nil {
				name := strings.Trim(m[1], `"'`)
				if v, literal := settingValueText(m[2]); literal && r.literalSetting(name, v) {
					if section != "" {
						name = section + "." + name
					}
					out = append(out, at+name)
				}
			}
		}
		// Each pattern below needs a substring checked first, far cheaper than running it on every line.
		var directive []string
		if strings.Contains(line, "header") {
			directive = headerDirective.FindStringSubmatch(line)
		}
		if m := directive; m != nil {
			header := unquote(m[1])
			if h := quotedHeader.FindStringSubmatch(`"` + header + `"`); h != nil {
				if r.literalSetting(h[1], h[2]) {
					out = append(out, at+h[1])
				}
			} else if h := headerWords.FindStringSubmatch(m[1]); h != nil && r.literalSetting(h[1], unquote(h[2])) {
				out = append(out, at+h[1])
			}
		} else if strings.Contains(line, ":") && strings.ContainsAny(line, `"'`) {
			for _, h := range quotedHeader.FindAllStringSubmatch(line, -1) {
				if r.literalSetting(h[1], h[2]) {
					out = append(out, at+h[1])
				}
			}
		}
		if !strings.Contains(line, "://") || !strings.ContainsAny(line, "?#") {
			continue
		}
		for _, name := range r.urlQueryCredentials(line) {
			out = append(out, at+"URL query parameter "+name)
		}
	}
	return out
}

// settingValueText reads the value of a key = value line: the text inside its quotes (TOML's triple
// quotes too), or the unquoted text before a " #" or " ;" comment. literal is false for a TOML inline
// table or array, which is a structure, not a literal.
func settingValueText(v string) (text string, literal bool) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", true
	case v[0] == '[' || v[0] == '{':
		return "", false
	case strings.HasPrefix(v, `"""`) || strings.HasPrefix(v, "'''"):
		inner := v[3:]
		if end := strings.Index(inner, v[:3]); end >= 0 {
			inner = inner[:end]
		}
		return inner, true
	case v[0] == '"' || v[0] == '\'':
		for i := 1; i < len(v); i++ {
			switch {
			case v[i] == '\\' && v[0] == '"':
				i++
			case v[i] == v[0]:
				return v[1:i], true
			}
		}
		return v[1:], true
	}
	for _, comment := range []string{" #", "\t#", " ;", "\t;"} {
		if i := strings.Index(v, comment); i >= 0 {
			v = v[:i]
		}
	}
	return strings.TrimSpace(v), true
}

// urlQueryCredentials lists the credential-named query (or fragment) parameters with literal values
// of the URLs in a line of text, in order.
func (r *credentialRules) urlQueryCredentials(line string) []string {
	var out []string
	for _, raw := range urlInText.FindAllString(line, -1) {
		u, err := url.Parse(strings.TrimRight(raw, ".,;)]}"))
		if err != nil {
			continue
		}
		for _, query := range []string{u.RawQuery, u.Fragment} {
			if !strings.Contains(query, "=") {
				continue
			}
			params, _ := url.ParseQuery(query) // keeps every well-formed parameter
			for _, name := range slices.Sorted(maps.Keys(params)) {
				for _, v := range params[name] {
					if r.credentialName(name) && credentialShaped(name, v) {
						out = append(out, name)
						break
					}
				}
			}
		}
	}
	return out
}

// uniquePhrases drops repeated phrases, keeping the first of each.
func uniquePhrases(phrases []string) []string {
	seen := map[string]bool{}
	out := phrases[:0]
	for _, p := range phrases {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
