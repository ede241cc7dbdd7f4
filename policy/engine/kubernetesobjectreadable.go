package engine

import (
	"reflect"
	"strings"
)

// KubernetesObjectReadable reports Kubernetes objects whose properties do not fit their type, so the other
// policies cannot judge them (a validator never fails the run with an error; it reports this), and
// fields the type does not define, which the API server drops or rejects. Its podTemplatePaths say
// where custom resources carry a pod template.
var KubernetesObjectReadable = &Policy{
	Name:        "kubernetes-object-readable",
	Description: "Kubernetes objects have properties of the types their API defines, so policies can check them.",
	Remediation: "fix the value to the type the Kubernetes API expects",
	Why:         "bad input must be reported, never crash the pack or pass unchecked",
	Level:       Mandatory,
	Kinds:       []string{EveryKind},
	Params: &readableParams{PodTemplatePaths: []string{
		"argoproj.io/Rollout=spec.template", "keda.sh/ScaledJob=spec.jobTargetRef.template",
		"batch.volcano.sh/Job=spec.tasks[].template",
	}},
	Resource: checkReadable,
}

// readableParams are the parameters of kubernetes-object-readable.
type readableParams struct {
	PodTemplatePaths []string `param:"podTemplatePaths" pattern:"^[a-z0-9.-]+/[A-Za-z0-9]+=[A-Za-z0-9_]+(\\[\\])?(\\.[A-Za-z0-9_]+(\\[\\])?)*$" help:"group/Kind=path of the pod template a custom kind carries, judged like a Deployment's (spec.template and spec.jobTemplate.spec.template are found without it); [] after a key makes it an array of templates, or of objects holding one (spec.tasks[].template), each judged"`
}

func checkReadable(o *Object, _ *Config) []Result {
	var out []Result
	if o.Problem != "" {
		out = append(out, Violation(o, o.Subject(), "cannot be read as "+o.APIVersion()+" "+o.Kind+": "+o.Problem, ""))
	}
	for _, path := range o.UnknownFields {
		problem := path + " is not a field of " + o.APIVersion() + " " + o.Kind
		fix := "remove it or correct its name: the API server drops or rejects fields its type does not define"
		if name := caseFix(o.Typed, path); name != "" {
			problem += " (field names are case-sensitive)"
			fix = "rename it to " + name
		}
		out = append(out, Violation(o, o.Subject(), problem, fix))
	}
	return out
}

// caseFix returns the name of the field of typed's type that the last key of path spells in another
// case, or "" when there is none.
func caseFix(typed any, path string) string {
	t := reflect.TypeOf(typed)
	keys := strings.Split(path, ".")
	for i, key := range keys {
		key, _, _ = strings.Cut(key, "[") // list indexes do not change the type
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
			t = t.Elem()
		}
		switch {
		case t == nil:
			return ""
		case t.Kind() == reflect.Map:
			t = t.Elem()
			continue
		case t.Kind() != reflect.Struct:
			return ""
		}
		name, ft := jsonField(t, key, i == len(keys)-1)
		if ft == nil {
			return ""
		}
		if i == len(keys)-1 {
			return name
		}
		t = ft
	}
	return ""
}

// jsonField finds the field of struct type t whose JSON name is key (ignoring case when fold),
// looking into inlined structs, and returns its JSON name and type.
func jsonField(t reflect.Type, key string, fold bool) (string, reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) {
			if n, ft := jsonField(f.Type, key, fold); ft != nil {
				return n, ft
			}
			continue
		}
		if name == key || (fold && strings.EqualFold(name, key)) {
			return name, f.Type
		}
	}
	return "", nil
}
