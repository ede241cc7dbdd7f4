package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// NetworkNamespace is a network namespace of the real node's world, a pod's (PodNetwork) or an outside
// host's (OutsideNetwork). The test process opens sockets in it (Listen, Connects), so their packets leave
// by the namespace's own interface, cross the bridge and the node's netfilter rules, and reach the other
// end exactly as a container's packets would: what a NetworkPolicy judges is the namespace's traffic, not
// which process sends it.
type NetworkNamespace struct {
	// IP is the pod's or the outside host's address.
	IP   string
	path string
}

// PodNetwork finds the network namespace that holds ip among those containerd mounted for the node's pods.
func (c *Cluster) PodNetwork(ip string) (NetworkNamespace, error) {
	if c.node == nil {
		return NetworkNamespace{}, fmt.Errorf("pod network of %s: the cluster has no real node", ip)
	}
	for _, point := range mountsUnder(c.node.paths.root) {
		if !strings.Contains(point, "/netns/") {
			continue
		}
		n := NetworkNamespace{IP: ip, path: point}
		var found bool
		err := n.do(func() error {
			addrs, err := net.InterfaceAddrs()
			for _, a := range addrs {
				if ipNet, ok := a.(*net.IPNet); ok && ipNet.IP.String() == ip {
					found = true
				}
			}
			return err
		})
		// A namespace gone since the listing was a pod's that ended: not the one sought. Any other error
		// (setns refused, say) would make every lookup fail alike, so it is reported.
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return NetworkNamespace{}, fmt.Errorf("pod network of %s: %w", ip, err)
		}
		if err == nil && found {
			return n, nil
		}
	}
	return NetworkNamespace{}, fmt.Errorf("no pod network namespace of the node holds %s", ip)
}

// do runs fn on an OS thread locked to it that has entered the namespace, then brings the thread back to
// the test's own namespace before unlocking it. The thread must survive: the harness's processes get
// SIGKILL when the thread that started them ends (Pdeathsig is per thread), and Go ends a thread whose
// goroutine exits locked, so a thread left in a pod's namespace is never simply dropped. Sockets fn opens
// stay in the pod's namespace after it returns.
func (n NetworkNamespace) do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("opening the test's network namespace: %w", err)
			return
		}
		defer unix.Close(home)
		fd, err := unix.Open(n.path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("opening %s: %w", n.path, err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("entering %s: %w", n.path, err)
			return
		}
		err = fn()
		if back := unix.Setns(home, unix.CLONE_NEWNET); back != nil {
			// Stay locked: the thread ends with this goroutine rather than serve others in a pod's namespace.
			errc <- fmt.Errorf("leaving %s: %w", n.path, back)
			return
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}

// Listen serves, on the namespace's address, every TCP port of tcp and every UDP port of udp, echoing what
// each connection or datagram brings, until ctx ends (open connections last until their clients close).
func (n NetworkNamespace) Listen(ctx context.Context, tcp, udp []int) error {
	return n.do(func() error {
		for _, port := range tcp {
			l, err := net.Listen("tcp4", net.JoinHostPort(n.IP, fmt.Sprint(port)))
			if err != nil {
				return err
			}
			go func() { <-ctx.Done(); _ = l.Close() }() // unblocks Accept below
			go func() {
				for {
					conn, err := l.Accept()
					if err != nil {
						return
					}
					go func() { defer conn.Close(); _, _ = io.Copy(conn, conn) }()
				}
			}()
		}
		for _, port := range udp {
			pc, err := net.ListenPacket("udp4", net.JoinHostPort(n.IP, fmt.Sprint(port)))
			if err != nil {
				return err
			}
			go func() { <-ctx.Done(); _ = pc.Close() }() // unblocks ReadFrom below
			go func() {
				buf := make([]byte, 512)
				for {
					size, from, err := pc.ReadFrom(buf)
					if err != nil {
						return
					}
					_, _ = pc.WriteTo(buf[:size], from)
				}
			}()
		}
		return nil
	})
}

// Connects reports whether a connection from the namespace reaches addr ("ip:port") within timeout: a TCP
// handshake that completes, or, for "udp", a datagram that comes back from the echo Listen serves.
func (n NetworkNamespace) Connects(network, addr string, timeout time.Duration) (bool, error) {
	conn, err := n.Open(network, addr, timeout)
	return answered(conn, err, network, timeout)
}

// Open dials addr from the namespace and returns the connection (a refusal or timeout is the error).
func (n NetworkNamespace) Open(network, addr string, timeout time.Duration) (net.Conn, error) {
	var conn net.Conn
	var dialErr error
	if err := n.do(func() error {
		conn, dialErr = net.DialTimeout(network+"4", addr, timeout)
		return nil
	}); err != nil {
		return nil, err
	}
	return conn, dialErr
}

// Echoes reports whether conn, a connection to a Listen port, still carries a message there and back
// within timeout.
func Echoes(conn net.Conn, timeout time.Duration) bool {
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return false
	}
	if _, err := conn.Write([]byte("jdj-probe")); err != nil {
		return false
	}
	buf := make([]byte, len("jdj-probe"))
	_, err := io.ReadFull(conn, buf)
	return err == nil && string(buf) == "jdj-probe"
}

// HostConnects is Connects from the node itself (the host's network namespace).
func HostConnects(network, addr string, timeout time.Duration) (bool, error) {
	conn, err := net.DialTimeout(network+"4", addr, timeout)
	return answered(conn, err, network, timeout)
}

// answered judges a dial: refused or timed out is false; a TCP connection is true; a UDP "connection" is
// true when the echo of a datagram comes back in time.
func answered(conn net.Conn, dialErr error, network string, timeout time.Duration) (bool, error) {
	if dialErr != nil {
		var opErr *net.OpError
		if errors.As(dialErr, &opErr) && opErr.Op == "dial" {
			return false, nil
		}
		return false, dialErr
	}
	defer conn.Close()
	return network == "tcp" || Echoes(conn, timeout), nil
}
