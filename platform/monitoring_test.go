package platform

import (
	"slices"
	"strings"
	"testing"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/internal/diagram"
	"github.com/jdjones/jd-jones-rag-infra/internal/reachability"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// configMapFile is one file of a ConfigMap the program registers.
func configMapFile(t *testing.T, rec *stacktest.Record, name, file string) string {
	t.Helper()
	r, ok := rec.Object(stacktest.ConfigMapType, name)
	require.True(t, ok, "ConfigMap %s", name)
	var cm corev1.ConfigMap
	require.NoError(t, r.Decode(&cm))
	content, ok := cm.Data[file]
	require.True(t, ok, "ConfigMap %s has %s", name, file)
	return content
}

// decodedStatefulSet is a StatefulSet the program registers, decoded.
func decodedStatefulSet(t *testing.T, rec *stacktest.Record, name string) appsv1.StatefulSet {
	t.Helper()
	r, ok := rec.Object(stacktest.StatefulSetType, name)
	require.True(t, ok, "StatefulSet %s", name)
	var s appsv1.StatefulSet
	require.NoError(t, r.Decode(&s))
	return s
}

// envFieldPath is the field an env var of c takes from the downward API, or "".
func envFieldPath(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			return e.ValueFrom.FieldRef.FieldPath
		}
	}
	return ""
}

// prometheusFile is the part of prometheus.yml these tests read.
type prometheusFile struct {
	Global struct {
		ExternalLabels map[string]string `json:"external_labels"`
	} `json:"global"`
	RuleFiles []string `json:"rule_files"`
	Alerting  struct {
		AlertRelabelConfigs []map[string]string `json:"alert_relabel_configs"`
		Alertmanagers       []struct {
			DNSSDConfigs []struct {
				Names []string `json:"names"`
				Type  string   `json:"type"`
				Port  int      `json:"port"`
			} `json:"dns_sd_configs"`
		} `json:"alertmanagers"`
	} `json:"alerting"`
	ScrapeConfigs []struct {
		JobName string `json:"job_name"`
	} `json:"scrape_configs"`
}

func readPrometheusFile(t *testing.T, rec *stacktest.Record) prometheusFile {
	t.Helper()
	var f prometheusFile
	require.NoError(t, yaml.Unmarshal([]byte(configMapFile(t, rec, "prometheus-config", "prometheus.yml")), &f))
	return f
}

func TestPrometheusKeepsItsSeriesOnAClaimOfTheConfiguredSize(t *testing.T) {
	cases := []struct {
		stack, monitoring string
		replicas          int32
		class, size       string
		retention         []string
	}{
		{"dev", "", 1, "standard", "20Gi", []string{"--storage.tsdb.retention.time=15d", "--storage.tsdb.retention.size=17408MB"}},
		{"prod", "", 2, "gp3", "20Gi", []string{"--storage.tsdb.retention.time=15d", "--storage.tsdb.retention.size=17408MB"}},
		{"prod", `{"retention": "30d", "storageSize": "100Gi"}`, 2, "gp3", "100Gi", []string{"--storage.tsdb.retention.time=30d", "--storage.tsdb.retention.size=87040MB"}},
	}
	for _, tc := range cases {
		t.Run(tc.stack+" "+tc.monitoring, func(t *testing.T) {
			overrides := map[string]string{}
			if tc.monitoring != "" {
				overrides["monitoring"] = tc.monitoring
			}
			rec := runStack(t, tc.stack, overrides)
			_, isDeployment := rec.Object(stacktest.DeploymentType, "prometheus")
			assert.False(t, isDeployment, "Prometheus is no longer a Deployment")
			s := decodedStatefulSet(t, rec, "prometheus")
			assert.Equal(t, tc.replicas, *s.Spec.Replicas)
			assert.Equal(t, appsv1.ParallelPodManagement, s.Spec.PodManagementPolicy, "the replicas do not wait for one another")
			assert.Equal(t, "prometheus-headless", s.Spec.ServiceName)
			require.Len(t, s.Spec.VolumeClaimTemplates, 1)
			claim := s.Spec.VolumeClaimTemplates[0]
			assert.Equal(t, "prometheus-data", claim.Name)
			assert.Equal(t, tc.class, *claim.Spec.StorageClassName)
			size := claim.Spec.Resources.Requests[corev1.ResourceStorage]
			assert.Equal(t, tc.size, size.String())
			c := s.Spec.Template.Spec.Containers[0]
			for _, flag := range tc.retention {
				assert.Contains(t, c.Args, flag)
			}
			assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: "prometheus-data", MountPath: "/prometheus"})
			for _, v := range s.Spec.Template.Spec.Volumes {
				assert.NotEqual(t, "data", v.Name, "no emptyDir holds the series any more")
			}
		})
	}
}

func TestEachPrometheusReplicaLabelsItsSeriesWithItsPodName(t *testing.T) {
	for _, stack := range stacks {
		rec := runStack(t, stack, nil)
		f := readPrometheusFile(t, rec)
		// Prometheus 3 expands ${VAR} in external labels without a feature flag (config/config.go's Load).
		assert.Equal(t, map[string]string{"replica": "${POD_NAME}"}, f.Global.ExternalLabels, stack)
		c := decodedStatefulSet(t, rec, "prometheus").Spec.Template.Spec.Containers[0]
		assert.Equal(t, "metadata.name", envFieldPath(c, "POD_NAME"), "%s: POD_NAME is the pod's name", stack)
		for _, arg := range c.Args {
			assert.NotContains(t, arg, "--enable-feature", stack)
		}
		// The replicas' alerts differ only in the replica label; without it Alertmanager sees one alert.
		assert.Equal(t, []map[string]string{{"action": "labeldrop", "regex": "replica"}}, f.Alerting.AlertRelabelConfigs, stack)
	}
}

func TestPrometheusEvaluatesTheRulesAndAlertsEveryAlertmanager(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, nil)
			namespace := map[string]string{"dev": "jd-jones-rag-dev", "prod": "jd-jones-rag"}[stack]
			f := readPrometheusFile(t, rec)
			require.Len(t, f.Alerting.Alertmanagers, 1)
			require.Len(t, f.Alerting.Alertmanagers[0].DNSSDConfigs, 1)
			sd := f.Alerting.Alertmanagers[0].DNSSDConfigs[0]
			// An A lookup of the headless Service answers every replica's address.
			assert.Equal(t, []string{"alertmanager-headless." + namespace + ".svc"}, sd.Names)
			assert.Equal(t, "A", sd.Type)
			assert.Equal(t, 9093, sd.Port)
			svc, ok := rec.Object(stacktest.ServiceType, "alertmanager-headless")
			require.True(t, ok)
			var s corev1.Service
			require.NoError(t, svc.Decode(&s))
			assert.Equal(t, corev1.ClusterIPNone, s.Spec.ClusterIP)
			assert.Equal(t, "alertmanager", s.Spec.Selector["app.kubernetes.io/name"])
			assert.Equal(t, "alertmanager-headless", decodedStatefulSet(t, rec, "alertmanager").Spec.ServiceName)

			var jobs []string
			for _, j := range f.ScrapeConfigs {
				jobs = append(jobs, j.JobName)
			}
			assert.Contains(t, jobs, "alertmanager", "Prometheus scrapes the Alertmanagers too")

			// The rule file is the alerts helper's, mounted where rule_files looks.
			assert.Equal(t, []string{"/etc/prometheus-rules/*.yml"}, f.RuleFiles)
			rules := configMapFile(t, rec, "prometheus-rules", "alerts.yml")
			assert.True(t, strings.HasPrefix(strings.TrimSpace(rules), "#") || strings.HasPrefix(rules, "groups:"))
			assert.Contains(t, rules, "alert: TargetDown")
			pod := decodedStatefulSet(t, rec, "prometheus").Spec.Template
			assert.True(t, readsConfigMap(pod.Spec, "prometheus-rules"))
			assert.Contains(t, pod.Spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "rules", MountPath: "/etc/prometheus-rules"})
			assert.NotEmpty(t, pod.Annotations["checksum/prometheus-rules"])
		})
	}
}

func TestANewAlertThresholdRollsPrometheusAlone(t *testing.T) {
	annotations := func(rec *stacktest.Record) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, r := range stacktest.Workloads(rec) {
			out[r.ObjectName()] = stacktest.DecodeWorkload(t, r).Spec.Annotations
		}
		return out
	}
	before := annotations(runStack(t, "dev", nil))
	after := annotations(runStack(t, "dev", map[string]string{"monitoring": `{"alerts": {"apiErrorRatio": 0.1}}`}))
	assert.NotEqual(t, before["prometheus"]["checksum/prometheus-rules"], after["prometheus"]["checksum/prometheus-rules"])
	assert.Equal(t, before["prometheus"]["checksum/prometheus-config"], after["prometheus"]["checksum/prometheus-config"])
	for name, a := range before {
		if name != "prometheus" {
			assert.NotContains(t, a, "checksum/prometheus-rules", name)
		}
	}
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

// alertmanagerFile is the part of alertmanager.yml these tests read.
type alertmanagerFile struct {
	Route struct {
		Receiver string   `json:"receiver"`
		GroupBy  []string `json:"group_by"`
		Routes   []struct {
			Receiver string   `json:"receiver"`
			Matchers []string `json:"matchers"`
		} `json:"routes"`
	} `json:"route"`
	Receivers []struct {
		Name           string           `json:"name"`
		WebhookConfigs []map[string]any `json:"webhook_configs"`
		EmailConfigs   []map[string]any `json:"email_configs"`
	} `json:"receivers"`
	InhibitRules []struct {
		SourceMatchers []string `json:"source_matchers"`
		TargetMatchers []string `json:"target_matchers"`
		Equal          []string `json:"equal"`
	} `json:"inhibit_rules"`
}

func readAlertmanagerFile(t *testing.T, rec *stacktest.Record) alertmanagerFile {
	t.Helper()
	var f alertmanagerFile
	require.NoError(t, yaml.Unmarshal([]byte(configMapFile(t, rec, "alertmanager-config", "alertmanager.yml")), &f))
	return f
}

// receiversConfigured is a stack configuration with both receivers: the webhook and email with a password.
var receiversConfigured = map[string]string{
	"alertWebhookUrl":   "https://hooks.example.com/services/T0KEN-never-in-a-configmap",
	"alertSmtpPassword": "smtp-password-never-in-argv",
	"monitoring":        `{"alertmanager": {"emailTo": "oncall@jdjones.com", "emailFrom": "alerts@jdjones.com", "smtpSmarthost": "smtp.example.com:587"}}`,
}

func TestWithNoReceiverAlertsGoToTheNullReceiver(t *testing.T) {
	for _, stack := range stacks {
		rec := runStack(t, stack, nil)
		f := readAlertmanagerFile(t, rec)
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
	f := readAlertmanagerFile(t, rec)
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
	data := secretData(t, secret)
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
	f := readAlertmanagerFile(t, runStack(t, "dev", nil))
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
	for _, stack := range stacks {
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
	everywhere := []string{diagram.InternetHost, "receiver-host", diagram.MetadataEndpoint, diagram.KubeAPIServer, diagram.OtherPrivateHost, diagram.ManagedPostgres}
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
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, receiversConfigured)
			for _, f := range checks.Blocking(stacktest.Evaluate(rec, stack == "prod")) {
				t.Errorf("mandatory violation: %s", f)
			}
		})
	}
}
