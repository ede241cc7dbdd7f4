package components_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// TestDebiansRedisServesOnlyClientsWithTheRenderedPassword runs Debian's real redis-server (`make tools`
// installs it) on the configuration the program renders, as the mocks record it. Without it the test fails,
// unless -short, which skips it.
func TestDebiansRedisServesOnlyClientsWithTheRenderedPassword(t *testing.T) {
	server := stacktest.RequireServer(t, "redis-server")
	cli := stacktest.RequireServer(t, "redis-cli")
	// A supplied password with what redis.conf must quote: spaces, quotes, a backslash, a # and $(…).
	password := `a supplied "redis" pass\word #1 $(REDIS_PASSWORD)`
	rec := runStack(t, "dev", map[string]string{"redisPassword": password})
	conf := stacktest.PlainSecretData(t, rec, "redis-config")["redis.conf"]

	// The configuration exactly as rendered, but for where Redis keeps its data and the port: a temporary
	// directory and a free port instead of the pod's claim and 6379.
	dir := t.TempDir()
	port := stacktest.FreePort(t)
	conf = stacktest.ReplaceOnce(t, conf, "\ndir /data\n", "\ndir "+dir+"\n")
	conf = stacktest.ReplaceOnce(t, conf, "\nport 6379\n", fmt.Sprintf("\nport %d\n", port))
	path := filepath.Join(dir, "redis.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	stacktest.StartServer(t, server, path)

	redisCLI := func(auth string, args ...string) string {
		cmd := exec.Command(cli, append([]string{"-h", "127.0.0.1", "-p", fmt.Sprint(port)}, args...)...)
		cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, "REDISCLI_AUTH=") })
		if auth != "" {
			// As the probes pass it: in the environment, not in the arguments.
			cmd.Env = append(cmd.Env, "REDISCLI_AUTH="+auth)
		}
		out, _ := cmd.CombinedOutput()
		return strings.TrimSpace(string(out))
	}
	stacktest.Eventually(t, "redis-server answers", func() bool { return redisCLI(password, "PING") == "PONG" })

	assert.Contains(t, redisCLI("", "PING"), "NOAUTH", "no password")
	assert.NotContains(t, redisCLI("not-the-password", "PING"), "PONG", "a wrong password")
	assert.NotContains(t, redisCLI(`a supplied "redis" pass\word`, "PING"), "PONG", "the password's prefix")
	assert.Equal(t, "PONG", redisCLI(password, "PING"), "the password")
	assert.Equal(t, "appendonly\nyes", redisCLI(password, "CONFIG", "GET", "appendonly"))
	assert.Equal(t, "dir\n"+dir, redisCLI(password, "CONFIG", "GET", "dir"))
}

func TestRedisReadsItsWholeConfigurationFromASecret(t *testing.T) {
	rec := runStack(t, "dev", nil)
	r, ok := rec.Object(stacktest.StatefulSetType, "redis")
	require.True(t, ok)
	w := stacktest.DecodeWorkload(t, r).Spec
	redis := w.Spec.Containers[0]
	assert.Equal(t, []string{"redis-server", "/etc/redis/redis.conf"}, redis.Command)
	assert.Empty(t, redis.Args)
	var volume *corev1.Volume
	for i, v := range w.Spec.Volumes {
		if v.Secret != nil && v.Secret.SecretName == "redis-config" {
			volume = &w.Spec.Volumes[i]
		}
	}
	require.NotNil(t, volume, "the pod mounts the redis-config Secret")
	assert.Contains(t, redis.VolumeMounts, corev1.VolumeMount{Name: volume.Name, MountPath: "/etc/redis", ReadOnly: true})

	conf := stacktest.PlainSecretData(t, rec, "redis-config")["redis.conf"]
	password := stacktest.PlainSecretData(t, rec, "jd-jones-secrets")["redis-password"]
	require.NotEmpty(t, password)
	for _, line := range []string{`requirepass "` + password + `"`, "appendonly yes", "dir /data", "port 6379"} {
		assert.Contains(t, strings.Split(conf, "\n"), line)
	}
	assert.NotEmpty(t, w.Annotations["checksum/redis-config"], "a new password rolls Redis")
}
