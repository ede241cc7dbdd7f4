package components_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/diagram"
	"github.com/jdjones/jd-jones-rag-infra/internal/reachability"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// checkAlertmanagerConfig runs `amtool check-config` on the configuration with the receivers' credential
// files pointed at files of a temporary directory, and returns its output and error.
func checkAlertmanagerConfig(t *testing.T, amtool, content string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	secrets := filepath.Join(dir, "receivers")
	require.NoError(t, os.Mkdir(secrets, 0o700))
	for file, value := range map[string]string{"webhook-url": "https://hooks.example.com/services/test", "smtp-password": "test"} {
		require.NoError(t, os.WriteFile(filepath.Join(secrets, file), []byte(value), 0o600))
	}
	content = strings.ReplaceAll(content, "/etc/alertmanager-receivers/", secrets+"/")
	path := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	out, err := exec.Command(amtool, "check-config", path).CombinedOutput()
	return string(out), err
}

func TestTheAlertmanagerConfigurationPassesAmtool(t *testing.T) {
	amtool := stacktest.RequireTool(t, "amtool")
	email := `{"alertmanager": {"emailTo": "oncall@jdjones.com", "emailFrom": "alerts@jdjones.com", "smtpSmarthost": "smtp.example.com:587"}}`
	cases := []struct {
		name      string
		overrides map[string]string
		receivers int
	}{
		{"no receiver", nil, 1},
		{"a webhook", map[string]string{"alertWebhookUrl": "https://hooks.example.com/services/T0KEN"}, 2},
		{"email without a password", map[string]string{"monitoring": email}, 2},
		{"email and a webhook", receiversConfigured, 2},
	}
	for _, stack := range stacktest.Stacks {
		for _, tc := range cases {
			t.Run(stack+" with "+tc.name, func(t *testing.T) {
				rec := runStack(t, stack, tc.overrides)
				content := stacktest.ConfigMapFile(t, rec, "alertmanager-config", "alertmanager.yml")
				out, err := checkAlertmanagerConfig(t, amtool, content)
				require.NoError(t, err, "amtool check-config:\n%s\n%s", out, content)
				assert.Contains(t, out, "SUCCESS")
				assert.Contains(t, out, " - "+strconv.Itoa(tc.receivers)+" receivers", out)
			})
		}
	}
	// The checker reads what it is given: a route to a receiver that does not exist is refused.
	content := stacktest.ConfigMapFile(t, runStack(t, "dev", nil), "alertmanager-config", "alertmanager.yml")
	broken := strings.Replace(content, `receiver: "null"`, "receiver: nobody", 1)
	require.NotEqual(t, content, broken)
	out, err := checkAlertmanagerConfig(t, amtool, broken)
	assert.Error(t, err, "amtool refuses a route to an undefined receiver:\n%s", out)
	assert.Contains(t, out, `undefined receiver "nobody"`)
}

func TestAlertmanagerReplicasFormOneClusterInProd(t *testing.T) {
	cases := map[string]struct {
		replicas int32
		peers    []string
	}{
		"dev": {1, nil},
		"prod": {2, []string{
			"--cluster.peer=alertmanager-0.alertmanager-headless.jd-jones-rag.svc:9094",
			"--cluster.peer=alertmanager-1.alertmanager-headless.jd-jones-rag.svc:9094",
		}},
	}
	for stack, want := range cases {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, nil)
			s := decodedStatefulSet(t, rec, "alertmanager")
			assert.Equal(t, want.replicas, *s.Spec.Replicas)
			c := s.Spec.Template.Spec.Containers[0]
			var peers []string
			for _, arg := range c.Args {
				if strings.HasPrefix(arg, "--cluster.peer=") {
					peers = append(peers, arg)
				}
			}
			assert.Equal(t, want.peers, peers)
			if want.replicas == 1 {
				assert.Contains(t, c.Args, "--cluster.listen-address=", "a lone replica gossips with no one")
			} else {
				assert.Contains(t, c.Args, "--cluster.listen-address=0.0.0.0:9094")
				assert.Contains(t, c.Args, "--cluster.advertise-address=[$(POD_IP)]:9094")
				assert.Equal(t, "status.podIP", envFieldPath(c, "POD_IP"))
			}
			assert.Contains(t, c.Args, "--config.file=/etc/alertmanager/alertmanager.yml")
			assert.Contains(t, c.Args, "--storage.path=/alertmanager")
			assert.Equal(t, "/-/healthy", c.LivenessProbe.HTTPGet.Path)
			assert.Equal(t, "/-/ready", c.ReadinessProbe.HTTPGet.Path)
			assert.Equal(t, "prom/alertmanager:v0.28.1", c.Image)
			require.Len(t, s.Spec.VolumeClaimTemplates, 1)
			claim := s.Spec.VolumeClaimTemplates[0]
			assert.Equal(t, "alertmanager-data", claim.Name)
			assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: "alertmanager-data", MountPath: "/alertmanager"})

			pdb, ok := rec.Object(stacktest.PDBType, "alertmanager")
			assert.Equal(t, want.replicas > 1, ok, "a disruption budget exactly when replicated")
			if ok {
				var b policyv1.PodDisruptionBudget
				require.NoError(t, pdb.Decode(&b))
				assert.Equal(t, "1", b.Spec.MaxUnavailable.String())
			}
		})
	}
}

// receiversConfigured is a stack configuration with both receivers: the webhook and email with a password.
var receiversConfigured = map[string]string{
	"alertWebhookUrl":   "https://hooks.example.com/services/T0KEN-never-in-a-configmap",
	"alertSmtpPassword": "smtp-password-never-in-argv",
	"monitoring":        `{"alertmanager": {"emailTo": "oncall@jdjones.com", "emailFrom": "alerts@jdjones.com", "smtpSmarthost": "smtp.example.com:587"}}`,
}

func TestWithNoReceiverAlertsGoToTheNullReceiver(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, nil)
		f := stacktest.ReadAlertmanagerFile(t, rec)
		assert.Equal(t, "null", f.Route.Receiver, stack)
		assert.Empty(t, f.Route.Routes, stack)
		require.Len(t, f.Receivers, 1, stack)
		assert.Equal(t, "null", f.Receivers[0].Name)
		assert.Empty(t, f.Receivers[0].WebhookConfigs)
		assert.Empty(t, f.Receivers[0].EmailConfigs)
		_, ok := rec.Object(stacktest.SecretType, "alertmanager-receivers")
		assert.False(t, ok, "%s: no credential, no Secret", stack)
	}
}

func TestAlertsAreRoutedBySeverityToTheConfiguredReceivers(t *testing.T) {
	rec := runStack(t, "prod", receiversConfigured)
	f := stacktest.ReadAlertmanagerFile(t, rec)
	assert.Equal(t, "warning", f.Route.Receiver, "an alert of no known severity still notifies")
	assert.Equal(t, []string{"alertname", "service"}, f.Route.GroupBy)
	routes := map[string]string{}
	for _, r := range f.Route.Routes {
		routes[strings.Join(r.Matchers, ",")] = r.Receiver
	}
	assert.Equal(t, map[string]string{`severity="critical"`: "critical", `severity="warning"`: "warning"}, routes)
	var names []string
	for _, r := range f.Receivers {
		names = append(names, r.Name)
		require.Len(t, r.WebhookConfigs, 1, r.Name)
		assert.Equal(t, "/etc/alertmanager-receivers/webhook-url", r.WebhookConfigs[0]["url_file"], r.Name)
		assert.NotContains(t, r.WebhookConfigs[0], "url", "the URL is read from the file")
		require.Len(t, r.EmailConfigs, 1, r.Name)
		e := r.EmailConfigs[0]
		assert.Equal(t, "oncall@jdjones.com", e["to"])
		assert.Equal(t, "alerts@jdjones.com", e["from"])
		assert.Equal(t, "smtp.example.com:587", e["smarthost"])
		assert.Equal(t, "/etc/alertmanager-receivers/smtp-password", e["auth_password_file"])
		assert.NotContains(t, e, "auth_password", "the password is read from the file")
	}
	assert.Equal(t, []string{"critical", "warning"}, names)

	// The Secret the files come from holds the two credentials, each a Pulumi secret.
	secret, ok := rec.Object(stacktest.SecretType, "alertmanager-receivers")
	require.True(t, ok)
	data := stacktest.SecretData(t, secret)
	assert.Len(t, data, 2)
	for _, key := range []presource.PropertyKey{"webhook-url", "smtp-password"} {
		require.Contains(t, data, key)
		assert.True(t, data[key].IsSecret(), string(key))
	}
	pod := decodedStatefulSet(t, rec, "alertmanager").Spec.Template.Spec
	var mounted bool
	for _, v := range pod.Volumes {
		if v.Secret != nil && v.Secret.SecretName == "alertmanager-receivers" {
			mounted = true
			assert.Equal(t, int32(0o440), *v.Secret.DefaultMode)
		}
	}
	assert.True(t, mounted, "the receivers' Secret is mounted")
	sts, _ := rec.Object(stacktest.StatefulSetType, "alertmanager")
	assert.Contains(t, sts.Dependencies, secret.URN, "the pods wait for the Secret they mount")
}

func TestAnOutageMutesTheSymptomsThatDependOnIt(t *testing.T) {
	f := stacktest.ReadAlertmanagerFile(t, runStack(t, "dev", nil))
	type rule struct{ source, target, equal string }
	var rules []rule
	for _, r := range f.InhibitRules {
		rules = append(rules, rule{strings.Join(r.SourceMatchers, ","), strings.Join(r.TargetMatchers, ","), strings.Join(r.Equal, ",")})
	}
	// The labels of monitoring/alerts.yml: down="true" on the cause, depends_on listing it on the symptom.
	for _, service := range []string{"postgres", "redis", "chromadb", "alertmanager", "celery-worker"} {
		assert.Contains(t, rules, rule{`down="true",service="` + service + `"`, `depends_on=~"(.*,)?` + service + `(,.*)?"`, ""}, service)
	}
	assert.Contains(t, rules, rule{`severity="critical"`, `severity="warning"`, "alertname,service"})
}

func TestNoAlertReceiverCredentialInAnyConfigMapOrCommandLine(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, receiversConfigured)
		values := []string{receiversConfigured["alertWebhookUrl"], receiversConfigured["alertSmtpPassword"], "T0KEN"}
		for _, r := range rec.OfType(stacktest.ConfigMapType) {
			var cm corev1.ConfigMap
			require.NoError(t, r.Decode(&cm))
			for key, content := range cm.Data {
				for _, v := range values {
					assert.NotContains(t, content, v, "%s: ConfigMap %s/%s", stack, cm.Name, key)
				}
			}
		}
		for _, r := range stacktest.Workloads(rec) {
			for _, c := range stacktest.DecodeWorkload(t, r).Spec.Spec.Containers {
				words := slices.Concat(c.Command, c.Args)
				for _, e := range c.Env {
					words = append(words, e.Value)
				}
				for _, w := range words {
					for _, v := range values {
						assert.NotContains(t, w, v, "%s: %s/%s", stack, r.ObjectName(), c.Name)
					}
				}
			}
		}
	}
}

// alertmanagerNetwork is the engine over a stack's rendered NetworkPolicies, Alertmanager's pod and the
// parties around the namespace, plus an address inside the receivers' range of the tests below.
func alertmanagerNetwork(t *testing.T, stack string, overrides map[string]string) (*reachability.Engine, map[string]reachability.Party) {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	namespace := cfg["jd-jones-rag-infra:namespace"]
	rec := runStack(t, stack, overrides)
	var policies []*networkingv1.NetworkPolicy
	for _, r := range rec.OfType(stacktest.NetworkPolicyType) {
		np := &networkingv1.NetworkPolicy{}
		require.NoError(t, r.Decode(np))
		np.Namespace = namespace
		policies = append(policies, np)
	}
	parties := map[string]reachability.Party{}
	for _, name := range []string{"alertmanager", "prometheus", "grafana", "api"} {
		labels := workloadPodLabels(t, rec, name)
		parties[name] = reachability.Pod(name, namespace, labels, "10.244.0.10")
	}
	for _, p := range diagram.OutsideParties(namespace) {
		parties[p.Name] = p
	}
	parties["receiver-host"] = reachability.Address("receiver-host", "198.51.100.7")
	return reachability.New(policies), parties
}

// workloadPodLabels are the pod labels of a StatefulSet or Deployment.
func workloadPodLabels(t *testing.T, rec *stacktest.Record, name string) map[string]string {
	t.Helper()
	r, ok := rec.Object(stacktest.StatefulSetType, name)
	if !ok {
		r, ok = rec.Object(stacktest.DeploymentType, name)
	}
	require.True(t, ok, name)
	return stacktest.DecodeWorkload(t, r).Spec.Labels
}

func TestAlertmanagerReplicasGossipAndNotifyOnlyTheirReceivers(t *testing.T) {
	gossip := []reachability.Port{reachability.TCP(9094), reachability.UDP(9094)}
	t.Run("prod's replicas gossip with each other, and with no one else", func(t *testing.T) {
		engine, p := alertmanagerNetwork(t, "prod", nil)
		// Another replica of the same StatefulSet: the same labels, another address.
		other := p["alertmanager"]
		other.IP = "10.244.0.11"
		for _, port := range gossip {
			assert.True(t, engine.Allowed(p["alertmanager"], other, port), "alertmanager -> alertmanager:%s", port)
			for _, stranger := range []string{"prometheus", "grafana", "api", diagram.OtherNamespacePod} {
				assert.False(t, engine.Allowed(p[stranger], p["alertmanager"], port), "%s -> alertmanager:%s", stranger, port)
			}
		}
		assert.True(t, engine.Allowed(p["prometheus"], p["alertmanager"], reachability.TCP(9093)))
		for _, caller := range []string{"grafana", "api", diagram.IngressController, diagram.OtherNamespacePod} {
			assert.False(t, engine.Allowed(p[caller], p["alertmanager"], reachability.TCP(9093)), "%s -> alertmanager:9093", caller)
		}
	})
	t.Run("dev's lone replica gossips with no one", func(t *testing.T) {
		engine, p := alertmanagerNetwork(t, "dev", nil)
		other := p["alertmanager"]
		other.IP = "10.244.0.11"
		for _, port := range gossip {
			assert.False(t, engine.Allowed(p["alertmanager"], other, port), "alertmanager -> alertmanager:%s", port)
		}
	})
	everywhere := []string{diagram.InternetHost, "receiver-host", diagram.MetadataEndpoint, diagram.KubeAPIServer, diagram.OtherPrivateHost, diagram.ExternalPostgres}
	for _, tc := range []struct {
		name      string
		overrides map[string]string
		reaches   []string
	}{
		{"with no receiver, nothing leaves", nil, nil},
		{"a webhook and email reach any public address on 443 and the SMTP port", receiversConfigured, []string{diagram.InternetHost, "receiver-host"}},
		{"egressCIDRs narrow the receivers to their range", map[string]string{
			"alertWebhookUrl": "https://hooks.example.com/services/T0KEN",
			"monitoring":      `{"alertmanager": {"emailTo": "oncall@jdjones.com", "emailFrom": "alerts@jdjones.com", "smtpSmarthost": "smtp.example.com:587", "egressCIDRs": ["198.51.100.0/24"]}}`,
		}, []string{"receiver-host"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engine, p := alertmanagerNetwork(t, "prod", tc.overrides)
			for _, to := range everywhere {
				for _, port := range diagram.Ports {
					want := slices.Contains(tc.reaches, to) && (port == reachability.TCP(443) || port == reachability.TCP(587))
					assert.Equal(t, want, engine.Allowed(p["alertmanager"], p[to], port), "alertmanager -> %s:%s", to, port)
				}
			}
		})
	}
}

func TestConfiguredReceiversPassThePolicyPack(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, receiversConfigured)
			for _, f := range checks.Blocking(stacktest.Evaluate(rec, stack == "prod")) {
				t.Errorf("mandatory violation: %s", f)
			}
		})
	}
}
