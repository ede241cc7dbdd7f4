package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
	"github.com/jdjones/jd-jones-rag-infra/internal/diagram"
	"github.com/jdjones/jd-jones-rag-infra/internal/reachability"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// The packet test measures who reaches whom with real packets, on the real node with kube-router enforcing
// the stacks' rendered NetworkPolicies, and holds the measured matrix to the one cyclonus's matcher computes
// from the same objects, cell by cell, and to the review's diagram.
//
// Each party of a stack's flows that is a pod gets a probe pod of its own, with the labels the program gives
// that workload's pods (the stack's own workloads cannot run here under enforcement: the node's DNS and API
// server are host processes, which no rendered policy admits). The test opens the sockets inside each probe
// pod's network namespace (cluster.PodNetwork), so every packet crosses the pods' veths, the bridge and
// kube-router's chains. The private hosts outside the cluster (prod's managed Postgres and Redis and its API
// server, inside the CIDRs prod allows, and a private host in none of them) are played by network
// namespaces the test makes at those addresses (cluster.OutsideNetwork), so ipBlock rules and their
// excepts meet real packets too. The internet and the metadata address stay proven by computation only:
// no packet goes to any address the test did not make.

// probeTimeout bounds one connection attempt. kube-router REJECTs what no policy admits, so a refused cell
// answers in microseconds; only a cell that dropped silently would wait this long.
const probeTimeout = 2 * time.Second

// probeParallelism bounds the connection attempts in flight.
const probeParallelism = 32

// cell is one connection attempt of the matrix.
type cell struct {
	from, to reachability.Party
	port     reachability.Port
}

func (c cell) String() string {
	return reachability.Flow{From: c.from.Namespace + "/" + c.from.Name, To: c.to.Namespace + "/" + c.to.Name, Port: c.port}.String()
}

// packetNetwork is a stack's network as measured: its rendered network, the probe pods of its parties as
// they run (addresses, labels, namespaces' labels read back from the cluster) and their network namespaces.
type packetNetwork struct {
	stack    string
	rendered diagram.Network
	parties  []reachability.Party
	nets     map[string]cluster.NetworkNamespace
}

// playedHosts are the parties outside the cluster that the test plays, each in a network namespace of its
// own at the party's address, by the short name the namespace gets.
var playedHosts = map[string]string{
	diagram.ExternalPostgres: "mpostgres", diagram.ExternalRedis: "mredis",
	diagram.KubeAPIServer: "apiserver", diagram.OtherPrivateHost: "private",
}

func TestNetworkPoliciesHoldForRealPackets(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test; -short skips it")
	}
	c := startLocalCluster(t, func(t *testing.T) *cluster.RealNode {
		n := realNode(t)
		n.NetworkPolicies = true
		return n
	})
	if !c.Local {
		t.Skip("the packet test needs the local cluster's real node")
	}
	pause, err := localImages(t).Get("pause")
	require.NoError(t, err)
	ctx, stopListeners := context.WithCancel(context.Background())
	defer stopListeners()

	stacks := []string{"dev", "prod"}
	networks := map[string]*packetNetwork{}
	phase(t, "the probe pods of every party of both stacks run, and kube-router has programmed them", func(t *testing.T) {
		for _, stack := range stacks {
			rec := renderStack(t, stack, nil)
			rendered, err := diagram.Rendered(rec, namespaces[stack])
			require.NoError(t, err)
			createNamespace(t, c, rec, rendered.Namespace)
			for _, np := range rendered.Policies {
				_, err := c.Client.NetworkingV1().NetworkPolicies(np.Namespace).Create(ctx, np, metav1.CreateOptions{})
				require.NoError(t, err, "NetworkPolicy %s", np.Name)
			}
			networks[stack] = &packetNetwork{stack: stack, rendered: rendered}
		}
		start := time.Now()
		createNamespaces(t, c, podParties(networks))
		for _, p := range podParties(networks) {
			startProbePod(t, c, p, pause.Pinned())
		}
		t.Logf("%d probe pods admitted in %s", len(podParties(networks)), since(start))
		waitProgrammed(t, c, podParties(networks))
		hosts := map[string]cluster.NetworkNamespace{}
		for _, p := range diagram.OutsideParties("") {
			if short, played := playedHosts[p.Name]; played {
				host, err := c.OutsideNetwork(short, p.IP)
				require.NoError(t, err, "playing %s at %s", p.Name, p.IP)
				hosts[p.Name] = host
			}
		}
		for _, stack := range stacks {
			networks[stack].readBack(t, c, hosts)
		}
	})
	phase(t, "every probe pod and played host serves every port of the matrix, as the node sees it", func(t *testing.T) {
		served := map[string]bool{}
		for _, stack := range stacks {
			n := networks[stack]
			for _, p := range n.parties {
				if served[p.IP] {
					continue
				}
				served[p.IP] = true
				require.NoError(t, n.nets[p.Name].Listen(ctx, portNumbers(corev1.ProtocolTCP), portNumbers(corev1.ProtocolUDP)))
				// The node reaches every pod whatever the policies (kube-router admits a pod's own node) and
				// every played host (its routes), so this proves each listener is up: a refused cell below is
				// the policies' doing.
				for _, port := range diagram.Ports {
					ok, err := cluster.HostConnects(strings.ToLower(string(port.Protocol)), net.JoinHostPort(p.IP, fmt.Sprint(port.Number)), probeTimeout)
					require.NoError(t, err)
					require.True(t, ok, "the node reaches %s/%s on %s", p.Namespace, p.Name, port)
				}
			}
		}
	})
	for _, stack := range stacks {
		phase(t, stack+": the packet matrix equals the computed one and the review's diagram", func(t *testing.T) {
			networks[stack].assertMatrix(t, c, nil)
		})
	}
	phase(t, "dev: a live change of the LLM's namespace closes one flow and opens another; an open connection stays; no pod restarts", func(t *testing.T) {
		n := networks["dev"]
		api, ollama, other := n.party(t, "api"), n.party(t, diagram.OllamaPod), n.party(t, diagram.OtherNamespacePod)
		llm := reachability.TCP(11434)
		before := probeUIDs(t, c)
		require.True(t, n.connects(t, api, ollama, llm), "before: api reaches Ollama")
		require.False(t, n.connects(t, api, other, llm), "before: api does not reach the other namespace")
		held, err := n.nets[api.Name].Open("tcp", net.JoinHostPort(ollama.IP, fmt.Sprint(llm.Number)), probeTimeout)
		require.NoError(t, err, "a connection from api to Ollama, held open across the change")
		defer held.Close()
		require.True(t, cluster.Echoes(held, probeTimeout))

		changed, err := diagram.Rendered(renderStack(t, "dev", map[string]string{"llm": llmMovedTo(t, "dev", other.Namespace)}), n.rendered.Namespace)
		require.NoError(t, err)
		start := time.Now()
		applyPolicies(t, c, changed.Policies)
		waitFor(t, time.Minute, "kube-router to apply the change", func() bool {
			return !n.connects(t, api, ollama, llm) && n.connects(t, api, other, llm)
		})
		t.Logf("kube-router applied the change in %s", since(start))
		// The NetworkPolicy API leaves connections open before a change to the implementation: kube-router,
		// like the iptables-based ones generally, admits every established connection by conntrack.
		assert.True(t, cluster.Echoes(held, probeTimeout), "the connection opened before the change still carries data")
		n.rendered = changed
		n.assertMatrix(t, c, func(f reachability.Flow) reachability.Flow {
			if f.To == diagram.OllamaPod {
				f.To = diagram.OtherNamespacePod
			}
			return f
		})
		assert.Equal(t, before, probeUIDs(t, c), "every probe pod kept its UID and restarted nothing")
	})
}

// llmMovedTo is the stack's llm config (JSON) with its in-cluster LLM moved to namespace.
func llmMovedTo(t *testing.T, stack, namespace string) string {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	var llm map[string]any
	require.NoError(t, json.Unmarshal([]byte(cfg[config.Project+":llm"]), &llm))
	require.NotEmpty(t, llm["namespace"], "%s's LLM runs in the cluster", stack)
	llm["namespace"] = namespace
	llm["baseUrl"] = "http://ollama." + namespace + ".svc.cluster.local:11434"
	moved, err := json.Marshal(llm)
	require.NoError(t, err)
	return string(moved)
}

// renderStack runs the stack's program with its stack file's config and overrides (keys without the project).
func renderStack(t *testing.T, stack string, overrides map[string]string) *stacktest.Record {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	for k, v := range overrides {
		cfg[config.Project+":"+k] = v
	}
	rec, err := stacktest.Run(stack, cfg, platform.Program)
	require.NoError(t, err)
	return rec
}

// createNamespace creates the stack's namespace as the program renders it (its Pod Security labels
// included, which the probe pods satisfy).
func createNamespace(t *testing.T, c *cluster.Cluster, rec *stacktest.Record, name string) {
	t.Helper()
	r, ok := rec.Object("kubernetes:core/v1:Namespace", name)
	require.True(t, ok, "the stack registers its namespace %s", name)
	var ns corev1.Namespace
	require.NoError(t, r.Decode(&ns))
	ns.Name = name
	_, err := c.Client.CoreV1().Namespaces().Create(context.Background(), &ns, metav1.CreateOptions{})
	require.NoError(t, err)
}

// podParties are the pods of every stack's flows, each once (the outside pods are shared).
func podParties(networks map[string]*packetNetwork) []reachability.Party {
	seen := map[string]bool{}
	var out []reachability.Party
	for _, stack := range slices.Sorted(maps.Keys(networks)) {
		for _, p := range networks[stack].rendered.Parties() {
			if key := p.Namespace + "/" + p.Name; p.InCluster() && !seen[key] {
				seen[key] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// createNamespaces creates the parties' namespaces that do not exist yet and waits for each one's default
// service account, which pods need to be admitted.
func createNamespaces(t *testing.T, c *cluster.Cluster, parties []reachability.Party) {
	t.Helper()
	ctx := context.Background()
	for _, p := range parties {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: p.Namespace}}
		if _, err := c.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			require.True(t, apierrors.IsAlreadyExists(err), "namespace %s: %v", p.Namespace, err)
		}
	}
	for _, p := range parties {
		waitFor(t, time.Minute, "the default service account of "+p.Namespace, func() bool {
			_, err := c.Client.CoreV1().ServiceAccounts(p.Namespace).Get(ctx, "default", metav1.GetOptions{})
			return err == nil
		})
	}
}

// startProbePod creates party's probe pod: a pause container under the restricted Pod Security profile,
// labelled as the party.
func startProbePod(t *testing.T, c *cluster.Cluster, p reachability.Party, image string) {
	t.Helper()
	ctx := context.Background()
	no, yes, nobody, grace := false, true, int64(65534), int64(0)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, Labels: p.PodLabels},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken:  &no,
			TerminationGracePeriodSeconds: &grace,
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: &yes, RunAsUser: &nobody, RunAsGroup: &nobody,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name: "probe", Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1m"), corev1.ResourceMemory: resource.MustParse("4Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("16Mi")},
				},
			}},
		},
	}
	_, err := c.Client.CoreV1().Pods(p.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err, "probe pod %s/%s", p.Namespace, p.Name)
}

// waitProgrammed waits until every probe pod runs with an address and kube-router's filter table holds
// every pod and every NetworkPolicy of the cluster.
func waitProgrammed(t *testing.T, c *cluster.Cluster, parties []reachability.Party) {
	t.Helper()
	ctx := context.Background()
	var names []string
	for _, p := range parties {
		names = append(names, p.Namespace+"/"+p.Name)
	}
	start := time.Now()
	waitFor(t, 3*time.Minute, "every probe pod to run", func() bool {
		for _, p := range parties {
			pod, err := c.Client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
			if err != nil || pod.Status.Phase != corev1.PodRunning || pod.Status.PodIP == "" {
				return false
			}
		}
		return true
	})
	t.Logf("every probe pod runs after %s", since(start))
	policies, err := c.Client.NetworkingV1().NetworkPolicies("").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	waitFor(t, 2*time.Minute, "kube-router to program every pod and policy", func() bool {
		ok, err := c.NetworkPoliciesProgrammed(names, len(policies.Items))
		require.NoError(t, err)
		return ok
	})
	t.Logf("kube-router has programmed them after %s", since(start))
}

// readBack fills the parties as they run: each probe pod's address and labels and its namespace's labels,
// read from the cluster, and the pod's network namespace; and the played hosts.
func (n *packetNetwork) readBack(t *testing.T, c *cluster.Cluster, hosts map[string]cluster.NetworkNamespace) {
	t.Helper()
	ctx := context.Background()
	n.parties, n.nets = nil, map[string]cluster.NetworkNamespace{}
	for _, p := range n.rendered.Parties() {
		if !p.InCluster() {
			if host, played := hosts[p.Name]; played {
				n.parties = append(n.parties, p)
				n.nets[p.Name] = host
			}
			continue
		}
		pod, err := c.Client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		require.NoError(t, err)
		ns, err := c.Client.CoreV1().Namespaces().Get(ctx, p.Namespace, metav1.GetOptions{})
		require.NoError(t, err)
		party := reachability.Party{Name: p.Name, Namespace: p.Namespace, NamespaceLabels: ns.Labels, PodLabels: pod.Labels, IP: pod.Status.PodIP}
		n.parties = append(n.parties, party)
		podNet, err := c.PodNetwork(party.IP)
		require.NoError(t, err)
		n.nets[p.Name] = podNet
	}
}

// party is the running party of that name.
func (n *packetNetwork) party(t *testing.T, name string) reachability.Party {
	t.Helper()
	i := slices.IndexFunc(n.parties, func(p reachability.Party) bool { return p.Name == name })
	require.GreaterOrEqual(t, i, 0, "party %s", name)
	return n.parties[i]
}

// connects tries one connection from one party's pod to another's.
func (n *packetNetwork) connects(t *testing.T, from, to reachability.Party, port reachability.Port) bool {
	ok, err := n.nets[from.Name].Connects(strings.ToLower(string(port.Protocol)), net.JoinHostPort(to.IP, fmt.Sprint(port.Number)), probeTimeout)
	require.NoError(t, err)
	return ok
}

// cells are the matrix of the computed test: every ordered pair of different parties at least one of which
// is a pod of the stack's namespace, on every port.
func (n *packetNetwork) cells() []cell {
	var out []cell
	for _, from := range n.parties {
		for _, to := range n.parties {
			if from.Name == to.Name || (from.Namespace != n.rendered.Namespace && to.Namespace != n.rendered.Namespace) {
				continue
			}
			for _, port := range diagram.Ports {
				out = append(out, cell{from, to, port})
			}
		}
	}
	return out
}

// measure tries every cell, probeParallelism at a time, and returns the verdicts.
func (n *packetNetwork) measure(t *testing.T, cells []cell) map[string]bool {
	t.Helper()
	var (
		mu       sync.Mutex
		measured = map[string]bool{}
		wg       sync.WaitGroup
		slots    = make(chan struct{}, probeParallelism)
	)
	for _, cl := range cells {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			ok, err := n.nets[cl.from.Name].Connects(strings.ToLower(string(cl.port.Protocol)),
				net.JoinHostPort(cl.to.IP, fmt.Sprint(cl.port.Number)), probeTimeout)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("%s: %v", cl, err)
			}
			measured[cl.String()] = ok
		}()
	}
	wg.Wait()
	return measured
}

// assertMatrix measures the stack's matrix and holds it to cyclonus's verdict on the cluster's policies as
// stored (read back), cell by cell, and its allowed flows to the review's diagram (the diagram's flows
// between measured parties, each rewritten by edit when a test changed the stack).
func (n *packetNetwork) assertMatrix(t *testing.T, c *cluster.Cluster, edit func(reachability.Flow) reachability.Flow) {
	t.Helper()
	stored, err := c.Client.NetworkingV1().NetworkPolicies("").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var policies []*networkingv1.NetworkPolicy
	for i := range stored.Items {
		policies = append(policies, &stored.Items[i])
	}
	var pods []string
	for _, p := range n.parties {
		if p.InCluster() {
			pods = append(pods, p.Namespace+"/"+p.Name)
		}
	}
	programmed, err := c.NetworkPoliciesProgrammed(pods, len(policies))
	require.NoError(t, err, "kube-router still enforces")
	require.True(t, programmed, "kube-router's last sync holds every pod and policy")
	engine := reachability.New(policies)
	cells := n.cells()
	start := time.Now()
	measured := n.measure(t, cells)
	t.Logf("%s: %d cells measured in %s", n.stack, len(cells), since(start))

	var disagreements []string
	var allowed []reachability.Flow
	for _, cl := range cells {
		got, want := measured[cl.String()], engine.Allowed(cl.from, cl.to, cl.port)
		if got != want {
			disagreements = append(disagreements, fmt.Sprintf("%s: packets %s, cyclonus %s; egress of %s by %v, ingress of %s by %v",
				cl, verdict(got), verdict(want), cl.from.Name, selecting(policies, cl.from, networkingv1.PolicyTypeEgress),
				cl.to.Name, selecting(policies, cl.to, networkingv1.PolicyTypeIngress)))
		}
		if got {
			allowed = append(allowed, reachability.Flow{From: cl.from.Name, To: cl.to.Name, Port: cl.port})
		}
	}
	assert.Empty(t, disagreements, "%d of %d cells disagree", len(disagreements), len(cells))

	inMatrix := map[string]bool{}
	for _, p := range n.parties {
		inMatrix[p.Name] = true
	}
	var want []reachability.Flow
	for _, f := range diagram.Flows(n.stack) {
		if edit != nil {
			f = edit(f)
		}
		if inMatrix[f.From] && inMatrix[f.To] {
			want = append(want, f)
		}
	}
	assert.Empty(t, flowsNotIn(want, allowed), "the diagram's flows between measured parties that the packets did not get through")
	assert.Empty(t, flowsNotIn(allowed, want), "flows the packets got through that the diagram does not have")
}

// flowsNotIn are the flows of these that others lacks, as text.
func flowsNotIn(these, others []reachability.Flow) []string {
	var out []string
	for _, f := range these {
		if !slices.Contains(others, f) {
			out = append(out, f.String())
		}
	}
	return out
}

func verdict(allowed bool) string {
	if allowed {
		return "allowed"
	}
	return "denied"
}

// selecting names the policies whose podSelector selects p for the direction.
func selecting(policies []*networkingv1.NetworkPolicy, p reachability.Party, direction networkingv1.PolicyType) []string {
	var out []string
	for _, np := range policies {
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil || np.Namespace != p.Namespace || !slices.Contains(np.Spec.PolicyTypes, direction) || !sel.Matches(labels.Set(p.PodLabels)) {
			continue
		}
		out = append(out, np.Name)
	}
	return out
}

// applyPolicies replaces the namespace's live NetworkPolicies by policies, as an up of the changed program
// would: same names updated in place, new ones created, gone ones deleted.
func applyPolicies(t *testing.T, c *cluster.Cluster, policies []*networkingv1.NetworkPolicy) {
	t.Helper()
	ctx := context.Background()
	require.NotEmpty(t, policies)
	client := c.Client.NetworkingV1().NetworkPolicies(policies[0].Namespace)
	live, err := client.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	kept := map[string]bool{}
	for _, np := range policies {
		kept[np.Name] = true
		current, err := client.Get(ctx, np.Name, metav1.GetOptions{})
		if err != nil {
			_, err = client.Create(ctx, np, metav1.CreateOptions{})
			require.NoError(t, err, "NetworkPolicy %s", np.Name)
			continue
		}
		current.Spec = np.Spec
		_, err = client.Update(ctx, current, metav1.UpdateOptions{})
		require.NoError(t, err, "NetworkPolicy %s", np.Name)
	}
	for _, np := range live.Items {
		if !kept[np.Name] {
			require.NoError(t, client.Delete(ctx, np.Name, metav1.DeleteOptions{}))
		}
	}
}

// probeUIDs are every probe pod's UID and restart count.
func probeUIDs(t *testing.T, c *cluster.Cluster) map[string]string {
	t.Helper()
	pods, err := c.Client.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	out := map[string]string{}
	for _, p := range pods.Items {
		restarts := int32(0)
		for _, s := range p.Status.ContainerStatuses {
			restarts += s.RestartCount
		}
		out[p.Namespace+"/"+p.Name] = fmt.Sprintf("%s restarts=%d", p.UID, restarts)
	}
	return out
}

// portNumbers are the numbers of diagram.Ports of the protocol.
func portNumbers(protocol corev1.Protocol) []int {
	var out []int
	for _, p := range diagram.Ports {
		if p.Protocol == protocol {
			out = append(out, p.Number)
		}
	}
	return out
}
