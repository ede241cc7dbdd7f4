package cluster

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
)

// KubeconfigEnv names an existing cluster to test against instead of starting one.
const KubeconfigEnv = "JDJ_TEST_KUBECONFIG"

// Binaries are the programs the local control plane runs, all built by `make tools` into .tools/bin; the
// node adds kwok, or NodeBinaries for a real node.
var Binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"}

// kwokProvisioner is the provisioner of the storage classes of the kwok node; kwok's volume stages
// provision and bind their claims.
const kwokProvisioner = "kwok.x-k8s.io/volume"

// ProdContext is the context Pulumi.prod.yaml binds prod to; the local kubeconfig has it too, naming
// the same cluster, as a team's kubeconfig names its prod cluster.
const ProdContext = "jd-jones-rag-prod"

// NodeName is the fake Node every pod is scheduled on.
const NodeName = "kwok-node-0"

// stages are kwok v0.8.0's own Stage files (kustomize/stage/{node/fast,node/heartbeat-with-lease,
// pod/fast,volume/fast}), copied verbatim; the volume stages' class match is rewritten in kwokConfig.
//
//go:embed stages/*.yaml
var stages embed.FS

// Options configure a local control plane.
type Options struct {
	// BinDir holds the binaries of Binaries.
	BinDir string
	// Dir holds data, certificates, the kubeconfig and one log file per process.
	Dir string
	// StorageClasses are created with kwok's provisioner; kwok binds claims of these classes only.
	StorageClasses []string
	// IngressClasses are served by a stand-in ingress controller that publishes a load balancer
	// address on their Ingresses, as a real controller would (Pulumi awaits it).
	IngressClasses []string
	// CRDDir holds the upstream CRD manifests `make tools` copies to .tools/crds; every one is
	// installed before the cluster is handed over.
	CRDDir string
	// RealNode, when set, runs pods on a real node instead of kwok's fake one (root only).
	RealNode *RealNode
}

// Cluster is a running control plane, local or external.
type Cluster struct {
	// Kubeconfig is the path of a kubeconfig with cluster-admin rights.
	Kubeconfig string
	// Client talks to the cluster as that admin.
	Client kubernetes.Interface
	// Local is false for a cluster given by KubeconfigEnv: nothing was started and nothing is stopped.
	Local bool

	opts    Options
	node    *nodeState
	ports   ports
	mu      sync.Mutex
	procs   map[string]*process
	stopBg  context.CancelFunc
	bgDone  sync.WaitGroup
	started time.Time
}

type ports struct{ etcdClient, etcdPeer, apiserver, controllerManager, scheduler int }

// process is one running binary and its log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// Missing lists the binaries of Binaries, and kwok, absent from dir.
func Missing(dir string) []string {
	return missingIn(dir, append(append([]string{}, Binaries...), "kwok"))
}

// Connect uses the cluster of path's kubeconfig (current context) as it is.
func Connect(path string) (*Cluster, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Cluster{Kubeconfig: path, Client: client}, nil
}

// Start starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler on free loopback ports,
// then the node (real, or kwok and its fake Node), creates the storage and ingress classes and waits until
// the Node is Ready. On error, everything started is stopped again.
func Start(ctx context.Context, opts Options) (c *Cluster, err error) {
	// Every folder first: an empty one would mean the working directory to what follows.
	if opts.Dir == "" || opts.BinDir == "" {
		return nil, fmt.Errorf("cluster options need Dir and BinDir")
	}
	if _, err := crdFiles(opts.CRDDir); err != nil {
		return nil, err
	}
	needed := append(append([]string{}, Binaries...), "kwok")
	if opts.RealNode != nil {
		needed = append(append([]string{}, Binaries...), NodeBinaries...)
	}
	if missing := missingIn(opts.BinDir, needed); len(missing) > 0 {
		return nil, fmt.Errorf("control plane binaries %v missing from %s: run `make tools`", missing, opts.BinDir)
	}
	c = &Cluster{Local: true, opts: opts, procs: map[string]*process{}, started: time.Now()}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, c.Logs(20))
			if stopErr := c.Stop(); stopErr != nil {
				err = fmt.Errorf("%w\nstopping what had started: %v", err, stopErr)
			}
		}
	}()
	for _, p := range []*int{&c.ports.etcdClient, &c.ports.etcdPeer, &c.ports.apiserver, &c.ports.controllerManager, &c.ports.scheduler} {
		if *p, err = freePort(); err != nil {
			return c, err
		}
	}
	if err := c.writeCredentials(); err != nil {
		return c, err
	}
	if err := c.writeKubeletClientCredentials(); err != nil {
		return c, err
	}
	if err := c.start("etcd",
		"--data-dir", c.path("etcd-data"),
		"--listen-client-urls", c.url("http", c.ports.etcdClient), "--advertise-client-urls", c.url("http", c.ports.etcdClient),
		"--listen-peer-urls", c.url("http", c.ports.etcdPeer), "--initial-advertise-peer-urls", c.url("http", c.ports.etcdPeer),
		"--initial-cluster", "default="+c.url("http", c.ports.etcdPeer),
	); err != nil {
		return c, err
	}
	if err := c.StartAPIServer(ctx); err != nil {
		return c, err
	}
	kc := "--kubeconfig=" + c.Kubeconfig
	if err := c.start("kube-controller-manager", kc,
		"--service-account-private-key-file="+c.path("sa.key"), "--leader-elect=false", "--controllers=*",
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(c.ports.controllerManager),
	); err != nil {
		return c, err
	}
	if err := c.start("kube-scheduler", kc, "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(c.ports.scheduler),
	); err != nil {
		return c, err
	}
	if err := c.seedClasses(ctx); err != nil {
		return c, err
	}
	if opts.RealNode != nil {
		if err := c.startRealNode(ctx); err != nil {
			return c, err
		}
	} else if err := c.startKwok(ctx); err != nil {
		return c, err
	}
	if err := c.installCRDs(ctx, opts.CRDDir); err != nil {
		return c, err
	}
	bg, stop := context.WithCancel(context.Background())
	c.stopBg = stop
	c.background(bg, c.publishIngressStatus)
	if opts.RealNode != nil {
		c.background(bg, c.provisionVolumes)
	}
	return c, nil
}

// background runs loop until ctx ends; Stop waits for it.
func (c *Cluster) background(ctx context.Context, loop func(context.Context)) {
	c.bgDone.Add(1)
	go func() {
		defer c.bgDone.Done()
		loop(ctx)
	}()
}

// startKwok starts kwok as the agent of one fake Node, creates the Node and waits until it is Ready.
func (c *Cluster) startKwok(ctx context.Context) error {
	if err := os.WriteFile(c.path("kwok.yaml"), c.kwokConfig(), 0o644); err != nil {
		return err
	}
	if err := c.start("kwok", "--kubeconfig="+c.Kubeconfig, "--config="+c.path("kwok.yaml"),
		"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--cidr=10.0.0.1/24", "--node-ip=10.0.0.1",
		// kwok renews the Node's lease, as a kubelet does, or the node controller marks it NotReady.
		"--node-lease-duration-seconds=40",
	); err != nil {
		return err
	}
	return c.seedFakeNode(ctx)
}

func (c *Cluster) path(name string) string { return filepath.Join(c.opts.Dir, name) }

func (c *Cluster) url(scheme string, port int) string {
	return scheme + "://127.0.0.1:" + strconv.Itoa(port)
}

// writeCredentials writes the admin token file, the service-account signing key and the kubeconfig.
func (c *Cluster) writeCredentials() error {
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return err
	}
	tok := hex.EncodeToString(token)
	if err := os.WriteFile(c.path("tokens.csv"), []byte(tok+",admin,admin,system:masters\n"), 0o600); err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.path("sa.key"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(c.path("sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		return err
	}
	// The serving certificate is the apiserver's self-signed one, generated into cert-dir at start.
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: %s
contexts:
- name: %[3]s
  context: {cluster: local, user: admin}
- name: %[4]s
  context: {cluster: local, user: admin}
current-context: %[3]s
`, c.url("https", c.ports.apiserver), tok, runner.LocalControlPlaneContext, ProdContext)
	c.Kubeconfig = c.path("kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, []byte(kubeconfig), 0o600); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return err
	}
	// The local control plane serves the tests alone: client-go's default of 5 requests a second would
	// make a test that creates and polls dozens of objects wait mostly on its own limiter.
	cfg.QPS, cfg.Burst = 100, 200
	c.Client, err = kubernetes.NewForConfig(cfg)
	return err
}

// StartAPIServer starts kube-apiserver (again, after StopAPIServer) and waits until it is ready.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	if err := c.start("kube-apiserver",
		"--etcd-servers="+c.url("http", c.ports.etcdClient),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+strconv.Itoa(c.ports.apiserver),
		"--cert-dir="+c.path("apiserver-certs"),
		"--token-auth-file="+c.path("tokens.csv"), "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+c.path("sa.pub"), "--service-account-signing-key-file="+c.path("sa.key"),
		"--service-cluster-ip-range="+ServiceCIDR,
		// How the API server reaches a real node's kubelet (logs, exec, port-forward).
		"--kubelet-client-certificate="+c.path("kubelet-client.crt"), "--kubelet-client-key="+c.path("kubelet-client.key"),
		"--kubelet-preferred-address-types=InternalIP",
		// As kubeadm, kind and the managed offerings run it: privileged pods are Pod Security's to
		// refuse (namespace by namespace), not a cluster-wide validation error.
		"--allow-privileged=true",
	); err != nil {
		return err
	}
	return c.waitReady(ctx)
}

// StopAPIServer stops kube-apiserver alone, as an outage would; etcd and the other processes keep running.
func (c *Cluster) StopAPIServer() {
	c.stop("kube-apiserver")
}

func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	rc := c.Client.Discovery().RESTClient()
	var last error
	for {
		if p := c.proc("kube-apiserver"); p != nil && p.exited() {
			return fmt.Errorf("kube-apiserver exited: %v", p.err)
		}
		_, last = rc.Get().AbsPath("/readyz").DoRaw(ctx)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready: %w", last)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// seedClasses creates the storage classes, provisioned by the node's provisioner, and the ingress classes.
func (c *Cluster) seedClasses(ctx context.Context) error {
	provisioner := kwokProvisioner
	if c.opts.RealNode != nil {
		provisioner = localProvisioner
	}
	for _, name := range c.opts.StorageClasses {
		reclaim, binding := corev1.PersistentVolumeReclaimDelete, storagev1.VolumeBindingImmediate
		sc := &storagev1.StorageClass{
			ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: provisioner,
			ReclaimPolicy: &reclaim, VolumeBindingMode: &binding,
		}
		if _, err := c.Client.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("storage class %s: %w", name, err)
		}
	}
	for _, name := range c.opts.IngressClasses {
		ic := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressClassSpec{Controller: ingressController}}
		if _, err := c.Client.NetworkingV1().IngressClasses().Create(ctx, ic, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("ingress class %s: %w", name, err)
		}
	}
	return nil
}

// seedFakeNode creates kwok's fake Node and waits until it is Ready and the default namespace's service
// account exists (the controllers are working).
func (c *Cluster) seedFakeNode(ctx context.Context) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("64"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("250"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        NodeName,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{
				"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": NodeName,
				"type": "kwok", "topology.kubernetes.io/zone": "local-a",
			},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}
	if _, err := c.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return c.waitNodeReady(ctx, NodeName)
}

// kwokConfig is kwok's stages with the volume stages' class match rewritten to the storage classes.
func (c *Cluster) kwokConfig() []byte {
	quoted := make([]string, len(c.opts.StorageClasses))
	for i, s := range c.opts.StorageClasses {
		quoted[i] = "'" + s + "'"
	}
	match := "self.spec.storageClassName in [" + strings.Join(quoted, ", ") + "]"
	entries, _ := stages.ReadDir("stages")
	var docs []string
	for _, e := range entries {
		b, _ := stages.ReadFile("stages/" + e.Name())
		docs = append(docs, strings.ReplaceAll(string(b), "self.spec.storageClassName == 'kwok-volume'", match))
	}
	return []byte(strings.Join(docs, "\n---\n"))
}

// ingressController is the controller name of the ingress classes the stand-in serves.
const ingressController = "jdj.test/stand-in-ingress-controller"

// publishIngressStatus is the stand-in ingress controller: every few hundred milliseconds it gives each
// Ingress of a served class without a load balancer status the address 127.0.0.1, which is what a
// controller such as ingress-nginx writes once it serves the Ingress.
func (c *Cluster) publishIngressStatus(ctx context.Context) {
	served := map[string]bool{}
	for _, n := range c.opts.IngressClasses {
		served[n] = true
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(300 * time.Millisecond):
		}
		list, err := c.Client.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for i := range list.Items {
			ing := &list.Items[i]
			if ing.Spec.IngressClassName == nil || !served[*ing.Spec.IngressClassName] || len(ing.Status.LoadBalancer.Ingress) > 0 {
				continue
			}
			ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "127.0.0.1"}}
			_, _ = c.Client.NetworkingV1().Ingresses(ing.Namespace).UpdateStatus(ctx, ing, metav1.UpdateOptions{})
		}
	}
}

// start runs a binary of BinDir with its output in <Dir>/<name>.log (appended across restarts).
func (c *Cluster) start(name string, args ...string) error {
	logPath := c.path(name + ".log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "==== %s started %s\n", name, time.Now().Format(time.RFC3339))
	cmd := exec.Command(filepath.Join(c.opts.BinDir, name), args...)
	cmd.Dir = c.opts.Dir
	// The toolchain first: containerd finds its shim and runc there.
	cmd.Env = append(os.Environ(), "PATH="+c.opts.BinDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Stdout, cmd.Stderr = log, log
	// Own process group, and killed if the test binary dies without stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close() // nothing was written through it: the start error is the one to report
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = log.Close() // the process wrote through its own descriptor, closed when it exited
		close(p.done)
	}()
	c.mu.Lock()
	c.procs[name] = p
	c.mu.Unlock()
	return nil
}

func (c *Cluster) proc(name string) *process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.procs[name]
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to a process's group, then SIGKILL after 10 seconds.
func (c *Cluster) stop(name string) {
	p := c.proc(name)
	if p == nil || p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// Exited names the processes that have stopped without being asked to.
func (c *Cluster) Exited() []string {
	if !c.Local {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for name, p := range c.procs {
		if p.exited() {
			out = append(out, fmt.Sprintf("%s (%v)", name, p.err))
		}
	}
	return out
}

// Stop stops every process, the dependents first, and with a real node removes everything it left on the
// host; it returns what could not be cleaned up. An external cluster is left alone.
func (c *Cluster) Stop() error {
	if !c.Local {
		return nil
	}
	if c.stopBg != nil {
		c.stopBg()
		c.bgDone.Wait()
	}
	errs := c.stopRealNode()
	for _, name := range []string{"kwok", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"} {
		c.stop(name)
	}
	return errors.Join(errs...)
}

// Logs is the last lines of every process's log, for a failing test.
func (c *Cluster) Logs(lines int) string {
	if !c.Local {
		return ""
	}
	var b strings.Builder
	for _, name := range append(append([]string{}, Binaries...), append(nodeProcesses, "kwok")...) {
		data, err := os.ReadFile(c.path(name + ".log"))
		if err != nil {
			continue
		}
		all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(all) > lines {
			all = all[len(all)-lines:]
		}
		fmt.Fprintf(&b, "---- %s (last %d lines of %s)\n%s\n", name, len(all), c.path(name+".log"), strings.Join(all, "\n"))
	}
	return b.String()
}

// StartedFor is how long ago Start began.
func (c *Cluster) StartedFor() time.Duration { return time.Since(c.started) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// poll calls cond until it returns true, an error, or timeout passes.
func poll(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out after %s waiting for %s", timeout, what)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
