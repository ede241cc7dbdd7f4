package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
)

// Outside servers play what lives beyond the cluster, a managed database in the VPC say: a container of
// a local image in a network namespace of its own, at addresses the host routes to it, which pods reach
// through the node as they would reach a VPC address. The namespace has routes back to the node and its
// pods only, so its servers can answer nothing else; the guard rules let pods forward to it.
const (
	// outsideNamespacePrefix names each server's network namespace and container.
	outsideNamespacePrefix = "jdj-out-"
	// outsideLinkPrefix names the host's end of each server's veth pair (IFNAMSIZ leaves 9 characters).
	outsideLinkPrefix = "jdj-o-"
	// maxOutsideName is the longest server name that fits an interface name after outsideLinkPrefix.
	maxOutsideName = 9
)

// OutsideServer is a server outside the cluster.
type OutsideServer struct {
	// Name names its namespace, veth and container: lower-case letters and digits, at most 9.
	Name string
	// Addresses are the IPv4 addresses it answers on, e.g. one in each CIDR a stack allows.
	Addresses []string
	// Image is a local image the node imported.
	Image LocalImage
	// User is uid[:gid] of its process; Command its whole command line (entry point included).
	User    string
	Command []string
	// Env are NAME=value settings beside the image's own.
	Env []string
	// Mounts are host folders it reads, by the path it reads them at (read-only).
	Mounts map[string]string
	// Scratch are empty writable folders (tmpfs, mode 1777) at these paths: ctr's containers get a
	// fresh tmpfs on /run, where images keep their sockets (/run/postgresql, say).
	Scratch []string
}

// execCount numbers the execs in outside servers (ctr wants a unique exec id).
var execCount atomic.Int64

// StartOutsideServer creates the server's namespace and routes and starts its container; Stop removes
// both. Its output goes to outside-<name>.log in the cluster's folder.
func (c *Cluster) StartOutsideServer(s OutsideServer) error {
	netns, err := c.outsideNamespace(s.Name, s.Addresses)
	if err != nil {
		return err
	}
	args := []string{"run", "--detach",
		"--log-uri", "file://" + c.path("outside-"+s.Name+".log"),
		"--cgroup", "/" + cgroupRoot + "/" + netns,
		"--with-ns", "network:" + filepath.Join("/run/netns", netns),
		// The node's runc and its state folder, as for the kubelet's containers: a container id left in a
		// shared folder by a run killed before its Stop would refuse the next run's server of that name.
		"--runtime", "io.containerd.runc.v2",
		"--runc-binary", filepath.Join(c.opts.BinDir, "runc"), "--runc-root", c.node.paths.runcRoot(),
	}
	if s.User != "" {
		args = append(args, "--user", s.User)
	}
	for _, env := range s.Env {
		args = append(args, "--env", env)
	}
	paths := make([]string, 0, len(s.Mounts))
	for path := range s.Mounts {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		args = append(args, "--mount", "type=bind,src="+s.Mounts[path]+",dst="+path+",options=rbind:ro")
	}
	for _, path := range s.Scratch {
		args = append(args, "--mount", "type=tmpfs,src=tmpfs,dst="+path+",options=mode=1777:nosuid:nodev")
	}
	args = append(append(args, s.Image.Reference, netns), s.Command...)
	if _, err := c.ctr(args...); err != nil {
		return fmt.Errorf("outside server %s: %w", s.Name, err)
	}
	return nil
}

// outsideNamespace creates an outside server's network namespace: a veth to the host, the addresses on
// its end, host routes to them, and routes back to the node and its pods only. It returns the namespace's
// name (under /run/netns); tearDown deletes it.
func (c *Cluster) outsideNamespace(name string, addresses []string) (string, error) {
	if c.node == nil {
		return "", fmt.Errorf("outside server %s: the cluster has no real node", name)
	}
	if len(name) == 0 || len(name) > maxOutsideName || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return "", fmt.Errorf("outside server %q: a name of 1 to %d lower-case letters and digits", name, maxOutsideName)
	}
	netns, link := outsideNamespacePrefix+name, outsideLinkPrefix+name
	for _, addr := range addresses {
		if err := checkNoOverlap(addr + "/32"); err != nil {
			return "", fmt.Errorf("outside server %s: %w", name, err)
		}
	}
	if err := run("ip", "netns", "add", netns); err != nil {
		return "", err
	}
	c.node.host.namespaces = append(c.node.host.namespaces, netns)
	steps := [][]string{
		{"link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", netns},
		{"link", "set", link, "up"},
		{"-n", netns, "link", "set", "lo", "up"},
		{"-n", netns, "link", "set", "eth0", "up"},
	}
	for _, addr := range addresses {
		steps = append(steps,
			[]string{"-n", netns, "addr", "add", addr + "/32", "dev", "eth0"},
			// The host's own traffic to it (a test's client) leaves from the node's address.
			[]string{"route", "add", addr + "/32", "dev", link, "src", NodeIP})
	}
	steps = append(steps,
		[]string{"-n", netns, "route", "add", NodeIP + "/32", "dev", "eth0"},
		[]string{"-n", netns, "route", "add", PodCIDR, "via", NodeIP, "dev", "eth0"})
	for _, step := range steps {
		if err := run("ip", step...); err != nil {
			return "", fmt.Errorf("outside server %s: %w", name, err)
		}
	}
	return netns, nil
}

// OutsideNetwork creates an outside namespace that holds address alone, with no server in it: the test
// process opens sockets there (NetworkNamespace), playing a host outside the cluster at an address of its
// own making.
func (c *Cluster) OutsideNetwork(name, address string) (NetworkNamespace, error) {
	netns, err := c.outsideNamespace(name, []string{address})
	if err != nil {
		return NetworkNamespace{}, err
	}
	return NetworkNamespace{IP: address, path: filepath.Join("/run/netns", netns)}, nil
}

// ExecOutside runs a command in an outside server's container, as its user, and returns its output.
func (c *Cluster) ExecOutside(name string, command ...string) (string, error) {
	id := fmt.Sprintf("exec-%d", execCount.Add(1))
	return c.ctr(append([]string{"task", "exec", "--exec-id", id, outsideNamespacePrefix + name}, command...)...)
}

// OutsideLog is what an outside server has printed so far.
func (c *Cluster) OutsideLog(name string) string {
	b, _ := os.ReadFile(c.path("outside-" + name + ".log"))
	return string(b)
}

// deleteNamespaces deletes network namespaces (and so the veth pairs with an end in them).
func deleteNamespaces(names []string) []string {
	var errs []string
	for _, name := range names {
		if err := run("ip", "netns", "del", name); err != nil {
			errs = append(errs, err.Error())
		}
	}
	return errs
}

// leftoverNamespaces are the outside servers' namespaces of a run that ended without its Stop.
func leftoverNamespaces() []string {
	out, _ := exec.Command("ip", "netns", "list").Output()
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if fields := strings.Fields(line); len(fields) > 0 && strings.HasPrefix(fields[0], outsideNamespacePrefix) {
			names = append(names, fields[0])
		}
	}
	return names
}
