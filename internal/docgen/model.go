package docgen

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Key is one documented configuration key: a top-level key of the stack file, or a field nested in
// an object key, named by its dotted path.
type Key struct {
	// Path is the dotted key without the project prefix, e.g. "ingress.className"; the fields of a
	// shape shared by several keys are documented once under a placeholder, e.g.
	// "workloads.<workload>.pod.env".
	Path string
	// Type is the Go type, described to users by config.TypeName.
	Type reflect.Type
	// Doc is the field's doc comment, in the stack file's vocabulary.
	Doc string
	// Dev and Prod are the defaults in each environment, as a user would write them ("" for none).
	Dev, Prod string
	// Enum lists the only values accepted, from the field's enum tag.
	Enum []string
	// Secret marks the keys whose value must be set with `pulumi config set --secret`.
	Secret bool
	// Fields are an object's fields, in declaration order.
	Fields []*Key
	// Shape is the one description of a shape shared by several keys (see sharedShapes), whose Fields
	// stand for this key's; nil for other keys.
	Shape *Key
	// Strict is the Kubernetes API type the program decodes the key's raw value into, refusing unknown
	// fields (tolerations, affinity, topologySpread); nil for other keys.
	Strict reflect.Type
}

// strictlyDecoded are the pod options whose raw values config.Placement decodes into Kubernetes's own
// types: the field of Placement named as the option's field.
var strictlyDecoded = reflect.TypeFor[config.Placement]()

// IsObject reports whether the key holds an object of documented fields.
func (k *Key) IsObject() bool { return len(k.Fields) > 0 || k.Shape != nil }

// TypeName is the key's type in the words of a stack file.
func (k *Key) TypeName() string { return config.TypeName(k.Type) }

// sharedShapes are struct types documented once, under a placeholder path, wherever they appear: the
// pod options every workload takes (their defaults are empty everywhere).
var sharedShapes = map[reflect.Type]string{
	reflect.TypeFor[config.PodOptions](): "workloads.<workload>.pod",
}

// absentSecrets says what the program does without each secret key: the defaults column of the
// reference. Every key of config.SecretKeys must be here (Model fails otherwise).
var absentSecrets = map[string]string{
	config.PostgresPasswordKey:  "generated, unless postgres is external and names passwordSecret",
	config.RedisPasswordKey:     "generated, unless redis is external and names passwordSecret",
	config.JWTSecretKey:         "generated",
	config.LLMAPIKeyKey:         "none: llm.apiKeySecret supplies the key, or the provider (ollama) needs none",
	config.AlertWebhookURLKey:   "none: no webhook receiver",
	config.AlertSMTPPasswordKey: "none: email (if monitoring.alertmanager.emailTo is set) is sent without SMTP authentication",
	config.KubeconfigKey:        "none: the ambient kubeconfig is used, at cluster.context if set",
}

// Model describes every key of the configuration, from the config package's types, its source's doc
// comments (configDir is the package's folder) and its defaults per environment.
func Model(configDir string) ([]*Key, error) {
	docs, err := readDocs(configDir)
	if err != nil {
		return nil, err
	}
	b := &builder{docs: docs, shared: map[string]*Key{}}
	dev, prod := reflect.ValueOf(config.Defaults(config.Dev)), reflect.ValueOf(config.Defaults(config.Prod))
	t := reflect.TypeFor[config.Config]()
	var keys []*Key
	scalars := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		key, isObject := jsonKey(f)
		if !isObject {
			key = lowerFirst(f.Name)
			if !slices.Contains(config.ScalarKeys, key) {
				continue // not a key of the stack file (Supplied)
			}
			scalars[key] = true
		}
		k, err := b.field(t, f, key, dev.Field(i), prod.Field(i))
		if err != nil {
			return nil, err
		}
		if !isObject {
			// The scalar keys' defaults are Pulumi.yaml's, the same in every environment.
			k.Dev, k.Prod = f.Tag.Get("default"), f.Tag.Get("default")
		}
		keys = append(keys, k)
	}
	if len(b.undocumented) > 0 {
		return nil, fmt.Errorf("config fields without a doc comment (document each in config/): %s", strings.Join(b.undocumented, ", "))
	}
	for _, key := range config.ScalarKeys {
		if !scalars[key] {
			return nil, fmt.Errorf("scalar key %s has no field of config.Config named after it", key)
		}
	}
	for _, key := range config.SecretKeys {
		absent, ok := absentSecrets[key]
		if !ok {
			return nil, fmt.Errorf("secret key %s: say in docgen.absentSecrets what the program does without it", key)
		}
		doc := docs.stringConsts[key]
		if doc == "" {
			return nil, fmt.Errorf("secret key %s has no doc comment on its constant in config/keys.go", key)
		}
		keys = append(keys, &Key{Path: key, Type: reflect.TypeFor[string](), Doc: doc, Secret: true, Dev: absent, Prod: absent})
	}
	return keys, nil
}

// builder walks the config structs.
type builder struct {
	docs *sourceDocs
	// shared holds the shapes of sharedShapes already described, by placeholder.
	shared map[string]*Key
	// undocumented lists the fields without a doc comment.
	undocumented []string
}

// field describes the field f of struct type owner at path, with its values in the two defaults.
func (b *builder) field(owner reflect.Type, f reflect.StructField, path string, dev, prod reflect.Value) (*Key, error) {
	doc := b.docs.fields[owner.Name()+"."+f.Name]
	if name := owner.Name() + "." + f.Name; doc == "" && !slices.Contains(b.undocumented, name) {
		b.undocumented = append(b.undocumented, name)
	}
	k := &Key{Path: path, Type: f.Type, Doc: userWords(doc, f.Name, owner), Dev: shown(dev), Prod: shown(prod)}
	if e := f.Tag.Get("enum"); e != "" {
		k.Enum = strings.Split(e, ",")
	}
	if narrowed, ok := config.NarrowedEnums[path]; ok {
		k.Enum = narrowed
	}
	if owner == reflect.TypeFor[config.PodOptions]() {
		if p, ok := strictlyDecoded.FieldByName(f.Name); ok {
			k.Strict = p.Type
		}
	}
	if f.Type.Kind() != reflect.Struct {
		return k, nil
	}
	k.Dev, k.Prod = "", ""
	if placeholder, ok := sharedShapes[f.Type]; ok {
		if b.shared[placeholder] == nil {
			shape, err := b.fields(&Key{Path: placeholder, Type: f.Type, Doc: k.Doc}, dev, prod)
			if err != nil {
				return nil, err
			}
			b.shared[placeholder] = shape
		}
		k.Shape = b.shared[placeholder]
		return k, nil
	}
	return b.fields(k, dev, prod)
}

// fields describes the fields of k, a struct, with their values in the two defaults.
func (b *builder) fields(k *Key, dev, prod reflect.Value) (*Key, error) {
	for i := range k.Type.NumField() {
		sub := k.Type.Field(i)
		key, ok := jsonKey(sub)
		if !ok {
			continue
		}
		child, err := b.field(k.Type, sub, k.Path+"."+key, dev.Field(i), prod.Field(i))
		if err != nil {
			return nil, err
		}
		k.Fields = append(k.Fields, child)
	}
	return k, nil
}

// jsonKey is a field's key in the stack file (its json name), and whether it has one.
func jsonKey(f reflect.StructField) (string, bool) {
	key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return key, key != "" && key != "-"
}

// shown is a default value as a stack file would spell it; "" for none.
func shown(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return ""
		}
		var parts []string
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				parts = append(parts, fmt.Sprint(v.Index(i).Interface()))
			}
			return "[" + strings.Join(parts, ", ") + "]"
		}
		for _, mk := range v.MapKeys() {
			parts = append(parts, fmt.Sprintf("%v: %v", mk.Interface(), v.MapIndex(mk).Interface()))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v.Interface())
}

// lowerFirst is a Go field name as a config key: KubernetesVersion is kubernetesVersion.
func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// goName matches Go identifiers with an inner capital (EmailTo, SMTPSmarthost, RWXClassName): names
// no English sentence uses, which userWords replaces by their keys.
var goName = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*[a-z][A-Z][A-Za-z0-9]*\b|\b[A-Z]{2,}[a-z][A-Za-z0-9]*\b`)

// userWords turns a Go doc comment into the stack file's words: the field's name as the subject
// goes ("Name is"/"Name are" with it), and the Go names of owner's fields become their keys.
func userWords(doc, name string, owner reflect.Type) string {
	doc = withoutSubject(doc, name)
	keys := map[string]string{}
	for i := range owner.NumField() {
		if key, ok := jsonKey(owner.Field(i)); ok {
			keys[owner.Field(i).Name] = key
		}
	}
	// The subject of a comment shared by several fields ("Host and Port address…") names them all.
	words := strings.SplitAfter(doc, " ")
	for i, w := range words {
		bare := strings.TrimRight(w, ", ")
		if key, ok := keys[bare]; ok {
			words[i] = "`" + key + "`" + w[len(bare):]
		} else if bare != "and" && bare != "or" {
			break
		}
	}
	return goName.ReplaceAllStringFunc(strings.Join(words, ""), func(word string) string {
		if key, ok := keys[word]; ok {
			return "`" + key + "`"
		}
		return word
	})
}

// withoutSubject drops the Go name a doc comment starts with: "Name is the class…" reads "The
// class…", and "Name sizes every…" reads "Sizes every…".
func withoutSubject(doc, name string) string {
	rest, ok := strings.CutPrefix(doc, name+" ")
	if !ok || rest == "" || !unicode.IsLower(rune(rest[0])) || strings.HasPrefix(rest, "and ") || strings.HasPrefix(rest, "or ") {
		return doc
	}
	for _, verb := range []string{"is ", "are "} {
		rest = strings.TrimPrefix(rest, verb)
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}
