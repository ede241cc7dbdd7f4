package checks

// ObjectReadable reports Kubernetes objects whose properties do not fit their type, so the other
// policies cannot judge them (a validator never fails the run with an error; it reports this).
var ObjectReadable = &Policy{
	Name:        "kubernetes-object-readable",
	Description: "Kubernetes objects have properties of the types their API defines, so policies can check them.",
	Remediation: "fix the value to the type the Kubernetes API expects",
	Why:         "bad input must be reported, never crash the pack or pass unchecked",
	Level:       Mandatory,
	Kinds:       []string{EveryKind},
	Resource:    checkReadable,
}

func checkReadable(o *Object, _ *Config) []Result {
	if o.Problem == "" {
		return nil
	}
	return []Result{Violation(o, o.Subject(), "cannot be read as "+o.APIVersion()+" "+o.Kind+": "+o.Problem, "")}
}
