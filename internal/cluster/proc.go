package cluster

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ContainerProcesses are the host PIDs of the processes of a container of the real node, found by the
// container's ID in their cgroup paths (the kubelet's cgroupfs layout ends each path with it).
func ContainerProcesses(containerID string) []int {
	if containerID == "" {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cgroups, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cgroup"))
		if err == nil && strings.Contains(string(cgroups), "/"+cgroupRoot+"/") && strings.Contains(string(cgroups), containerID) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Process is what the kernel says of a process's privileges.
type Process struct {
	// Command is its name (/proc/PID/comm).
	Command string
	// UID and GID are the effective user and group.
	UID, GID string
	// CapEff is the effective capability set, in hex.
	CapEff string
	// NoNewPrivs is "1" when the process cannot gain privileges (allowPrivilegeEscalation: false).
	NoNewPrivs string
	// Seccomp is "2" under a seccomp filter, "0" without one.
	Seccomp string
	// RootReadOnly is whether its root filesystem is mounted read-only.
	RootReadOnly bool
}

// ReadProcess reads a process's privileges from /proc.
func ReadProcess(pid int) (Process, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	var p Process
	comm, err := os.ReadFile(filepath.Join(dir, "comm"))
	if err != nil {
		return p, err
	}
	p.Command = strings.TrimSpace(string(comm))
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return p, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		switch key {
		case "Uid":
			p.UID = fields[1] // real, effective, saved, filesystem
		case "Gid":
			p.GID = fields[1]
		case "CapEff":
			p.CapEff = fields[0]
		case "NoNewPrivs":
			p.NoNewPrivs = fields[0]
		case "Seccomp":
			p.Seccomp = fields[0]
		}
	}
	mounts, err := os.Open(filepath.Join(dir, "mountinfo"))
	if err != nil {
		return p, err
	}
	defer mounts.Close()
	s := bufio.NewScanner(mounts)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		// mountinfo: ID parent major:minor root mountpoint options ...; the last "/" mount point wins.
		fields := strings.Fields(s.Text())
		if len(fields) > 5 && fields[4] == "/" {
			p.RootReadOnly = strings.Split(fields[5], ",")[0] == "ro"
		}
	}
	return p, s.Err()
}
