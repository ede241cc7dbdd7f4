package cluster

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// repoRoot is the repository, two folders up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	return filepath.Dir(filepath.Dir(wd))
}

// startRealNode starts the local control plane with the real node from the toolchain and stops it when
// the test ends, checking that nothing is left behind.
func startRealNode(t *testing.T) (*Cluster, LocalImages) {
	t.Helper()
	if testing.Short() {
		t.Skip("real node test; -short skips it")
	}
	root := repoRoot(t)
	images, err := LoadImages(filepath.Join(root, ".tools", "images"))
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", dirPrefix)
	require.NoError(t, err)
	c, err := Start(context.Background(), Options{
		BinDir: filepath.Join(root, ".tools", "bin"), Dir: dir, CRDDir: filepath.Join(root, ".tools", "crds"),
		StorageClasses: []string{"standard"}, RealNode: images.RealNode(filepath.Join(root, ".tools", "cni-bin")),
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", c.Logs(40))
		}
		require.NoError(t, c.Stop())
		assertHostClean(t, dir)
		if !t.Failed() {
			assert.NoError(t, os.RemoveAll(dir))
		}
	})
	return c, images
}

// assertHostClean checks that a stopped node left no process, mount, link, rule or cgroup behind.
func assertHostClean(t *testing.T, dir string) {
	t.Helper()
	assert.Empty(t, processesMentioning(dir), "processes of the node still running")
	assert.Empty(t, mountsUnder(dir), "mounts left under the node's folder")
	assert.False(t, linkExists(BridgeName), "the bridge %s is left", BridgeName)
	rules, err := exec.Command("iptables-save").Output()
	require.NoError(t, err)
	assert.NotContains(t, string(rules), guardComment, "guard rules left")
	assert.NotContains(t, string(rules), "KUBE-SERVICES", "kube-proxy's chains left")
	controllers, _ := filepath.Glob("/sys/fs/cgroup/*/" + cgroupRoot)
	assert.Empty(t, controllers, "pod cgroups left")
	for _, key := range []string{"net/ipv4/ip_forward"} {
		_, err := readSysctl(key)
		assert.NoError(t, err)
	}
}

func TestARealNodeRunsARestrictedPodWithProbesServicesAndDNS(t *testing.T) {
	c, images := startRealNode(t)
	ctx := context.Background()
	redis, err := images.Get("redis")
	require.NoError(t, err)

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "smoke", Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.34",
	}}}
	_, err = c.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	require.NoError(t, err)
	uid, no, yes := int64(999), false, true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "redis", Labels: map[string]string{"app": "redis"}},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: &no,
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{
				Name: "redis", Image: redis.Pinned(), ImagePullPolicy: corev1.PullIfNotPresent,
				Command: []string{"redis-server", "--port", "6379", "--dir", "/data", "--save", "", "--protected-mode", "no"},
				Ports:   []corev1.ContainerPort{{Name: "redis", ContainerPort: 6379}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{
					Command: []string{"redis-cli", "ping"}}}, PeriodSeconds: 2},
				LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{
					Port: intstr.FromString("redis")}}, PeriodSeconds: 5},
				VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
			}},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		},
	}
	_, err = c.Client.CoreV1().Pods("smoke").Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "redis"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "redis"}, Ports: []corev1.ServicePort{{Port: 6379, TargetPort: intstr.FromString("redis")}}}}
	created, err := c.Client.CoreV1().Services("smoke").Create(ctx, svc, metav1.CreateOptions{})
	require.NoError(t, err)

	var live *corev1.Pod
	require.NoError(t, poll(ctx, 2*time.Minute, "the pod to be Ready", func() (bool, error) {
		live, err = c.Client.CoreV1().Pods("smoke").Get(ctx, "redis", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, cond := range live.Status.Conditions {
			if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	}), "pod status: %+v", live)

	// The kubelet ran the container for real, as the security context says.
	id := strings.TrimPrefix(live.Status.ContainerStatuses[0].ContainerID, "containerd://")
	procs := ContainerProcesses(id)
	require.NotEmpty(t, procs)
	p, err := ReadProcess(procs[0])
	require.NoError(t, err)
	assert.Equal(t, Process{Command: "redis-server", UID: "999", GID: "999", CapEff: "0000000000000000",
		NoNewPrivs: "1", Seccomp: "2", RootReadOnly: true}, p)

	// The pod answers at its address and through its Service (kube-proxy's rules), from the host.
	for _, addr := range []string{live.Status.PodIP, created.Spec.ClusterIP} {
		var answer string
		require.NoError(t, poll(ctx, 30*time.Second, "PING to "+addr, func() (bool, error) {
			answer = RedisPing(net.JoinHostPort(addr, "6379"), nil)
			return answer == "+PONG\r\n", nil
		}), "last answer %q", answer)
	}

	// Inside the pod, through the API server and the kubelet: cluster DNS resolves the Service.
	out, stderr, err := c.Exec(ctx, "smoke", "redis", "", "getent", "hosts", "redis.smoke.svc.cluster.local")
	require.NoError(t, err, stderr)
	assert.Contains(t, out, created.Spec.ClusterIP, "cluster DNS answers with the Service's address")
}
