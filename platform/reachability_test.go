package platform

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/reachability"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// Parties outside the stack's workloads, by the role they play in the flows.
const (
	ingressController = "ingress-nginx"
	clusterDNS        = "cluster-dns"
	acmeSolver        = "acme-http01-solver"
	otherNamespacePod = "pod-in-other-namespace"
	ollamaPod         = "ollama"
	managedPostgres   = "managed-postgres"
	managedRedis      = "managed-redis"
	otherPrivateHost  = "other-private-host"
	metadataEndpoint  = "metadata-endpoint"
	kubeAPIServer     = "kube-apiserver"
	internetHost      = "internet-host"
)

// outsideParties are the pods and addresses around the namespace that a flow may reach or come from:
// the ingress controller, the cluster DNS, cert-manager's solver pod, a pod of another namespace, an
// in-cluster LLM, the managed endpoints (inside prod's configured ranges), a private host in none of
// them, the metadata endpoint, the API server and the internet.
func outsideParties(namespace string) []reachability.Party {
	return []reachability.Party{
		reachability.Pod(ingressController, "ingress-nginx", map[string]string{"app.kubernetes.io/name": "ingress-nginx"}, "10.244.9.1"),
		reachability.Pod(clusterDNS, "kube-system", map[string]string{"k8s-app": "kube-dns"}, "10.244.9.2"),
		reachability.Pod(acmeSolver, namespace, map[string]string{"acme.cert-manager.io/http01-solver": "true"}, "10.244.9.3"),
		reachability.Pod(otherNamespacePod, "other", map[string]string{"app.kubernetes.io/name": "grafana"}, "10.244.9.4"),
		reachability.Pod(ollamaPod, "ollama", map[string]string{"app": "ollama"}, "10.244.9.5"),
		reachability.Address(managedPostgres, "10.40.32.10"),
		reachability.Address(managedRedis, "10.40.48.10"),
		reachability.Address(otherPrivateHost, "10.99.0.5"),
		reachability.Address(metadataEndpoint, "169.254.169.254"),
		// Inside prod's backups.apiServerCIDRs: the snapshot job may reach it, nothing else may.
		reachability.Address(kubeAPIServer, "10.40.0.10"),
		reachability.Address(internetHost, "93.184.216.34"),
	}
}

// probedPorts are every port any party serves or could be sent to.
var probedPorts = []reachability.Port{
	reachability.UDP(53), reachability.TCP(53), reachability.TCP(80), reachability.TCP(443), reachability.TCP(587), reachability.TCP(3000),
	reachability.TCP(5432), reachability.TCP(6379), reachability.TCP(6443), reachability.TCP(8000), reachability.TCP(8089),
	reachability.TCP(9090), reachability.TCP(9093), reachability.TCP(9094), reachability.UDP(9094), reachability.TCP(9100),
	reachability.TCP(9121), reachability.TCP(9187), reachability.TCP(11434),
}

// stackNetwork is a stack's rendered NetworkPolicies and every party of its flows.
type stackNetwork struct {
	namespace string
	engine    *reachability.Engine
	parties   []reachability.Party
}

// renderedNetwork runs the stack's program and gives each workload's pods an address in the pod range.
func renderedNetwork(t *testing.T, stack string) stackNetwork {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	namespace := cfg["jd-jones-rag-infra:namespace"]
	require.NotEmpty(t, namespace)
	rec := runStack(t, stack, nil)
	var policies []*networkingv1.NetworkPolicy
	for _, r := range rec.OfType(netpolType) {
		np := &networkingv1.NetworkPolicy{}
		require.NoError(t, r.Decode(np))
		np.Namespace = namespace
		policies = append(policies, np)
	}
	var parties []reachability.Party
	for i, r := range append(workloads(rec), rec.OfType(cronJobType)...) {
		labels := decodeWorkload(t, r).spec.Labels
		parties = append(parties, reachability.Pod(labels["app.kubernetes.io/name"], namespace, labels, fmt.Sprintf("10.244.0.%d", i+10)))
	}
	return stackNetwork{namespace, reachability.New(policies), append(parties, outsideParties(namespace)...)}
}

// expectedFlows are the review's diagram and the zero-trust rules, written out by hand: every flow that
// must be allowed, and by omission every other one denied.
func expectedFlows(stack string) []reachability.Flow {
	tcp := func(from, to string, port int) reachability.Flow {
		return reachability.Flow{From: from, To: to, Port: reachability.TCP(port)}
	}
	flows := []reachability.Flow{
		tcp(ingressController, "external-portal", 3000),
		tcp(ingressController, "internal-portal", 3000),
		tcp(ingressController, "api", 8000),
		tcp(ingressController, acmeSolver, 8089),
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
		"prometheus", "grafana", "alertmanager", "chromadb", acmeSolver} {
		flows = append(flows,
			reachability.Flow{From: pod, To: clusterDNS, Port: reachability.UDP(53)},
			reachability.Flow{From: pod, To: clusterDNS, Port: reachability.TCP(53)})
	}
	postgres, postgresPort, redis, redisPort := "postgres", 5432, "redis", 6379
	if stack == "prod" {
		postgres, redis = managedPostgres, managedRedis
		// The managed services' exporters run as pods of their own: each reaches its endpoint alone and is
		// scraped by Prometheus on its metrics port.
		flows = append(flows,
			tcp("postgres-exporter", managedPostgres, 5432), tcp("redis-exporter", managedRedis, 6379),
			tcp("prometheus", "postgres-exporter", 9187), tcp("prometheus", "redis-exporter", 9121))
		for _, pod := range []string{"postgres-exporter", "redis-exporter"} {
			flows = append(flows,
				reachability.Flow{From: pod, To: clusterDNS, Port: reachability.UDP(53)},
				reachability.Flow{From: pod, To: clusterDNS, Port: reachability.TCP(53)})
		}
	} else {
		for _, pod := range []string{"postgres", "redis"} {
			flows = append(flows,
				reachability.Flow{From: pod, To: clusterDNS, Port: reachability.UDP(53)},
				reachability.Flow{From: pod, To: clusterDNS, Port: reachability.TCP(53)})
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
		flows = append(flows, tcp("volume-snapshots", kubeAPIServer, 443),
			reachability.Flow{From: "volume-snapshots", To: clusterDNS, Port: reachability.UDP(53)},
			reachability.Flow{From: "volume-snapshots", To: clusterDNS, Port: reachability.TCP(53)})
	}
	// The LLM: dev's Ollama in its namespace; prod's provider on the internet, over HTTPS.
	for _, client := range []string{"api", "celery-worker"} {
		if stack == "prod" {
			flows = append(flows, tcp(client, internetHost, 443))
		} else {
			flows = append(flows, tcp(client, ollamaPod, 11434))
		}
	}
	slices.SortFunc(flows, func(a, b reachability.Flow) int { return strings.Compare(a.String(), b.String()) })
	return flows
}

func TestNetworkPoliciesAllowExactlyTheDiagramsFlows(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			n := renderedNetwork(t, stack)
			got := n.engine.AllowedFlows(n.namespace, n.parties, probedPorts)
			want := expectedFlows(stack)
			for _, f := range want {
				assert.Contains(t, got, f, "must be allowed")
			}
			for _, f := range got {
				assert.Contains(t, want, f, "must be denied")
			}
		})
	}
}

// TestTheDeniedFlowsTheIssueNames spells out the denials the zero-trust review asked for, one by one, so
// each is visible even if the expected list above were edited carelessly.
func TestTheDeniedFlowsTheIssueNames(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			n := renderedNetwork(t, stack)
			party := func(name string) reachability.Party {
				i := slices.IndexFunc(n.parties, func(p reachability.Party) bool { return p.Name == name })
				require.GreaterOrEqual(t, i, 0, "party %s", name)
				return n.parties[i]
			}
			denied := func(from, to string, port reachability.Port) {
				assert.False(t, n.engine.Allowed(party(from), party(to), port), "%s -> %s:%s must be denied", from, to, port)
			}
			dataStores := []string{"chromadb"}
			if stack == "prod" {
				dataStores = append(dataStores, managedPostgres, managedRedis)
			} else {
				dataStores = append(dataStores, "postgres", "redis")
			}
			for _, portal := range []string{"external-portal", "internal-portal"} {
				for _, store := range dataStores {
					for _, port := range probedPorts {
						denied(portal, store, port)
					}
				}
			}
			for _, p := range n.parties {
				if p.Namespace != n.namespace {
					continue
				}
				for _, port := range probedPorts {
					denied(p.Name, metadataEndpoint, port)
					if p.Name != "volume-snapshots" || port != reachability.TCP(443) {
						denied(p.Name, kubeAPIServer, port)
					}
					denied(p.Name, otherPrivateHost, port)
					if p.Name != "api" && p.Name != "celery-worker" {
						denied(p.Name, internetHost, port)
					}
				}
			}
			for _, port := range probedPorts {
				denied(otherNamespacePod, "grafana", port)
				denied(internetHost, "grafana", port)
				denied(ingressController, "grafana", port)
				denied(ingressController, "prometheus", port)
			}
			// /metrics is served on its own port, which neither the internet nor the ingress controller reaches.
			denied(internetHost, "api", reachability.TCP(9100))
			denied(ingressController, "api", reachability.TCP(9100))
		})
	}
}

// readmeMarkers delimit a stack's generated reachability table in the README.
func readmeMarkers(stack string) (begin, end string) {
	return "<!-- reachability:" + stack + ":begin -->", "<!-- reachability:" + stack + ":end -->"
}

// reachabilityTable renders the allowed flows as a Markdown table: for each source, where it may connect.
func reachabilityTable(flows []reachability.Flow) string {
	type key struct{ from, to string }
	ports := map[key][]string{}
	var keys []key
	for _, f := range flows {
		k := key{f.From, f.To}
		if _, ok := ports[k]; !ok {
			keys = append(keys, k)
		}
		ports[k] = append(ports[k], f.Port.String())
	}
	slices.SortFunc(keys, func(a, b key) int {
		return strings.Compare(a.from+"\x00"+a.to, b.from+"\x00"+b.to)
	})
	var b strings.Builder
	b.WriteString("| from | to | ports |\n|---|---|---|\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", k.from, k.to, strings.Join(ports[k], ", "))
	}
	return b.String()
}

// TestTheReadmeReachabilityTablesAreTheEnginesAnswer keeps the README's "who may talk to whom" tables
// equal to what the engine computes from the rendered policies. After a deliberate change, rewrite them
// with JDJ_UPDATE_README=1 go test -run TestTheReadmeReachabilityTablesAreTheEnginesAnswer ./platform.
func TestTheReadmeReachabilityTablesAreTheEnginesAnswer(t *testing.T) {
	path := filepath.Join(stacktest.RepoRoot(), "README.md")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(raw)
	for _, stack := range stacks {
		n := renderedNetwork(t, stack)
		table := reachabilityTable(n.engine.AllowedFlows(n.namespace, n.parties, probedPorts))
		begin, end := readmeMarkers(stack)
		before, rest, ok := strings.Cut(readme, begin+"\n")
		require.True(t, ok, "README has %s", begin)
		_, after, ok := strings.Cut(rest, end)
		require.True(t, ok, "README has %s", end)
		if os.Getenv("JDJ_UPDATE_README") != "" {
			readme = before + begin + "\n" + table + end + after
			continue
		}
		assert.Equal(t, table, rest[:len(rest)-len(after)-len(end)], "README table of %s", stack)
	}
	if os.Getenv("JDJ_UPDATE_README") != "" {
		require.NoError(t, os.WriteFile(path, []byte(readme), 0o644))
	}
}
