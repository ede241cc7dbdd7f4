package stacktest

import (
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// PolicyResources are the Kubernetes objects of a record as the policy pack sees them: decoded by the
// pack's own decoding, with their URNs and ignoreChanges.
func PolicyResources(rec *Record) []checks.Resource {
	var resources []checks.Resource
	for _, r := range rec.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		res := checks.ResourceFromInputs(r.Type, r.Name, r.Inputs)
		res.URN, res.IgnoreChanges = r.URN, r.IgnoreChanges
		resources = append(resources, res)
	}
	return resources
}

// Evaluate is the policy pack's findings on the Kubernetes objects of a record, judged as a production
// stack or not.
func Evaluate(rec *Record, production bool) []checks.Finding {
	return checks.Evaluate(PolicyResources(rec), checks.Options{Production: production})
}
