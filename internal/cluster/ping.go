package cluster

import (
	"crypto/tls"
	"net"
	"time"
)

// RedisPing sends an inline PING to a Redis server at addr, over TLS when tlsConfig is set, and returns
// its answer (+PONG, -NOAUTH ...), or the error's text: the tests' check that a server answers, and that
// it refuses a client without the password.
func RedisPing(addr string, tlsConfig *tls.Config) string {
	dialer := &net.Dialer{Timeout: 3 * time.Second}
	var conn net.Conn
	var err error
	if tlsConfig != nil {
		conn, err = tls.DialWithDialer(dialer, "tcp", addr, tlsConfig)
	} else {
		conn, err = dialer.Dial("tcp", addr)
	}
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
