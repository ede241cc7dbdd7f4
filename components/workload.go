package components

import (
	"bytes"
	"encoding/json"
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	k8smeta "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// pod describes the pods of one workload; every workload of the platform is built from one.
type pod struct {
	// name is the workload's object name and its app.kubernetes.io/name.
	name string
	// component is its app.kubernetes.io/component (frontend, backend, worker, database, monitoring).
	component string
	// uid runs every container of the pod; its group owns the pod's volumes.
	uid        int
	containers []container
	// initContainers run to completion, in order, before the containers start.
	initContainers []container
	volumes        corev1.VolumeArray
	// annotations go on the pod template; checksums of the config the pod reads belong here.
	annotations pulumi.StringMap
	// serviceAccount is the pod's identity; empty means the namespace default, without a token.
	serviceAccount string
	// spread asks the scheduler to spread replicas across nodes and zones.
	spread bool
	// restartPolicy is Always unless set (Jobs use Never).
	restartPolicy string
	// gracePeriod is how long a stopping pod may finish its work; Kubernetes's 30 seconds unless set.
	gracePeriod int
	// configMaps are registered with the workload; each one's checksum rolls the pods when it changes.
	configMaps []configMapFiles
	// options are the workload's pod options (workloads.<key>.pod); the zero value changes nothing.
	options config.PodOptions
	// placement is options' tolerations, affinity and spread as pulumi inputs, set by podObjects.
	placement placement
	// extras are options' volumes, main-container mounts and sidecars as pulumi inputs, set by podObjects.
	extras extras
	// identity is the pod's own ServiceAccount (named after the pod, without a token), registered by
	// podObjects when options annotate one; "" otherwise.
	identity string
}

// placement is a pod's tolerations, affinity and topology spread override as pulumi inputs; nil unset.
type placement struct {
	tolerations corev1.TolerationArrayInput
	affinity    corev1.AffinityPtrInput
	spread      corev1.TopologySpreadConstraintArrayInput
}

// template builds the pod template: labels, the restricted pod security context, /tmp, no token by default.
func (p pod) template(s scope) corev1.PodTemplateSpecArgs {
	containers := corev1.ContainerArray{}
	version := ""
	for i, c := range p.containers {
		if i == 0 {
			version = imageref.Split(c.image).Version()
			if len(p.extras.mounts) > 0 {
				// The workload's own container, the first, mounts the extra volumes after its own.
				c.mounts = append(append(corev1.VolumeMountArray{}, c.mounts...), p.extras.mounts...)
			}
		}
		containers = append(containers, c.withPodOptions(p.options).build())
	}
	labels := mergeAnnotations(pulumi.ToStringMap(p.options.Labels), s.labels(p.name, p.component))
	labels[versionLabel] = pulumi.String(version)
	initContainers := make([]container, len(p.initContainers))
	for i, c := range p.initContainers {
		initContainers[i] = c.withPodOptions(p.options)
	}
	inits := buildAll(initContainers)
	if len(p.extras.sidecars) > 0 {
		// Native sidecars start first, so they already run when the platform's init containers do.
		inits = append(append(corev1.ContainerArray{}, p.extras.sidecars...), inits...)
	}
	volumes := append(corev1.VolumeArray{emptyDirVolume(tmpVolume, "1Gi")}, p.volumes...)
	spec := corev1.PodSpecArgs{
		Containers:                    containers,
		InitContainers:                inits,
		Volumes:                       append(volumes, p.extras.volumes...),
		SecurityContext:               podSecurityContext(p.uid),
		AutomountServiceAccountToken:  pulumi.Bool(p.serviceAccount != ""),
		EnableServiceLinks:            pulumi.Bool(false),
		TerminationGracePeriodSeconds: pulumi.Int(p.gracePeriodSeconds()),
	}
	if p.serviceAccount != "" {
		spec.ServiceAccountName = pulumi.String(p.serviceAccount)
	}
	if p.identity != "" {
		spec.ServiceAccountName = pulumi.String(p.identity)
	}
	if p.restartPolicy != "" {
		spec.RestartPolicy = pulumi.String(p.restartPolicy)
	}
	if p.spread {
		spec.TopologySpreadConstraints = topologySpread(s.selectorLabels(p.name))
	}
	p.applyOptions(&spec)
	annotations := p.annotations
	if len(p.options.Annotations) > 0 {
		// The platform's checksums and Reloader's annotation win (validation refuses them anyway).
		annotations = mergeAnnotations(pulumi.ToStringMap(p.options.Annotations), p.annotations)
	}
	return corev1.PodTemplateSpecArgs{
		Metadata: metav1.ObjectMetaArgs{Labels: labels, Annotations: annotations},
		Spec:     spec,
	}
}

// applyOptions sets the pod-level options on spec; an option left unset leaves the spec as it was.
func (p pod) applyOptions(spec *corev1.PodSpecArgs) {
	o := p.options
	if len(o.NodeSelector) > 0 {
		spec.NodeSelector = pulumi.ToStringMap(o.NodeSelector)
	}
	if o.PriorityClassName != "" {
		spec.PriorityClassName = pulumi.String(o.PriorityClassName)
	}
	if len(o.ImagePullSecrets) > 0 {
		secrets := corev1.LocalObjectReferenceArray{}
		for _, name := range o.ImagePullSecrets {
			secrets = append(secrets, corev1.LocalObjectReferenceArgs{Name: pulumi.String(name)})
		}
		spec.ImagePullSecrets = secrets
	}
	if p.placement.tolerations != nil {
		spec.Tolerations = p.placement.tolerations
	}
	if p.placement.affinity != nil {
		spec.Affinity = p.placement.affinity
	}
	if p.placement.spread != nil {
		spec.TopologySpreadConstraints = p.placement.spread
	}
}

// resolvePlacement decodes the pod's tolerations, affinity and spread override (strictly, into the
// Kubernetes API's types) and converts them to pulumi inputs; a spread constraint without a
// labelSelector counts this workload's pods.
func (p pod) resolvePlacement(s scope) (placement, error) {
	decoded, errs := p.options.Placement()
	if len(errs) > 0 {
		return placement{}, fmt.Errorf("workload %s: pod options: %v", p.name, errs)
	}
	var out placement
	var err error
	if decoded.Tolerations != nil {
		var o pulumi.Output
		if o, err = toPulumi[[]corev1.Toleration](decoded.Tolerations); err != nil {
			return out, fmt.Errorf("workload %s: pod.tolerations: %w", p.name, err)
		}
		out.tolerations = o.(corev1.TolerationArrayOutput)
	}
	if decoded.Affinity != nil {
		var o pulumi.Output
		if o, err = toPulumi[corev1.Affinity](decoded.Affinity); err != nil {
			return out, fmt.Errorf("workload %s: pod.affinity: %w", p.name, err)
		}
		out.affinity = o.(corev1.AffinityOutput).ToAffinityPtrOutput()
	}
	if decoded.TopologySpread != nil {
		for i := range decoded.TopologySpread {
			if decoded.TopologySpread[i].LabelSelector == nil {
				decoded.TopologySpread[i].LabelSelector = s.selectorLabelSelector(p.name)
			}
		}
		var o pulumi.Output
		if o, err = toPulumi[[]corev1.TopologySpreadConstraint](decoded.TopologySpread); err != nil {
			return out, fmt.Errorf("workload %s: pod.topologySpread: %w", p.name, err)
		}
		out.spread = o.(corev1.TopologySpreadConstraintArrayOutput)
	}
	return out, nil
}

// selectorLabelSelector selects the workload's pods, as a Kubernetes API value.
func (s scope) selectorLabelSelector(name string) *k8smeta.LabelSelector {
	return &k8smeta.LabelSelector{MatchLabels: map[string]string{nameLabel: name, instanceLabel: s.instance}}
}

// toPulumi converts a value of a Kubernetes API type into the pulumi-kubernetes output of P, the SDK's
// plain type of the same shape: both spell the API's JSON, so the conversion is a JSON round trip,
// strict, so that a field this SDK lacks fails instead of vanishing.
func toPulumi[P any](value any) (pulumi.Output, error) {
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	var plain P
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&plain); err != nil {
		return nil, fmt.Errorf("the Kubernetes SDK cannot express it: %w", err)
	}
	return pulumi.ToOutput(plain), nil
}

// gracePeriodSeconds is the pod's termination grace period.
func (p pod) gracePeriodSeconds() int {
	if p.gracePeriod > 0 {
		return p.gracePeriod
	}
	return config.DefaultGracePeriodSeconds
}

// buildAll builds containers; nil for none, so a pod without init containers declares none.
func buildAll(cs []container) corev1.ContainerArray {
	if len(cs) == 0 {
		return nil
	}
	out := corev1.ContainerArray{}
	for _, c := range cs {
		out = append(out, c.build())
	}
	return out
}

// ports are every container's ports, for the Services in front of the pod.
func (p pod) ports() []port {
	var ports []port
	for _, c := range p.containers {
		ports = append(ports, c.ports...)
	}
	return ports
}

// topologySpread prefers spreading replicas over nodes and zones without blocking scheduling.
func topologySpread(selector pulumi.StringMap) corev1.TopologySpreadConstraintArray {
	constraints := corev1.TopologySpreadConstraintArray{}
	for _, key := range []string{"kubernetes.io/hostname", "topology.kubernetes.io/zone"} {
		constraints = append(constraints, corev1.TopologySpreadConstraintArgs{
			MaxSkew:           pulumi.Int(1),
			TopologyKey:       pulumi.String(key),
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector:     metav1.LabelSelectorArgs{MatchLabels: selector},
		})
	}
	return constraints
}

// deployment is a Deployment of a pod.
type deployment struct {
	pod pod
	// replicas is the fixed size; ignored when autoscaled.
	replicas int
	// autoscale hands the size to an HPA with this range and targets: the Deployment sets no
	// spec.replicas at all. Nil for a fixed size.
	autoscale *config.Autoscaled
	// keda scales it through a KEDA ScaledObject instead of an HPA (autoscale is set too).
	keda *kedaTarget
	// recreate stops the old pod before starting the new one (a scheduler must never run twice).
	recreate bool
}

// newDeployment registers the Deployment as a child of the component, after the ConfigMaps its pods read;
// an HPA when it is autoscaled; and, when it may run more than one pod, a disruption budget that keeps
// all but one of them up.
func (b *builder) newDeployment(d deployment, opts ...pulumi.ResourceOption) (*appsv1.Deployment, error) {
	s := b.scope
	p, podOpts, err := b.podObjects(d.pod)
	if err != nil {
		return nil, err
	}
	strategy := appsv1.DeploymentStrategyArgs{
		Type: pulumi.String("RollingUpdate"),
		RollingUpdate: appsv1.RollingUpdateDeploymentArgs{
			MaxUnavailable: pulumi.Int(0),
			MaxSurge:       pulumi.Int(1),
		},
	}
	if d.recreate {
		strategy = appsv1.DeploymentStrategyArgs{Type: pulumi.String("Recreate")}
	}
	spec := appsv1.DeploymentSpecArgs{
		RevisionHistoryLimit: pulumi.Int(5),
		Selector:             metav1.LabelSelectorArgs{MatchLabels: s.selectorLabels(p.name)},
		Strategy:             strategy,
		Template:             p.template(s),
	}
	if d.autoscale == nil {
		spec.Replicas = pulumi.Int(d.replicas)
	}
	dep, err := appsv1.NewDeployment(b.ctx, b.child(p.name), &appsv1.DeploymentArgs{
		Metadata: s.meta(p.name, p.component),
		Spec:     spec,
	}, b.opts(append(opts, podOpts...))...)
	if err != nil {
		return nil, fmt.Errorf("deployment %s: %w", p.name, err)
	}
	if d.keda != nil {
		if err := b.kedaScaler(p.name, p.component, *d.keda, dep); err != nil {
			return nil, err
		}
	} else if d.autoscale != nil {
		if err := b.autoscaler(p.name, p.component, *d.autoscale, dep); err != nil {
			return nil, err
		}
	}
	if d.replicas > 1 || d.autoscale != nil {
		if err := b.disruptionBudget(p.name, p.component, false); err != nil {
			return nil, err
		}
	}
	return dep, nil
}

// configMapFiles are files a pod mounts from a ConfigMap of its own.
type configMapFiles struct {
	name  string
	files map[string]string
}

// podObjects registers the objects of the pod's own: its ConfigMaps (their checksums annotated on the
// returned pod) and, when its options annotate a ServiceAccount and it has none, its identity
// ServiceAccount, which the returned options make the workload wait for. It resolves the pod's
// placement and extras.
func (b *builder) podObjects(p pod) (pod, []pulumi.ResourceOption, error) {
	for _, cm := range p.configMaps {
		rollout, err := b.configMap(cm.name, cm.name, p.component, cm.files)
		if err != nil {
			return p, nil, err
		}
		p.annotations = mergeAnnotations(p.annotations, rollout)
	}
	var err error
	if p.placement, err = p.resolvePlacement(b.scope); err != nil {
		return p, nil, err
	}
	if p.extras, err = p.resolveExtras(); err != nil {
		return p, nil, err
	}
	if len(p.options.ServiceAccountAnnotations) == 0 || p.serviceAccount != "" {
		return p, nil, nil
	}
	meta := b.scope.meta(p.name, p.component)
	meta.Annotations = pulumi.ToStringMap(p.options.ServiceAccountAnnotations)
	sa, err := corev1.NewServiceAccount(b.ctx, b.child(p.name+"-serviceaccount"), &corev1.ServiceAccountArgs{
		Metadata: meta,
		// Workload identity (IRSA, GKE, Azure) injects its own projected token; the API token is not needed.
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, b.opts(nil)...)
	if err != nil {
		return p, nil, fmt.Errorf("service account %s: %w", p.name, err)
	}
	p.identity = p.name
	return p, []pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{sa})}, nil
}

// claimTemplate is a ReadWriteOnce volume claim template of a StatefulSet.
type claimTemplate struct {
	name, storageClass, size string
	// restoreFrom names a VolumeSnapshot the claim is first filled from; "" starts it empty.
	restoreFrom string
}

// statefulSet is a StatefulSet (one replica unless set) with its own claims and a headless Service.
type statefulSet struct {
	pod    pod
	claims []claimTemplate
	// serviceName is the governing headless Service.
	serviceName string
	// replicas is the pod count; 0 means 1.
	replicas int
	// parallel starts and stops the replicas together (Parallel pod management), for replicas that do
	// not depend on one another's order, such as a Prometheus pair.
	parallel bool
}

// newStatefulSet registers the StatefulSet, after the ConfigMaps its pod reads; its claims outlive it
// (retention Retain).
func (b *builder) newStatefulSet(st statefulSet, opts ...pulumi.ResourceOption) (*appsv1.StatefulSet, error) {
	s := b.scope
	p, podOpts, err := b.podObjects(st.pod)
	if err != nil {
		return nil, err
	}
	st.pod = p
	templates := corev1.PersistentVolumeClaimTypeArray{}
	for _, c := range st.claims {
		spec := corev1.PersistentVolumeClaimSpecArgs{
			AccessModes:      pulumi.ToStringArray([]string{"ReadWriteOnce"}),
			StorageClassName: pulumi.String(c.storageClass),
			Resources:        corev1.VolumeResourceRequirementsArgs{Requests: pulumi.StringMap{"storage": pulumi.String(c.size)}},
		}
		if c.restoreFrom != "" {
			spec.DataSource = corev1.TypedLocalObjectReferenceArgs{
				ApiGroup: pulumi.String("snapshot.storage.k8s.io"), Kind: pulumi.String("VolumeSnapshot"), Name: pulumi.String(c.restoreFrom),
			}
		}
		templates = append(templates, corev1.PersistentVolumeClaimTypeArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(c.name), Labels: s.labels(st.pod.name, st.pod.component)},
			Spec:     spec,
		})
	}
	replicas, management := max(st.replicas, 1), "OrderedReady"
	if st.parallel {
		management = "Parallel"
	}
	meta := s.meta(st.pod.name, st.pod.component)
	// A StatefulSet created by an interrupted up but missing from state is adopted by the next up's
	// server-side apply under a new field manager; the apiserver's defaults inside the atomic
	// volumeClaimTemplates then conflict with the applied value, so the apply takes ownership instead.
	meta.Annotations = pulumi.StringMap{"pulumi.com/patchForce": pulumi.String("true")}
	sts, err := appsv1.NewStatefulSet(b.ctx, b.child(st.pod.name), &appsv1.StatefulSetArgs{
		Metadata: meta,
		Spec: appsv1.StatefulSetSpecArgs{
			Replicas:             pulumi.Int(replicas),
			ServiceName:          pulumi.String(st.serviceName),
			PodManagementPolicy:  pulumi.String(management),
			RevisionHistoryLimit: pulumi.Int(5),
			Selector:             metav1.LabelSelectorArgs{MatchLabels: s.selectorLabels(st.pod.name)},
			Template:             st.pod.template(s),
			VolumeClaimTemplates: templates,
			UpdateStrategy:       appsv1.StatefulSetUpdateStrategyArgs{Type: pulumi.String("RollingUpdate")},
			PersistentVolumeClaimRetentionPolicy: appsv1.StatefulSetPersistentVolumeClaimRetentionPolicyArgs{
				WhenDeleted: pulumi.String("Retain"),
				WhenScaled:  pulumi.String("Retain"),
			},
		},
	}, b.opts(append(opts, podOpts...))...)
	if err != nil {
		return nil, fmt.Errorf("statefulset %s: %w", st.pod.name, err)
	}
	return sts, nil
}

// service exposes named ports of a workload's pods; headless services address StatefulSet pods.
type service struct {
	name, selects string
	ports         []port
	headless      bool
	// sticky sends each client to the same pod (for replicas that keep sessions locally).
	sticky bool
}

// newService registers the Service as a child of the component.
func (b *builder) newService(component string, svc service) (*corev1.Service, error) {
	s := b.scope
	ports := corev1.ServicePortArray{}
	for _, p := range svc.ports {
		ports = append(ports, corev1.ServicePortArgs{
			Name: pulumi.String(p.name), Port: pulumi.Int(p.number), TargetPort: pulumi.String(p.name), Protocol: pulumi.String("TCP"),
		})
	}
	spec := corev1.ServiceSpecArgs{Type: pulumi.String("ClusterIP"), Selector: s.selectorLabels(svc.selects), Ports: ports}
	if svc.sticky {
		spec.SessionAffinity = pulumi.String("ClientIP")
	}
	if svc.headless {
		spec.ClusterIP = pulumi.String("None")
		spec.PublishNotReadyAddresses = pulumi.Bool(true)
	}
	meta := s.meta(svc.name, component)
	// The Deployment or StatefulSet behind the Service is awaited until its pods are Ready; waiting for
	// the Service as well only adds the provider's fixed 10 s "endpoints settle" delay to every up.
	meta.Annotations = pulumi.StringMap{"pulumi.com/skipAwait": pulumi.String("true")}
	created, err := corev1.NewService(b.ctx, b.child(svc.name+"-service"), &corev1.ServiceArgs{
		Metadata: meta,
		Spec:     spec,
	}, b.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", svc.name, err)
	}
	return created, nil
}

// disruptionBudget keeps all but one pod of a workload up during voluntary disruptions (drains,
// upgrades). With keepOne it instead refuses to evict the last pod of a single-replica workload.
func (b *builder) disruptionBudget(name, component string, keepOne bool) error {
	s := b.scope
	spec := policyv1.PodDisruptionBudgetSpecArgs{
		Selector:                   metav1.LabelSelectorArgs{MatchLabels: s.selectorLabels(name)},
		UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
	}
	if keepOne {
		spec.MinAvailable = pulumi.Int(1)
	} else {
		spec.MaxUnavailable = pulumi.Int(1)
	}
	if _, err := policyv1.NewPodDisruptionBudget(b.ctx, b.child(name+"-pdb"), &policyv1.PodDisruptionBudgetArgs{
		Metadata: s.meta(name, component),
		Spec:     spec,
	}, b.opts(nil)...); err != nil {
		return fmt.Errorf("disruption budget %s: %w", name, err)
	}
	return nil
}

// autoscaler scales a Deployment between the configured bounds on CPU and memory utilization.
func (b *builder) autoscaler(name, component string, a config.Autoscaled, target *appsv1.Deployment) error {
	s := b.scope
	metric := func(resource string, percent int) autoscalingv2.MetricSpecArgs {
		return autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: autoscalingv2.ResourceMetricSourceArgs{
				Name:   pulumi.String(resource),
				Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(percent)},
			},
		}
	}
	_, err := autoscalingv2.NewHorizontalPodAutoscaler(b.ctx, b.child(name+"-hpa"), &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: s.meta(name, component),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"),
				Kind:       pulumi.String("Deployment"),
				Name:       target.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(a.MinReplicas),
			MaxReplicas: pulumi.Int(a.MaxReplicas),
			Metrics:     autoscalingv2.MetricSpecArray{metric("cpu", a.TargetCPUPercent), metric("memory", a.TargetMemoryPercent)},
		},
	}, b.opts(nil)...)
	if err != nil {
		return fmt.Errorf("autoscaler %s: %w", name, err)
	}
	return nil
}
