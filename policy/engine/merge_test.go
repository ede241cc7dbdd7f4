package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPerObjectMergesOneObjectsResultsAndKeepsNotes(t *testing.T) {
	a, b := &Object{Kind: "Deployment", Name: "a"}, &Object{Kind: "Pod", Name: "b"}
	p := &Policy{Name: "p", Remediation: "fix it"}
	got := PerObject([]Result{
		Violation(a, `Deployment "a" container "x"`, "x is wrong", ""),
		Undecided(a, `Deployment "a" container "y"`, "spec.y"),
		Violation(b, `Pod "b" container "z"`, "z is wrong", "fix z"),
		Violation(a, `Deployment "a" container "w"`, "w is wrong", "fix w"),
	})
	var messages []string
	for _, r := range got {
		messages = append(messages, r.Message(p))
	}
	assert.Equal(t, []string{
		`Deployment "a": container "x": x is wrong; container "w": w is wrong (fix w); fix it`,
		`Deployment "a" container "y": p cannot decide during preview: spec.y is not known yet; it is checked again when the value is known`,
		`Pod "b" container "z": z is wrong; fix z`,
	}, messages, "messages")
}
