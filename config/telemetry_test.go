package config_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

func TestTelemetryIsOffUnlessAnEndpointIsSet(t *testing.T) {
	c, err := prodWith(t, nil)
	require.NoError(t, err)
	assert.False(t, c.Telemetry.OTLP.Enabled())
	assert.Equal(t, config.OTLPHTTPProtobuf, c.Telemetry.OTLP.Protocol, "the specification's default transport")
	assert.Equal(t, config.DashboardLabel{Key: "grafana_dashboard", Value: "1"}, c.Monitoring.Operator.DashboardLabel,
		"kube-prometheus-stack's sidecar label")

	on, err := prodWith(t, map[string]string{"telemetry": `{"otlp": {"endpoint": "https://otel.example.com:4318", "headers": {"name": "otel-headers", "key": "headers"}, "cidrs": ["10.20.0.0/24"]}}`})
	require.NoError(t, err)
	assert.True(t, on.Telemetry.OTLP.Enabled())
	assert.Equal(t, "telemetry.otlp.headers", on.SecretReads()["otel-headers"]["headers"], "an ExternalSecret may have to supply the headers")
}

func TestTelemetryRefusesWhatTheSDKsCannotReadOrTheEgressCannotReach(t *testing.T) {
	const cidrs = `"cidrs": ["10.20.0.0/24"]`
	cases := []struct {
		name, otlp string
		refused    []string
	}{
		{"an endpoint needs a scheme and a host", `{"endpoint": "otel.example.com:4318", ` + cidrs + `}`,
			[]string{`telemetry.otlp.endpoint = "otel.example.com:4318": must be an http(s) URL of the collector, such as https://otel-collector.example.com:4318`}},
		{"an endpoint carries no credentials", `{"endpoint": "https://user:pw@otel.example.com", ` + cidrs + `}`,
			[]string{`telemetry.otlp.endpoint = "https://user:pw@otel.example.com": must not carry credentials (they would sit in a pod spec); put them in a Secret named by telemetry.otlp.headers`}},
		{"an endpoint has no query", `{"endpoint": "https://otel.example.com/?tenant=a", ` + cidrs + `}`,
			[]string{`telemetry.otlp.endpoint = "https://otel.example.com/?tenant=a": must have no query or fragment: the SDK appends the signal's path`}},
		{"a gRPC endpoint has no path", `{"endpoint": "https://otel.example.com/otlp", "protocol": "grpc", ` + cidrs + `}`,
			[]string{`telemetry.otlp.endpoint = "https://otel.example.com/otlp": must have no path with protocol grpc: gRPC addresses the collector by host and port`}},
		{"headers do not cross the network in plaintext in prod", `{"endpoint": "http://otel.example.com:4318", "headers": {"name": "otel-headers", "key": "headers"}, ` + cidrs + `}`,
			[]string{`telemetry.otlp.endpoint = "http://otel.example.com:4318": must be https in prod when telemetry.otlp.headers is set: the headers carry the collector's credential`}},
		{"the protocol is one of the specification's", `{"endpoint": "https://otel.example.com", "protocol": "http", ` + cidrs + `}`,
			[]string{`telemetry.otlp.protocol = "http": must be one of grpc, http/protobuf, http/json`}},
		{"the headers name a Secret key", `{"endpoint": "https://otel.example.com", "headers": {"name": "Otel_Headers", "key": "headers"}, ` + cidrs + `}`,
			[]string{`telemetry.otlp.headers.name = "Otel_Headers": must be a Secret name`}},
		{"an attribute key cannot hold the list's separators", `{"endpoint": "https://otel.example.com", "resourceAttributes": {"team,name": "rag", "a=b": "c"}, ` + cidrs + `}`,
			[]string{
				`telemetry.otlp.resourceAttributes = "a=b": keys must be printable ASCII without spaces, quotes, ',', ';', '=', '\' or '%': OTEL_RESOURCE_ATTRIBUTES cannot carry them in a key`,
				`telemetry.otlp.resourceAttributes = "team,name": keys must be printable ASCII without spaces, quotes, ',', ';', '=', '\' or '%': OTEL_RESOURCE_ATTRIBUTES cannot carry them in a key`,
			}},
		{"service.name is each workload's own", `{"endpoint": "https://otel.example.com", "resourceAttributes": {"service.name": "rag"}, ` + cidrs + `}`,
			[]string{`telemetry.otlp.resourceAttributes = "service.name": is each workload's own name (OTEL_SERVICE_NAME, which takes precedence); remove it`}},
		{"the collector's addresses are required", `{"endpoint": "https://otel.example.com"}`,
			[]string{`telemetry.otlp.cidrs is required with telemetry.otlp.endpoint: the collector's address ranges, the only ones the API and workers may export to`}},
		{"the collector's addresses are not the whole internet", `{"endpoint": "https://otel.example.com", "cidrs": ["0.0.0.0/0"]}`,
			[]string{`telemetry.otlp.cidrs = ["0.0.0.0/0"]: "0.0.0.0/0" is every address; list the endpoint's own ranges`}},
		{"an endpoint's address lies in the cidrs", `{"endpoint": "http://10.30.0.5:4318", ` + cidrs + `}`,
			[]string{`telemetry.otlp.endpoint = "http://10.30.0.5:4318": is an address outside telemetry.otlp.cidrs ["10.20.0.0/24"], where the egress would not let exports reach it`}},
		{"headers without an endpoint are refused", `{"headers": {"name": "otel-headers", "key": "headers"}}`,
			[]string{`telemetry.otlp.headers needs telemetry.otlp.endpoint, the collector they are sent to`}},
		{"cidrs without an endpoint are refused", `{` + cidrs + `}`,
			[]string{`telemetry.otlp.cidrs = ["10.20.0.0/24"]: needs telemetry.otlp.endpoint, the collector at these addresses`}},
		{"a CA without an endpoint is refused", `{"ca": {"configMap": "otel-ca"}}`,
			[]string{`telemetry.otlp.ca needs telemetry.otlp.endpoint, the collector whose certificate it verifies`}},
		{"a CA verifies only an https collector", `{"endpoint": "http://otel.example.com:4318", "ca": {"configMap": "otel-ca"}, ` + cidrs + `}`,
			[]string{`telemetry.otlp.ca needs an https telemetry.otlp.endpoint: it verifies the collector's TLS certificate`}},
		{"a CA is in a ConfigMap or a Secret, not both", `{"endpoint": "https://otel.example.com", "ca": {"configMap": "otel-ca", "secret": "otel-ca"}, ` + cidrs + `}`,
			[]string{`telemetry.otlp.ca.secret = "otel-ca": set either telemetry.otlp.ca.configMap or telemetry.otlp.ca.secret, not both`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prodWith(t, map[string]string{"telemetry": `{"otlp": ` + tc.otlp + `}`})
			require.Error(t, err)
			want := make([]string, len(tc.refused))
			for i, r := range tc.refused {
				want[i] = "  - config " + config.Project + ":" + r
			}
			assert.Equal(t, "invalid stack configuration:\n"+strings.Join(want, "\n"), refusals(t, err))
		})
	}
}

func TestDashboardLabelIsALabel(t *testing.T) {
	_, err := prodWith(t, map[string]string{"monitoring": `{"operator": {"dashboardLabel": {"key": "grafana dashboard", "value": "yes please"}}}`})
	require.Error(t, err)
	msg := refusals(t, err)
	assert.Contains(t, msg, `config jd-jones-rag-infra:monitoring.operator.dashboardLabel.key = "grafana dashboard": must be a label key, such as grafana_dashboard: `)
	assert.Contains(t, msg, `config jd-jones-rag-infra:monitoring.operator.dashboardLabel.value = "yes please": must be a label value: `)
}

func TestResourceAttributesArePercentEncodedAsTheSpecificationRequires(t *testing.T) {
	encoded := config.EncodeResourceAttributes(map[string]string{
		"team": "rag, search=1% done", "deployment.environment.name": "prod", "owner": "Zoë",
	})
	assert.Equal(t, "deployment.environment.name=prod,owner=Zo%C3%AB,team=rag%2C%20search%3D1%25%20done", encoded)
	for _, pair := range strings.Split(encoded, ",") {
		_, value, ok := strings.Cut(pair, "=")
		require.True(t, ok)
		_, err := url.PathUnescape(value)
		assert.NoError(t, err, "the SDKs decode %q", value)
	}
}
