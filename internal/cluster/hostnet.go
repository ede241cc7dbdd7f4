package cluster

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The real node's network: one Linux bridge the harness creates, the pods' subnet on it, and the Service
// range the API server allocates from. None of it is routed off the machine: pods reach each other, the
// node's address on the bridge (kubelet, CoreDNS) and Services; a guard rule drops anything they send
// beyond that, so no test traffic can leave the machine.
const (
	// BridgeName is the bridge the harness creates and the CNI bridge plugin attaches pods to.
	BridgeName = "jdj-br0"
	// PodCIDR is the node's pod subnet; NodeIP, its first address, is the bridge's own.
	PodCIDR = "10.244.0.0/24"
	// NodeIP is the node's address: the kubelet and CoreDNS listen here, pods route through it.
	NodeIP = "10.244.0.1"
	// ServiceCIDR is the API server's Service range (--service-cluster-ip-range).
	ServiceCIDR = "10.96.0.0/16"
	// DNSServiceIP is the ClusterIP of kube-system/kube-dns, the pods' nameserver.
	DNSServiceIP = "10.96.0.10"
	// guardComment marks the iptables rules the harness adds, so a later run can find leftovers.
	guardComment = "jdj-test-node"
)

// hostSysctls are the kernel settings the node needs; each is set for the run and restored at Stop.
// Bridged pod traffic must pass iptables for kube-proxy's Service rules (bridge-nf-call-iptables), and
// Service traffic that kube-proxy rewrites to a pod is forwarded (ip_forward).
var hostSysctls = map[string]string{
	"net/bridge/bridge-nf-call-iptables": "1",
	"net/ipv4/ip_forward":                "1",
}

// kubeletSysctls are what the kubelet sets on the host when it starts (protectKernelDefaults is off, as
// on most clusters); the harness records them first and restores them at Stop.
var kubeletSysctls = []string{
	"vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
	"kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes",
}

// guardRules keep pod traffic on the machine: forwarded packets from the pod subnet may go to the pod
// subnet and to the outside servers' namespaces only. Rules are iptables argument lists without the
// -A/-D verb and chain (always FORWARD).
var guardRules = [][]string{
	{"-s", PodCIDR, "-d", PodCIDR, "-m", "comment", "--comment", guardComment, "-j", "ACCEPT"},
	{"-s", PodCIDR, "-o", outsideLinkPrefix + "+", "-m", "comment", "--comment", guardComment, "-j", "ACCEPT"},
	{"-i", outsideLinkPrefix + "+", "-d", PodCIDR, "-m", "comment", "--comment", guardComment, "-j", "ACCEPT"},
	{"-s", PodCIDR, "-m", "comment", "--comment", guardComment, "-j", "DROP"},
	{"-d", PodCIDR, "-m", "comment", "--comment", guardComment, "-j", "DROP"},
}

// hostNet is what the harness changed on the host, so Stop can put it back.
type hostNet struct {
	sysctls map[string]string
	rules   [][]string
	// bridge is whether setUp created the bridge (and so tearDown may delete it).
	bridge bool
	// namespaces are the outside servers' network namespaces, which tearDown deletes.
	namespaces []string
}

// readSysctl returns the value of a /proc/sys key, trimmed.
func readSysctl(key string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc/sys", key))
	return strings.TrimSpace(string(b)), err
}

func writeSysctl(key, value string) error {
	return os.WriteFile(filepath.Join("/proc/sys", key), []byte(value), 0o644)
}

// run runs a host command and returns its error with its output.
func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// checkNoOverlap refuses an address range when a route of the host already covers it (another network
// of the machine would be shadowed); the harness's own links (the bridge, the outside servers' veths)
// do not count.
func checkNoOverlap(cidrs ...string) error {
	out, err := exec.Command("ip", "-4", "route", "show").Output()
	if err != nil {
		return fmt.Errorf("ip route: %w", err)
	}
	var ours []*net.IPNet
	for _, cidr := range cidrs {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return err
		}
		ours = append(ours, n)
	}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] == "default" || strings.Contains(line, "dev "+BridgeName) || strings.Contains(line, "dev "+outsideLinkPrefix) {
			continue
		}
		_, route, err := net.ParseCIDR(fields[0])
		if err != nil {
			if ip := net.ParseIP(fields[0]); ip != nil {
				route = &net.IPNet{IP: ip, Mask: net.CIDRMask(32, 32)}
			} else {
				continue
			}
		}
		for _, n := range ours {
			if route.Contains(n.IP) || n.Contains(route.IP) {
				return fmt.Errorf("the host already routes %s (%q), which overlaps the test node's %s", route, line, n)
			}
		}
	}
	return nil
}

// setUp creates the bridge with the node's address, applies hostSysctls and the guard rules, and
// records the kubelet's sysctls; what it did is undone by tearDown.
func (h *hostNet) setUp() error {
	h.sysctls = map[string]string{}
	if err := checkNoOverlap(PodCIDR, ServiceCIDR); err != nil {
		return err
	}
	for _, key := range kubeletSysctls {
		v, err := readSysctl(key)
		if err != nil {
			return err
		}
		h.sysctls[key] = v
	}
	for key, value := range hostSysctls {
		if err := h.setSysctl(key, value); err != nil {
			return fmt.Errorf("sysctl %s (bridge netfilter and forwarding are required): %w", key, err)
		}
	}
	if err := run("ip", "link", "add", BridgeName, "type", "bridge"); err != nil {
		return err
	}
	h.bridge = true
	if err := run("ip", "addr", "add", NodeIP+"/24", "dev", BridgeName); err != nil {
		return err
	}
	if err := run("ip", "link", "set", BridgeName, "up"); err != nil {
		return err
	}
	// Service addresses are only ever rewritten to pods by kube-proxy; one it has not (yet) rewritten
	// must die on the bridge, not follow the host's default route off the machine.
	if err := run("ip", "route", "add", ServiceCIDR, "dev", BridgeName); err != nil {
		return err
	}
	// Inserted in reverse, so they run in guardRules' order, before any rule of the host's.
	for i := len(guardRules) - 1; i >= 0; i-- {
		if err := run("iptables", append([]string{"-w", "-I", "FORWARD", "1"}, guardRules[i]...)...); err != nil {
			return err
		}
		h.rules = append(h.rules, guardRules[i])
	}
	return nil
}

// setSysctl sets a /proc/sys key for the run, recording its value first for tearDown to restore.
func (h *hostNet) setSysctl(key, value string) error {
	old, err := readSysctl(key)
	if err != nil {
		return err
	}
	if _, recorded := h.sysctls[key]; !recorded {
		h.sysctls[key] = old
	}
	return writeSysctl(key, value)
}

// tearDown deletes the bridge (and with it any veth still attached) and the outside servers' network
// namespaces (with their veths), removes the guard rules and restores every sysctl recorded; it goes
// on past errors and returns them all.
func (h *hostNet) tearDown() error {
	var errs []string
	if h.bridge && linkExists(BridgeName) {
		if err := run("ip", "link", "del", BridgeName); err != nil {
			errs = append(errs, err.Error())
		}
	}
	h.bridge = false
	errs = append(errs, deleteNamespaces(h.namespaces)...)
	h.namespaces = nil
	for _, rule := range h.rules {
		if err := run("iptables", append([]string{"-w", "-D", "FORWARD"}, rule...)...); err != nil {
			errs = append(errs, err.Error())
		}
	}
	h.rules = nil
	for key, value := range h.sysctls {
		if err := writeSysctl(key, value); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("restoring the host: %s", strings.Join(errs, "; "))
	}
	return nil
}

func linkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}
