// Package config is the typed stack configuration of the JD Jones RAG platform: one struct, defaults per
// environment, and validation that names the key, the value and what is allowed before any resource exists.
//
// A key is a field's JSON name: adding a setting is a field of Config (or of one of its objects) with a
// doc comment, a default per environment in defaults.go and its rule in the topic's file; the key, its
// place in error messages and in the generated reference follow from the field. Each topic's file holds
// its types and its rules. Where things are:
//
//	config.go           Config, its scalar keys' rules, the cluster binding, and Validate, which runs every topic's rules
//	validator.go        the validator: FieldError, ValidationError, and refusing a value under its key
//	ingress.go          ingress: IngressClass, TLS, the portal's source ranges, the proxy's limits
//	images.go           images: one pinned reference per container
//	workloads.go        workloads: replicas or autoscaling and resources, and a workload's sizing
//	knobs.go            pod options per workload (workloads.<name>.pod)
//	podextras.go        pod volumes, volumeMounts and sidecars, and the platform's names they must avoid
//	keda.go             workloads.<name>.autoscaling: hpa, or keda for the Celery workers' queues
//	limits.go           limits: the ceilings of every workload's size
//	storage.go          storage: the storage classes and the claims' sizes
//	dataservices.go     postgres, redis, chroma: in-cluster or external, with an external endpoint's TLS
//	references.go       references to Secrets and CA bundles the stack reads but does not create
//	llm.go              llm: the provider, its URL and reach, the API key
//	network.go          network: the cluster DNS and ranges, and the rule every CIDR list follows
//	commands.go         commands and probes of the application images
//	monitoring.go       monitoring: mode, retention, alert thresholds, Alertmanager, operator mode
//	backups.go          backups: snapshot schedule, retention and restores
//	externalsecrets.go  externalSecrets and stackReference
//	telemetry.go        telemetry.otlp (the OpenTelemetry collector) and operator mode's dashboard label
//	defaults.go         the object values each environment starts from
//	keys.go, known.go   the key names, the secret keys, and the refusal of unknown keys
//	load.go             reading the stack's values (plaintext credentials refused) and merging them over the defaults
//	decode.go           checking an object value's JSON against its fields' types, every problem at once
//	vocabulary.go       a field's type in the words of a stack file (string, integer, list of …)
package config
