package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
)

// localImages are the images `make tools` built, read from .tools/images.
func localImages(t *testing.T) cluster.LocalImages {
	t.Helper()
	images, err := cluster.LoadImages(filepath.Join(repo, ".tools", "images"))
	require.NoError(t, err)
	return images
}

// realNode is the real node's configuration from the toolchain: the CNI plugins and every local image.
func realNode(t *testing.T) *cluster.RealNode {
	return localImages(t).RealNode(filepath.Join(repo, ".tools", "cni-bin"))
}

// startRealNodeCluster starts the local cluster with the real node for one test and returns it with
// the local images; a test against an external cluster skips (it cannot import the local images).
func startRealNodeCluster(t *testing.T) (*cluster.Cluster, cluster.LocalImages) {
	t.Helper()
	if os.Getenv(cluster.KubeconfigEnv) != "" {
		t.Skip("the real node is the local cluster's; an external cluster cannot import the local images")
	}
	return startLocalCluster(t, realNode), localImages(t)
}

func TestTheDevStackRunsForRealOnARealNode(t *testing.T) {
	c, images := startRealNodeCluster(t)
	ctx := context.Background()
	ns := namespaces["dev"]
	state, dir := t.TempDir(), stackFile(t, "dev", images.StackConfig(nil)+podExtras(t, images), nil)
	session := func() *runner.Session {
		s := clusterSession(t, c, "dev", state)
		s.ProjectDir = dir
		return s
	}
	s := session()

	var grafanaPassword string
	phase(t, "up of dev on the real node: every workload Ready through probes the kubelet runs", func(t *testing.T) {
		res, err := s.Up(ctx, nil)
		require.NoError(t, err)
		assertRunning(t, c, "dev")
		out, ok := res.Outputs["grafanaAdminPassword"]
		require.True(t, ok, "the stack exports Grafana's admin password")
		assert.True(t, out.Secret, "as a secret")
		grafanaPassword, _ = out.Value.(string)
	})
	phase(t, "every container runs for real, under its rendered security context, without a restart", func(t *testing.T) {
		assertContainersRunAsRendered(t, c, ns)
	})
	phase(t, "the API's sidecar runs beside it, configured by an extra object through a pod volume the API mounts too", func(t *testing.T) {
		pods, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=api"})
		require.NoError(t, err)
		require.Len(t, pods.Items, 1, "dev runs one API pod")
		pod := pods.Items[0]
		require.NotEmpty(t, pod.Spec.InitContainers)
		assert.Equal(t, "edge", pod.Spec.InitContainers[0].Name, "the sidecar starts before the platform's init containers")
		i := slices.IndexFunc(pod.Status.InitContainerStatuses, func(s corev1.ContainerStatus) bool { return s.Name == "edge" })
		require.GreaterOrEqual(t, i, 0, "the sidecar has a status")
		st := pod.Status.InitContainerStatuses[i]
		require.NotNil(t, st.State.Running, "the sidecar keeps running: %+v", st.State)
		assert.True(t, st.Ready, "the kubelet's HTTP probes found it ready")
		fetch := `import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:8081/healthz").read().decode(), end="")`
		out, stderr, err := c.Exec(ctx, ns, pod.Name, "api", "python3", "-c", fetch)
		require.NoError(t, err, stderr)
		assert.Equal(t, "sidecar ok\n", out, "the API reaches its sidecar on the pod's loopback")
		out, stderr, err = c.Exec(ctx, ns, pod.Name, "api", "cat", "/etc/rag/extra/nginx.conf")
		require.NoError(t, err, stderr)
		assert.Contains(t, out, "listen 8081;", "the API container reads the extra ConfigMap through its own mount")
	})
	phase(t, "the migration enabled pgvector in the real Postgres, which takes the generated password", func(t *testing.T) {
		out := psql(t, c, ns, "SELECT extversion FROM pg_extension WHERE extname = 'vector'")
		assert.Equal(t, "0.8.0", out, "the vector extension's version")
	})
	phase(t, "Redis refuses a client without the password; Chroma's proxy refuses a request without the token", func(t *testing.T) {
		redis := serviceAddr(t, c, ns, "redis", 6379)
		assert.True(t, strings.HasPrefix(cluster.RedisPing(redis, nil), "-NOAUTH"), "PING without AUTH to %s: %q", redis, cluster.RedisPing(redis, nil))
		chroma := "http://" + serviceAddr(t, c, ns, "chromadb", 8000) + "/api/v2/auth/identity"
		status, _ := httpGet(t, chroma, "", "")
		assert.Equal(t, 401, status, "Chroma without the token")
		token, err := c.Client.CoreV1().Secrets(ns).Get(context.Background(), "chroma-token", metav1.GetOptions{})
		require.NoError(t, err)
		status, body := httpGetWith(t, chroma, map[string]string{"Authorization": "Bearer " + string(token.Data["token"])})
		assert.Equal(t, 200, status, "Chroma with the generated token: %s", body)
	})
	phase(t, "Grafana's admin password is the stack's output, and only it logs in", func(t *testing.T) {
		require.NotEmpty(t, grafanaPassword)
		grafana := serviceAddr(t, c, ns, "grafana", 3000)
		status, body := httpGet(t, "http://"+grafana+"/api/user", "admin", grafanaPassword)
		assert.Equal(t, 200, status, body)
		status, _ = httpGet(t, "http://"+grafana+"/api/user", "admin", grafanaPassword+"x")
		assert.Equal(t, 401, status, "a wrong password")
	})
	phase(t, "the real Prometheus scrapes every target of its configuration, and reaches Alertmanager", func(t *testing.T) {
		assertScrapesEverything(t, c, ns)
	})
	phase(t, "a row written to Postgres survives the deletion of its pod", func(t *testing.T) {
		psql(t, c, ns, "CREATE TABLE survives (note text); INSERT INTO survives VALUES ('written before the pod died')")
		pod, err := c.Client.CoreV1().Pods(ns).Get(ctx, "postgres-0", metav1.GetOptions{})
		require.NoError(t, err)
		require.NoError(t, c.Client.CoreV1().Pods(ns).Delete(ctx, "postgres-0", metav1.DeleteOptions{}))
		waitFor(t, 3*time.Minute, "postgres-0 to come back Ready", func() bool {
			p, err := c.Client.CoreV1().Pods(ns).Get(ctx, "postgres-0", metav1.GetOptions{})
			return err == nil && p.UID != pod.UID && podReady(p)
		})
		assert.Equal(t, "written before the pod died", psql(t, c, ns, "SELECT note FROM survives"))
	})
	phase(t, "destroy of dev stops every pod and removes everything, volumes included", func(t *testing.T) {
		_, err := session().Destroy(ctx)
		require.NoError(t, err)
		assertGone(t, c, ns)
	})
	phase(t, "an up cut by an apiserver outage converges on the next up", func(t *testing.T) {
		assertOutageConverges(t, c, session)
	})
}

// podExtras are dev's stack file additions that put a native sidecar beside the API: an nginx (the local
// image) answering /healthz on port 8081, configured by a ConfigMap that extraObjects registers and a pod
// volume mounts into the sidecar and, read-only, into the API container; an emptyDir is its /tmp.
func podExtras(t *testing.T, images cluster.LocalImages) string {
	t.Helper()
	nginx, err := images.Get("nginx")
	require.NoError(t, err)
	return `  jd-jones-rag-infra:workloads:
    api:
      pod:
        volumes:
          - name: sidecar-config
            configMap: {name: sidecar-config}
          - name: sidecar-tmp
            emptyDir: {sizeLimit: 16Mi}
        volumeMounts:
          - {name: sidecar-config, mountPath: /etc/rag/extra, readOnly: true}
        sidecars:
          - name: edge
            image: ` + nginx.Pinned() + `
            command: [nginx, -c, /etc/sidecar/nginx.conf, -g, "daemon off;"]
            ports: [{name: sidecar, containerPort: 8081}]
            volumeMounts:
              - {name: sidecar-config, mountPath: /etc/sidecar, readOnly: true}
              - {name: sidecar-tmp, mountPath: /tmp}
            resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}
            livenessProbe: {httpGet: {path: /healthz, port: sidecar}, periodSeconds: 10}
            readinessProbe: {httpGet: {path: /healthz, port: sidecar}, periodSeconds: 5}
  jd-jones-rag-infra:extraObjects:
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: sidecar-config}
      data:
        nginx.conf: |
          pid /tmp/nginx.pid;
          error_log stderr;
          events {}
          http {
            access_log off;
            client_body_temp_path /tmp/client_body;
            proxy_temp_path /tmp/proxy;
            fastcgi_temp_path /tmp/fastcgi;
            uwsgi_temp_path /tmp/uwsgi;
            scgi_temp_path /tmp/scgi;
            server {
              listen 8081;
              location = /healthz { return 200 "sidecar ok\n"; }
            }
          }
`
}

// podReady reports the pod's Ready condition.
func podReady(p *corev1.Pod) bool {
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// psql runs a query in the Postgres pod over TCP with the password the container was given (its
// POSTGRES_PASSWORD, from the generated Secret) and returns the unaligned result.
func psql(t *testing.T, c *cluster.Cluster, ns, query string) string {
	t.Helper()
	script := `PGPASSWORD="$POSTGRES_PASSWORD" exec psql -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -v ON_ERROR_STOP=1 -tAc "$1"`
	out, stderr, err := c.Exec(context.Background(), ns, "postgres-0", "postgres", "sh", "-c", script, "psql", query)
	require.NoError(t, err, "psql %q: %s", query, stderr)
	return strings.TrimSpace(out)
}

// serviceAddr is the ClusterIP address and port of a Service, which kube-proxy routes from the host.
func serviceAddr(t *testing.T, c *cluster.Cluster, ns, name string, port int) string {
	t.Helper()
	svc, err := c.Client.CoreV1().Services(ns).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return net.JoinHostPort(svc.Spec.ClusterIP, strconv.Itoa(port))
}

// httpGet GETs url (with basic auth when user is set) and returns the status and body.
func httpGet(t *testing.T, url, user, password string) (int, string) {
	t.Helper()
	headers := map[string]string{}
	if user != "" {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.SetBasicAuth(user, password)
		headers["Authorization"] = req.Header.Get("Authorization")
	}
	return httpGetWith(t, url, headers)
}

// httpGetWith GETs url with the headers and returns the status and body.
func httpGetWith(t *testing.T, url string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// assertScrapesEverything waits until the real Prometheus has scraped every target of its configuration
// with up == 1 and has discovered the Alertmanagers it sends alerts to.
func assertScrapesEverything(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	prom := "http://" + serviceAddr(t, c, ns, "prometheus", 9090)
	var targets struct {
		Data struct {
			ActiveTargets []struct {
				ScrapePool string `json:"scrapePool"`
				ScrapeURL  string `json:"scrapeUrl"`
				Health     string `json:"health"`
				LastError  string `json:"lastError"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	cm, err := c.Client.CoreV1().ConfigMaps(ns).Get(context.Background(), "prometheus-config", metav1.GetOptions{})
	require.NoError(t, err)
	var config struct {
		ScrapeConfigs []struct {
			JobName string `json:"job_name"`
		} `json:"scrape_configs"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(cm.Data["prometheus.yml"]), &config))
	require.NotEmpty(t, config.ScrapeConfigs)
	var missing []string
	waitFor(t, 3*time.Minute, "a target of every job, every target up", func() bool {
		_, body := httpGet(t, prom+"/api/v1/targets", "", "")
		if json.Unmarshal([]byte(body), &targets) != nil {
			return false
		}
		missing = nil
		pools := map[string]int{}
		for _, target := range targets.Data.ActiveTargets {
			if target.Health == "up" {
				pools[target.ScrapePool]++
			} else {
				missing = append(missing, fmt.Sprintf("%s %s: %s %s", target.ScrapePool, target.ScrapeURL, target.Health, target.LastError))
			}
		}
		for _, job := range config.ScrapeConfigs {
			if pools[job.JobName] == 0 {
				missing = append(missing, job.JobName+": no target up")
			}
		}
		if len(missing) > 0 {
			t.Logf("not yet: %v", missing)
		}
		return len(missing) == 0
	})
	t.Logf("every job of prometheus.yml scraped, every target up: %d targets", len(targets.Data.ActiveTargets))
	var managers struct {
		Data struct {
			Active []struct {
				URL string `json:"url"`
			} `json:"activeAlertmanagers"`
		} `json:"data"`
	}
	_, body := httpGet(t, prom+"/api/v1/alertmanagers", "", "")
	require.NoError(t, json.Unmarshal([]byte(body), &managers))
	require.NotEmpty(t, managers.Data.Active, "Prometheus has an Alertmanager: %s", body)
	for _, am := range managers.Data.Active {
		status, _ := httpGet(t, strings.Replace(am.URL, "/api/v2/alerts", "/-/ready", 1), "", "")
		assert.Equal(t, 200, status, "Alertmanager %s is ready", am.URL)
	}
}

// assertContainersRunAsRendered checks each pod of ns on the real node: an address from the node's pod
// network, every container started and never restarted, and each container's processes on the host
// running with exactly what the pod's security context asks for: its UID and GID, no capabilities, no
// new privileges, a seccomp filter, and a read-only root filesystem.
func assertContainersRunAsRendered(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	pods, err := c.Client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, pods.Items)
	checked := 0
	defer func() { t.Logf("%d containers' processes checked", checked) }()
	for _, pod := range pods.Items {
		if pod.Status.Phase == corev1.PodSucceeded {
			continue // the migration Job's pod: its processes are gone
		}
		assert.Truef(t, strings.HasPrefix(pod.Status.PodIP, "10.244.0."), "pod %s has an address of the node's pod network: %q", pod.Name, pod.Status.PodIP)
		assert.Equal(t, cluster.RealNodeName, pod.Spec.NodeName, "pod %s runs on the real node", pod.Name)
		specs := map[string]corev1.Container{}
		for _, ctr := range append(slices.Clone(pod.Spec.InitContainers), pod.Spec.Containers...) {
			specs[ctr.Name] = ctr
		}
		statuses := slices.Clone(pod.Status.ContainerStatuses)
		for _, st := range pod.Status.InitContainerStatuses {
			if p := specs[st.Name].RestartPolicy; p != nil && *p == corev1.ContainerRestartPolicyAlways {
				statuses = append(statuses, st) // a native sidecar keeps running beside the app
			}
		}
		for _, st := range statuses {
			name := pod.Name + "/" + st.Name
			assert.Zerof(t, st.RestartCount, "%s restarted (last state %+v)", name, st.LastTerminationState)
			if !assert.NotNilf(t, st.State.Running, "%s is running", name) {
				continue
			}
			id := strings.TrimPrefix(st.ContainerID, "containerd://")
			procs := cluster.ContainerProcesses(id)
			if !assert.NotEmptyf(t, procs, "%s has processes on the host", name) {
				continue
			}
			uid := *pod.Spec.SecurityContext.RunAsUser
			if sc := specs[st.Name].SecurityContext; sc != nil && sc.RunAsUser != nil {
				uid = *sc.RunAsUser
			}
			checked++
			for _, pid := range procs {
				p, err := settledProcess(pid)
				if err != nil {
					continue // ended meanwhile (a probe's command)
				}
				assert.Equalf(t, strconv.FormatInt(uid, 10), p.UID, "%s: process %d (%s) runs as the pod's user", name, pid, p.Command)
				assert.Equalf(t, "0000000000000000", p.CapEff, "%s: process %d (%s) has no capabilities", name, pid, p.Command)
				assert.Equalf(t, "1", p.NoNewPrivs, "%s: process %d (%s) cannot gain privileges", name, pid, p.Command)
				assert.Equalf(t, "2", p.Seccomp, "%s: process %d (%s) runs under a seccomp filter", name, pid, p.Command)
				assert.Truef(t, p.RootReadOnly, "%s: process %d (%s) has a read-only root filesystem", name, pid, p.Command)
			}
		}
	}
}

// settledProcess reads a container's process once runc has set it up: an exec probe's process is
// runc's own init ("runc:[2:INIT]") until it has applied the security context and started the probe's
// command, a few milliseconds; one still in runc's hands after two seconds is read as it is.
func settledProcess(pid int) (cluster.Process, error) {
	deadline := time.Now().Add(2 * time.Second)
	for {
		p, err := cluster.ReadProcess(pid)
		if err != nil || !strings.HasPrefix(p.Command, "runc:[") || time.Now().After(deadline) {
			return p, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond every second until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(time.Second)
	}
}

// prodOnTheNode is prod's stack file for the real node: its managed endpoints at the addresses the
// managed services play them on (inside prod's CIDRs), Redis verified against the same CA bundle as
// Postgres, every image a local one, and CPU requests cut to 10m so prod's replicas fit one 2-core node
// (replica counts, memory and everything else as committed).
func prodOnTheNode(t *testing.T, images cluster.LocalImages, override map[string]string) string {
	var cpu strings.Builder
	cpu.WriteString("  jd-jones-rag-infra:workloads:\n")
	for _, key := range []string{"api", "celeryWorker", "celeryBeat", "migration", "externalPortal", "internalPortal",
		"postgresExporter", "redisExporter", "chroma", "prometheus", "grafana", "alertmanager", "volumeSnapshots"} {
		fmt.Fprintf(&cpu, "    %s: {resources: {requests: {cpu: 10m}}}\n", key)
	}
	return stackFile(t, "prod", images.StackConfig(override)+cpu.String(), map[string]string{
		"host: jd-jones-rag.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com": "host: " + externalPostgresAddr,
		"host: master.jd-jones-rag.abc123.euw1.cache.amazonaws.com":           "host: " + externalRedisAddr,
		"    tls:\n      enabled: true\n  jd-jones-rag-infra:llm:":            "    tls:\n      enabled: true\n      ca:\n        configMap: rds-ca-bundle\n        key: ca.crt\n  jd-jones-rag-infra:llm:",
	})
}

func TestTheProdStackRunsForRealWithExternalDataServices(t *testing.T) {
	c, images := startRealNodeCluster(t)
	ctx := context.Background()
	ns := namespaces["prod"]
	var managed externalServices
	phase(t, "the external Postgres and Redis start outside the cluster, in prod's CIDRs, TLS only", func(t *testing.T) {
		managed = startExternalServices(t, c, images)
		plain := cluster.RedisPing(net.JoinHostPort(externalRedisAddr, "6379"), nil)
		assert.False(t, strings.HasPrefix(plain, "-") || strings.HasPrefix(plain, "+"), "the managed Redis answers no plaintext client: %q", plain)
	})
	state := t.TempDir()
	s := clusterSession(t, c, "prod", state)
	s.ProjectDir = prodOnTheNode(t, images, nil)
	var before *liveState
	phase(t, "up of prod on the real node: every workload Ready, reaching the managed services over verified TLS", func(t *testing.T) {
		syncCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		synced := make(chan error, 1)
		go func() { synced <- syncExternalSecrets(syncCtx, t, c, ns, managed) }()
		_, err := s.Up(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, <-synced, "the managed services' Secrets and CA bundle")
		before = assertRunning(t, c, "prod")
	})
	phase(t, "every container of prod runs for real, under its rendered security context, without a restart", func(t *testing.T) {
		assertContainersRunAsRendered(t, c, ns)
	})
	phase(t, "the migration enabled pgvector in the external Postgres", func(t *testing.T) {
		assert.Equal(t, "0.8.0", externalQuery(t, c, "SELECT extversion FROM pg_extension WHERE extname = 'vector'"))
	})
	phase(t, "the managed Redis refuses a TLS client without the password", func(t *testing.T) {
		answer := cluster.RedisPing(net.JoinHostPort(externalRedisAddr, "6379"), managed.tlsConfig())
		assert.True(t, strings.HasPrefix(answer, "-NOAUTH"), "PING over TLS without AUTH: %q", answer)
	})
	phase(t, "the real Prometheus scrapes every target of prod's configuration, the managed services' exporters too", func(t *testing.T) {
		assertScrapesEverything(t, c, ns)
	})
	phase(t, "the API's disruption budget holds during evictions, and no request fails", func(t *testing.T) {
		loop := startRequests("http://" + serviceAddr(t, c, ns, "api", 8000) + "/health")
		assertBudgetHolds(t, c, ns, "api")
		loop.finishWithoutFailures(t, 15*time.Second)
	})
	phase(t, "a rolling update of the API to a new image digest fails no request of a loop against its Service", func(t *testing.T) {
		api, err := images.Get("rag-api-standin")
		require.NoError(t, err)
		next, err := api.Variant(t.TempDir(), "1.0.1")
		require.NoError(t, err)
		require.NoError(t, c.ImportImage(next))
		s := clusterSession(t, c, "prod", state)
		s.ProjectDir = prodOnTheNode(t, images, map[string]string{"api": next.Pinned()})
		loop := startRequests("http://" + serviceAddr(t, c, ns, "api", 8000) + "/health")
		_, err = s.Up(ctx, nil)
		require.NoError(t, err)
		loop.finishWithoutFailures(t, 15*time.Second)
		dep, err := c.Client.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, next.Pinned(), dep.Spec.Template.Spec.Containers[0].Image)
		assertRunning(t, c, "prod")
	})
	phase(t, "destroy of prod is refused and keeps its data claims", func(t *testing.T) {
		assertDestroyKeepsClaims(t, c, s, before)
	})
	phase(t, "a later up of prod re-attaches the kept claims", func(t *testing.T) {
		_, err := s.Up(ctx, nil)
		require.NoError(t, err)
		now := assertRunning(t, c, "prod")
		for _, claim := range []string{"model-cache", "uploads-data"} {
			assert.Equal(t, before.claims[claim].UID, now.claims[claim].UID, "claim %s", claim)
		}
	})
}

// requestLoop GETs one URL over and over, each request on a new connection (so each is routed anew),
// counting failures, until it is finished.
type requestLoop struct {
	url      string
	stop     chan struct{}
	done     chan struct{}
	sent     int
	failures []string
}

// startRequests starts a request loop against url, 20 requests a second at most.
func startRequests(url string) *requestLoop {
	l := &requestLoop{url: url, stop: make(chan struct{}), done: make(chan struct{})}
	client := http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		defer close(l.done)
		for {
			select {
			case <-l.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			l.sent++
			resp, err := client.Get(l.url)
			if err != nil {
				l.failures = append(l.failures, fmt.Sprintf("%s: %v", time.Now().Format(time.StampMilli), err))
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close() // drained and read-only: nothing to lose
			if resp.StatusCode != http.StatusOK {
				l.failures = append(l.failures, fmt.Sprintf("%s: status %d", time.Now().Format(time.StampMilli), resp.StatusCode))
			}
		}
	}()
	return l
}

// finishWithoutFailures keeps the loop going for linger more (pods still draining), stops it and checks
// that it sent requests all along and none failed.
func (l *requestLoop) finishWithoutFailures(t *testing.T, linger time.Duration) {
	t.Helper()
	time.Sleep(linger)
	close(l.stop)
	<-l.done
	t.Logf("%d requests to %s, %d failed", l.sent, l.url, len(l.failures))
	assert.Greater(t, l.sent, int(linger/(100*time.Millisecond)), "the loop ran")
	assert.Empty(t, l.failures, "failed requests")
}

// assertBudgetHolds evicts the pods of app one after another through the Eviction API: as many as its
// PodDisruptionBudget allows are evicted, the next is refused (429), and the Deployment is whole again
// afterwards.
func assertBudgetHolds(t *testing.T, c *cluster.Cluster, ns, app string) {
	t.Helper()
	ctx := context.Background()
	pdb, err := c.Client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, app, metav1.GetOptions{})
	require.NoError(t, err)
	allowed := int(pdb.Status.DisruptionsAllowed)
	list, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + app})
	require.NoError(t, err)
	var pods []corev1.Pod
	for _, pod := range list.Items {
		if pod.DeletionTimestamp == nil {
			pods = append(pods, pod)
		}
	}
	require.Greater(t, len(pods), allowed, "a pod more than the budget allows to evict")
	t.Logf("%s: %d pods, the budget allows %d disruptions", app, len(pods), allowed)
	for i, pod := range pods[:allowed+1] {
		err := c.Client.CoreV1().Pods(ns).EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: ns}})
		if i < allowed {
			assert.NoError(t, err, "eviction %d of %s is within the budget", i+1, pod.Name)
		} else {
			assert.True(t, apierrors.IsTooManyRequests(err), "eviction of %s beyond the budget is refused: %v", pod.Name, err)
		}
	}
	waitFor(t, 3*time.Minute, "Deployment "+app+" to be whole again", func() bool {
		d, err := c.Client.AppsV1().Deployments(ns).Get(ctx, app, metav1.GetOptions{})
		return err == nil && rolledOut(*d)
	})
}
