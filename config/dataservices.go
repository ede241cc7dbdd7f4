package config

import (
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation"
)

// DataService modes.
const (
	InCluster = "in-cluster"
	External  = "external"
)

// DataService is Postgres, Redis or Chroma: either in-cluster or an external endpoint.
type DataService struct {
	// Mode is in-cluster or external (Postgres and Redis must be external in prod).
	Mode string `json:"mode" enum:"in-cluster,external"`
	// Host and Port address an external endpoint: the host a DNS name, required when external unless
	// stackReference supplies it; in-cluster, the port must stay the server's own.
	Host string `json:"host"`
	Port int    `json:"port"`
	// Database and User are Postgres's database and role, plain Postgres identifiers (lowercase
	// letters, digits and _).
	Database string `json:"database,omitempty"`
	User     string `json:"user,omitempty"`
	// PasswordSecret holds an external endpoint's credential when the stack does not supply it as a
	// secret key (postgresPassword, redisPassword): exactly one of the two is required.
	PasswordSecret SecretRef `json:"passwordSecret"`
	// CIDRs are the addresses of an external endpoint, required when external: the only ones its
	// clients may send to.
	CIDRs []string `json:"cidrs"`
	// TLS encrypts and verifies the connections to an external endpoint (required in prod).
	TLS EndpointTLS `json:"tls"`
}

// IsExternal reports whether the service is an external endpoint, outside the cluster.
func (d DataService) IsExternal() bool { return d.Mode == External }

// EndpointTLS is TLS to an external endpoint, verified against a CA bundle or the system's trust store.
type EndpointTLS struct {
	// Enabled turns TLS on (Postgres sslmode verify-full, Redis rediss); only for an external endpoint,
	// and required in prod.
	Enabled bool `json:"enabled"`
	// CA is the bundle that signs the endpoint's certificate; unset uses the system's trust store.
	CA CARef `json:"ca"`
}

// validateData checks Postgres, Redis and Chroma: in-cluster or external, and what each mode requires.
func (c *Config) validateData(v *validator) {
	for _, s := range []struct {
		svc *DataService
		// secretKey is the secret config key that may supply an external endpoint's password ("" for none).
		secretKey string
		supplied  bool
		// inClusterInProd tolerates one unreplicated in-cluster copy in prod (Chroma need not be external there).
		inClusterInProd bool
		// port is the port the in-cluster server listens on.
		port int
	}{
		{&c.Postgres, PostgresPasswordKey, c.Supplied.PostgresPassword, false, PostgresPort},
		{&c.Redis, RedisPasswordKey, c.Supplied.RedisPassword, false, RedisPort},
		{&c.Chroma, "", false, true, ChromaPort},
	} {
		key := c.keyOf(s.svc)
		switch s.svc.Mode {
		case InCluster:
			if c.Environment.IsProduction() && !s.inClusterInProd {
				v.refuse(&s.svc.Mode, "must be external in prod: a single unreplicated %s is a single point of failure; point it at a managed endpoint", key)
			}
			if len(s.svc.CIDRs) > 0 {
				v.refuse(&s.svc.CIDRs, "is only for an external endpoint; the in-cluster %s is reached by its pods' labels", key)
			}
			if s.svc.TLS.Enabled {
				v.refuse(&s.svc.TLS.Enabled, "is only for an external endpoint; the in-cluster %s serves no certificate", key)
			}
			if s.svc.Port != s.port {
				v.refuse(&s.svc.Port, "must be %d, the port the in-cluster %s serves on (only an external endpoint's port is configurable)", s.port, key)
			}
		case External:
			modeKey := c.keyOf(&s.svc.Mode)
			if msgs := validation.IsDNS1123Subdomain(s.svc.Host); len(msgs) > 0 && !c.hostFromStackReference(s.svc) {
				v.refuse(&s.svc.Host, "must be the external endpoint's DNS name when %s is external", modeKey)
			}
			if s.secretKey != "" {
				v.credential(&s.svc.PasswordSecret, modeKey, s.supplied, s.secretKey)
			}
			if len(s.svc.CIDRs) == 0 {
				v.fail(c.keyOf(&s.svc.CIDRs), nil, "is required when %s is external: the endpoint's address ranges, the only ones its clients may reach", modeKey)
			} else {
				v.cidrs(&s.svc.CIDRs)
			}
			if !s.svc.TLS.Enabled && c.Environment.IsProduction() {
				v.refuse(&s.svc.TLS.Enabled, "must be true in prod: credentials and customer data must not cross the network in plaintext")
			}
			v.caRef(&s.svc.TLS.CA)
		default:
			v.refuse(&s.svc.Mode, "must be one of %s, %s", InCluster, External)
		}
		if msgs := validation.IsValidPortNum(s.svc.Port); len(msgs) > 0 {
			v.refuse(&s.svc.Port, "must be a port number between 1 and 65535")
		}
	}
	if !postgresIdentifier.MatchString(c.Postgres.Database) {
		v.refuse(&c.Postgres.Database, "must name the database as a plain Postgres identifier (lowercase letters, digits and _, at most 63): it is written into connection URIs")
	}
	if !postgresIdentifier.MatchString(c.Postgres.User) {
		v.refuse(&c.Postgres.User, "must name the database role as a plain Postgres identifier (lowercase letters, digits and _, at most 63): it is written into connection URIs")
	}
}

// postgresIdentifier is an unquoted Postgres identifier: nothing a URI or a shell would read as syntax.
var postgresIdentifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// credential checks that exactly one source supplies an external credential: the Secret ref or the
// stack's secret key; modeKey names the mode that requires it.
func (v *validator) credential(ref *SecretRef, modeKey string, supplied bool, secretKey string) {
	key := v.config.keyOf(ref)
	switch {
	case supplied && ref.IsSet():
		v.fail(key, ref.Name, "set either %s or the secret key %s, not both", key, secretKey)
	case !supplied && !ref.IsSet():
		v.fail(key, nil, "is required when %s is external (or set the secret key %s)", modeKey, secretKey)
	case ref.IsSet():
		v.secretRef(ref)
	}
}
