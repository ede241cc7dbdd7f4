package checks

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Probes requires liveness and readiness probes on the containers of long-running workloads.
var Probes = &Policy{
	Name:        "workload-probes",
	Description: "Every container of a long-running workload has a liveness and a readiness probe.",
	Remediation: "add livenessProbe and readinessProbe (httpGet, tcpSocket, grpc or exec)",
	Why: "review finding 1 (celery-worker, celery-beat, prometheus, grafana had none); " +
		"kube-linter, Polaris, kube-score, Kyverno, Checkov",
	Level:    Mandatory,
	Kinds:    []string{PodBearing},
	Resource: checkProbes,
}

func checkProbes(o *Object, _ *Config) []Result {
	w, _ := o.Workload()
	if !w.LongRunning {
		return nil // Jobs and CronJobs run to completion; init containers are exempt below.
	}
	return forContainers(o, w, false, func(c ContainerRef) []Result {
		var out []Result
		var missing []string
		for _, p := range []struct {
			field string
			probe *corev1.Probe
		}{{"livenessProbe", c.C.LivenessProbe}, {"readinessProbe", c.C.ReadinessProbe}} {
			path := c.Path + "." + p.field
			switch {
			case p.probe == nil && o.Unknown(path):
				out = append(out, Undecided(o, containerSubject(o, c), path))
			case p.probe == nil:
				missing = append(missing, p.field)
			case !hasHandler(p.probe) && !o.UnknownWithin(path):
				out = append(out, Violation(o, containerSubject(o, c), p.field+" has no handler",
					"give it an httpGet, tcpSocket, grpc or exec check"))
			}
		}
		if len(missing) > 0 {
			out = append(out, Violation(o, containerSubject(o, c), "no "+strings.Join(missing, " and no "),
				"add "+strings.Join(missing, " and ")+" (httpGet, tcpSocket, grpc or exec)"))
		}
		return out
	})
}

func hasHandler(p *corev1.Probe) bool {
	h := p.ProbeHandler
	return h.Exec != nil || h.HTTPGet != nil || h.TCPSocket != nil || h.GRPC != nil
}
