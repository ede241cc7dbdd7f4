package checks

import (
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// GatewayBackendExists is ingress-backend-exists for the Gateway API: every HTTPRoute backendRef to a
// Service names one in the stack and a port it exposes, and one in another namespace has a
// ReferenceGrant there that admits it.
var GatewayBackendExists = &engine.Policy{
	Name:        "gateway-backend-exists",
	Description: "Every HTTPRoute backendRef names a Service in the stack and a port that Service exposes, or one in another namespace that a ReferenceGrant there admits.",
	Remediation: "point the backendRef at an existing Service and one of its ports (another namespace's needs a ReferenceGrant from HTTPRoutes of this one)",
	Why:         "ingress-backend-exists's rule for the Gateway API; a missing backend answers 500",
	Level:       engine.Mandatory,
	Stack:       checkGatewayBackendExists,
}

func checkGatewayBackendExists(s *engine.Stack, _ *engine.Config) []engine.Result {
	var out []engine.Result
	for _, ro := range s.Objects {
		if !isGatewayKind(ro, "HTTPRoute") {
			continue
		}
		if ro.NamespaceUnknown || ro.UnknownWithin("spec.rules") {
			out = append(out, engine.Undecided(ro, ro.Subject(), "spec.rules"))
			continue
		}
		var route struct {
			Spec struct {
				Rules []struct {
					BackendRefs []httpRouteBackendRef `json:"backendRefs"`
				} `json:"rules"`
			} `json:"spec"`
		}
		if err := gatewayFields(ro, &route); err != nil {
			out = append(out, engine.Violation(ro, ro.Subject(), "spec.rules cannot be read: "+err.Error(), ""))
			continue
		}
		for i, rule := range route.Spec.Rules {
			for j, ref := range rule.BackendRefs {
				if (ref.Group != "" && ref.Group != "core") || (ref.Kind != "" && ref.Kind != "Service") {
					continue // not a Service: another kind's controller resolves it
				}
				path := engine.JoinIndex(engine.JoinIndex("spec.rules", i)+".backendRefs", j)
				where := fmt.Sprintf("rule %d, backendRef %d", i, j)
				if ref.Namespace != "" && ref.Namespace != ro.Namespace {
					out = append(out, checkReferenceGrant(s, ro, ref, where)...)
					continue
				}
				b := &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
					Name: ref.Name, Port: networkingv1.ServiceBackendPort{Number: ref.Port}}}
				out = append(out, checkBackend(s, ro, ingressBackend{b: b, path: path, where: where})...)
			}
		}
	}
	return out
}

// checkReferenceGrant refuses a backendRef to a Service of another namespace unless a ReferenceGrant
// of the stack in that namespace admits HTTPRoutes of the route's namespace to that Service.
func checkReferenceGrant(s *engine.Stack, ro *engine.Object, ref httpRouteBackendRef, where string) []engine.Result {
	for _, g := range s.Objects {
		if !isGatewayKind(g, "ReferenceGrant") || g.Namespace != ref.Namespace {
			continue
		}
		var grant struct {
			Spec struct {
				From []struct{ Group, Kind, Namespace string } `json:"from"`
				To   []struct{ Group, Kind, Name string }      `json:"to"`
			} `json:"spec"`
		}
		if gatewayFields(g, &grant) != nil {
			continue
		}
		from, to := false, false
		for _, f := range grant.Spec.From {
			from = from || (f.Group == gatewayGroup && f.Kind == "HTTPRoute" && f.Namespace == ro.Namespace)
		}
		for _, t := range grant.Spec.To {
			to = to || (t.Group == "" && t.Kind == "Service" && (t.Name == "" || t.Name == ref.Name))
		}
		if from && to {
			return nil
		}
	}
	subject := fmt.Sprintf("%s backend (%s)", ro.Subject(), where)
	return []engine.Result{engine.Violation(ro, subject,
		fmt.Sprintf("Service %q is in namespace %q, where no ReferenceGrant of the stack admits HTTPRoutes of namespace %q", ref.Name, ref.Namespace, ro.Namespace),
		fmt.Sprintf("add a ReferenceGrant in namespace %q from HTTPRoutes of %q to the Service, or route to a Service in %q", ref.Namespace, ro.Namespace, ro.Namespace))}
}
