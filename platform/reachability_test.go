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

	"github.com/jdjones/jd-jones-rag-infra/internal/diagram"
	"github.com/jdjones/jd-jones-rag-infra/internal/reachability"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// stackNetwork is a stack's rendered network and the engine over its policies.
type stackNetwork struct {
	namespace string
	engine    *reachability.Engine
	parties   []reachability.Party
}

// renderedNetwork runs the stack's program and reads its network (pods get addresses in the pod range).
func renderedNetwork(t *testing.T, stack string) stackNetwork {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	namespace := cfg["jd-jones-rag-infra:namespace"]
	require.NotEmpty(t, namespace)
	n, err := diagram.Rendered(runStack(t, stack, nil), namespace)
	require.NoError(t, err)
	return stackNetwork{namespace, n.Engine(), n.Parties()}
}

func TestNetworkPoliciesAllowExactlyTheDiagramsFlows(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			n := renderedNetwork(t, stack)
			got := n.engine.AllowedFlows(n.namespace, n.parties, diagram.Ports)
			want := diagram.Flows(stack)
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
				dataStores = append(dataStores, diagram.ExternalPostgres, diagram.ExternalRedis)
			} else {
				dataStores = append(dataStores, "postgres", "redis")
			}
			for _, portal := range []string{"external-portal", "internal-portal"} {
				for _, store := range dataStores {
					for _, port := range diagram.Ports {
						denied(portal, store, port)
					}
				}
			}
			for _, p := range n.parties {
				if p.Namespace != n.namespace {
					continue
				}
				for _, port := range diagram.Ports {
					denied(p.Name, diagram.MetadataEndpoint, port)
					if p.Name != "volume-snapshots" || port != reachability.TCP(443) {
						denied(p.Name, diagram.KubeAPIServer, port)
					}
					denied(p.Name, diagram.OtherPrivateHost, port)
					if p.Name != "api" && p.Name != "celery-worker" {
						denied(p.Name, diagram.InternetHost, port)
					}
				}
			}
			for _, port := range diagram.Ports {
				denied(diagram.OtherNamespacePod, "grafana", port)
				denied(diagram.InternetHost, "grafana", port)
				denied(diagram.IngressController, "grafana", port)
				denied(diagram.IngressController, "prometheus", port)
			}
			// /metrics is served on its own port, which neither the internet nor the ingress controller reaches.
			denied(diagram.InternetHost, "api", reachability.TCP(9100))
			denied(diagram.IngressController, "api", reachability.TCP(9100))
		})
	}
}

// readmeMarkers delimit a stack's generated reachability table in docs/network.md.
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

// TestTheReadmeReachabilityTablesAreTheEnginesAnswer keeps docs/network.md's "who may talk to whom" tables
// equal to what the engine computes from the rendered policies. After a deliberate change, rewrite them
// with JDJ_UPDATE_README=1 go test -run TestTheReadmeReachabilityTablesAreTheEnginesAnswer ./platform.
func TestTheReadmeReachabilityTablesAreTheEnginesAnswer(t *testing.T) {
	path := filepath.Join(stacktest.RepoRoot(), "docs", "network.md")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(raw)
	for _, stack := range stacks {
		n := renderedNetwork(t, stack)
		table := reachabilityTable(n.engine.AllowedFlows(n.namespace, n.parties, diagram.Ports))
		begin, end := readmeMarkers(stack)
		before, rest, ok := strings.Cut(readme, begin+"\n")
		require.True(t, ok, "docs/network.md has %s", begin)
		_, after, ok := strings.Cut(rest, end)
		require.True(t, ok, "docs/network.md has %s", end)
		if os.Getenv("JDJ_UPDATE_README") != "" {
			readme = before + begin + "\n" + table + end + after
			continue
		}
		assert.Equal(t, table, rest[:len(rest)-len(after)-len(end)], "docs/network.md table of %s", stack)
	}
	if os.Getenv("JDJ_UPDATE_README") != "" {
		require.NoError(t, os.WriteFile(path, []byte(readme), 0o644))
	}
}
