package components_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// These tests run Debian's real servers (`make tools` installs them) on the configurations the program
// renders, as the mocks record them. Without a server they fail, unless -short, which skips them.

// chromaStandIn answers every request as Chroma would answer its heartbeat, and remembers what it got.
type chromaStandIn struct {
	mu       sync.Mutex
	requests []*http.Request
}

func (c *chromaStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests = append(c.requests, r)
	c.mu.Unlock()
	fmt.Fprint(w, `{"nanosecond heartbeat": 1}`)
}

func (c *chromaStandIn) last() *http.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.requests) == 0 {
		return nil
	}
	return c.requests[len(c.requests)-1]
}

func (c *chromaStandIn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

func TestDebiansNginxAdmitsOnlyTheChromaTokenWithTheRenderedConfig(t *testing.T) {
	nginx := stacktest.RequireServer(t, "nginx", "/usr/sbin/nginx")
	rec := runStack(t, "dev", nil)
	conf := stacktest.PlainSecretData(t, rec, "chroma-proxy")["nginx.conf"]
	token := stacktest.PlainSecretData(t, rec, "chroma-token")["token"]
	sts, ok := rec.Object(stacktest.StatefulSetType, "chromadb")
	require.True(t, ok)
	var command []string
	for _, c := range stacktest.DecodeWorkload(t, sts).Spec.Spec.Containers {
		if c.Name == "chroma-proxy" {
			command = c.Command
		}
	}
	require.NotEmpty(t, command, "the proxy container's command")

	chroma := &chromaStandIn{}
	backend := httptest.NewServer(chroma)
	defer backend.Close()

	// The configuration exactly as rendered, but for the ports (a free one instead of the Service's
	// 8000, the stand-in's instead of Chroma's loopback 8001) and /tmp, where nginx writes: a directory of
	// the test's, which nginx's workers can reach when the test runs as root and they as nobody.
	dir, err := os.MkdirTemp("", "jdj-chroma-proxy-")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, os.RemoveAll(dir)) })
	require.NoError(t, os.Chmod(dir, 0o755))
	port := stacktest.FreePort(t)
	conf = stacktest.ReplaceOnce(t, conf, "listen 8000;", fmt.Sprintf("listen %d;", port))
	conf = stacktest.ReplaceOnce(t, conf, "server 127.0.0.1:8001;", "server "+backend.Listener.Addr().String()+";")
	require.Contains(t, conf, "/tmp/")
	conf = strings.ReplaceAll(conf, "/tmp/", dir+"/")
	path := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	// The container's own command, with the configuration's path.
	args := slices.Clone(command[1:])
	at := slices.Index(args, "-c")
	require.GreaterOrEqual(t, at, 0, "the command names its configuration with -c")
	args[at+1] = path
	stacktest.StartServer(t, nginx, args...)

	client := &http.Client{Timeout: 5 * time.Second}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	send := func(method, uri string, header http.Header) int {
		req, err := http.NewRequest(method, base+uri, nil)
		require.NoError(t, err)
		req.Header = header
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	stacktest.Eventually(t, "nginx answers", func() bool { return send("GET", "/api/v2/heartbeat", nil) == http.StatusOK })

	swapped := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, token)
	require.NotEqual(t, token, swapped)
	header := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	const collections = "/api/v2/tenants/default_tenant/databases/default_database/collections"
	for _, tc := range []struct {
		name, method, uri string
		header            http.Header
		status            int
		// forwarded is the request URI Chroma gets ("" when nothing reaches it).
		forwarded string
	}{
		{"no token is refused", "GET", collections, nil, 401, ""},
		{"a wrong bearer token is refused", "GET", collections, header("Authorization", "Bearer not-the-token"), 401, ""},
		{"the token in another case is refused", "GET", collections, header("Authorization", "Bearer "+swapped), 401, ""},
		{"the token with more after it is refused", "GET", collections, header("Authorization", "Bearer "+token+"0"), 401, ""},
		{"the token without its scheme is refused", "GET", collections, header("Authorization", token), 401, ""},
		{"a wrong X-Chroma-Token is refused", "POST", collections, header("X-Chroma-Token", "not-the-token"), 401, ""},
		{"the bearer token is admitted", "GET", collections, header("Authorization", "Bearer "+token), 200, collections},
		{"the X-Chroma-Token is admitted", "POST", collections, header("X-Chroma-Token", token), 200, collections},
		{"the heartbeat answers without a token", "GET", "/api/v2/heartbeat", nil, 200, "/api/v2/heartbeat"},
		{"the heartbeat takes no other method", "DELETE", "/api/v2/heartbeat", nil, 403, ""},
		{"a path below the heartbeat needs the token", "GET", "/api/v2/heartbeat/x", nil, 401, ""},
		// nginx matches locations on the decoded, normalised path: this one reaches Chroma as the heartbeat
		// alone, never as a tenant's path (were it sent on as spelt, Chroma would route it to get_tenant).
		{"a path spelt to normalise to the heartbeat reaches only the heartbeat", "GET", "/api/v2/tenants/x/..%2F..%2Fheartbeat", nil, 200, "/api/v2/heartbeat"},
		{"a delete spelt to normalise to the heartbeat is refused", "DELETE", "/api/v2/tenants/x/..%2F..%2Fheartbeat", nil, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := chroma.count()
			status := send(tc.method, tc.uri, tc.header)
			assert.Equal(t, tc.status, status)
			if tc.forwarded == "" {
				assert.Equal(t, before, chroma.count(), "nothing reaches Chroma")
				return
			}
			require.Equal(t, before+1, chroma.count(), "the request reaches Chroma")
			got := chroma.last()
			assert.Equal(t, tc.forwarded, got.RequestURI)
			assert.Empty(t, got.Header.Get("Authorization"), "the token stays with the proxy")
			assert.Empty(t, got.Header.Get("X-Chroma-Token"), "the token stays with the proxy")
		})
	}
}

func TestChromaAnswersOnlyThroughATokenCheckingProxy(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, nil)
		r, ok := rec.Object(stacktest.StatefulSetType, "chromadb")
		require.True(t, ok)
		w := stacktest.DecodeWorkload(t, r).Spec
		containers := map[string]corev1.Container{}
		for _, c := range w.Spec.Containers {
			containers[c.Name] = c
		}
		require.Contains(t, containers, "chromadb")
		require.Contains(t, containers, "chroma-proxy")
		chroma, proxy := containers["chromadb"], containers["chroma-proxy"]
		env := map[string]string{}
		for _, e := range chroma.Env {
			env[e.Name] = e.Value
		}
		assert.Equal(t, "127.0.0.1", env["CHROMA_LISTEN_ADDRESS"], "%s: Chroma serves the loopback interface only", stack)
		assert.Empty(t, chroma.Ports, "%s: Chroma declares no port other pods may reach", stack)
		assert.Equal(t, []corev1.ContainerPort{{Name: "http", ContainerPort: 8000, Protocol: corev1.ProtocolTCP}}, proxy.Ports, stack)
		assert.NotEqual(t, "8000", env["CHROMA_PORT"], "%s: the proxy has the Service's port", stack)

		conf := stacktest.PlainSecretData(t, rec, "chroma-proxy")["nginx.conf"]
		token := stacktest.PlainSecretData(t, rec, "chroma-token")["token"]
		require.NotEmpty(t, token, stack)
		assert.Contains(t, conf, token, stack)
		assert.Contains(t, conf, "127.0.0.1:"+env["CHROMA_PORT"], "%s: the proxy forwards to Chroma's loopback port", stack)
		assert.NotEmpty(t, w.Annotations["checksum/chroma-proxy"], "%s: a new token rolls Chroma's pod", stack)
		// The token has a Secret of its own: a new key would make the provider replace jd-jones-secrets.
		assert.NotContains(t, stacktest.PlainSecretData(t, rec, "jd-jones-secrets"), "chroma-token", stack)

		for _, name := range []string{"api", "celery-worker"} {
			d, ok := rec.Object(stacktest.DeploymentType, name)
			require.True(t, ok)
			app := stacktest.DecodeWorkload(t, d).Spec
			assert.NotEmpty(t, app.Annotations["checksum/chroma-token"], "%s %s rolls with a new token", stack, name)
			var ref *corev1.SecretKeySelector
			for _, e := range app.Spec.Containers[0].Env {
				if e.Name == "CHROMA_TOKEN" && e.ValueFrom != nil {
					ref = e.ValueFrom.SecretKeyRef
				}
			}
			if assert.NotNil(t, ref, "%s %s reads CHROMA_TOKEN from a Secret", stack, name) {
				assert.Equal(t, "chroma-token/token", ref.Name+"/"+ref.Key)
			}
		}
	}
}
