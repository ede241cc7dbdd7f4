package diagram

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/reachability"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// Parties outside the stack's workloads, by the role they play in the flows.
const (
	IngressController = "ingress-nginx"
	ClusterDNS        = "cluster-dns"
	ACMESolver        = "acme-http01-solver"
	OtherNamespacePod = "pod-in-other-namespace"
	OllamaPod         = "ollama"
	ExternalPostgres  = "external-postgres"
	ExternalRedis     = "external-redis"
	OtherPrivateHost  = "other-private-host"
	MetadataEndpoint  = "metadata-endpoint"
	KubeAPIServer     = "kube-apiserver"
	InternetHost      = "internet-host"
)

// OutsideParties are the pods and addresses around the namespace that a flow may reach or come from:
// the ingress controller, the cluster DNS, cert-manager's solver pod, a pod of another namespace, an
// in-cluster LLM, the managed endpoints (inside prod's configured ranges), a private host in none of
// them, the metadata endpoint, the API server and the internet.
func OutsideParties(namespace string) []reachability.Party {
	return []reachability.Party{
		reachability.Pod(IngressController, "ingress-nginx", map[string]string{"app.kubernetes.io/name": "ingress-nginx"}, "10.244.9.1"),
		reachability.Pod(ClusterDNS, "kube-system", map[string]string{"k8s-app": "kube-dns"}, "10.244.9.2"),
		reachability.Pod(ACMESolver, namespace, map[string]string{"acme.cert-manager.io/http01-solver": "true"}, "10.244.9.3"),
		reachability.Pod(OtherNamespacePod, "other", map[string]string{"app.kubernetes.io/name": "grafana"}, "10.244.9.4"),
		reachability.Pod(OllamaPod, "ollama", map[string]string{"app": "ollama"}, "10.244.9.5"),
		reachability.Address(ExternalPostgres, "10.40.32.10"),
		reachability.Address(ExternalRedis, "10.40.48.10"),
		reachability.Address(OtherPrivateHost, "10.99.0.5"),
		reachability.Address(MetadataEndpoint, "169.254.169.254"),
		// Inside prod's backups.apiServerCIDRs: the snapshot job may reach it, nothing else may.
		reachability.Address(KubeAPIServer, "10.40.0.10"),
		reachability.Address(InternetHost, "93.184.216.34"),
	}
}

// Ports are every port any party serves or could be sent to.
var Ports = []reachability.Port{
	reachability.UDP(53), reachability.TCP(53), reachability.TCP(80), reachability.TCP(443), reachability.TCP(587), reachability.TCP(3000),
	reachability.TCP(5432), reachability.TCP(6379), reachability.TCP(6443), reachability.TCP(8000), reachability.TCP(8089),
	reachability.TCP(9090), reachability.TCP(9093), reachability.TCP(9094), reachability.UDP(9094), reachability.TCP(9100),
	reachability.TCP(9121), reachability.TCP(9187), reachability.TCP(11434),
}

// Flows are the review's diagram and the zero-trust rules, written out by hand: every flow that
// must be allowed, and by omission every other one denied.
func Flows(stack string) []reachability.Flow {
	tcp := func(from, to string, port int) reachability.Flow {
		return reachability.Flow{From: from, To: to, Port: reachability.TCP(port)}
	}
	flows := []reachability.Flow{
		tcp(IngressController, "external-portal", 3000),
		tcp(IngressController, "internal-portal", 3000),
		tcp(IngressController, "api", 8000),
		tcp(IngressController, ACMESolver, 8089),
		tcp("external-portal", "api", 8000),
		tcp("internal-portal", "api", 8000),
		tcp("prometheus", "api", 9100),
		tcp("grafana", "prometheus", 9090),
		// Prometheus sends alerts to, and scrapes, every Alertmanager replica. With no receiver configured
		// (neither stack file sets one) Alertmanager sends nothing out; its replicas' gossip on 9094 is
		// between pods of one workload, which this table of distinct parties does not list (see
		// TestAlertmanagerReplicasGossipAndNotifyOnlyTheirReceivers).
		tcp("prometheus", "alertmanager", 9093),
	}
	// Every pod of the namespace resolves names through the cluster DNS, and nothing else there.
	for _, pod := range []string{"api", "celery-worker", "celery-beat", "db-migrate", "external-portal", "internal-portal",
		"prometheus", "grafana", "alertmanager", "chromadb", ACMESolver} {
		flows = append(flows,
			reachability.Flow{From: pod, To: ClusterDNS, Port: reachability.UDP(53)},
			reachability.Flow{From: pod, To: ClusterDNS, Port: reachability.TCP(53)})
	}
	postgres, postgresPort, redis, redisPort := "postgres", 5432, "redis", 6379
	if stack == "prod" {
		postgres, redis = ExternalPostgres, ExternalRedis
		// The managed services' exporters run as pods of their own: each reaches its endpoint alone and is
		// scraped by Prometheus on its metrics port.
		flows = append(flows,
			tcp("postgres-exporter", ExternalPostgres, 5432), tcp("redis-exporter", ExternalRedis, 6379),
			tcp("prometheus", "postgres-exporter", 9187), tcp("prometheus", "redis-exporter", 9121))
		for _, pod := range []string{"postgres-exporter", "redis-exporter"} {
			flows = append(flows,
				reachability.Flow{From: pod, To: ClusterDNS, Port: reachability.UDP(53)},
				reachability.Flow{From: pod, To: ClusterDNS, Port: reachability.TCP(53)})
		}
	} else {
		for _, pod := range []string{"postgres", "redis"} {
			flows = append(flows,
				reachability.Flow{From: pod, To: ClusterDNS, Port: reachability.UDP(53)},
				reachability.Flow{From: pod, To: ClusterDNS, Port: reachability.TCP(53)})
		}
		flows = append(flows, tcp("prometheus", "postgres", 9187), tcp("prometheus", "redis", 9121))
	}
	for _, client := range []string{"api", "celery-worker"} {
		flows = append(flows,
			tcp(client, postgres, postgresPort), tcp(client, redis, redisPort), tcp(client, "chromadb", 8000))
	}
	flows = append(flows, tcp("celery-beat", redis, redisPort), tcp("db-migrate", postgres, postgresPort))
	// Prod snapshots ChromaDB nightly: the snapshot job reaches the API server, and its DNS.
	if stack == "prod" {
		flows = append(flows, tcp("volume-snapshots", KubeAPIServer, 443),
			reachability.Flow{From: "volume-snapshots", To: ClusterDNS, Port: reachability.UDP(53)},
			reachability.Flow{From: "volume-snapshots", To: ClusterDNS, Port: reachability.TCP(53)})
	}
	// The LLM: dev's Ollama in its namespace; prod's provider on the internet, over HTTPS.
	for _, client := range []string{"api", "celery-worker"} {
		if stack == "prod" {
			flows = append(flows, tcp(client, InternetHost, 443))
		} else {
			flows = append(flows, tcp(client, OllamaPod, 11434))
		}
	}
	slices.SortFunc(flows, func(a, b reachability.Flow) int { return strings.Compare(a.String(), b.String()) })
	return flows
}

// Network is a stack's rendered NetworkPolicies and the pods of its workloads.
type Network struct {
	// Namespace is the stack's namespace, which holds the policies and the pods.
	Namespace string
	// Policies are the rendered NetworkPolicies, in the namespace.
	Policies []*networkingv1.NetworkPolicy
	// Pods are a pod of each Deployment, StatefulSet, Job and CronJob, with its template's labels and an
	// address in the pod range.
	Pods []reachability.Party
}

// Rendered reads the Network of a stack's program run from its record.
func Rendered(rec *stacktest.Record, namespace string) (Network, error) {
	n := Network{Namespace: namespace}
	for _, r := range rec.OfType("kubernetes:networking.k8s.io/v1:NetworkPolicy") {
		np := &networkingv1.NetworkPolicy{}
		if err := r.Decode(np); err != nil {
			return Network{}, err
		}
		np.Namespace = namespace
		n.Policies = append(n.Policies, np)
	}
	templates := []struct {
		typ      string
		template func(r stacktest.Resource) (corev1.PodTemplateSpec, error)
	}{
		{"kubernetes:apps/v1:Deployment", func(r stacktest.Resource) (corev1.PodTemplateSpec, error) {
			var o appsv1.Deployment
			err := r.Decode(&o)
			return o.Spec.Template, err
		}},
		{"kubernetes:apps/v1:StatefulSet", func(r stacktest.Resource) (corev1.PodTemplateSpec, error) {
			var o appsv1.StatefulSet
			err := r.Decode(&o)
			return o.Spec.Template, err
		}},
		{"kubernetes:batch/v1:Job", func(r stacktest.Resource) (corev1.PodTemplateSpec, error) {
			var o batchv1.Job
			err := r.Decode(&o)
			return o.Spec.Template, err
		}},
		{"kubernetes:batch/v1:CronJob", func(r stacktest.Resource) (corev1.PodTemplateSpec, error) {
			var o batchv1.CronJob
			err := r.Decode(&o)
			return o.Spec.JobTemplate.Spec.Template, err
		}},
	}
	for _, kind := range templates {
		for _, r := range rec.OfType(kind.typ) {
			template, err := kind.template(r)
			if err != nil {
				return Network{}, fmt.Errorf("%s: %w", r.URN, err)
			}
			labels := template.Labels
			ip := fmt.Sprintf("10.244.0.%d", len(n.Pods)+10)
			n.Pods = append(n.Pods, reachability.Pod(labels["app.kubernetes.io/name"], namespace, labels, ip))
		}
	}
	return n, nil
}

// Parties are the stack's pods and the OutsideParties around its namespace.
func (n Network) Parties() []reachability.Party {
	return append(slices.Clone(n.Pods), OutsideParties(n.Namespace)...)
}

// Engine is the reachability engine over the stack's policies.
func (n Network) Engine() *reachability.Engine { return reachability.New(n.Policies) }
