package platform

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// otlpHeadersSecret is the Secret, managed outside the stack, that holds the collector's headers.
var otlpHeadersSecret = map[string]any{"name": "otel-collector-headers", "key": "headers"}

// telemetryEnvOf is the OTEL_* environment of a Deployment's first container as rendered.
func telemetryEnvOf(t *testing.T, rec *stacktest.Record, deployment string) []corev1.EnvVar {
	t.Helper()
	res, ok := rec.Object(stacktest.DeploymentType, deployment)
	require.True(t, ok, "the Deployment %s", deployment)
	var d appsv1.Deployment
	require.NoError(t, res.Decode(&d))
	var out []corev1.EnvVar
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if strings.HasPrefix(e.Name, "OTEL_") {
			out = append(out, e)
		}
	}
	return out
}

// collectorRequest is one export the stand-in collector received.
type collectorRequest struct {
	path    string
	headers http.Header
	body    *coltracepb.ExportTraceServiceRequest
}

// collector is a stand-in OTLP/HTTP trace collector.
type collector struct {
	// url is its base URL; certificate its TLS certificate (DER, its own CA), nil over plain HTTP.
	url         string
	certificate []byte
	mu          sync.Mutex
	requests    []collectorRequest
}

// startCollector starts a collector, over TLS with a certificate of its own when tls is set.
func startCollector(t *testing.T, tls bool) *collector {
	t.Helper()
	c := &collector{}
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if err == nil {
			err = proto.Unmarshal(body, req)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.requests = append(c.requests, collectorRequest{path: r.URL.Path, headers: r.Header.Clone(), body: req})
		c.mu.Unlock()
		resp, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	}))
	if tls {
		server.StartTLS()
		c.certificate = server.Certificate().Raw
	} else {
		server.Start()
	}
	t.Cleanup(server.Close)
	c.url = server.URL
	return c
}

// received are the exports the collector has received so far.
func (c *collector) received() []collectorRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requests)
}

// exportSpan lets the OpenTelemetry Go SDK, given no options (it reads the OTEL_* environment), export
// one span named answer-question. The SDK hands a failed export to the global error handler, not to its
// caller, so that handler's errors are returned too.
func exportSpan() error {
	var handled []error
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { handled = append(handled, err) }))
	ctx := context.Background()
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return err
	}
	res, err := resource.New(ctx, resource.WithFromEnv())
	if err != nil {
		return err
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter), sdktrace.WithResource(res))
	_, span := provider.Tracer("telemetry-test").Start(ctx, "answer-question")
	span.End()
	return errors.Join(append(handled, provider.Shutdown(ctx))...)
}

// TestTelemetryEnvIsReadByTheOpenTelemetrySDK sets the API container's OTEL_* variables exactly as
// rendered (the headers resolved from their Secret, as the kubelet would) and lets the OpenTelemetry Go
// SDK, given no options, export a span: the collector must receive it at the rendered endpoint's path,
// with the Secret's headers and the resource attributes and service name the stack set.
func TestTelemetryEnvIsReadByTheOpenTelemetrySDK(t *testing.T) {
	collector := startCollector(t, false)

	rec := stacktest.RunStackWithFields(t, Program, "dev", map[string]map[string]any{"telemetry": {"otlp": map[string]any{
		"endpoint": collector.url + "/otlp",
		"protocol": "http/protobuf",
		"headers":  otlpHeadersSecret,
		"resourceAttributes": map[string]any{
			"deployment.environment.name": "dev",
			"team":                        "rag, search=1% done",
		},
		"cidrs": []any{"127.0.0.0/8"},
	}}})
	// The Secret as the cluster holds it: an OTEL_EXPORTER_OTLP_HEADERS list, values percent-encoded.
	secrets := map[string]map[string]string{"otel-collector-headers": {"headers": "Authorization=Bearer%20t0ken,X-Scope-OrgID=jd-jones"}}
	for _, e := range telemetryEnvOf(t, rec, "api") {
		switch e.Name {
		case "OTEL_EXPORTER_OTLP_HEADERS":
			require.NotNil(t, e.ValueFrom, "the headers come from a Secret")
			require.NotNil(t, e.ValueFrom.SecretKeyRef, "the headers come from a Secret")
			assert.Empty(t, e.Value, "no literal headers in the pod spec")
			value, ok := secrets[e.ValueFrom.SecretKeyRef.Name][e.ValueFrom.SecretKeyRef.Key]
			require.True(t, ok, "the configured Secret key, got %+v", e.ValueFrom.SecretKeyRef)
			t.Setenv(e.Name, value)
		default:
			require.Nil(t, e.ValueFrom, "%s is a literal", e.Name)
			t.Setenv(e.Name, e.Value)
		}
	}

	require.NoError(t, exportSpan())
	require.Len(t, collector.received(), 1, "the span reached the collector")
	got := collector.received()[0]
	assert.Equal(t, "/otlp/v1/traces", got.path, "the SDK appends the signal's path to the rendered endpoint")
	assert.Equal(t, "Bearer t0ken", got.headers.Get("Authorization"), "the Secret's headers, decoded")
	assert.Equal(t, "jd-jones", got.headers.Get("X-Scope-OrgID"))
	require.Len(t, got.body.ResourceSpans, 1)
	attrs := map[string]string{}
	for _, kv := range got.body.ResourceSpans[0].Resource.Attributes {
		attrs[kv.Key] = kv.Value.GetStringValue()
	}
	assert.Equal(t, map[string]string{
		"service.name":                "api",
		"deployment.environment.name": "dev",
		"team":                        "rag, search=1% done",
	}, attrs, "the service's name and the configured attributes, decoded as written")
	spans := got.body.ResourceSpans[0].ScopeSpans[0].Spans
	require.Len(t, spans, 1)
	assert.Equal(t, "answer-question", spans[0].Name)
}

// TestTelemetryCAIsReadByTheOpenTelemetrySDK renders a collector whose certificate only its own CA
// verifies: the API container's OTEL_EXPORTER_OTLP_CERTIFICATE names the file that its read-only mount of
// the configured ConfigMap key holds. With the ConfigMap's bundle at that path (under a temporary root, as
// the kubelet would project it), the SDK exports over TLS; without the variable, it refuses the collector.
func TestTelemetryCAIsReadByTheOpenTelemetrySDK(t *testing.T) {
	collector := startCollector(t, true)
	rec := stacktest.RunStackWithFields(t, Program, "dev", map[string]map[string]any{"telemetry": {"otlp": map[string]any{
		"endpoint": collector.url,
		"ca":       map[string]any{"configMap": "otel-collector-ca", "key": "ca.pem"},
		"cidrs":    []any{"127.0.0.0/8"},
	}}})
	res, ok := rec.Object(stacktest.DeploymentType, "api")
	require.True(t, ok)
	var d appsv1.Deployment
	require.NoError(t, res.Decode(&d))
	spec, ctr := d.Spec.Template.Spec, d.Spec.Template.Spec.Containers[0]
	var path string
	for _, e := range ctr.Env {
		if e.Name == "OTEL_EXPORTER_OTLP_CERTIFICATE" {
			path = e.Value
		}
	}
	require.True(t, filepath.IsAbs(path), "OTEL_EXPORTER_OTLP_CERTIFICATE names a file: %q", path)

	// What the kubelet puts at that path: the mount over its folder, the volume it names, that volume's item.
	dir, file := filepath.Split(path)
	mount := slices.IndexFunc(ctr.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == filepath.Clean(dir) })
	require.GreaterOrEqual(t, mount, 0, "a mount over %s", dir)
	assert.True(t, ctr.VolumeMounts[mount].ReadOnly, "read-only")
	volume := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == ctr.VolumeMounts[mount].Name })
	require.GreaterOrEqual(t, volume, 0)
	cm := spec.Volumes[volume].ConfigMap
	require.NotNil(t, cm, "the bundle comes from the configured ConfigMap")
	assert.Equal(t, "otel-collector-ca", cm.Name)
	assert.Equal(t, []corev1.KeyToPath{{Key: "ca.pem", Path: file}}, cm.Items, "the configured key, projected as the file")
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, dir), 0o755))
	bundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: collector.certificate})
	require.NoError(t, os.WriteFile(filepath.Join(root, path), bundle, 0o600))

	for _, e := range telemetryEnvOf(t, rec, "api") {
		t.Setenv(e.Name, e.Value)
	}
	t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", "")
	err := exportSpan()
	require.Error(t, err, "without the CA the SDK cannot verify the collector")
	assert.Contains(t, err.Error(), "certificate")
	assert.Empty(t, collector.received())

	t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", filepath.Join(root, path))
	require.NoError(t, exportSpan())
	require.Len(t, collector.received(), 1, "the span reached the collector over TLS")
	assert.Equal(t, "/v1/traces", collector.received()[0].path)
}

// prodTelemetry is a collector reached over https on the scheme's port, with headers.
var prodTelemetry = map[string]any{"otlp": map[string]any{
	"endpoint": "https://otel-collector.example.com",
	"protocol": "grpc",
	"headers":  otlpHeadersSecret,
	"cidrs":    []any{"10.20.0.0/24", "10.20.1.0/24"},
}}

func TestTelemetrySetsTheStandardVariablesOnTheAPIAndWorkersOnly(t *testing.T) {
	rec := stacktest.RunStackWithFields(t, Program, "prod", map[string]map[string]any{"telemetry": prodTelemetry})
	for _, name := range []string{"api", "celery-worker", "celery-beat"} {
		env := map[string]corev1.EnvVar{}
		for _, e := range telemetryEnvOf(t, rec, name) {
			env[e.Name] = e
		}
		assert.Equal(t, name, env["OTEL_SERVICE_NAME"].Value, "%s names itself", name)
		assert.Equal(t, "https://otel-collector.example.com", env["OTEL_EXPORTER_OTLP_ENDPOINT"].Value)
		assert.Equal(t, "grpc", env["OTEL_EXPORTER_OTLP_PROTOCOL"].Value)
		assert.Equal(t, &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "otel-collector-headers"}, Key: "headers",
		}}, env["OTEL_EXPORTER_OTLP_HEADERS"].ValueFrom, "%s reads the headers from their Secret", name)
		assert.NotContains(t, env, "OTEL_RESOURCE_ATTRIBUTES", "no attributes configured, none set")
	}
	for _, name := range []string{"external-portal", "internal-portal"} {
		assert.Empty(t, telemetryEnvOf(t, rec, name), "%s does not export", name)
	}
	for _, name := range []string{"api", "celery-worker", "celery-beat"} {
		assert.Contains(t, stacktest.Egress(t, rec, "allow-from-"+name), networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{
				{IPBlock: &networkingv1.IPBlock{CIDR: "10.20.0.0/24"}},
				{IPBlock: &networkingv1.IPBlock{CIDR: "10.20.1.0/24"}},
			},
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcpProtocol, Port: &httpsPort}},
		}, "%s may reach the collector's addresses on the endpoint's port", name)
	}
	for _, np := range rec.OfType(stacktest.NetworkPolicyType) {
		if strings.Contains(np.ObjectName(), "api") || strings.Contains(np.ObjectName(), "celery") {
			continue
		}
		b, err := json.Marshal(np.Plain())
		require.NoError(t, err)
		assert.NotContains(t, string(b), "10.20.0.0/24", "%s opens nothing to the collector", np.ObjectName())
	}
}

// The collector's port as an egress rule spells it.
var (
	tcpProtocol = corev1.ProtocolTCP
	httpsPort   = intstr.FromInt32(443)
)

// dashboardFiles are the dashboards the repository holds, by file name.
func dashboardFiles(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("../components/monitoring/*.json")
	require.NoError(t, err)
	require.Len(t, paths, 3, "the api, celery and data dashboards")
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		out[filepath.Base(p)] = string(b)
	}
	return out
}

func TestOperatorModeShipsTheDashboardsForGrafanasSidecar(t *testing.T) {
	operator := map[string]any{"mode": "operator", "operator": map[string]any{
		"namespace": "monitoring", "podLabels": map[string]any{"app.kubernetes.io/name": "prometheus"},
	}}
	custom := map[string]any{"mode": "operator", "operator": map[string]any{
		"namespace": "monitoring", "podLabels": map[string]any{"app.kubernetes.io/name": "prometheus"},
		"dashboardLabel": map[string]any{"key": "grafana.example.com/dashboard", "value": "rag"},
	}}
	for _, tc := range []struct {
		name       string
		monitoring map[string]any
		key, value string
	}{
		{"with kube-prometheus-stack's label by default", operator, "grafana_dashboard", "1"},
		{"with the configured label", custom, "grafana.example.com/dashboard", "rag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := stacktest.RunStackWithFields(t, Program, "dev", map[string]map[string]any{"monitoring": tc.monitoring})
			for file, want := range dashboardFiles(t) {
				name := "grafana-dashboard-" + strings.TrimSuffix(file, ".json")
				res, ok := rec.Object(stacktest.ConfigMapType, name)
				require.True(t, ok, "the ConfigMap %s", name)
				var cm corev1.ConfigMap
				require.NoError(t, res.Decode(&cm))
				assert.Equal(t, "jd-jones-rag-dev", cm.Namespace)
				assert.Equal(t, tc.value, cm.Labels[tc.key], "%s carries the sidecar's label", name)
				require.Len(t, cm.Data, 1)
				require.True(t, json.Valid([]byte(cm.Data[file])), "%s holds valid JSON under %s", name, file)
				assert.JSONEq(t, want, cm.Data[file], "%s holds the repository's dashboard", name)
			}
		})
	}
	bundled := stacktest.RunStackWithFields(t, Program, "dev", nil)
	for file := range dashboardFiles(t) {
		name := "grafana-dashboard-" + strings.TrimSuffix(file, ".json")
		_, ok := bundled.Object(stacktest.ConfigMapType, name)
		assert.False(t, ok, "bundled mode provisions its own Grafana: no %s", name)
	}
}

// telemetryExampleShowsItsFeature checks examples/telemetry-otlp.yaml: the API and workers carry the
// example's endpoint, and the API's egress reaches the example's collector addresses.
func telemetryExampleShowsItsFeature(t *testing.T, e ranExample) {
	var telemetry config.Telemetry
	e.object(t, "telemetry", &telemetry)
	require.True(t, telemetry.OTLP.Enabled())
	for _, name := range []string{"api", "celery-worker", "celery-beat"} {
		env := map[string]corev1.EnvVar{}
		for _, v := range telemetryEnvOf(t, e.rec, name) {
			env[v.Name] = v
		}
		assert.Equal(t, telemetry.OTLP.Endpoint, env["OTEL_EXPORTER_OTLP_ENDPOINT"].Value, "%s exports to the example's collector", name)
		assert.Equal(t, config.EncodeResourceAttributes(telemetry.OTLP.ResourceAttributes), env["OTEL_RESOURCE_ATTRIBUTES"].Value)
		require.NotNil(t, env["OTEL_EXPORTER_OTLP_HEADERS"].ValueFrom, "%s reads the headers from their Secret", name)
		assert.Equal(t, telemetry.OTLP.Headers.Name, env["OTEL_EXPORTER_OTLP_HEADERS"].ValueFrom.SecretKeyRef.Name)
		assert.Equal(t, "/etc/jd-jones/tls/otlp-collector/ca.crt", env["OTEL_EXPORTER_OTLP_CERTIFICATE"].Value, "%s verifies the collector with the example's CA", name)
		r, ok := e.rec.Object(stacktest.DeploymentType, name)
		require.True(t, ok)
		assert.True(t, slices.ContainsFunc(stacktest.DecodeWorkload(t, r).Spec.Spec.Volumes, func(v corev1.Volume) bool {
			return v.ConfigMap != nil && v.ConfigMap.Name == telemetry.OTLP.CA.ConfigMap
		}), "%s mounts the ConfigMap %s", name, telemetry.OTLP.CA.ConfigMap)
	}
	b, err := json.Marshal(stacktest.Egress(t, e.rec, "allow-from-api"))
	require.NoError(t, err)
	for _, cidr := range telemetry.OTLP.CIDRs {
		assert.Contains(t, string(b), cidr, "the API may reach the collector at %s", cidr)
	}
}

func TestThePolicyPackPassesTelemetryAndRefusesItsHeadersWrittenIntoThePodSpec(t *testing.T) {
	b, err := json.Marshal(prodTelemetry)
	require.NoError(t, err)
	for _, f := range checks.Blocking(evaluateWith(t, "prod", map[string]string{"telemetry": string(b)})) {
		t.Errorf("mandatory violation: %s", f)
	}

	// The broken twin: the headers set by hand as a literal through the API's pod options.
	pods := map[string]string{"api": `{"env": {"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20t0ken"}}`}
	var refused []string
	for _, f := range checks.Blocking(evaluateWith(t, "dev", withPodOptions(t, "dev", pods))) {
		refused = append(refused, f.String())
	}
	require.Len(t, refused, 1)
	assert.Contains(t, refused[0], `container "api": env OTEL_EXPORTER_OTLP_HEADERS has a literal value; reference a Secret with valueFrom.secretKeyRef`)
}
