package checks

import (
	"fmt"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// syntheticStack builds n resources shaped like a real platform: namespaces of workloads, each
// with its Service, autoscaler, budget, network policy, ConfigMap, Secret and claim.
func syntheticStack(n int) []engine.Resource {
	str := func(v string) property.Value { return property.New(v) }
	num := func(v float64) property.Value { return property.New(v) }
	boolean := func(v bool) property.Value { return property.New(v) }
	obj := func(kv ...any) property.Value {
		m := map[string]property.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(property.Value)
		}
		return property.New(m)
	}
	arr := func(vs ...property.Value) property.Value { return property.New(vs) }
	res := func(typ, name, ns string, props ...any) engine.Resource {
		props = append(props, "metadata", obj("name", str(name), "namespace", str(ns), "labels", obj("app", str(name))))
		return engine.Resource{Type: typ, Name: name, URN: engine.SyntheticURN("bench", "bench", typ, ns+"/"+name), Properties: obj(props...).AsMap()}
	}
	container := func(name string) property.Value {
		probe := obj("httpGet", obj("path", str("/healthz"), "port", num(8000.0)))
		return obj(
			"name", str(name), "image", str("ghcr.io/jdjones/"+name+":1.4.2"),
			"ports", arr(obj("containerPort", num(8000.0))),
			"livenessProbe", probe, "readinessProbe", probe,
			"env", arr(
				obj("name", str("DATABASE_URL"), "value", str("postgresql://app:$(DB_PASSWORD)@postgres:5432/app")),
				obj("name", str("DB_PASSWORD"), "valueFrom", obj("secretKeyRef", obj("name", str("app"), "key", str("db")))),
				obj("name", str("LOG_LEVEL"), "value", str("info")),
			),
			"resources", obj("requests", obj("cpu", str("100m"), "memory", str("128Mi")), "limits", obj("cpu", str("1"), "memory", str("512Mi"))),
			"securityContext", obj("runAsNonRoot", boolean(true), "allowPrivilegeEscalation", boolean(false),
				"capabilities", obj("drop", arr(str("ALL"))), "seccompProfile", obj("type", str("RuntimeDefault")),
				"readOnlyRootFilesystem", boolean(true)),
		)
	}
	var out []engine.Resource
	for ns := 0; len(out) < n; ns++ {
		namespace := fmt.Sprintf("team-%d", ns)
		out = append(out, engine.Resource{Type: "kubernetes:core/v1:Namespace", Name: namespace, URN: engine.SyntheticURN("bench", "bench", "ns", namespace),
			Properties: obj("metadata", obj("name", str(namespace), "labels", obj("pod-security.kubernetes.io/enforce", str("restricted")))).AsMap()})
		out = append(out, res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny", namespace,
			"spec", obj("podSelector", obj(), "policyTypes", arr(str("Ingress"), str("Egress")))))
		for app := 0; app < 25 && len(out) < n; app++ {
			name := fmt.Sprintf("app-%d", app)
			sel := obj("matchLabels", obj("app", str(name)))
			out = append(out,
				res("kubernetes:apps/v1:Deployment", name, namespace, "spec", obj(
					"selector", sel,
					"template", obj("metadata", obj("labels", obj("app", str(name))), "spec", obj("containers", arr(container(name)),
						"topologySpreadConstraints", arr(obj("maxSkew", num(1.0), "topologyKey", str("kubernetes.io/hostname"),
							"whenUnsatisfiable", str("ScheduleAnyway"), "labelSelector", sel)))))),
				res("kubernetes:core/v1:Service", name, namespace, "spec", obj("selector", obj("app", str(name)), "ports", arr(obj("port", num(8000.0))))),
				res("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name, namespace, "spec", obj(
					"scaleTargetRef", obj("apiVersion", str("apps/v1"), "kind", str("Deployment"), "name", str(name)),
					"minReplicas", num(2.0), "maxReplicas", num(10.0))),
				res("kubernetes:policy/v1:PodDisruptionBudget", name, namespace, "spec", obj("maxUnavailable", num(1.0), "selector", sel)),
				res("kubernetes:networking.k8s.io/v1:NetworkPolicy", name, namespace, "spec", obj("podSelector", sel, "ingress", arr(obj("ports", arr(obj("port", num(8000.0))))),
					"egress", arr(obj("to", arr(obj("namespaceSelector", obj("matchLabels", obj("kubernetes.io/metadata.name", str("kube-system"))))), "ports", arr(obj("port", num(53.0), "protocol", str("UDP"))))))),
				res("kubernetes:core/v1:ConfigMap", name, namespace, "data", obj("LOG_LEVEL", str("info"), "REDIS_HOST", str("redis"))),
				res("kubernetes:core/v1:Secret", name, namespace, "stringData", obj("db", str("x").WithSecret(true))),
				res("kubernetes:core/v1:PersistentVolumeClaim", name, namespace, "spec", obj(
					"accessModes", arr(str("ReadWriteMany")), "storageClassName", str("efs-sc"))),
				res("kubernetes:networking.k8s.io/v1:Ingress", name, namespace, "spec", obj(
					"tls", arr(obj("hosts", arr(str(name+".example.com")), "secretName", str(name+"-tls"))),
					"rules", arr(obj("host", str(name+".example.com"), "http", obj("paths", arr(obj("path", str("/"), "pathType", str("Prefix"),
						"backend", obj("service", obj("name", str(name), "port", obj("number", num(8000.0))))))))))),
				res("kubernetes:core/v1:ServiceAccount", name, namespace),
			)
		}
	}
	return out[:n]
}

func TestSyntheticStackIsClean(t *testing.T) {
	fs := Evaluate(syntheticStack(500), engine.Options{Production: true})
	for _, f := range fs {
		if f.Level == engine.Mandatory || f.Undecided {
			t.Errorf("the synthetic stack should be clean: %v", f)
		}
	}
}

// BenchmarkPack runs every resource and stack policy over a synthetic stack of 10,000 resources.
func BenchmarkPack(b *testing.B) {
	const n = 10_000
	rs := syntheticStack(n)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		Evaluate(rs, engine.Options{Production: true})
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*n), "ns/resource")
}

// BenchmarkStackPolicies runs only the stack policies (coverage, selectors, references) over
// synthetic stacks of 1,000 and 10,000 resources already decoded, and reports the cost per
// resource: constant from one size to the next when the stack index, not a scan of the stack per
// object, answers their look-ups.
func BenchmarkStackPolicies(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rs := syntheticStack(n)
			s := engine.NewSession(true)
			var stackPolicies []*engine.Policy
			for _, p := range DefaultPack().Policies() {
				_, _ = s.Configure(p, nil)
				if p.IsStack() {
					stackPolicies = append(stackPolicies, p)
				}
			}
			objects := s.Prime(rs)
			start := time.Now()
			for b.Loop() {
				key := new(int)
				s.KeepStack(key, objects)
				for _, p := range stackPolicies {
					s.RunStack(p, key, func() []engine.Resource { return rs })
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*n), "ns/resource")
			b.ReportMetric(float64(len(stackPolicies)), "policies")
		})
	}
}
