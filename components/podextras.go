package components

import (
	"fmt"
	"maps"
	"slices"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	k8scorev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// extras are a pod's extra volumes, its main container's extra mounts and its native sidecars
// (workloads.<name>.pod.volumes, volumeMounts and sidecars) as pulumi inputs; empty when unset.
type extras struct {
	volumes  corev1.VolumeArray
	mounts   corev1.VolumeMountArray
	sidecars corev1.ContainerArray
}

// resolveExtras decodes the pod's volumes, mounts and sidecars (strictly, into the Kubernetes API's types)
// and converts them to pulumi inputs. A sidecar becomes a native sidecar: an init container with
// restartPolicy Always, the platform's restricted security context and its pull policy.
func (p pod) resolveExtras() (extras, error) {
	decoded, errs := p.options.Extras()
	if len(errs) > 0 {
		return extras{}, fmt.Errorf("workload %s: pod options: %v", p.name, errs[slices.Sorted(maps.Keys(errs))[0]])
	}
	var out extras
	for _, v := range decoded.Volumes {
		o, err := toPulumi[corev1.Volume](v)
		if err != nil {
			return out, fmt.Errorf("workload %s: pod.volumes %s: %w", p.name, v.Name, err)
		}
		out.volumes = append(out.volumes, o.(corev1.VolumeOutput))
	}
	for _, m := range decoded.VolumeMounts {
		o, err := toPulumi[corev1.VolumeMount](m)
		if err != nil {
			return out, fmt.Errorf("workload %s: pod.volumeMounts %s: %w", p.name, m.MountPath, err)
		}
		out.mounts = append(out.mounts, o.(corev1.VolumeMountOutput))
	}
	for _, c := range decoded.Sidecars {
		c.RestartPolicy = ptr.To(k8scorev1.ContainerRestartPolicyAlways)
		c.SecurityContext = restrictedContext()
		if c.ImagePullPolicy == "" {
			c.ImagePullPolicy = k8scorev1.PullPolicy(pullPolicy(c.Image))
		}
		o, err := toPulumi[corev1.Container](c)
		if err != nil {
			return out, fmt.Errorf("workload %s: pod.sidecars %s: %w", p.name, c.Name, err)
		}
		out.sidecars = append(out.sidecars, o.(corev1.ContainerOutput))
	}
	return out, nil
}
