package components

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
}

// template builds the pod template: labels, the restricted pod security context, /tmp, no token by default.
func (p pod) template(s scope) corev1.PodTemplateSpecArgs {
	containers := corev1.ContainerArray{}
	version := ""
	for i, c := range p.containers {
		containers = append(containers, c.build())
		if i == 0 {
			version = imageref.Split(c.image).Version()
		}
	}
	labels := s.labels(p.name, p.component)
	labels[versionLabel] = pulumi.String(version)
	spec := corev1.PodSpecArgs{
		Containers:                    containers,
		InitContainers:                buildAll(p.initContainers),
		Volumes:                       append(corev1.VolumeArray{emptyDirVolume(tmpVolume, "1Gi")}, p.volumes...),
		SecurityContext:               podSecurityContext(p.uid),
		AutomountServiceAccountToken:  pulumi.Bool(p.serviceAccount != ""),
		EnableServiceLinks:            pulumi.Bool(false),
		TerminationGracePeriodSeconds: pulumi.Int(p.gracePeriodSeconds()),
	}
	if p.serviceAccount != "" {
		spec.ServiceAccountName = pulumi.String(p.serviceAccount)
	}
	if p.restartPolicy != "" {
		spec.RestartPolicy = pulumi.String(p.restartPolicy)
	}
	if p.spread {
		spec.TopologySpreadConstraints = topologySpread(s.selectorLabels(p.name))
	}
	return corev1.PodTemplateSpecArgs{
		Metadata: metav1.ObjectMetaArgs{Labels: labels, Annotations: p.annotations},
		Spec:     spec,
	}
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
	// recreate stops the old pod before starting the new one (a scheduler must never run twice).
	recreate bool
}

// newDeployment registers the Deployment as a child of the layer, after the ConfigMaps its pods read;
// an HPA when it is autoscaled; and, when it may run more than one pod, a disruption budget that keeps
// all but one of them up.
func (l *layer) newDeployment(d deployment, opts ...pulumi.ResourceOption) (*appsv1.Deployment, error) {
	s := l.scope
	p, err := l.podConfigMaps(d.pod)
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
	dep, err := appsv1.NewDeployment(l.ctx, l.child(p.name), &appsv1.DeploymentArgs{
		Metadata: s.meta(p.name, p.component),
		Spec:     spec,
	}, l.opts(opts)...)
	if err != nil {
		return nil, fmt.Errorf("deployment %s: %w", p.name, err)
	}
	if d.autoscale != nil {
		if err := l.autoscaler(p.name, p.component, *d.autoscale, dep); err != nil {
			return nil, err
		}
	}
	if d.replicas > 1 || d.autoscale != nil {
		if err := l.disruptionBudget(p.name, p.component, false); err != nil {
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

// podConfigMaps registers the pod's own ConfigMaps and returns the pod with their checksums annotated.
func (l *layer) podConfigMaps(p pod) (pod, error) {
	for _, cm := range p.configMaps {
		rollout, err := l.configMap(cm.name, cm.name, p.component, cm.files)
		if err != nil {
			return p, err
		}
		p.annotations = mergeAnnotations(p.annotations, rollout)
	}
	return p, nil
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
func (l *layer) newStatefulSet(st statefulSet, opts ...pulumi.ResourceOption) (*appsv1.StatefulSet, error) {
	s := l.scope
	p, err := l.podConfigMaps(st.pod)
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
	sts, err := appsv1.NewStatefulSet(l.ctx, l.child(st.pod.name), &appsv1.StatefulSetArgs{
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
	}, l.opts(opts)...)
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

// newService registers the Service as a child of the layer.
func (l *layer) newService(component string, svc service) (*corev1.Service, error) {
	s := l.scope
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
	created, err := corev1.NewService(l.ctx, l.child(svc.name+"-service"), &corev1.ServiceArgs{
		Metadata: meta,
		Spec:     spec,
	}, l.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", svc.name, err)
	}
	return created, nil
}

// disruptionBudget keeps all but one pod of a workload up during voluntary disruptions (drains,
// upgrades). With keepOne it instead refuses to evict the last pod of a single-replica workload.
func (l *layer) disruptionBudget(name, component string, keepOne bool) error {
	s := l.scope
	spec := policyv1.PodDisruptionBudgetSpecArgs{
		Selector:                   metav1.LabelSelectorArgs{MatchLabels: s.selectorLabels(name)},
		UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
	}
	if keepOne {
		spec.MinAvailable = pulumi.Int(1)
	} else {
		spec.MaxUnavailable = pulumi.Int(1)
	}
	if _, err := policyv1.NewPodDisruptionBudget(l.ctx, l.child(name+"-pdb"), &policyv1.PodDisruptionBudgetArgs{
		Metadata: s.meta(name, component),
		Spec:     spec,
	}, l.opts(nil)...); err != nil {
		return fmt.Errorf("disruption budget %s: %w", name, err)
	}
	return nil
}

// autoscaler scales a Deployment between the configured bounds on CPU and memory utilization.
func (l *layer) autoscaler(name, component string, a config.Autoscaled, target *appsv1.Deployment) error {
	s := l.scope
	metric := func(resource string, percent int) autoscalingv2.MetricSpecArgs {
		return autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: autoscalingv2.ResourceMetricSourceArgs{
				Name:   pulumi.String(resource),
				Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(percent)},
			},
		}
	}
	_, err := autoscalingv2.NewHorizontalPodAutoscaler(l.ctx, l.child(name+"-hpa"), &autoscalingv2.HorizontalPodAutoscalerArgs{
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
	}, l.opts(nil)...)
	if err != nil {
		return fmt.Errorf("autoscaler %s: %w", name, err)
	}
	return nil
}
