package checks

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// WorkloadProbes requires liveness and readiness probes on the containers of long-running workloads.
var WorkloadProbes = &engine.Policy{
	Name:        "workload-probes",
	Description: "Every container of a long-running workload has a liveness and a readiness probe; a probe on a named port names a port of its container.",
	Remediation: "add livenessProbe and readinessProbe (httpGet, tcpSocket, grpc or exec)",
	Why: "review finding 1 (celery-worker, celery-beat, prometheus, grafana had none); Polaris, kube-score, Kyverno, Checkov, " +
		"kube-linter no-liveness-probe/no-readiness-probe (opt-in); probe ports: kube-linter liveness-port, readiness-port, startup-port",
	Level:    engine.Mandatory,
	Kinds:    []string{engine.PodBearing},
	Resource: checkWorkloadProbes,
}

func checkWorkloadProbes(o *engine.Object, _ *engine.Config) []engine.Result {
	w, _ := o.Workload()
	if !w.LongRunning {
		return nil // Jobs and CronJobs run to completion; init containers are exempt below.
	}
	return engine.ForContainers(o, w, false, func(c engine.ContainerRef) []engine.Result {
		var out []engine.Result
		var missing []string
		for _, p := range []struct {
			field string
			probe *corev1.Probe
		}{{"livenessProbe", c.C.LivenessProbe}, {"readinessProbe", c.C.ReadinessProbe}} {
			path := c.Path + "." + p.field
			switch {
			case p.probe == nil && o.Unknown(path):
				out = append(out, engine.Undecided(o, engine.ContainerSubject(o, c), path))
			case p.probe == nil:
				missing = append(missing, p.field)
			case !hasHandler(p.probe) && !o.UnknownWithin(path):
				out = append(out, engine.Violation(o, engine.ContainerSubject(o, c), p.field+" has no handler",
					"give it an httpGet, tcpSocket, grpc or exec check"))
			}
		}
		if len(missing) > 0 {
			out = append(out, engine.Violation(o, engine.ContainerSubject(o, c), "no "+strings.Join(missing, " and no "),
				"add "+strings.Join(missing, " and ")+" (httpGet, tcpSocket, grpc or exec)"))
		}
		return append(out, checkProbePorts(o, w, c)...)
	})
}

// checkProbePorts reports a probe aimed at a named port its container does not declare: the kubelet
// can never resolve it, so the probe never passes (kube-linter's liveness-port, readiness-port and
// startup-port). A port number needs no declaration: declaring container ports is informational, and a
// probe on an undeclared number is valid Kubernetes that works.
func checkProbePorts(o *engine.Object, w engine.Workload, c engine.ContainerRef) []engine.Result {
	var out []engine.Result
	for _, p := range []struct {
		field string
		probe *corev1.Probe
	}{{"livenessProbe", c.C.LivenessProbe}, {"readinessProbe", c.C.ReadinessProbe}, {"startupProbe", c.C.StartupProbe}} {
		if p.probe == nil {
			continue
		}
		var port intstr.IntOrString
		switch h := p.probe.ProbeHandler; {
		case h.HTTPGet != nil:
			port = h.HTTPGet.Port
		case h.TCPSocket != nil:
			port = h.TCPSocket.Port
		}
		if port.Type != intstr.String {
			continue // a number (gRPC's always), or an exec probe
		}
		path := c.Path + "." + p.field
		if o.UnknownWithin(path) || o.UnknownWithin(w.SpecPath+".containers") {
			continue // the probe's own notes, or the port lists, are not known yet
		}
		if !declaresPortName(c.C, port.StrVal) {
			out = append(out, engine.Violation(o, engine.ContainerSubject(o, c),
				fmt.Sprintf("%s targets port %q, which the container does not declare, so it can never pass", p.field, port.StrVal),
				"name one of the container's ports, or declare the port the application listens on"))
		}
	}
	return out
}

// declaresPortName reports whether the container has a port of that name.
func declaresPortName(c *corev1.Container, name string) bool {
	for _, p := range c.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func hasHandler(p *corev1.Probe) bool {
	h := p.ProbeHandler
	return h.Exec != nil || h.HTTPGet != nil || h.TCPSocket != nil || h.GRPC != nil
}
