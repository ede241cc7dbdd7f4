package tests

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
)

// Prod's external data services on the real node: real Postgres and Redis servers outside the cluster,
// each in a network namespace of its own at an address inside the CIDR prod allows for it, taking only
// TLS connections with a certificate of a CA the test makes, and the passwords of the Secrets that
// External Secrets would sync into the namespace.
const (
	// externalPostgresAddr is in prod's postgres.cidrs (10.40.32.0/20).
	externalPostgresAddr = "10.40.32.10"
	// externalRedisAddr is in prod's redis.cidrs (10.40.48.0/20).
	externalRedisAddr = "10.40.48.10"
	// externalUID runs both servers (the images' postgres and redis users).
	externalUID = 999
)

// externalServices are the running servers' credentials and trust.
type externalServices struct {
	ca                              *cluster.CA
	postgresPassword, redisPassword string
}

// tlsConfig trusts the external services' CA only.
func (m externalServices) tlsConfig() *tls.Config {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(m.ca.PEM)
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}

// randomPassword is 32 hex digits from crypto/rand.
func randomPassword(t *testing.T) string {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// startExternalServices starts the external Postgres (with pgvector, TLS required by pg_hba) and Redis
// (TLS port only, a password) as outside servers of c.
func startExternalServices(t *testing.T, c *cluster.Cluster, images cluster.LocalImages) externalServices {
	t.Helper()
	m := externalServices{postgresPassword: randomPassword(t), redisPassword: randomPassword(t)}
	var err error
	m.ca, err = cluster.NewCA("jdj-test-managed-data-ca")
	require.NoError(t, err)
	cert, key, err := m.ca.Issue("managed-data.jdj.test", nil, []net.IP{net.ParseIP(externalPostgresAddr), net.ParseIP(externalRedisAddr)}, false)
	require.NoError(t, err)

	dir := filepath.Join(t.TempDir(), "managed")
	require.NoError(t, os.Mkdir(dir, 0o755))
	files := map[string][]byte{
		"ca.crt": m.ca.PEM, "tls.crt": cert, "tls.key": key,
		"postgres-password": []byte(m.postgresPassword),
		// The socket (in the container) is trusted, for the test's queries; TCP takes TLS and a password only.
		"pg_hba.conf": []byte("local all all trust\nhostssl all all 0.0.0.0/0 scram-sha-256\n"),
		"redis.conf": []byte("bind 0.0.0.0\nport 0\ntls-port 6379\ntls-cert-file /managed/tls.crt\ntls-key-file /managed/tls.key\n" +
			"tls-ca-cert-file /managed/ca.crt\ntls-auth-clients no\nrequirepass " + m.redisPassword + "\ndir /data\nsave \"\"\n"),
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		require.NoError(t, os.Chown(path, externalUID, externalUID))
	}
	postgres, err := images.Get("postgres")
	require.NoError(t, err)
	redis, err := images.Get("redis")
	require.NoError(t, err)
	user := "999:999"
	require.NoError(t, c.StartOutsideServer(cluster.OutsideServer{
		Name: "postgres", Addresses: []string{externalPostgresAddr}, Image: postgres, User: user,
		Env:     []string{"POSTGRES_USER=jdjones_app", "POSTGRES_DB=jdjones", "POSTGRES_PASSWORD_FILE=/managed/postgres-password"},
		Command: []string{"docker-entrypoint.sh", "postgres", "-c", "listen_addresses=*", "-c", "ssl=on", "-c", "ssl_cert_file=/managed/tls.crt", "-c", "ssl_key_file=/managed/tls.key", "-c", "hba_file=/managed/pg_hba.conf"},
		Mounts:  map[string]string{"/managed": dir}, Scratch: []string{"/run/postgresql"},
	}))
	require.NoError(t, c.StartOutsideServer(cluster.OutsideServer{
		Name: "redis", Addresses: []string{externalRedisAddr}, Image: redis, User: user,
		Command: []string{"docker-entrypoint.sh", "redis-server", "/managed/redis.conf"},
		Mounts:  map[string]string{"/managed": dir},
	}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("external postgres:\n%s\nexternal redis:\n%s", c.OutsideLog("postgres"), c.OutsideLog("redis"))
		}
	})
	waitFor(t, 2*time.Minute, "the external Postgres to accept TLS connections", func() bool {
		_, err := c.ExecOutside("postgres", "pg_isready", "-h", externalPostgresAddr, "-U", "jdjones_app", "-d", "jdjones")
		return err == nil
	})
	waitFor(t, time.Minute, "the external Redis to answer over TLS", func() bool {
		return strings.HasPrefix(cluster.RedisPing(net.JoinHostPort(externalRedisAddr, "6379"), m.tlsConfig()), "-")
	})
	return m
}

// externalQuery runs a query in the external Postgres as the application's role (over its socket) and
// returns the unaligned result.
func externalQuery(t *testing.T, c *cluster.Cluster, query string) string {
	t.Helper()
	out, err := c.ExecOutside("postgres", "psql", "-U", "jdjones_app", "-d", "jdjones", "-v", "ON_ERROR_STOP=1", "-tAc", query)
	require.NoError(t, err, "%s", out)
	return strings.TrimSpace(out)
}

// syncExternalSecrets plays External Secrets for prod: as soon as the stack has created the namespace,
// it creates the Secrets of the external services' passwords and the LLM key, and the CA bundle's
// ConfigMap, which prod's pods read. It returns when they exist or ctx ends.
func syncExternalSecrets(ctx context.Context, t *testing.T, c *cluster.Cluster, ns string, m externalServices) error {
	objects := []any{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "jd-jones-managed-data"},
			StringData: map[string]string{"postgres-password": m.postgresPassword, "redis-password": m.redisPassword}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "jd-jones-llm"}, StringData: map[string]string{"api-key": randomPassword(t)}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "rds-ca-bundle"}, Data: map[string]string{"ca.crt": string(m.ca.PEM)}},
	}
	for {
		if _, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	for _, o := range objects {
		var err error
		switch o := o.(type) {
		case *corev1.Secret:
			_, err = c.Client.CoreV1().Secrets(ns).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.ConfigMap:
			_, err = c.Client.CoreV1().ConfigMaps(ns).Create(ctx, o, metav1.CreateOptions{})
		}
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}
