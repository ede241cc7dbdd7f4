package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// goodSidecar is a sidecar the program and the pack accept, as JSON; fields replaces or adds fields.
func goodSidecar(fields string) string {
	base := `"name": "log-shipper", "image": "fluent/fluent-bit:3.2.4",
		"resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
		"livenessProbe": {"httpGet": {"path": "/", "port": 2020}},
		"readinessProbe": {"httpGet": {"path": "/api/v1/health", "port": 2020}}`
	if fields != "" {
		base += ", " + fields
	}
	return "{" + base + "}"
}

// apiPod is a workloads key that sets the API's pod options to pod (JSON fields).
func apiPod(pod string) string {
	return `{"api": {"pod": {` + pod + `}}}`
}

// extrasVolume is a compliant extra volume of the API's pod.
const extrasVolume = `"volumes": [{"name": "extra", "configMap": {"name": "rag-extra"}}]`

func TestPodVolumesMountsAndSidecarsAreDecodedIntoKubernetesTypes(t *testing.T) {
	c, err := loadDevWithWorkloads(apiPod(extrasVolume + `,
		"volumeMounts": [{"name": "extra", "mountPath": "/etc/rag/extra", "readOnly": true}],
		"sidecars": [` + goodSidecar(`"volumeMounts": [{"name": "extra", "mountPath": "/fluent-bit/etc"}], "ports": [{"name": "shipper", "containerPort": 2020}]`) + `]`))
	require.NoError(t, err)
	e, errs := c.Workloads.API.Pod.Extras()
	require.Empty(t, errs)
	assert.Equal(t, []corev1.Volume{{Name: "extra", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "rag-extra"}}}}}, e.Volumes)
	assert.Equal(t, []corev1.VolumeMount{{Name: "extra", MountPath: "/etc/rag/extra", ReadOnly: true}}, e.VolumeMounts)
	require.Len(t, e.Sidecars, 1)
	assert.Equal(t, "log-shipper", e.Sidecars[0].Name)
	assert.False(t, isZero(&c.Workloads.API.Pod), "volumes, mounts and sidecars are options")
}

func TestCompliantVolumesMountsAndSidecarsPass(t *testing.T) {
	for name, pod := range map[string]string{
		"a ConfigMap mounted read-only":       extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/etc/rag/extra", "readOnly": true}]`,
		"an emptyDir, a claim and a secret":   `"volumes": [{"name": "scratch", "emptyDir": {}}, {"name": "own", "persistentVolumeClaim": {"claimName": "my-claim"}}, {"name": "certs", "secret": {"secretName": "my-certs"}}]`,
		"a mount with a relative subPath":     extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/etc/rag/extra/file.yaml", "subPath": "conf/file.yaml"}]`,
		"a sidecar with probes and resources": extrasVolume + `, "sidecars": [` + goodSidecar(`"env": [{"name": "LOG_LEVEL", "value": "info"}], "volumeMounts": [{"name": "extra", "mountPath": "/fluent-bit/etc"}]`) + `]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadDevWithWorkloads(apiPod(pod))
			require.NoError(t, err)
		})
	}
}

func TestBadVolumesMountsAndSidecarsAreRefusedWithExactMessages(t *testing.T) {
	const prefix = "config jd-jones-rag-infra:workloads.api.pod."
	cases := []struct{ name, pod, message string }{
		// Volumes.
		{"a hostPath volume is refused", `"volumes": [{"name": "host", "hostPath": {"path": "/var/run/docker.sock"}}]`,
			`volumes[0].hostPath is a volume type Pod Security "restricted" forbids; use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret`},
		{"a miscased HostPath is not a field", `"volumes": [{"name": "host", "HostPath": {"path": "/"}}]`,
			`volumes[0].HostPath is not a field of workloads.api.pod.volumes[0]; did you mean hostPath?`},
		{"a volumeMount typo inside a volume is not a field", `"volumes": [{"name": "x", "emptyDir": {}, "volumeMount": {"mountPath": "/x"}}]`,
			`volumes[0].volumeMount is not a field of workloads.api.pod.volumes[0]; the fields are name, hostPath, emptyDir, gcePersistentDisk, awsElasticBlockStore, gitRepo, secret, nfs, iscsi, glusterfs, persistentVolumeClaim, rbd, flexVolume, cinder, cephfs, flocker, downwardAPI, fc, azureFile, configMap, vsphereVolume, quobyte, azureDisk, photonPersistentDisk, projected, portworxVolume, scaleIO, storageos, csi, ephemeral, image`},
		{"a volume with two sources is refused", `"volumes": [{"name": "two", "emptyDir": {}, "configMap": {"name": "x"}}]`,
			`volumes[0] must set exactly one volume source, of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret; it sets emptyDir and configMap`},
		{"a volume without a source is refused", `"volumes": [{"name": "none"}]`,
			`volumes[0] must set exactly one volume source, of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret; it sets none`},
		{"a volume name is a DNS label", `"volumes": [{"name": "Bad_Name", "emptyDir": {}}]`,
			`volumes[0].name = "Bad_Name": must be a DNS-1123 label (lower-case letters, digits and -, at most 63 characters)`},
		{"a volume name is unique", `"volumes": [{"name": "x", "emptyDir": {}}, {"name": "x", "emptyDir": {}}]`,
			`volumes[1].name = "x": names two volumes; each volume takes a name of its own`},
		{"a volume cannot take a platform volume's name", `"volumes": [{"name": "tmp", "emptyDir": {}}]`,
			`volumes[0].name = "tmp": is a volume the platform uses in its pods; name it otherwise (the platform's are ` + strings.Join(PlatformVolumes, ", ") + `)`},
		{"the platform's claim cannot be mounted", `"volumes": [{"name": "steal", "persistentVolumeClaim": {"claimName": "uploads-data"}}]`,
			`volumes[0].persistentVolumeClaim.claimName = "uploads-data": holds the platform's data; mount a claim of your own`},
		{"a StatefulSet's claim cannot be mounted", `"volumes": [{"name": "steal", "persistentVolumeClaim": {"claimName": "postgres-data-postgres-0"}}]`,
			`volumes[0].persistentVolumeClaim.claimName = "postgres-data-postgres-0": holds the platform's data; mount a claim of your own`},
		{"the platform's Secret cannot be mounted", `"volumes": [{"name": "steal", "secret": {"secretName": "jd-jones-secrets"}}]`,
			`volumes[0].secret.secretName = "jd-jones-secrets": holds the platform's credentials; mount a Secret of your own`},
		{"the platform's Secret cannot be projected", `"volumes": [{"name": "steal", "projected": {"sources": [{"secret": {"name": "chroma-token"}}]}}]`,
			`volumes[0].projected.sources[0].secret.name = "chroma-token": holds the platform's credentials; project a Secret of your own`},
		// Mounts.
		{"a mount names a volume of the pod options", `"volumeMounts": [{"name": "nowhere", "mountPath": "/x"}]`,
			`volumeMounts[0].name = "nowhere": must name an entry of workloads.api.pod.volumes`},
		{"a mount cannot name a platform volume", `"volumeMounts": [{"name": "model-cache", "mountPath": "/steal"}]`,
			`volumeMounts[0].name = "model-cache": is a volume of the platform; mount only entries of workloads.api.pod.volumes`},
		{"a mount at /tmp is refused", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/tmp"}]`,
			`volumeMounts[0].mountPath = "/tmp": overlaps /tmp, which the platform mounts; choose a path that is neither it, above it nor under it`},
		{"a mount above a platform path is refused", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/etc/jd-jones"}]`,
			`volumeMounts[0].mountPath = "/etc/jd-jones": overlaps /etc/jd-jones/tls, which the platform mounts; choose a path that is neither it, above it nor under it`},
		{"a mount at / is refused", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/"}]`,
			`volumeMounts[0].mountPath = "/": must be an absolute, clean path other than / (such as /etc/app/extra)`},
		{"a relative mount path is refused", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "etc/x"}]`,
			`volumeMounts[0].mountPath = "etc/x": must be an absolute, clean path other than / (such as /etc/app/extra)`},
		{"an unclean mount path is refused", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/etc/x/../../tmp"}]`,
			`volumeMounts[0].mountPath = "/etc/x/../../tmp": must be an absolute, clean path other than / (such as /etc/app/extra)`},
		{"a subPath cannot climb out", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/etc/x", "subPath": "../x"}]`,
			`volumeMounts[0].subPath = "../x": must be a relative path inside the volume (no leading / and no ..)`},
		{"Bidirectional propagation is refused", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/etc/x", "mountPropagation": "Bidirectional"}]`,
			`volumeMounts[0].mountPropagation = "Bidirectional": must be None or HostToContainer: Bidirectional needs a privileged container`},
		{"a path is mounted once", extrasVolume + `, "volumeMounts": [{"name": "extra", "mountPath": "/etc/x"}, {"name": "extra", "mountPath": "/etc/x"}]`,
			`volumeMounts[1].mountPath = "/etc/x": is mounted twice; each mount takes a path of its own`},
		// Sidecars.
		{"a privileged sidecar is refused", `"sidecars": [` + goodSidecar(`"securityContext": {"privileged": true}`) + `]`,
			`sidecars[0].securityContext is set by the platform: every sidecar runs with the platform's restricted security context (non-root, no privilege escalation, no capabilities, read-only root filesystem, RuntimeDefault seccomp); remove it`},
		{"a sidecar restartPolicy is refused", `"sidecars": [` + goodSidecar(`"restartPolicy": "Always"`) + `]`,
			`sidecars[0].restartPolicy = "Always": is set by the platform: a sidecar runs as a native sidecar (an init container with restartPolicy Always); remove it`},
		{"a sidecar's restart rules are refused", `"sidecars": [` + goodSidecar(`"restartPolicyRules": [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}]`) + `]`,
			`sidecars[0].restartPolicyRules is set by the platform: a sidecar runs as a native sidecar (an init container with restartPolicy Always); remove it`},
		{"a sidecar named like a platform container is refused", `"sidecars": [` + strings.Replace(goodSidecar(""), `"log-shipper"`, `"postgres-exporter"`, 1) + `]`,
			`sidecars[0].name = "postgres-exporter": is a container name the platform uses; name the sidecar otherwise (the platform's are ` + strings.Join(PlatformContainers, ", ") + `)`},
		{"a sidecar name is unique", `"sidecars": [` + goodSidecar("") + `, ` + goodSidecar("") + `]`,
			`sidecars[1].name = "log-shipper": names two sidecars; each takes a name of its own`},
		{"a sidecar name is a DNS label", `"sidecars": [` + strings.Replace(goodSidecar(""), `"log-shipper"`, `"Log_Shipper"`, 1) + `]`,
			`sidecars[0].name = "Log_Shipper": must be a DNS-1123 label (lower-case letters, digits and -, at most 63 characters)`},
		{"a sidecar without probes is refused", `"sidecars": [{"name": "proxy", "image": "proxy:1.0", "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}}]`,
			`sidecars[0] must set livenessProbe and readinessProbe: the policy pack's workload-probes policy requires a liveness and a readiness probe of every native sidecar`},
		{"a sidecar without resources is refused", `"sidecars": [{"name": "proxy", "image": "proxy:1.0", "livenessProbe": {"tcpSocket": {"port": 1}}, "readinessProbe": {"tcpSocket": {"port": 1}}, "resources": {"requests": {"cpu": "0"}}}]`,
			`sidecars[0].resources must set resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory (nonzero): the policy pack's container-resources policy requires them of every container`},
		{"a sidecar image is pinned", `"sidecars": [` + strings.Replace(goodSidecar(""), `"fluent/fluent-bit:3.2.4"`, `"fluent/fluent-bit:latest"`, 1) + `]`,
			`sidecars[0].image = "fluent/fluent-bit:latest": must not use the mutable tag latest; pin a version tag or digest`},
		{"a sidecar image is required", `"sidecars": [` + strings.Replace(goodSidecar(""), `"image": "fluent/fluent-bit:3.2.4",`, ``, 1) + `]`,
			`sidecars[0].image = "": must be an image reference repo:tag or repo@sha256:digest`},
		{"a sidecar env name is a C identifier", `"sidecars": [` + goodSidecar(`"env": [{"name": "BAD-NAME", "value": "x"}]`) + `]`,
			`sidecars[0].env[0].name = "BAD-NAME": must be a C identifier (letters, digits and _, not starting with a digit)`},
		{"a sidecar cannot read the platform's credentials", `"sidecars": [` + goodSidecar(`"envFrom": [{"secretRef": {"name": "jd-jones-secrets"}}]`) + `]`,
			`sidecars[0].envFrom[0].secretRef.name = "jd-jones-secrets": holds the platform's credentials; a sidecar reads Secrets of its own`},
		{"a sidecar mounts only the pod options' volumes", `"sidecars": [` + goodSidecar(`"volumeMounts": [{"name": "uploads-data", "mountPath": "/steal"}]`) + `]`,
			`sidecars[0].volumeMounts[0].name = "uploads-data": is a volume of the platform; mount only entries of workloads.api.pod.volumes`},
		{"a sidecar port takes a name the pod does not use", `"sidecars": [` + goodSidecar(`"ports": [{"name": "http", "containerPort": 8080}]`) + `]`,
			`sidecars[0].ports[0].name = "http": is a port name already used in the pod (the platform's are ` + strings.Join(PlatformPorts, ", ") + `); name it otherwise`},
		{"a sidecar field is spelt as the API spells it", `"sidecars": [` + goodSidecar(`"SecurityContext": {}`) + `]`,
			`sidecars[0].SecurityContext is not a field of workloads.api.pod.sidecars[0]; did you mean securityContext?`},
		{"an exporter's size takes no sidecars", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			workloads, message := apiPod(tc.pod), prefix+tc.message
			if tc.pod == "" {
				workloads = `{"redisExporter": {"pod": {"sidecars": [` + goodSidecar("") + `]}}}`
				message = "config jd-jones-rag-infra:workloads.redisExporter.pod is a container of the redis pod: set workloads.redis.pod instead"
			}
			_, err := loadDevWithWorkloads(workloads)
			var verr ValidationError
			require.True(t, errors.As(err, &verr), "%v", err)
			var messages []string
			for _, e := range verr {
				messages = append(messages, e.Error())
			}
			assert.Contains(t, messages, message)
		})
	}
}
