package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// NodeBinaries are the programs of the real node, built by `make tools` into .tools/bin (the CNI plugins
// into .tools/cni-bin, see CNIPlugins).
var NodeBinaries = []string{"containerd", "containerd-shim-runc-v2", "ctr", "runc", "kubelet", "kube-proxy", "coredns"}

// CNIPlugins are the CNI plugins the node's network configuration uses.
var CNIPlugins = []string{"bridge", "host-local", "loopback", "portmap"}

// RealNodeName is the Node the kubelet registers.
const RealNodeName = "jdj-node-0"

// nodeHostTools are the host programs the kubelet and kube-proxy call (Debian's iptables, conntrack).
var nodeHostTools = []string{"iptables", "iptables-restore", "ip6tables", "conntrack", "ip", "mount"}

// nodeProcesses are the node's processes, in the order Stop ends them.
var nodeProcesses = []string{kubeRouter, "kube-proxy", "coredns", "kubelet", "containerd"}

// RealNode configures the real node: a kubelet on containerd and runc, with the CNI bridge, kube-proxy in
// iptables mode and CoreDNS, all host processes (the API server listens on loopback, which pods cannot
// reach: nothing that talks to it runs in a pod).
type RealNode struct {
	// CNIBinDir holds CNIPlugins.
	CNIBinDir string
	// Images are OCI image tarballs imported into containerd's k8s.io namespace before the kubelet starts.
	Images []string
	// PauseImage is the sandbox image's reference; it must be among Images.
	PauseImage string
	// Digests are the manifest digests the imported images must have, by reference.
	Digests map[string]string
	// NetworkPolicies makes the node enforce NetworkPolicies with kube-router's policy controller (see
	// netpol.go). Off, as on a cluster whose CNI has no policy support, every pod reaches every pod.
	NetworkPolicies bool
}

// nodePaths are the node's folders and sockets under the cluster's Dir.
type nodePaths struct{ root string }

func (p nodePaths) at(parts ...string) string {
	return filepath.Join(append([]string{p.root}, parts...)...)
}
func (p nodePaths) containerdSocket() string { return p.at("containerd", "containerd.sock") }

// runcRoot is runc's state folder for every container of the node, the kubelet's and the outside
// servers' alike (runc's default, /run/containerd/runc, is shared by every run on the host and outlives it).
func (p nodePaths) runcRoot() string { return p.at("containerd", "runc") }

// startRealNode prepares the host network, starts containerd, imports the images, writes the CNI network,
// then starts the kubelet, kube-proxy and CoreDNS and waits until the Node is Ready and DNS answers.
func (c *Cluster) startRealNode(ctx context.Context) error {
	n := c.opts.RealNode
	if os.Geteuid() != 0 {
		return fmt.Errorf("the real node needs root (containers, mounts, the bridge and iptables)")
	}
	if missing := missingIn(c.opts.BinDir, NodeBinaries); len(missing) > 0 {
		return fmt.Errorf("node binaries %v missing from %s: run `make tools`", missing, c.opts.BinDir)
	}
	if n.NetworkPolicies {
		if missing := missingIn(c.opts.BinDir, []string{kubeRouter}); len(missing) > 0 {
			return fmt.Errorf("%s missing from %s: run `make tools`", kubeRouter, c.opts.BinDir)
		}
	}
	if missing := missingIn(n.CNIBinDir, CNIPlugins); len(missing) > 0 {
		return fmt.Errorf("CNI plugins %v missing from %s: run `make tools`", missing, n.CNIBinDir)
	}
	for _, tool := range nodeHostTools {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("host tool %s not found (Debian's iptables, conntrack, iproute2, mount; `make tools` installs them)", tool)
		}
	}
	if n.PauseImage == "" || len(n.Images) == 0 {
		return fmt.Errorf("the real node needs its images (at least the pause image): run `make tools`")
	}
	if err := sweepLeftovers(); err != nil {
		return err
	}
	p := nodePaths{root: c.path("node")}
	for _, d := range []string{"containerd", "cni/net.d", "cni/ipam", "kubelet", "pod-logs", "volumes"} {
		if err := os.MkdirAll(p.at(d), 0o755); err != nil {
			return err
		}
	}
	c.node = &nodeState{paths: p, runDir: recordRunDir()}
	if err := writeOwner(c.opts.Dir); err != nil {
		return err
	}
	if err := c.node.host.setUp(); err != nil {
		return err
	}
	if err := createCgroups(cgroupRoot); err != nil {
		return err
	}
	if err := os.WriteFile(p.at("containerd", "config.toml"), containerdConfig(p, *n, c.opts.BinDir), 0o644); err != nil {
		return err
	}
	if err := c.start("containerd", "--config", p.at("containerd", "config.toml")); err != nil {
		return err
	}
	if err := c.waitContainerd(ctx); err != nil {
		return err
	}
	for _, image := range n.Images {
		if _, err := c.ctr("images", "import", "--local", image); err != nil {
			return fmt.Errorf("importing %s: %w", image, err)
		}
	}
	for ref, digest := range n.Digests {
		if err := c.pinImage(ref, digest); err != nil {
			return err
		}
	}
	if err := os.WriteFile(p.at("cni", "net.d", "10-jdj.conflist"), cniNetwork(p), 0o644); err != nil {
		return err
	}
	kubeletPort, err := freePortOn(NodeIP)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p.at("kubelet", "config.yaml"), c.kubeletConfig(p, kubeletPort), 0o644); err != nil {
		return err
	}
	if err := c.start("kubelet", "--config="+p.at("kubelet", "config.yaml"), "--kubeconfig="+c.Kubeconfig,
		"--root-dir="+p.at("kubelet"), "--hostname-override="+RealNodeName, "--node-ip="+NodeIP,
		"--node-labels=topology.kubernetes.io/zone=local-a,jdj.test/node=real",
	); err != nil {
		return err
	}
	proxyHealth, err := freePort()
	if err != nil {
		return err
	}
	proxyMetrics, err := freePort()
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.path("kube-proxy.yaml"), c.kubeProxyConfig(proxyHealth, proxyMetrics), 0o644); err != nil {
		return err
	}
	if err := c.start("kube-proxy", "--config="+c.path("kube-proxy.yaml")); err != nil {
		return err
	}
	health, err := freePort()
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.path("Corefile"), c.corefile(health), 0o644); err != nil {
		return err
	}
	if err := c.start("coredns", "-conf", c.path("Corefile")); err != nil {
		return err
	}
	if err := c.publishClusterDNS(ctx); err != nil {
		return err
	}
	if err := c.waitNodeReady(ctx, RealNodeName); err != nil {
		return err
	}
	if n.NetworkPolicies {
		return c.startNetworkPolicies(ctx)
	}
	return nil
}

// missingIn lists the names absent from dir.
func missingIn(dir string, names []string) []string {
	var missing []string
	for _, b := range names {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			missing = append(missing, b)
		}
	}
	return missing
}

// containerdConfig is containerd 2's configuration (version 3): its root, state and socket under the
// node's folder, CRI with runc (cgroupfs: the machine's cgroups are v1), the CNI folders and the local
// pause image. restrict_oom_score_adj: the VM lacks CAP_SYS_RESOURCE, so runc may not lower a score.
func containerdConfig(p nodePaths, n RealNode, binDir string) []byte {
	return []byte(fmt.Sprintf(`version = 3
root = %q
state = %q
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.blockfile", "io.containerd.snapshotter.v1.erofs"]

[grpc]
  address = %q

[ttrpc]
  address = %q

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = %q

[plugins."io.containerd.cri.v1.runtime"]
  enable_selinux = false
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = [%q]
    conf_dir = %q
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = %q
        Root = %q
        SystemdCgroup = false

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[plugins."io.containerd.internal.v1.opt"]
  path = %q
`, p.at("containerd", "root"), p.at("containerd", "state"), p.containerdSocket(), p.containerdSocket()+".ttrpc", n.PauseImage,
		n.CNIBinDir, p.at("cni", "net.d"), filepath.Join(binDir, "runc"), p.runcRoot(), p.at("containerd", "opt")))
}

// cniNetwork is the pods' network: the harness's bridge, host-local addresses from PodCIDR with the
// node as gateway, hairpin so a pod reaches itself through its Service, no masquerade (nothing leaves).
func cniNetwork(p nodePaths) []byte {
	conf := map[string]any{
		"cniVersion": "1.0.0",
		"name":       "jdj",
		"plugins": []any{
			map[string]any{
				"type": "bridge", "bridge": BridgeName, "isGateway": true, "ipMasq": false, "hairpinMode": true,
				"ipam": map[string]any{
					"type":    "host-local",
					"ranges":  [][]map[string]string{{{"subnet": PodCIDR, "gateway": NodeIP}}},
					"routes":  []map[string]string{{"dst": "0.0.0.0/0"}},
					"dataDir": p.at("cni", "ipam"),
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	b, _ := json.MarshalIndent(conf, "", "  ")
	return b
}

// kubeletConfig is the KubeletConfiguration: cgroupfs on cgroup v1 (allowed in 1.34 with failCgroupV1
// off), containerd's socket, the cluster DNS Service, authentication of the API server by the harness's
// CA, image garbage collection off (the imported images cannot be pulled again) and eviction thresholds
// low enough for a shared test machine.
func (c *Cluster) kubeletConfig(p nodePaths, port int) []byte {
	return []byte(fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupRoot: /%[1]s
containerRuntimeEndpoint: unix://%[2]s
address: %[3]s
port: %[4]d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: %[5]s}
authorization:
  mode: Webhook
clusterDomain: cluster.local
clusterDNS: [%[6]s]
resolvConf: %[7]s
podLogsDir: %[8]s
podCIDR: %[9]s
oomScoreAdj: 0
protectKernelDefaults: false
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%%, imagefs.available: 1%%, nodefs.inodesFree: 1%%}
failSwapOn: false
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusUpdateFrequency: 5s
maxPods: 110
`, cgroupRoot, p.containerdSocket(), NodeIP, port, c.path("ca.crt"), DNSServiceIP, c.path("node-resolv.conf"),
		p.at("pod-logs"), PodCIDR))
}

// cgroupRoot is the cgroup every pod of the node lives under, created and removed by the harness.
const cgroupRoot = "jdj-node"

// kubeProxyConfig is kube-proxy in iptables mode: it listens on loopback only, leaves conntrack sizing
// and route_localnet alone (no sysctl changes), and serves NodePorts on the bridge only.
func (c *Cluster) kubeProxyConfig(health, metrics int) []byte {
	return []byte(fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: %s}
mode: iptables
hostnameOverride: %s
clusterCIDR: %s
detectLocalMode: ClusterCIDR
healthzBindAddress: 127.0.0.1:%d
metricsBindAddress: 127.0.0.1:%d
nodePortAddresses: [%s/32]
conntrack: {maxPerCore: 0, min: 0}
iptables: {localhostNodePorts: false, masqueradeAll: false, syncPeriod: 5s, minSyncPeriod: 0s}
`, c.Kubeconfig, RealNodeName, PodCIDR, health, metrics, NodeIP))
}

// corefile serves cluster.local from the API server on the node's address (where pods send DNS, through
// the kube-dns Service); names outside the cluster get no answer, since there is no upstream to ask (and
// so no forwarding loop for the loop plugin to find).
func (c *Cluster) corefile(health int) []byte {
	return []byte(fmt.Sprintf(`.:53 {
    bind %s
    errors
    health 127.0.0.1:%d
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig %s
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    loadbalance
}
`, NodeIP, health, c.Kubeconfig))
}

// publishClusterDNS creates kube-system/kube-dns, the Service clusters name their DNS by, with the node's
// CoreDNS as its endpoint, and the resolv.conf the kubelet gives pods whose dnsPolicy is Default.
func (c *Cluster) publishClusterDNS(ctx context.Context) error {
	if err := os.WriteFile(c.path("node-resolv.conf"), []byte("nameserver "+NodeIP+"\n"), 0o644); err != nil {
		return err
	}
	labels := map[string]string{"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}
	ports := []corev1.ServicePort{
		{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(53)},
		{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(53)},
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-dns", Namespace: "kube-system", Labels: labels},
		Spec:       corev1.ServiceSpec{ClusterIP: DNSServiceIP, Ports: ports},
	}
	if _, err := c.Client.CoreV1().Services("kube-system").Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("kube-dns Service: %w", err)
	}
	ready, udp, tcp := true, corev1.ProtocolUDP, corev1.ProtocolTCP
	dnsName, tcpName, port := "dns", "dns-tcp", int32(53)
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-dns-node", Namespace: "kube-system",
			Labels: map[string]string{discoveryv1.LabelServiceName: "kube-dns", discoveryv1.LabelManagedBy: "jdj.test-harness"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{NodeIP}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}}},
		Ports:       []discoveryv1.EndpointPort{{Name: &dnsName, Protocol: &udp, Port: &port}, {Name: &tcpName, Protocol: &tcp, Port: &port}},
	}
	if _, err := c.Client.DiscoveryV1().EndpointSlices("kube-system").Create(ctx, slice, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("kube-dns endpoints: %w", err)
	}
	return nil
}

// waitContainerd waits until containerd answers on its socket.
func (c *Cluster) waitContainerd(ctx context.Context) error {
	return poll(ctx, time.Minute, "containerd to answer", func() (bool, error) {
		if p := c.proc("containerd"); p != nil && p.exited() {
			return false, fmt.Errorf("containerd exited: %v", p.err)
		}
		_, err := c.ctr("version")
		return err == nil, nil
	})
}

// pinImage checks that the imported image ref has digest and records it under repo@digest too: a pull
// records an image under its digest, which is the name CRI looks a pinned reference up by
// (repo:tag@digest is resolved as repo@digest); an import records the tag only.
func (c *Cluster) pinImage(ref, digest string) error {
	out, err := c.ctr("images", "ls", "name=="+ref)
	if err != nil || !strings.Contains(out, digest) {
		return fmt.Errorf("image %s: not imported with digest %s (was it rebuilt meanwhile?): %v %s", ref, digest, err, out)
	}
	repo := ref
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo = ref[:i]
	}
	if _, err := c.ctr("images", "tag", "--force", ref, repo+"@"+digest); err != nil {
		return fmt.Errorf("image %s: %w", ref, err)
	}
	return nil
}

// ImportImage imports one more image into the real node's containerd, pinned by its digest as the
// node's images are (a new release of an image, say, for a rollout).
func (c *Cluster) ImportImage(image LocalImage) error {
	if c.node == nil {
		return fmt.Errorf("importing %s: the cluster has no real node", image.Reference)
	}
	if _, err := c.ctr("images", "import", "--local", image.Tar); err != nil {
		return fmt.Errorf("importing %s: %w", image.Tar, err)
	}
	return c.pinImage(image.Reference, image.Digest)
}

// ctr runs ctr against the node's containerd in the kubelet's namespace and returns what it printed on
// stdout (its stderr carries warnings, such as containerd's about cgroup v1, and goes into errors).
func (c *Cluster) ctr(args ...string) (string, error) {
	args = append([]string{"--address", c.node.paths.containerdSocket(), "--namespace", "k8s.io"}, args...)
	var stdout, stderr strings.Builder
	cmd := exec.Command(filepath.Join(c.opts.BinDir, "ctr"), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("ctr %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stdout.String()+stderr.String()))
	}
	return stdout.String(), nil
}

// waitNodeReady waits until the Node reports Ready (the kubelet registered, the runtime and CNI work) and
// the default namespace's service account exists.
func (c *Cluster) waitNodeReady(ctx context.Context, name string) error {
	return poll(ctx, 3*time.Minute, "node "+name+" to be Ready", func() (bool, error) {
		for _, p := range []string{"kubelet", "containerd", "kube-proxy", "coredns"} {
			if proc := c.proc(p); proc != nil && proc.exited() {
				return false, fmt.Errorf("%s exited: %v", p, proc.err)
			}
		}
		node, err := c.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, cond := range node.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				_, err = c.Client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
				return err == nil, nil
			}
		}
		return false, nil
	})
}

// freePortOn is a free TCP port on ip.
func freePortOn(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// nodeState is what the running node holds on the host.
type nodeState struct {
	paths  nodePaths
	host   hostNet
	runDir runDir
}

// containerdRunDir is where containerd 2 puts its shims' sockets (s/) and ctr its FIFOs whatever its
// configured state folder: the one place outside the node's folder that the node writes to.
const containerdRunDir = "/run/containerd"

// runDir is what containerdRunDir held before the node started.
type runDir struct {
	existed bool
	sockets map[string]bool
}

func recordRunDir() runDir {
	r := runDir{sockets: map[string]bool{}}
	if _, err := os.Stat(containerdRunDir); err == nil {
		r.existed = true
	}
	entries, _ := os.ReadDir(filepath.Join(containerdRunDir, "s"))
	for _, e := range entries {
		r.sockets[e.Name()] = true
	}
	return r
}

// restore removes the shims' sockets the node added, or the whole folder if the node created it.
func (r runDir) restore() error {
	if !r.existed {
		return os.RemoveAll(containerdRunDir)
	}
	entries, _ := os.ReadDir(filepath.Join(containerdRunDir, "s"))
	for _, e := range entries {
		if !r.sockets[e.Name()] {
			if err := os.Remove(filepath.Join(containerdRunDir, "s", e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// stopRealNode deletes every pod (the kubelet stops their containers and releases their network), stops
// the node's processes, then removes what is left on the host: containers' processes, mounts under the
// node's folder, the bridge, kube-proxy's and kube-router's rules, the pods' cgroups, and the sysctls it
// changed.
func (c *Cluster) stopRealNode() []error {
	if c.node == nil {
		return nil
	}
	var errs []error
	c.drainPods()
	for _, name := range nodeProcesses {
		c.stop(name)
	}
	if err := run(filepath.Join(c.opts.BinDir, "kube-proxy"), "--cleanup"); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, cleanKubeRouter()...)
	errs = append(errs, cleanHost(c.node.paths.root)...)
	if err := c.node.runDir.restore(); err != nil {
		errs = append(errs, err)
	}
	if err := c.node.host.tearDown(); err != nil {
		errs = append(errs, err)
	}
	if err := os.Remove(c.path(ownerFile)); err != nil && !os.IsNotExist(err) {
		errs = append(errs, err)
	}
	c.node = nil
	return errs
}

// drainPods deletes every pod at once and waits up to 30 seconds for the kubelet to have stopped them;
// what is still running then is killed by cleanHost.
func (c *Cluster) drainPods() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if kubelet := c.proc("kubelet"); kubelet == nil || kubelet.exited() {
		return
	}
	namespaces, err := c.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	zero := int64(0)
	for _, ns := range namespaces.Items {
		_ = c.Client.CoreV1().Pods(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
	}
	_ = poll(ctx, 30*time.Second, "pods to stop", func() (bool, error) {
		pods, err := c.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		return err == nil && len(pods.Items) == 0, nil
	})
}

// cleanHost kills every process of the node under root (the shims) and in the pods' cgroups (the
// containers' processes, in their own process groups and PID namespaces), unmounts everything mounted under root (deepest first), and removes the pods' cgroups.
func cleanHost(root string) []error {
	var errs []error
	killProcessesUnder(root)
	killCgroupProcesses(cgroupRoot)
	errs = append(errs, unmountUnder(root)...)
	errs = append(errs, removeCgroups(cgroupRoot)...)
	return errs
}

// killProcessesUnder kills the processes whose command line names root (containerd's shims carry the
// socket's path) and, through their process groups, the containers' processes they started.
func killProcessesUnder(root string) {
	for _, pid := range processesMentioning(root) {
		_ = killTree(pid)
	}
}

// processesMentioning are the PIDs whose command line contains s.
func processesMentioning(s string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), s) {
			pids = append(pids, pid)
		}
	}
	return pids
}
