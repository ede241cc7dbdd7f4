package components

import (
	"maps"
	"slices"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	k8scorev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// tmpVolume is the writable scratch space every pod gets, since root filesystems are read-only.
const tmpVolume = "tmp"

// port is a named container port.
type port struct {
	name   string
	number int
}

// container describes one container; build turns it into the Kubernetes shape with the restricted defaults.
type container struct {
	name      string
	image     string
	command   []string
	args      []string
	ports     []port
	env       corev1.EnvVarArray
	envFrom   corev1.EnvFromSourceArray
	mounts    corev1.VolumeMountArray
	resources config.Resources
	// startup, liveness and readiness are the container's probes; every long-running container has the last two.
	startup, liveness, readiness *corev1.ProbeArgs
	// drainSeconds keeps a stopping container serving this long before it gets SIGTERM (a preStop
	// sleep), so that no request is routed to it after it stops accepting; 0 for none.
	drainSeconds int
}

// pullPolicy pulls a tag on every start, so no node runs a stale copy of a tag pushed again, and a
// digest only when the node lacks it (its content cannot change).
func pullPolicy(image string) string {
	if imageref.Split(image).Digest != "" {
		return "IfNotPresent"
	}
	return "Always"
}

// withPodOptions is the container with its workload's extra environment before its own: the platform's
// variables keep their values, since of two envFrom sources with one key the later wins (and
// validation refuses an env var the platform sets).
func (c container) withPodOptions(o config.PodOptions) container {
	if len(o.Env) > 0 {
		env := corev1.EnvVarArray{}
		for _, name := range slices.Sorted(maps.Keys(o.Env)) {
			env = append(env, plainEnv(name, o.Env[name]))
		}
		c.env = append(env, c.env...)
	}
	if len(o.EnvFrom) > 0 {
		from := corev1.EnvFromSourceArray{}
		for _, ref := range o.EnvFrom {
			if ref.ConfigMap != "" {
				from = append(from, corev1.EnvFromSourceArgs{ConfigMapRef: corev1.ConfigMapEnvSourceArgs{Name: pulumi.String(ref.ConfigMap)}})
			} else {
				from = append(from, corev1.EnvFromSourceArgs{SecretRef: corev1.SecretEnvSourceArgs{Name: pulumi.String(ref.Secret)}})
			}
		}
		c.envFrom = append(from, c.envFrom...)
	}
	return c
}

// build returns the container with requests and limits, the restricted security context and /tmp mounted.
func (c container) build() corev1.ContainerArgs {
	ports := corev1.ContainerPortArray{}
	for _, p := range c.ports {
		ports = append(ports, corev1.ContainerPortArgs{Name: pulumi.String(p.name), ContainerPort: pulumi.Int(p.number), Protocol: pulumi.String("TCP")})
	}
	mounts := append(corev1.VolumeMountArray{corev1.VolumeMountArgs{Name: pulumi.String(tmpVolume), MountPath: pulumi.String("/tmp")}}, c.mounts...)
	args := corev1.ContainerArgs{
		Name:            pulumi.String(c.name),
		Image:           pulumi.String(c.image),
		ImagePullPolicy: pulumi.String(pullPolicy(c.image)),
		Ports:           ports,
		Env:             c.env,
		EnvFrom:         c.envFrom,
		VolumeMounts:    mounts,
		Resources:       resourceRequirements(c.resources),
		SecurityContext: restrictedSecurityContext(),
	}
	if len(c.command) > 0 {
		args.Command = pulumi.ToStringArray(c.command)
	}
	if len(c.args) > 0 {
		args.Args = pulumi.ToStringArray(c.args)
	}
	if c.startup != nil {
		args.StartupProbe = c.startup
	}
	if c.liveness != nil {
		args.LivenessProbe = c.liveness
	}
	if c.readiness != nil {
		args.ReadinessProbe = c.readiness
	}
	if c.drainSeconds > 0 {
		args.Lifecycle = corev1.LifecycleArgs{PreStop: corev1.LifecycleHandlerArgs{Sleep: corev1.SleepActionArgs{Seconds: pulumi.Int(c.drainSeconds)}}}
	}
	return args
}

// restrictedContext is the security context of every container of the platform, native sidecars
// included, as a Kubernetes API value: it satisfies Pod Security "restricted" and adds a read-only root
// filesystem. It is the one place its values are written.
func restrictedContext() *k8scorev1.SecurityContext {
	return &k8scorev1.SecurityContext{
		RunAsNonRoot:             ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		Privileged:               ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities:             &k8scorev1.Capabilities{Drop: []k8scorev1.Capability{"ALL"}},
		SeccompProfile:           &k8scorev1.SeccompProfile{Type: k8scorev1.SeccompProfileTypeRuntimeDefault},
	}
}

// restrictedSecurityContext is restrictedContext as the input every built container carries (a test
// decodes the rendered containers and compares them with restrictedContext).
func restrictedSecurityContext() corev1.SecurityContextArgs {
	r := restrictedContext()
	drop := make([]string, len(r.Capabilities.Drop))
	for i, c := range r.Capabilities.Drop {
		drop[i] = string(c)
	}
	return corev1.SecurityContextArgs{
		RunAsNonRoot:             pulumi.Bool(*r.RunAsNonRoot),
		AllowPrivilegeEscalation: pulumi.Bool(*r.AllowPrivilegeEscalation),
		Privileged:               pulumi.Bool(*r.Privileged),
		ReadOnlyRootFilesystem:   pulumi.Bool(*r.ReadOnlyRootFilesystem),
		Capabilities:             corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray(drop)},
		SeccompProfile:           corev1.SeccompProfileArgs{Type: pulumi.String(string(r.SeccompProfile.Type))},
	}
}

// podSecurityContext runs every container of the pod as uid (and its group), with volumes owned by that group.
func podSecurityContext(uid int) corev1.PodSecurityContextArgs {
	return corev1.PodSecurityContextArgs{
		RunAsNonRoot:        pulumi.Bool(true),
		RunAsUser:           pulumi.Int(uid),
		RunAsGroup:          pulumi.Int(uid),
		FsGroup:             pulumi.Int(uid),
		FsGroupChangePolicy: pulumi.String("OnRootMismatch"),
		SeccompProfile:      corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

// resourceRequirements maps validated config quantities to requests and limits.
func resourceRequirements(r config.Resources) corev1.ResourceRequirementsArgs {
	requests := pulumi.StringMap{"cpu": pulumi.String(r.Requests.CPU), "memory": pulumi.String(r.Requests.Memory)}
	limits := pulumi.StringMap{"cpu": pulumi.String(r.Limits.CPU), "memory": pulumi.String(r.Limits.Memory)}
	// Extended resources cannot be overcommitted: Kubernetes requires their request to equal their limit.
	for name, quantity := range r.Extended {
		requests[name], limits[name] = pulumi.String(quantity), pulumi.String(quantity)
	}
	return corev1.ResourceRequirementsArgs{Requests: requests, Limits: limits}
}

// probeTiming is how often a probe runs and how many failures it tolerates.
type probeTiming struct {
	initialDelay, period, timeout, failures int
}

var (
	// readinessTiming takes a pod out of its Service quickly.
	readinessTiming = probeTiming{period: 10, timeout: 3, failures: 3}
	// livenessTiming restarts only after a sustained failure.
	livenessTiming = probeTiming{period: 20, timeout: 5, failures: 3}
	// startupTiming gives slow starters (migrations, model loading, WAL replay) up to five minutes.
	startupTiming = probeTiming{period: 5, timeout: 3, failures: 60}
)

func (t probeTiming) apply(p *corev1.ProbeArgs) *corev1.ProbeArgs {
	if t.initialDelay > 0 {
		p.InitialDelaySeconds = pulumi.Int(t.initialDelay)
	}
	p.PeriodSeconds = pulumi.Int(t.period)
	p.TimeoutSeconds = pulumi.Int(t.timeout)
	p.FailureThreshold = pulumi.Int(t.failures)
	return p
}

// httpProbe checks an HTTP path on a named port.
func httpProbe(path, portName string, t probeTiming) *corev1.ProbeArgs {
	return t.apply(&corev1.ProbeArgs{HttpGet: corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: pulumi.String(portName)}})
}

// execProbe runs a command in the container.
func execProbe(command []string, t probeTiming) *corev1.ProbeArgs {
	return t.apply(&corev1.ProbeArgs{Exec: corev1.ExecActionArgs{Command: pulumi.ToStringArray(command)}})
}

// tcpProbe opens a connection to a named port.
func tcpProbe(portName string, t probeTiming) *corev1.ProbeArgs {
	return t.apply(&corev1.ProbeArgs{TcpSocket: corev1.TCPSocketActionArgs{Port: pulumi.String(portName)}})
}

// mount mounts volume at path.
func mount(volume, path string) corev1.VolumeMountArgs {
	return corev1.VolumeMountArgs{Name: pulumi.String(volume), MountPath: pulumi.String(path)}
}

// emptyDirVolume is scratch space with a size cap.
func emptyDirVolume(name, sizeLimit string) corev1.VolumeArgs {
	return corev1.VolumeArgs{Name: pulumi.String(name), EmptyDir: corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String(sizeLimit)}}
}

// configMapVolume projects a ConfigMap's keys as files.
func configMapVolume(name, configMap string) corev1.VolumeArgs {
	return corev1.VolumeArgs{Name: pulumi.String(name), ConfigMap: corev1.ConfigMapVolumeSourceArgs{Name: pulumi.String(configMap)}}
}

// claimVolume mounts a PersistentVolumeClaim.
func claimVolume(name string, claim pulumi.StringInput) corev1.VolumeArgs {
	return corev1.VolumeArgs{Name: pulumi.String(name), PersistentVolumeClaim: corev1.PersistentVolumeClaimVolumeSourceArgs{ClaimName: claim}}
}

// plainEnv is a literal, non-secret environment variable.
func plainEnv(name, value string) corev1.EnvVarArgs {
	return corev1.EnvVarArgs{Name: pulumi.String(name), Value: pulumi.String(value)}
}
