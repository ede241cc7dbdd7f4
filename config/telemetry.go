package config

import (
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Telemetry is where the API and workers send their OpenTelemetry signals.
type Telemetry struct {
	// OTLP is the collector the API and workers export traces, metrics and logs to, through the standard
	// OTEL_* variables their SDK reads; no endpoint turns it off.
	OTLP OTLP `json:"otlp"`
}

// OTLP is an OpenTelemetry collector reached with the OTLP exporter, as the OpenTelemetry
// specification's exporter variables describe it.
type OTLP struct {
	// Endpoint is the collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT): http or https with a host and
	// no credentials; the SDK appends /v1/traces, /v1/metrics and /v1/logs for the http protocols. Unset
	// turns telemetry off.
	Endpoint string `json:"endpoint"`
	// Protocol is the OTLP transport (OTEL_EXPORTER_OTLP_PROTOCOL).
	Protocol string `json:"protocol" enum:"grpc,http/protobuf,http/json"`
	// Headers is the Secret key holding the headers sent with every export (OTEL_EXPORTER_OTLP_HEADERS,
	// key=value pairs separated by commas, such as an Authorization token); a Secret, since they are
	// usually a credential. Prod refuses them with an http endpoint, where they would cross in plaintext.
	Headers SecretRef `json:"headers"`
	// ResourceAttributes describe the platform in every signal (OTEL_RESOURCE_ATTRIBUTES), such as
	// deployment.environment.name: keys without spaces, commas, = or %; values are percent-encoded as the
	// specification requires. service.name is each workload's own (OTEL_SERVICE_NAME).
	ResourceAttributes map[string]string `json:"resourceAttributes"`
	// CIDRs are the collector's addresses, required with an endpoint: the API and workers may send to
	// them on the endpoint's port and nowhere else. An endpoint given as an IP address must lie in them.
	CIDRs []string `json:"cidrs"`
	// CA is the bundle that verifies an https collector's certificate, such as a private CA's, from a
	// ConfigMap or Secret of the namespace: mounted into the API and workers and named by
	// OTEL_EXPORTER_OTLP_CERTIFICATE. Unset, the system's trust store verifies it.
	CA CARef `json:"ca"`
}

// The OTLP transports OTEL_EXPORTER_OTLP_PROTOCOL names.
const (
	OTLPGRPC         = "grpc"
	OTLPHTTPProtobuf = "http/protobuf"
	OTLPHTTPJSON     = "http/json"
)

// otlpProtocols are the transports the specification defines.
var otlpProtocols = []string{OTLPGRPC, OTLPHTTPProtobuf, OTLPHTTPJSON}

// defaultTelemetry is both environments' telemetry: off, with the specification's default transport.
func defaultTelemetry() Telemetry {
	return Telemetry{OTLP: OTLP{Protocol: OTLPHTTPProtobuf}}
}

// Enabled reports whether the API and workers export to a collector.
func (o OTLP) Enabled() bool { return o.Endpoint != "" }

// DashboardLabel is the label by which Grafana's dashboard sidecar (the grafana chart's, as
// kube-prometheus-stack deploys it) finds dashboard ConfigMaps.
type DashboardLabel struct {
	// Key is the label's key (the sidecar's sidecar.dashboards.label).
	Key string `json:"key"`
	// Value is the label's value (the sidecar's sidecar.dashboards.labelValue).
	Value string `json:"value"`
}

// defaultDashboardLabel is kube-prometheus-stack's sidecar label.
func defaultDashboardLabel() DashboardLabel {
	return DashboardLabel{Key: "grafana_dashboard", Value: "1"}
}

// resourceAttributeKey is an attribute key the SDKs read back unchanged from OTEL_RESOURCE_ATTRIBUTES:
// printable ASCII without the list's separators (, =), the escape (%), spaces or quotes.
var resourceAttributeKey = regexp.MustCompile(`^[!#$&'()*+\-./0-9:;<>?@A-Z\[\]^_a-z{|}~]+$`)

// EncodeResourceAttributes is attrs as OTEL_RESOURCE_ATTRIBUTES: key=value pairs sorted by key and
// joined by commas, each value percent-encoded except for the characters the W3C baggage octet allows
// (so ',', '=', '%', spaces and non-ASCII are always encoded).
func EncodeResourceAttributes(attrs map[string]string) string {
	pairs := make([]string, 0, len(attrs))
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		pairs = append(pairs, k+"="+percentEncode(attrs[k]))
	}
	return strings.Join(pairs, ",")
}

// percentEncode encodes every byte of s outside the baggage octets, and '%' and '=' within them.
func percentEncode(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if c > ' ' && c < 0x7f && !strings.ContainsRune("\",;\\%=", rune(c)) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// validateTelemetry checks the collector and the label of operator mode's dashboards.
func (c *Config) validateTelemetry(v *validator) {
	c.validateOTLP(v)
	c.validateDashboardLabel(v)
}

// validateOTLP checks the collector's endpoint, transport, headers, attributes and addresses.
func (c *Config) validateOTLP(v *validator) {
	o := &c.Telemetry.OTLP
	endpointKey := c.keyOf(&o.Endpoint)
	if !slices.Contains(otlpProtocols, o.Protocol) {
		v.refuse(&o.Protocol, "must be one of %s", strings.Join(otlpProtocols, ", "))
	}
	if !o.Enabled() {
		if o.Headers.IsSet() {
			v.fail(c.keyOf(&o.Headers), nil, "needs %s, the collector they are sent to", endpointKey)
		}
		if len(o.ResourceAttributes) > 0 {
			v.fail(c.keyOf(&o.ResourceAttributes), nil, "needs %s, the collector they are sent to", endpointKey)
		}
		if len(o.CIDRs) > 0 {
			v.refuse(&o.CIDRs, "needs %s, the collector at these addresses", endpointKey)
		}
		if o.CA.IsSet() {
			v.fail(c.keyOf(&o.CA), nil, "needs %s, the collector whose certificate it verifies", endpointKey)
		}
		return
	}
	u, err := url.Parse(o.Endpoint)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
		v.refuse(&o.Endpoint, "must be an http(s) URL of the collector, such as https://otel-collector.example.com:4318")
	case u.User != nil:
		v.refuse(&o.Endpoint, "must not carry credentials (they would sit in a pod spec); put them in a Secret named by %s", c.keyOf(&o.Headers))
	case u.RawQuery != "" || u.Fragment != "":
		v.refuse(&o.Endpoint, "must have no query or fragment: the SDK appends the signal's path")
	case o.Protocol == OTLPGRPC && strings.Trim(u.Path, "/") != "":
		v.refuse(&o.Endpoint, "must have no path with protocol %s: gRPC addresses the collector by host and port", OTLPGRPC)
	case u.Scheme == "http" && o.Headers.IsSet() && c.Environment.IsProduction():
		v.refuse(&o.Endpoint, "must be https in prod when %s is set: the headers carry the collector's credential", c.keyOf(&o.Headers))
	}
	if o.Headers.IsSet() {
		v.secretRef(&o.Headers)
	}
	v.caRef(&o.CA)
	if o.CA.IsSet() && u != nil && u.Scheme != "https" {
		v.fail(c.keyOf(&o.CA), nil, "needs an https %s: it verifies the collector's TLS certificate", endpointKey)
	}
	for _, k := range slices.Sorted(maps.Keys(o.ResourceAttributes)) {
		switch {
		case !resourceAttributeKey.MatchString(k):
			v.fail(c.keyOf(&o.ResourceAttributes), k, "keys must be printable ASCII without spaces, quotes, ',', ';', '=', '\\' or '%%': OTEL_RESOURCE_ATTRIBUTES cannot carry them in a key")
		case k == "service.name":
			v.fail(c.keyOf(&o.ResourceAttributes), k, "is each workload's own name (OTEL_SERVICE_NAME, which takes precedence); remove it")
		}
	}
	if len(o.CIDRs) == 0 {
		v.fail(c.keyOf(&o.CIDRs), nil, "is required with %s: the collector's address ranges, the only ones the API and workers may export to", endpointKey)
		return
	}
	v.cidrs(&o.CIDRs)
	if u != nil {
		if addr, err := netip.ParseAddr(u.Hostname()); err == nil && !slices.ContainsFunc(o.CIDRs, func(cidr string) bool {
			p, err := netip.ParsePrefix(cidr)
			return err == nil && p.Contains(addr.Unmap())
		}) {
			v.refuse(&o.Endpoint, "is an address outside %s %q, where the egress would not let exports reach it", c.keyOf(&o.CIDRs), o.CIDRs)
		}
	}
}

// validateDashboardLabel checks the label of operator mode's dashboard ConfigMaps.
func (c *Config) validateDashboardLabel(v *validator) {
	l := &c.Monitoring.Operator.DashboardLabel
	if msgs := validation.IsQualifiedName(l.Key); len(msgs) > 0 {
		v.refuse(&l.Key, "must be a label key, such as grafana_dashboard: %s", strings.Join(msgs, "; "))
	}
	if msgs := validation.IsValidLabelValue(l.Value); len(msgs) > 0 {
		v.refuse(&l.Value, "must be a label value: %s", strings.Join(msgs, "; "))
	}
}
