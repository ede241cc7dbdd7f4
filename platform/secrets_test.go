package platform

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// suppliedSecrets are secret config values a stack may supply, so tests can look for them in plain sight.
var suppliedSecrets = map[string]string{
	"postgresPassword": "supplied-postgres-password-4f1c9a",
	"redisPassword":    "supplied-redis-password-8b2e7d",
	"jwtSecret":        "supplied-jwt-secret-of-enough-length-0123456789abcdef",
}

// plainSecretData is a Secret's stringData as plain strings.
func plainSecretData(t *testing.T, rec *stacktest.Record, name string) map[string]string {
	t.Helper()
	r, ok := rec.Object(stacktest.SecretType, name)
	require.True(t, ok, "Secret %s exists", name)
	out := map[string]string{}
	for k, v := range secretData(t, r) {
		require.True(t, v.IsSecret(), "%s/%s is a Pulumi secret", name, k)
		out[string(k)] = v.SecretValue().Element.StringValue()
	}
	return out
}

// commandLines are every argv a container's processes get: command, args and exec probes.
func commandLines(c corev1.Container) map[string][]string {
	out := map[string][]string{"command": c.Command, "args": c.Args}
	for what, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
		if p != nil && p.Exec != nil {
			out[what+" probe"] = p.Exec.Command
		}
	}
	return out
}

// secretEnv are the names of a container's env vars whose value comes from a Secret, directly or through
// another such var ($(VAR) in a value).
func secretEnv(c corev1.Container) map[string]bool {
	out := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, e := range c.Env {
			if out[e.Name] {
				continue
			}
			fromSecret := e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil
			for name := range out {
				fromSecret = fromSecret || strings.Contains(e.Value, "$("+name+")")
			}
			if fromSecret {
				out[e.Name], changed = true, true
			}
		}
	}
	return out
}

var kubeletReference = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

func TestNoContainerPassesASecretOnItsCommandLine(t *testing.T) {
	runs := map[string]*stacktest.Record{}
	for _, stack := range stacks {
		runs[stack] = runStack(t, stack, nil)
	}
	runs["dev with supplied secrets"] = runStack(t, "dev", suppliedSecrets)
	for run, rec := range runs {
		// Every value of every Secret the stack writes: generated and supplied credentials alike.
		var known []string
		for _, r := range rec.OfType(stacktest.SecretType) {
			for _, v := range plainSecretData(t, rec, r.ObjectName()) {
				known = append(known, v)
			}
		}
		require.NotEmpty(t, known, run)
		for _, r := range stacktest.Workloads(rec) {
			pod := stacktest.DecodeWorkload(t, r).Spec.Spec
			for _, c := range append(pod.InitContainers, pod.Containers...) {
				for _, from := range c.EnvFrom {
					assert.Nil(t, from.SecretRef, "%s %s/%s takes a whole Secret as env", run, r.Name, c.Name)
				}
				fromSecret := secretEnv(c)
				for what, argv := range commandLines(c) {
					for _, word := range argv {
						for _, m := range kubeletReference.FindAllStringSubmatch(word, -1) {
							assert.False(t, fromSecret[m[1]], "%s %s/%s %s expands %s, which holds a secret, into its argv", run, r.Name, c.Name, what, m[0])
						}
						for _, secret := range known {
							assert.NotContains(t, word, secret, "%s %s/%s %s holds a secret value", run, r.Name, c.Name, what)
						}
					}
				}
			}
		}
	}
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

	conf := plainSecretData(t, rec, "redis-config")["redis.conf"]
	password := plainSecretData(t, rec, "jd-jones-secrets")["redis-password"]
	require.NotEmpty(t, password)
	for _, line := range []string{`requirepass "` + password + `"`, "appendonly yes", "dir /data", "port 6379"} {
		assert.Contains(t, strings.Split(conf, "\n"), line)
	}
	assert.NotEmpty(t, w.Annotations["checksum/redis-config"], "a new password rolls Redis")
}

func TestChromaAnswersOnlyThroughATokenCheckingProxy(t *testing.T) {
	for _, stack := range stacks {
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

		conf := plainSecretData(t, rec, "chroma-proxy")["nginx.conf"]
		token := plainSecretData(t, rec, "chroma-token")["token"]
		require.NotEmpty(t, token, stack)
		assert.Contains(t, conf, token, stack)
		assert.Contains(t, conf, "127.0.0.1:"+env["CHROMA_PORT"], "%s: the proxy forwards to Chroma's loopback port", stack)
		assert.NotEmpty(t, w.Annotations["checksum/chroma-proxy"], "%s: a new token rolls Chroma's pod", stack)
		// The token has a Secret of its own: a new key would make the provider replace jd-jones-secrets.
		assert.NotContains(t, plainSecretData(t, rec, "jd-jones-secrets"), "chroma-token", stack)

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

// plainSecretsDigest is the digest the stack used to annotate pods with: an unkeyed SHA-256 over the
// Secret's keys and values, which anyone with a guess at a value can recompute.
func plainSecretsDigest(data map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(data)) {
		fmt.Fprintf(h, "%s\x00%s\x00", k, data[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestSecretChecksumsChangeWithTheSecretsAndRevealNothing(t *testing.T) {
	const annotation = "checksum/jd-jones-secrets"
	run := func(jwt string) (map[string]string, string) {
		t.Helper()
		cfg, err := stacktest.StackConfig("dev")
		require.NoError(t, err)
		cfg[config.Project+":jwtSecret"] = jwt
		rec, err := stacktest.RunWithFixedPasswords("dev", cfg, Program)
		require.NoError(t, err)
		r, ok := rec.Object(stacktest.DeploymentType, "api")
		require.True(t, ok)
		return plainSecretData(t, rec, "jd-jones-secrets"), stacktest.DecodeWorkload(t, r).Spec.Annotations[annotation]
	}
	data, sum := run("a-supplied-jwt-secret-of-enough-length-0123456789")
	_, again := run("a-supplied-jwt-secret-of-enough-length-0123456789")
	rotatedData, rotated := run("a-rotated-jwt-secret-of-enough-length-9876543210")

	assert.Regexp(t, `^[0-9a-f]{64}$`, sum)
	assert.Equal(t, sum, again, "the same secrets give the same annotation: nothing rolls")
	assert.NotEqual(t, sum, rotated, "a rotated secret rolls the pods that read it")
	assert.NotEqual(t, plainSecretsDigest(data), sum, "the annotation is not a digest anyone can recompute from a guess")
	assert.NotEqual(t, plainSecretsDigest(rotatedData), rotated)
	for _, v := range data {
		assert.NotContains(t, sum, v)
	}
}

// reloadAnnotation is Stakater Reloader's annotation naming the Secrets whose change restarts a workload.
const reloadAnnotation = "secret.reloader.stakater.com/reload"

func TestPodsReadingManagedSecretsRollWhenTheyRotateUnderReloader(t *testing.T) {
	for _, stack := range stacks {
		rec := runStack(t, stack, nil)
		own := map[string]bool{}
		for _, r := range rec.OfType(stacktest.SecretType) {
			own[r.ObjectName()] = true
		}
		got := map[string]string{}
		for _, r := range stacktest.Workloads(rec) {
			w := stacktest.DecodeWorkload(t, r).Spec
			// The Secrets the pod reads into env vars that the stack does not create, from the spec itself.
			external := map[string]bool{}
			for _, c := range append(w.Spec.InitContainers, w.Spec.Containers...) {
				for _, e := range c.Env {
					if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && !own[e.ValueFrom.SecretKeyRef.Name] {
						external[e.ValueFrom.SecretKeyRef.Name] = true
					}
				}
			}
			value, annotated := w.Annotations[reloadAnnotation]
			assert.Equal(t, strings.Join(slices.Sorted(maps.Keys(external)), ","), value, "%s %s", stack, r.Name)
			assert.Equal(t, len(external) > 0, annotated, "%s %s", stack, r.Name)
			if annotated {
				name := r.ObjectName()
				if name == "" {
					name = "(job) " + w.Labels["app.kubernetes.io/name"]
				}
				got[name] = value
			}
		}
		want := map[string]string{}
		if stack == "prod" {
			both := "jd-jones-llm,jd-jones-managed-data"
			want = map[string]string{"api": both, "celery-worker": both, "celery-beat": both, "(job) db-migrate": both}
			// The managed services' exporters read their passwords alone.
			want["postgres-exporter"], want["redis-exporter"] = "jd-jones-managed-data", "jd-jones-managed-data"
		}
		assert.Equal(t, want, got, stack)
	}
}
