package platform

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// suppliedSecrets are secret config values a stack may supply, so tests can look for them in plain sight.
var suppliedSecrets = map[string]string{
	"postgresPassword": "supplied-postgres-password-4f1c9a",
	"redisPassword":    "supplied-redis-password-8b2e7d",
	"jwtSecret":        "supplied-jwt-secret-of-enough-length-0123456789abcdef",
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
			for _, v := range stacktest.PlainSecretData(t, rec, r.ObjectName()) {
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
