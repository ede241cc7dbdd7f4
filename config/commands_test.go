package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProbeCommandsThatCannotFailAreRecognised(t *testing.T) {
	for _, argv := range [][]string{
		{"true"}, {"/bin/true"}, {":"}, {"echo", "ok"}, {"sh", "-c", "exit 0"}, {"sh", "-c", "true"},
		{"/bin/sh", "-c", "test -e /tmp/ready || true"}, {"bash", "-c", "pgrep celery; exit 0"}, {"sh", "-c", "echo alive"},
	} {
		assert.True(t, cannotFail(argv), "%q cannot fail", argv)
	}
	for _, argv := range [][]string{
		{"test", "-e", "/tmp/worker_ready"}, {"sh", "-c", `test -n "$(find /tmp/worker_heartbeat -mmin -2)"`},
		{"sh", "-c", "exit 1"}, {"sh", "-c", "true && test -e /tmp/x"}, {"pg_isready"}, {"truex"},
	} {
		assert.False(t, cannotFail(argv), "%q can fail", argv)
	}
}
