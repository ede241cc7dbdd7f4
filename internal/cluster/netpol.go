package cluster

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// The real node enforces NetworkPolicies when RealNode.NetworkPolicies is set: kube-router's network policy
// controller (and none of its routing or service proxy) runs as a host process, as its DaemonSet runs it
// on a node. It watches pods, namespaces and policies, keeps one iptables chain per pod of the node and one
// per policy, and ipsets of the pods each policy selects; traffic no policy admits is REJECTed, so a
// refused connection fails at once rather than by timeout.
//
// kube-router v2.1.0 has security flaws reported against it; it is acceptable here because it runs only in
// the tests' throwaway cluster, whose API server listens on loopback, whose pods are the tests' own, and
// whose traffic the guard rules keep on the machine: nothing it enforces protects anything real.

// kubeRouter is the binary, built by `make tools` into .tools/bin.
const kubeRouter = "kube-router"

// kubeRouterChainPrefixes are the iptables chains kube-router's policy controller creates in the filter
// table; kubeRouterIPSetPrefixes its ipsets. Stop removes every one (kube-router's own --cleanup-config
// leaves the policy controller's alone in v2.1.0, and would also flush IPVS and routes it never made here).
var (
	kubeRouterChainPrefixes = []string{"KUBE-ROUTER-", "KUBE-POD-FW-", "KUBE-NWPLCY-"}
	kubeRouterIPSetPrefixes = []string{"KUBE-SRC-", "KUBE-DST-"}
)

// startNetworkPolicies starts kube-router's policy controller for the node and waits until it has put its
// chains in place.
func (c *Cluster) startNetworkPolicies(ctx context.Context) error {
	if _, err := exec.LookPath("ipset"); err != nil {
		return fmt.Errorf("host tool ipset not found (Debian's ipset; `make tools` installs it)")
	}
	// kube-router REJECTs with ICMP port-unreachable; the host sends such errors to one peer at most once a
	// second by default (icmp_ratelimit, in ms), which would make most refusals wait for a SYN retransmit.
	// The global limit (icmp_msgs_per_sec) still applies. Restored at Stop.
	if err := c.node.host.setSysctl("net/ipv4/icmp_ratelimit", "0"); err != nil {
		return fmt.Errorf("sysctl net.ipv4.icmp_ratelimit: %w", err)
	}
	if err := c.start(kubeRouter,
		"--run-firewall=true", "--run-router=false", "--run-service-proxy=false", "--enable-cni=false",
		"--enable-ipv6=false", "--kubeconfig="+c.Kubeconfig, "--hostname-override="+RealNodeName,
		"--service-cluster-ip-range="+ServiceCIDR, "--health-port=0", "--metrics-port=0", "--v=2",
	); err != nil {
		return err
	}
	return poll(ctx, time.Minute, "kube-router's policy chains", func() (bool, error) {
		if p := c.proc(kubeRouter); p != nil && p.exited() {
			return false, fmt.Errorf("kube-router exited: %v (see %s)", p.err, c.path(kubeRouter+".log"))
		}
		return run("iptables", "-w", "-S", "KUBE-ROUTER-FORWARD") == nil, nil
	})
}

// NetworkPoliciesProgrammed reports whether kube-router's last sync of the filter table holds a firewall
// chain for every pod named (namespace/name) and exactly one chain per NetworkPolicy of the cluster
// (policies of them): the table is written whole by one iptables-restore per sync, so then every pod and
// policy was judged together.
func (c *Cluster) NetworkPoliciesProgrammed(pods []string, policies int) (bool, error) {
	p := c.proc(kubeRouter)
	if p == nil {
		return false, fmt.Errorf("the node does not enforce NetworkPolicies (RealNode.NetworkPolicies)")
	}
	if p.exited() {
		return false, fmt.Errorf("kube-router exited: %v (see %s)", p.err, c.path(kubeRouter+".log"))
	}
	out, err := exec.Command("iptables-save", "-t", "filter").Output()
	if err != nil {
		return false, fmt.Errorf("iptables-save: %w", err)
	}
	table := string(out)
	for _, pod := range pods {
		ns, name, _ := strings.Cut(pod, "/")
		if !strings.Contains(table, `"rule to REJECT traffic destined for POD name:`+name+" namespace: "+ns+`"`) {
			return false, nil
		}
	}
	chains := 0
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, ":KUBE-NWPLCY-") && !strings.HasPrefix(line, ":KUBE-NWPLCY-DEFAULT ") {
			chains++
		}
	}
	return chains == policies, nil
}

// cleanKubeRouter removes every chain, jump and ipset kube-router's policy controller left in the host's
// filter table, in one iptables-restore transaction, then its ipsets (which the rules referenced).
func cleanKubeRouter() []error {
	var errs []error
	out, err := exec.Command("iptables-save", "-t", "filter").Output()
	if err != nil {
		return []error{fmt.Errorf("iptables-save: %w", err)}
	}
	if script := kubeRouterRemoval(string(out)); script != "" {
		cmd := exec.Command("iptables-restore", "-w", "--noflush")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("removing kube-router's chains: %w: %s", err, out))
		}
	}
	sets, err := exec.Command("ipset", "list", "-n").Output()
	if err != nil {
		return append(errs, fmt.Errorf("ipset list: %w", err))
	}
	for _, set := range strings.Fields(string(sets)) {
		if hasAnyPrefix(strings.TrimPrefix(set, "inet6:"), kubeRouterIPSetPrefixes) {
			if err := run("ipset", "destroy", set); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// kubeRouterRemoval is the iptables-restore script that, given iptables-save's filter table, deletes the
// rules of other chains that jump to kube-router's chains, then flushes and deletes those chains; "" when
// there are none.
func kubeRouterRemoval(filter string) string {
	var chains, jumps []string
	scanner := bufio.NewScanner(strings.NewReader(filter))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case strings.HasPrefix(line, ":"):
			if name, _, _ := strings.Cut(line[1:], " "); hasAnyPrefix(name, kubeRouterChainPrefixes) {
				chains = append(chains, name)
			}
		case strings.HasPrefix(line, "-A "):
			chain, _, _ := strings.Cut(line[3:], " ")
			_, target, _ := strings.Cut(line, " -j ")
			target, _, _ = strings.Cut(target, " ")
			if !hasAnyPrefix(chain, kubeRouterChainPrefixes) && hasAnyPrefix(target, kubeRouterChainPrefixes) {
				jumps = append(jumps, "-D "+line[3:])
			}
		}
	}
	if len(chains) == 0 && len(jumps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("*filter\n")
	for _, j := range jumps {
		b.WriteString(j + "\n")
	}
	for _, ch := range chains {
		b.WriteString("-F " + ch + "\n")
	}
	for _, ch := range chains {
		b.WriteString("-X " + ch + "\n")
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
