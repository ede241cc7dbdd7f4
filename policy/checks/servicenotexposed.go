package checks

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ServiceNotExposed keeps Services inside the cluster: traffic enters through the Ingress, where TLS
// and routing are checked, not through a load balancer, node ports or external IPs.
var ServiceNotExposed = &engine.Policy{
	Name:        "service-not-exposed",
	Description: "No Service is of type LoadBalancer or NodePort or has externalIPs; traffic enters through the Ingress.",
	Remediation: "make it a ClusterIP Service and route outside traffic through an Ingress with TLS",
	Why:         "kube-score service-type, Pulumi disallowLoadBalancer (kube-linter exposed-services is opt-in); a bypass of the Ingress skips its TLS",
	Level:       engine.Mandatory,
	Kinds:       []string{"Service"},
	Resource:    checkServiceNotExposed,
}

func checkServiceNotExposed(o *engine.Object, _ *engine.Config) []engine.Result {
	if o.Unknown("spec.type") || o.Unknown("spec.externalIPs") {
		return []engine.Result{engine.Undecided(o, o.Subject(), "spec.type or spec.externalIPs")}
	}
	svc := o.Typed.(*corev1.Service)
	var problems []string
	switch svc.Spec.Type {
	case corev1.ServiceTypeLoadBalancer:
		problems = append(problems, "is of type LoadBalancer, which opens it to outside traffic that bypasses the Ingress")
	case corev1.ServiceTypeNodePort:
		problems = append(problems, "is of type NodePort, which opens it on every node's address")
	}
	if len(svc.Spec.ExternalIPs) > 0 {
		problems = append(problems, fmt.Sprintf("has externalIPs %s, which route outside traffic to it", strings.Join(svc.Spec.ExternalIPs, ", ")))
	}
	if len(problems) == 0 {
		return nil
	}
	return []engine.Result{engine.Violation(o, o.Subject(), strings.Join(problems, " and "), "")}
}
