package components

import (
	"errors"
	"fmt"
	"strconv"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Ports and user id of the application images.
const (
	// apiPort is the FastAPI server's port, which the Ingress routes to.
	apiPort = 8000
	// apiMetricsPort is where the API serves /metrics (METRICS_PORT), a port no Ingress routes to.
	apiMetricsPort = 9100
	// portalPort is the port both portals serve on.
	portalPort = 3000
	// appUID runs the application images (API, workers, portals).
	appUID = 10001
	// serviceDrainSeconds is how long a stopping pod behind a Service keeps serving: endpoint removal
	// reaches every node's kube-proxy and the ingress controller a few seconds after the pod is marked
	// terminating, and a process that stopped accepting meanwhile would fail those requests.
	serviceDrainSeconds = 10
)

// application describes one workload of the application images, once. Its layer registers the
// Deployment (or the Job), the Service, autoscaler and disruption budget it implies; config keys name
// what the stack configures; calls and public give the NetworkPolicy flows. Adding a worker is one entry.
type application struct {
	// name is the object name and app.kubernetes.io/name.
	name string
	// registeredBy is the type of the component that registers it: apiLayerType, workerLayerType or frontendLayerType.
	registeredBy string
	// component is its app.kubernetes.io/component.
	component string
	// image, command and size are keys under images, commands and workloads; no command runs the
	// image's entry point. The size's shape decides replicas, autoscaler, budget and spreading.
	image, command, size string
	// health is its probe contract (none for a run-once Job).
	health probeContract
	// port is the HTTP port it serves, named "http", behind a Service of its name; 0 serves nothing.
	port int
	// public admits the ingress controller to port.
	public bool
	// metricsPort is where it serves /metrics for Prometheus (its METRICS_PORT), never port; 0 for none.
	metricsPort int
	// calls are the workloads, data services or LLMProvider it opens connections to; each admits it on
	// its port, and its egress allows exactly these.
	calls []string
	// settings reads jd-jones-config and the credentials of jd-jones-secrets, and rolls when they change.
	settings bool
	// sharedStorage mounts the model cache and uploads claims, or reads the uploads bucket's credentials.
	sharedStorage bool
	// env are literal environment variables beyond the settings.
	env func(c *config.Config) corev1.EnvVarArray
	// telemetry exports OpenTelemetry signals to telemetry.otlp's collector, when set (telemetry.go).
	telemetry bool
	// recreate stops the old pod before the new one starts (a scheduler must never run twice).
	recreate bool
	// runOnce makes it a Job its layer runs to completion before rolling the layer's Deployments.
	runOnce bool
	// enablesVector first makes sure the database has pgvector, in an external database as in the cluster.
	enablesVector bool
}

// probeContract is an application's health contract: an HTTP path or exec commands, as probes keys.
type probeContract struct {
	// path is the key of an HTTP path checked on the "http" port by liveness and readiness.
	path string
	// liveness and readiness are keys of exec commands, used when path is "".
	liveness, readiness string
	// slowStart adds a startup probe for images that load models, wait on migrations or write their
	// first heartbeat late (a slow first heartbeat must not restart-loop them).
	slowStart bool
}

// applications are the platform's application workloads. Their order is the order of pods in the
// NetworkPolicy rules that admit them, so reordering rewrites those rules (harmlessly) on the next up.
var applications = []application{
	{
		name: APIName, registeredBy: apiLayerType, component: "backend",
		image: "api", size: "api",
		health: probeContract{path: "apiPath", slowStart: true},
		port:   apiPort, public: true, metricsPort: apiMetricsPort,
		calls:    []string{PostgresName, RedisName, ChromaName, LLMProvider, ObjectStorage},
		settings: true, sharedStorage: true, telemetry: true,
	},
	{
		name: CeleryWorkerName, registeredBy: workerLayerType, component: "worker",
		image: "worker", command: "worker", size: "celeryWorker",
		health:   probeContract{liveness: "workerLiveness", readiness: "workerReadiness", slowStart: true},
		calls:    []string{PostgresName, RedisName, ChromaName, LLMProvider, ObjectStorage},
		settings: true, sharedStorage: true, telemetry: true,
	},
	{
		name: CeleryBeatName, registeredBy: workerLayerType, component: "worker",
		image: "worker", command: "beat", size: "celeryBeat",
		health:   probeContract{liveness: "beatLiveness", readiness: "beatReadiness", slowStart: true},
		calls:    []string{RedisName},
		settings: true, recreate: true, telemetry: true,
	},
	{
		name: MigrationName, registeredBy: apiLayerType, component: "migration",
		image: "api", command: "migration", size: "migration",
		calls:    []string{PostgresName},
		settings: true, runOnce: true, enablesVector: true,
	},
	portal(ExternalPortalName, "externalPortal"),
	portal(InternalPortalName, "internalPortal"),
}

// portal is a customer or employee portal whose image and size are both under key: public, probed on
// the portal path, and calling the API.
func portal(name, key string) application {
	return application{
		name: name, registeredBy: frontendLayerType, component: "frontend",
		image: key, size: key,
		health: probeContract{path: "portalPath"},
		port:   portalPort, public: true,
		calls: []string{APIName},
		env:   portalEnv,
	}
}

// portalEnv tells a portal where browsers and the portal itself reach the API.
func portalEnv(c *config.Config) corev1.EnvVarArray {
	_, _, apiHost := hosts(c.Domain)
	return corev1.EnvVarArray{
		plainEnv("API_PUBLIC_URL", "https://"+apiHost),
		plainEnv("API_INTERNAL_URL", fmt.Sprintf("http://%s:%d", APIName, apiPort)),
	}
}

// applicationsOf are the applications a layer type registers, in table order.
func applicationsOf(layerType string) []application {
	var out []application
	for _, app := range applications {
		if app.registeredBy == layerType {
			out = append(out, app)
		}
	}
	return out
}

// applicationInputs are what the applications read besides their description.
type applicationInputs struct {
	config     *config.Config
	foundation *Foundation
	// storage is nil in a layer whose applications mount no shared claims.
	storage *SharedStorage
}

// configuredPod builds the application's pod from the stack's config and looks up its size.
func (app application) configuredPod(in applicationInputs) (pod, config.WorkloadSizing, error) {
	c := in.config
	image, imageErr := c.Image(app.image)
	size, sizeErr := c.WorkloadSizing(app.size)
	var options config.PodOptions
	if sizeErr == nil {
		options, sizeErr = c.WorkloadPod(app.size)
	}
	var command []string
	var commandErr error
	if app.command != "" {
		command, commandErr = c.Command(app.command)
	}
	startup, liveness, readiness, probesErr := app.health.probes(c)
	if err := errors.Join(imageErr, sizeErr, commandErr, probesErr); err != nil {
		return pod{}, config.WorkloadSizing{}, fmt.Errorf("application %s: %w", app.name, err)
	}
	ctr := container{
		name: app.name, image: image, command: command, resources: size.Resources,
		startup: startup, liveness: liveness, readiness: readiness,
	}
	// Spread any workload that may run more than one pod over nodes and zones.
	p := pod{name: app.name, component: app.component, uid: appUID, spread: !size.Single, gracePeriod: size.GracePeriodSeconds, options: options}
	if app.port != 0 {
		ctr.ports = []port{{"http", app.port}}
		// Half the grace period at most, so the process keeps time to finish its requests.
		ctr.drainSeconds = min(serviceDrainSeconds, size.GracePeriodSeconds/2)
	}
	if app.settings {
		ctr.envFrom, ctr.env = in.foundation.appEnv()
		p.annotations = in.foundation.rolloutAnnotations()
		p.volumes, ctr.mounts = trustVolumes(c)
	}
	if app.enablesVector {
		p.initContainers = []container{in.foundation.enableVector(c, ctr.mounts, size.Resources)}
	}
	if app.metricsPort != 0 {
		ctr.ports = append(ctr.ports, port{"metrics", app.metricsPort})
		ctr.env = append(ctr.env, plainEnv("METRICS_PORT", strconv.Itoa(app.metricsPort)))
	}
	if app.env != nil {
		ctr.env = append(ctr.env, app.env(c)...)
	}
	if app.telemetry {
		ctr.env = append(ctr.env, telemetryEnv(c, app.name)...)
	}
	if app.sharedStorage {
		if in.storage == nil {
			return pod{}, config.WorkloadSizing{}, fmt.Errorf("application %s: %s has no shared storage to mount", app.name, app.registeredBy)
		}
		p.volumes, ctr.mounts = append(p.volumes, in.storage.volumes()...), append(ctr.mounts, in.storage.mounts()...)
		ctr.env = append(ctr.env, uploadsCredentialsEnv(c)...)
		p.annotations = uploadsRollout(c, p.annotations)
	}
	p.containers = []container{ctr}
	return p, size, nil
}

// probes returns the contract's probes (nil where it has none) with their configured paths or commands.
func (contract probeContract) probes(c *config.Config) (startup, liveness, readiness *corev1.ProbeArgs, err error) {
	switch {
	case contract.path != "":
		path, err := c.ProbePath(contract.path)
		if err != nil {
			return nil, nil, nil, err
		}
		if contract.slowStart {
			startup = httpProbe(path, "http", startupTiming)
		}
		return startup, httpProbe(path, "http", livenessTiming), httpProbe(path, "http", readinessTiming), nil
	case contract.liveness != "":
		live, liveErr := c.ProbeCommand(contract.liveness)
		ready, readyErr := c.ProbeCommand(contract.readiness)
		if err := errors.Join(liveErr, readyErr); err != nil {
			return nil, nil, nil, err
		}
		if contract.slowStart {
			startup = execProbe(live, startupTiming)
		}
		return startup, execProbe(live, livenessTiming), execProbe(ready, readinessTiming), nil
	}
	return nil, nil, nil, nil
}

// applicationDeployments registers the layer's long-running applications: each Deployment with its
// autoscaler or budget, and a Service for those that serve a port. It returns the Deployments in order.
func (b *builder) applicationDeployments(in applicationInputs, opts ...pulumi.ResourceOption) ([]*appsv1.Deployment, error) {
	var deployments []*appsv1.Deployment
	for _, app := range applicationsOf(b.typ) {
		if app.runOnce {
			continue
		}
		p, size, err := app.configuredPod(in)
		if err != nil {
			return nil, err
		}
		dep, err := b.newDeployment(deployment{pod: p, replicas: size.Replicas, autoscale: size.Autoscale, keda: kedaTargetOf(in.config, in.foundation, size), recreate: app.recreate}, opts...)
		if err != nil {
			return nil, err
		}
		if app.port != 0 {
			if _, err := b.newService(app.component, service{name: app.name, selects: app.name, ports: []port{{"http", app.port}}}); err != nil {
				return nil, err
			}
		}
		if app.metricsPort != 0 {
			metrics := service{name: metricsServiceName(app.name), selects: app.name, ports: []port{{"metrics", app.metricsPort}}, headless: true}
			if _, err := b.newService(app.component, metrics); err != nil {
				return nil, err
			}
		}
		deployments = append(deployments, dep)
	}
	return deployments, nil
}

// metricsServiceName is the headless Service through which Prometheus finds an application's pods.
func metricsServiceName(app string) string { return app + "-metrics" }

// applicationServices are the names of the applications' Services.
func applicationServices() []string {
	var names []string
	for _, app := range applications {
		if app.port != 0 {
			names = append(names, app.name)
		}
	}
	return names
}
