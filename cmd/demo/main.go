package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// stack is the stack the demo brings up.
const stack = "dev"

// startTimeout bounds a start: the cluster, the images' import and the up take 3-5 minutes.
const startTimeout = 20 * time.Minute

// paths are the demo's files under the repository's .demo folder.
type paths struct{ repo, dir string }

func (p paths) at(name string) string { return filepath.Join(p.dir, name) }
func (p paths) pid() string           { return p.at("holder.pid") }
func (p paths) info() string          { return p.at("info.txt") }
func (p paths) failed() string        { return p.at("failed.txt") }
func (p paths) log() string           { return p.at("demo.log") }

// project is a project folder named like the repository (so the runner keeps its work folder and
// encryption salt) whose stack file points every image at a local one.
func (p paths) project() string { return filepath.Join(p.dir, "project", filepath.Base(p.repo)) }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: demo start|stop|password")
	}
	repo, err := runner.RepoRoot()
	if err != nil {
		return err
	}
	p := paths{repo: repo, dir: filepath.Join(repo, ".demo")}
	switch args[0] {
	case "start":
		return start(p)
	case "hold":
		return hold(p)
	case "stop":
		return stop(p)
	case "password":
		return password(p)
	}
	return fmt.Errorf("unknown command %q: one of start, stop, password", args[0])
}

// holder is the running holder's PID, or 0.
func holder(p paths) int {
	b, err := os.ReadFile(p.pid())
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || syscall.Kill(pid, 0) != nil {
		return 0
	}
	return pid
}

// start starts the holder in a session of its own and waits until it has brought the stack up.
func start(p paths) error {
	if holder(p) != 0 {
		if info, err := os.ReadFile(p.info()); err == nil {
			fmt.Print(string(info))
			return nil
		}
		return fmt.Errorf("a demo is starting already (its log: %s)", p.log())
	}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	// A previous demo's outcome, which would otherwise be read as this one's.
	for _, stale := range []string{p.info(), p.failed()} {
		if err := os.Remove(stale); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	log, err := os.Create(p.log())
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(self, "hold")
	cmd.Dir, cmd.Stdout, cmd.Stderr = p.repo, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	fmt.Printf("starting the local cluster with its real node and bringing %s up on it (3-5 minutes; log: %s)\n", stack, p.log())
	deadline := time.After(startTimeout)
	for {
		select {
		case err := <-exited:
			reason, _ := os.ReadFile(p.failed())
			return fmt.Errorf("the demo stopped (%v): %s\nsee %s", err, strings.TrimSpace(string(reason)), p.log())
		case <-deadline:
			return fmt.Errorf("not up after %s; see %s, and `make demo-down` to remove it", startTimeout, p.log())
		case <-time.After(2 * time.Second):
		}
		if info, err := os.ReadFile(p.info()); err == nil {
			fmt.Print(string(info))
			return nil
		}
	}
}

// session is the runner's session of the demo's stack.
func session(p paths, kubeconfig string) *runner.Session {
	s := &runner.Session{Repo: p.repo, ProjectDir: p.project(), Stack: stack, Program: platform.Program, StateDir: p.at("state")}
	if kubeconfig != "" {
		s.Env = map[string]string{"KUBECONFIG": kubeconfig}
	}
	return s
}

// hold starts the cluster, brings the stack up, writes the info file and keeps the cluster until it is
// signalled; then it stops the cluster, which removes every process, mount and network it made.
func hold(p paths) (err error) {
	if err := os.WriteFile(p.pid(), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return err
	}
	defer os.Remove(p.pid())
	defer func() {
		if err != nil {
			_ = os.WriteFile(p.failed(), []byte(err.Error()), 0o600)
		}
	}()
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	tools := filepath.Join(p.repo, ".tools")
	images, err := cluster.LoadImages(filepath.Join(tools, "images"))
	if err != nil {
		return err
	}
	classes, err := stacktest.StorageClasses(stack)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "jdj-cluster-")
	if err != nil {
		return err
	}
	c, err := cluster.Start(ctx, cluster.Options{
		BinDir: filepath.Join(tools, "bin"), Dir: dir, CRDDir: filepath.Join(tools, "crds"),
		StorageClasses: classes, IngressClasses: []string{"nginx"},
		RealNode: images.RealNode(filepath.Join(tools, "cni-bin")),
	})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("stopping the cluster")
		if stopErr := c.Stop(); stopErr != nil {
			fmt.Println("stopping:", stopErr)
		}
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			fmt.Println("removing the cluster's folder:", rmErr)
		}
	}()
	if err := writeProject(p, images); err != nil {
		return err
	}
	if _, err := session(p, c.Kubeconfig).Up(ctx, nil); err != nil {
		return err
	}
	info, err := describe(ctx, c, p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p.info(), []byte(info), 0o600); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// writeProject writes the project folder: Pulumi.yaml as it is, the stack file with the local images.
func writeProject(p paths, images cluster.LocalImages) error {
	if err := os.MkdirAll(p.project(), 0o700); err != nil {
		return err
	}
	project, err := os.ReadFile(filepath.Join(p.repo, "Pulumi.yaml"))
	if err != nil {
		return err
	}
	stackFile, err := os.ReadFile(filepath.Join(p.repo, "Pulumi."+stack+".yaml"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(p.project(), "Pulumi.yaml"), project, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.project(), "Pulumi."+stack+".yaml"), append(stackFile, images.StackConfig(nil)...), 0o600)
}

// describe is what a newcomer needs: the kubeconfig, each Service's address and its port-forward, how
// to read Grafana's password and how to stop.
func describe(ctx context.Context, c *cluster.Cluster, p paths) (string, error) {
	ns, err := namespaceOf(ctx, c)
	if err != nil {
		return "", err
	}
	services, err := c.Client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", err
	}
	sort.Slice(services.Items, func(i, j int) bool { return services.Items[i].Name < services.Items[j].Name })
	var b strings.Builder
	fmt.Fprintf(&b, "\nThe %s stack runs for real on the local cluster's node %s, namespace %s.\n\n", stack, cluster.RealNodeName, ns)
	fmt.Fprintf(&b, "  export KUBECONFIG=%s\n\n", c.Kubeconfig)
	b.WriteString("Services (kube-proxy routes their addresses on this machine, e.g. curl http://<api>/health;\n" +
		"from elsewhere, port-forward with kubectl):\n")
	local := 8000
	for _, svc := range services.Items {
		if svc.Spec.ClusterIP == corev1.ClusterIPNone || len(svc.Spec.Ports) == 0 {
			continue
		}
		port := svc.Spec.Ports[0].Port
		addr := fmt.Sprintf("%s:%d", svc.Spec.ClusterIP, port)
		fmt.Fprintf(&b, "  %-16s %-20s kubectl -n %s port-forward svc/%s %d:%d\n", svc.Name, addr, ns, svc.Name, local, port)
		local++
	}
	fmt.Fprintf(&b, "\nGrafana: user admin, password from the stack's output: (cd %s && go run ./cmd/demo password)\n", p.repo)
	b.WriteString("Remove everything: make demo-down\n")
	return b.String(), nil
}

// namespaceOf is the namespace the stack made (the one with the platform's label).
func namespaceOf(ctx context.Context, c *cluster.Cluster) (string, error) {
	list, err := c.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/part-of"})
	if err != nil {
		return "", err
	}
	if len(list.Items) != 1 {
		return "", fmt.Errorf("want one namespace of the platform, found %d", len(list.Items))
	}
	return list.Items[0].Name, nil
}

// stop signals the holder, waits until it has stopped the cluster, and removes .demo.
func stop(p paths) error {
	if pid := holder(p); pid != 0 {
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			return err
		}
		deadline := time.Now().Add(3 * time.Minute)
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				return fmt.Errorf("the holder (PID %d) is still stopping the cluster after 3 minutes; see %s", pid, p.log())
			}
			time.Sleep(time.Second)
		}
		fmt.Println("the demo's cluster is stopped")
	} else {
		fmt.Println("no demo running")
	}
	return os.RemoveAll(p.dir)
}

// password prints Grafana's admin password, a secret output of the stack.
func password(p paths) error {
	ctx := context.Background()
	s, err := session(p, "").Select(ctx)
	if err != nil {
		return fmt.Errorf("the demo's stack (is it up? make demo): %w", err)
	}
	outputs, err := s.Outputs(ctx)
	if err != nil {
		return err
	}
	out, ok := outputs["grafanaAdminPassword"]
	if !ok {
		return errors.New("the stack has no output grafanaAdminPassword")
	}
	fmt.Println(out.Value)
	return nil
}
