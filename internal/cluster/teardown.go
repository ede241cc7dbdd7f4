package cluster

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// dirPrefix starts the name of every cluster folder the tests create (os.MkdirTemp's pattern), so a later
// run can tell an earlier run's leftovers from anything else on the machine.
const dirPrefix = "jdj-cluster-"

// killTree kills pid's process group and pid itself, then waits up to five seconds for it to be gone.
func killTree(pid int) error {
	if pgid, err := syscall.Getpgid(pid); err == nil && pgid > 1 && pgid != syscall.Getpgrp() {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err != nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("process %d survived SIGKILL", pid)
}

// mountsUnder are the mount points at or below root, deepest first.
func mountsUnder(root string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var points []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 5 {
			continue
		}
		// The mount point is the fifth field, with spaces and the like octal-escaped.
		point := unescapeMountinfo(fields[4])
		if point == root || strings.HasPrefix(point, root+"/") {
			points = append(points, point)
		}
	}
	sort.Slice(points, func(i, j int) bool { return strings.Count(points[i], "/") > strings.Count(points[j], "/") })
	return points
}

func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountUnder detaches every mount at or below root (overlay roots, the pods' volumes and secrets,
// network namespaces), deepest first.
func unmountUnder(root string) []error {
	var errs []error
	for _, point := range mountsUnder(root) {
		if err := unix.Unmount(point, unix.MNT_DETACH); err != nil && err != unix.EINVAL && err != unix.ENOENT {
			errs = append(errs, fmt.Errorf("unmount %s: %w", point, err))
		}
	}
	return errs
}

// removeCgroups removes the cgroup tree name under every cgroup v1 controller and cgroup2 (children first;
// a cgroup with processes left cannot be removed, which is reported).
func removeCgroups(name string) []error {
	var errs []error
	controllers, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, ctl := range controllers {
		top := filepath.Join(ctl, name)
		if _, err := os.Stat(top); err != nil {
			continue
		}
		var dirs []string
		_ = filepath.WalkDir(top, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			if err := os.Remove(dirs[i]); err != nil && !os.IsNotExist(err) {
				errs = append(errs, fmt.Errorf("cgroup %s: %w", dirs[i], err))
			}
		}
	}
	return errs
}

// killCgroupProcesses kills every process in the cgroup tree name (under any hierarchy) until none is
// left, for up to five seconds.
func killCgroupProcesses(name string) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", name))
		var pids []int
		for _, top := range files {
			_ = filepath.WalkDir(top, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
					return nil
				}
				data, _ := os.ReadFile(path)
				for _, f := range strings.Fields(string(data)) {
					if pid, err := strconv.Atoi(f); err == nil {
						pids = append(pids, pid)
					}
				}
				return nil
			})
		}
		if len(pids) == 0 || time.Now().After(deadline) {
			return
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// createCgroups creates the cgroup name under every cgroup hierarchy, as the kubelet's cgroupRoot must
// exist; cpuset's needs its CPUs and memory nodes copied from the root, or no task may join it.
func createCgroups(name string) error {
	hierarchies, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, h := range hierarchies {
		if _, err := os.Stat(filepath.Join(h, "cgroup.procs")); err != nil {
			continue
		}
		dir := filepath.Join(h, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cgroup %s: %w", dir, err)
		}
		for _, file := range []string{"cpuset.cpus", "cpuset.mems"} {
			if value, err := os.ReadFile(filepath.Join(h, file)); err == nil {
				if err := os.WriteFile(filepath.Join(dir, file), value, 0o644); err != nil {
					return fmt.Errorf("cgroup %s: %w", dir, err)
				}
			}
		}
	}
	return nil
}

// sweepLeftovers removes what an earlier run killed too hard to clean up (the test binary lost to
// SIGKILL): its containers' processes, the mounts under its folder, the bridge, the outside servers'
// network namespaces, the guard rules and the pods' cgroups (kube-proxy's chains are replaced by the new kube-proxy). A second node cannot run beside
// a live one (both need the same bridge and subnet): it waits up to ten minutes for the other to stop, as
// when `go test ./...` runs two packages' node tests at once.
func sweepLeftovers() error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		live := liveNode()
		if live == "" {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("another run's real node is still running (its folder %s): one node at a time", live)
		}
		time.Sleep(2 * time.Second)
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		if !ownerGone(dir) {
			continue
		}
		killProcessesUnder(dir)
		unmountUnder(dir)
	}
	if linkExists(BridgeName) {
		_ = run("ip", "link", "del", BridgeName)
	}
	deleteNamespaces(leftoverNamespaces())
	removeSharedRuncState(sharedRuncRoot)
	for _, rule := range guardRules {
		// -D deletes one copy of the rule a call, and fails once none is left.
		for {
			if err := run("iptables", append([]string{"-w", "-D", "FORWARD"}, rule...)...); err != nil {
				break
			}
		}
	}
	cleanKubeRouter()
	removeCgroups(cgroupRoot)
	return nil
}

// sharedRuncRoot is runc's default state folder for containerd's k8s.io namespace, where outside servers
// kept their state before the node had a runc root of its own (see nodePaths.runcRoot). It is not under a
// tmpfs on every machine, so it outlives reboots and machine images.
const sharedRuncRoot = "/run/containerd/runc/k8s.io"

// removeSharedRuncState removes the state earlier runs' outside servers left in root: runc refuses to
// create a container whose id has a folder there.
func removeSharedRuncState(root string) {
	dirs, _ := filepath.Glob(filepath.Join(root, outsideNamespacePrefix+"*"))
	for _, dir := range dirs {
		_ = os.RemoveAll(dir)
	}
}

// liveNode is the folder of a real node whose owner still runs, or "".
func liveNode() string {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, ownerFile)); err == nil && !ownerGone(dir) {
			return dir
		}
	}
	return ""
}

// ownerFile records, in a cluster folder, the process that started its real node and when that process
// started; it exists from the node's start until its Stop.
const ownerFile = "owner"

// writeOwner marks dir as this process's.
func writeOwner(dir string) error {
	start, err := processStart(os.Getpid())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ownerFile), []byte(fmt.Sprintf("%d %s\n", os.Getpid(), start)), 0o644)
}

// ownerGone reports whether the process that started dir's cluster has ended (a folder without an owner
// file was not made by a run that started a node, and is left alone).
func ownerGone(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		return false
	}
	var pid int
	var start string
	if _, err := fmt.Sscan(string(b), &pid, &start); err != nil {
		return false
	}
	now, err := processStart(pid)
	return err != nil || now != start
}

// processStart is a process's start time in clock ticks since boot (field 22 of /proc/PID/stat), which
// tells a live process from a later one that reuses its PID.
func processStart(pid int) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", err
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
	rest := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(rest) < 20 {
		return "", fmt.Errorf("short /proc/%d/stat", pid)
	}
	return rest[19], nil
}
