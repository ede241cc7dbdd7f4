package config

// ExternalSecrets syncs the Secrets the stack reads but does not create (jd-jones-managed-data,
// jd-jones-llm) from a secret store through the External Secrets Operator, instead of out of band.
type ExternalSecrets struct {
	// Store is the SecretStore or ClusterSecretStore to read from; unset turns ExternalSecrets off.
	Store SecretStoreRef `json:"store"`
	// RefreshInterval is how often the operator re-reads the store (a Go duration, e.g. 1h).
	RefreshInterval string `json:"refreshInterval"`
	// Keys maps each key of each synced Secret to the store's remote key: {secret: {key: remoteKey}}.
	Keys map[string]map[string]string `json:"keys"`
}

// SecretStoreRef names a SecretStore (in the namespace) or a ClusterSecretStore.
type SecretStoreRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// StackReference takes managed endpoints' hosts from another stack's outputs (the cloud stack that
// created RDS and ElastiCache) instead of hard-coded hosts.
type StackReference struct {
	// Name is the stack's fully qualified name, org/project/stack; unset turns the reference off.
	Name string `json:"name"`
	// PostgresHost and RedisHost name the outputs holding the endpoints' hosts.
	PostgresHost string `json:"postgresHost"`
	RedisHost    string `json:"redisHost"`
}
