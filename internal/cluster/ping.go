package cluster

import (
	"net"
	"time"
)

// RedisPing sends an inline PING to a Redis server at addr and returns its answer (+PONG, -NOAUTH ...),
// or the error's text: the tests' check that a pod answers, and that it refuses a client without the
// password.
func RedisPing(addr string) string {
	conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err = conn.Write([]byte("PING\r\n")); err != nil {
		return err.Error()
	}
	buf := make([]byte, 128)
	n, err := conn.Read(buf)
	if err != nil {
		return err.Error()
	}
	return string(buf[:n])
}
