package checks

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

func TestPerObjectMergesOneObjectsResultsAndKeepsNotes(t *testing.T) {
	a, b := &engine.Object{Kind: "Deployment", Name: "a"}, &engine.Object{Kind: "Pod", Name: "b"}
	p := &engine.Policy{Name: "p", Remediation: "fix it"}
	got := engine.PerObject([]engine.Result{
		engine.Violation(a, `Deployment "a" container "x"`, "x is wrong", ""),
		engine.Undecided(a, `Deployment "a" container "y"`, "spec.y"),
		engine.Violation(b, `Pod "b" container "z"`, "z is wrong", "fix z"),
		engine.Violation(a, `Deployment "a" container "w"`, "w is wrong", "fix w"),
	})
	var messages []string
	for _, r := range got {
		messages = append(messages, r.Message(p))
	}
	assertLines(t, "messages", []string{
		`Deployment "a": container "x": x is wrong; container "w": w is wrong (fix w); fix it`,
		`Deployment "a" container "y": p cannot decide during preview: spec.y is not known yet; it is checked again when the value is known`,
		`Pod "b" container "z": z is wrong; fix z`,
	}, messages)
}
