// Package config is the typed stack configuration of the JD Jones RAG platform: one struct, defaults per
// environment, and validation that names the key, the value and what is allowed before any resource exists.
//
// A key is a field's JSON name: adding a setting is a field of Config (or of one of its objects) with a
// doc comment, a default per environment in defaults.go and its rule in validation; the key, its place
// in error messages and in the generated reference follow from the field. Where things are:
//
//	config.go           Config and most of its objects (ingress, images, workloads, storage, data services, LLM)
//	knobs.go            pod options per workload (workloads.<name>.pod)
//	monitoring.go       monitoring: mode, retention, alert thresholds, Alertmanager, operator mode
//	backups.go          backups: snapshot schedule, retention and restores
//	externalsecrets.go  externalSecrets and stackReference
//	telemetry.go        telemetry.otlp (the OpenTelemetry collector) and operator mode's dashboard label
//	defaults.go         the object values each environment starts from
//	keys.go, known.go   the key names, the secret keys, and the refusal of unknown keys
//	load.go             reading the stack's values (plaintext credentials refused) and merging them over the defaults
//	validate.go         every rule, collected into one error listing each refused value
//	vocabulary.go       a field's type in the words of a stack file (string, integer, list of …)
package config
