package checks

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// IngressBackendExists requires every Ingress backend to name an existing Service and one of its ports.
var IngressBackendExists = &engine.Policy{
	Name:        "ingress-backend-exists",
	Description: "Every Ingress backend names a Service in the stack and a port that Service exposes.",
	Remediation: "point the backend at an existing Service and one of its ports",
	Why:         "kube-linter (dangling-ingress), kube-score; a missing backend answers 503",
	Level:       engine.Mandatory,
	Stack:       checkIngressBackendExists,
}

type ingressBackend struct {
	b     *networkingv1.IngressBackend
	path  string
	where string
}

func ingressBackends(ing *networkingv1.Ingress) []ingressBackend {
	var out []ingressBackend
	if ing.Spec.DefaultBackend != nil {
		out = append(out, ingressBackend{ing.Spec.DefaultBackend, "spec.defaultBackend", "default backend"})
	}
	for i, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for j := range r.HTTP.Paths {
			p := &r.HTTP.Paths[j]
			host := r.Host
			if host == "" {
				host = "*"
			}
			out = append(out, ingressBackend{&p.Backend,
				engine.JoinIndex(engine.JoinIndex("spec.rules", i)+".http.paths", j) + ".backend",
				fmt.Sprintf("host %s, path %s", host, p.Path)})
		}
	}
	return out
}

func checkIngressBackendExists(s *engine.Stack, _ *engine.Config) []engine.Result {
	var out []engine.Result
	for _, io := range s.OfKind("Ingress") {
		ing := io.Typed.(*networkingv1.Ingress)
		if io.NamespaceUnknown || io.Unknown("spec.rules") || io.Unknown("spec.defaultBackend") {
			out = append(out, engine.Undecided(io, io.Subject(), "spec"))
			continue
		}
		for _, b := range ingressBackends(ing) {
			if io.UnknownWithin(b.path) {
				out = append(out, engine.Undecided(io, io.Subject(), b.path))
				continue
			}
			if b.b.Service == nil {
				continue // A resource backend (e.g. a storage bucket) is not a Service.
			}
			out = append(out, checkBackend(s, io, b)...)
		}
	}
	return out
}

func checkBackend(s *engine.Stack, io *engine.Object, b ingressBackend) []engine.Result {
	name := b.b.Service.Name
	subject := fmt.Sprintf("%s backend (%s)", io.Subject(), b.where)
	services, unknown := s.Find(io, []string{"Service"}, engine.ByName("", "Service", name))
	if len(services) == 0 {
		return []engine.Result{engine.Unresolved(io, subject, s.HiddenBackendOwner(io.Namespace), unknown, "the name or namespace of a Service",
			engine.Violation(io, subject, fmt.Sprintf("Service %q is not in namespace %q of the stack", name, io.Namespace),
				fmt.Sprintf("point it at an existing Service in namespace %q", io.Namespace)))}
	}
	svcObj := services[0]
	if svcObj.UnknownWithin("spec.ports") {
		return []engine.Result{engine.Undecided(io, subject, "spec.ports of "+svcObj.Subject())}
	}
	svc := svcObj.Typed.(*corev1.Service)
	var exposed []string
	for _, p := range svc.Spec.Ports {
		want := b.b.Service.Port
		if (want.Name != "" && p.Name == want.Name) || (want.Name == "" && p.Port == want.Number) {
			return nil
		}
		if p.Name != "" {
			exposed = append(exposed, fmt.Sprintf("%d (%s)", p.Port, p.Name))
		} else {
			exposed = append(exposed, fmt.Sprint(p.Port))
		}
	}
	port := fmt.Sprint(b.b.Service.Port.Number)
	if b.b.Service.Port.Name != "" {
		port = fmt.Sprintf("%q", b.b.Service.Port.Name)
	}
	return []engine.Result{engine.Violation(io, subject,
		fmt.Sprintf("Service %q has no port %s; it exposes %s", name, port, strings.Join(exposed, ", ")),
		"use one of the Service's ports")}
}
