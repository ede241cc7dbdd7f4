package components

import (
	"fmt"
	"strconv"

	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// scrapeInterval is how often Prometheus scrapes and evaluates.
const scrapeInterval = "30s"

// prometheusFile is the part of Prometheus's configuration file the stack writes.
type prometheusFile struct {
	Global        prometheusGlobal `json:"global"`
	RuleFiles     []string         `json:"rule_files"`
	Alerting      alerting         `json:"alerting"`
	ScrapeConfigs []scrapeJob      `json:"scrape_configs"`
}

type prometheusGlobal struct {
	ScrapeInterval     string            `json:"scrape_interval"`
	EvaluationInterval string            `json:"evaluation_interval"`
	ExternalLabels     map[string]string `json:"external_labels"`
}

// alerting is where Prometheus sends alerts, and what it drops from them first.
type alerting struct {
	AlertRelabelConfigs []labelDrop       `json:"alert_relabel_configs"`
	Alertmanagers       []alertmanagerJob `json:"alertmanagers"`
}

type labelDrop struct {
	Action string `json:"action"`
	Regex  string `json:"regex"`
}

type alertmanagerJob struct {
	DNSSDConfigs []dnsLookup `json:"dns_sd_configs"`
}

// replicaLabel tells the Prometheus replicas' series apart; its value is the pod's name, which Prometheus
// reads from the environment (it expands ${VAR} in external labels by default since 3.0).
const replicaLabel = "replica"

// Where Prometheus reads its configuration and rule files.
const (
	prometheusConfigDir = "/etc/prometheus"
	// prometheusRulesDir is beside the configuration's directory, not inside it: a ConfigMap's read-only
	// volume cannot hold another volume's mount point.
	prometheusRulesDir = "/etc/prometheus-rules"
	alertRulesFile     = "alerts.yml"
)

// scrapeJob is one scrape_config: static targets or an A-record lookup, and the app label it sets.
type scrapeJob struct {
	JobName        string          `json:"job_name"`
	StaticConfigs  []staticTargets `json:"static_configs,omitempty"`
	DNSSDConfigs   []dnsLookup     `json:"dns_sd_configs,omitempty"`
	RelabelConfigs []relabel       `json:"relabel_configs,omitempty"`
}

type staticTargets struct {
	Targets []string `json:"targets"`
}

type dnsLookup struct {
	Names []string `json:"names"`
	Type  string   `json:"type"`
	Port  int      `json:"port"`
}

type relabel struct {
	TargetLabel string `json:"target_label"`
	Replacement string `json:"replacement"`
}

// prometheusConfig scrapes Prometheus itself and, for every peer with a metrics port, the pods behind its
// headless Service (an A lookup in the cluster DNS returns one address per ready pod), labelled app (an
// external service's exporter under the service's name, so its rules and dashboards apply). Each
// replica evaluates the alert rules and sends the alerts, without its replica label, to every Alertmanager
// replica it finds in the DNS: the replicas' alerts are then identical, and Alertmanager deduplicates them.
func prometheusConfig(c *config.Config) (string, error) {
	file := prometheusFile{
		Global: prometheusGlobal{
			ScrapeInterval: scrapeInterval, EvaluationInterval: scrapeInterval,
			ExternalLabels: map[string]string{replicaLabel: "${" + podNameEnv + "}"},
		},
		RuleFiles: []string{prometheusRulesDir + "/*.yml"},
		Alerting: alerting{
			AlertRelabelConfigs: []labelDrop{{Action: "labeldrop", Regex: replicaLabel}},
			Alertmanagers: []alertmanagerJob{{DNSSDConfigs: []dnsLookup{{
				Names: []string{fmt.Sprintf("%s.%s.svc", headlessServiceName(AlertmanagerName), c.Namespace)}, Type: "A", Port: alertmanagerPort,
			}}}},
		},
		ScrapeConfigs: []scrapeJob{{
			JobName:        PrometheusName,
			StaticConfigs:  []staticTargets{{Targets: []string{"localhost:" + strconv.Itoa(prometheusPort)}}},
			RelabelConfigs: []relabel{{TargetLabel: "app", Replacement: PrometheusName}},
		}},
	}
	for _, p := range peers(c) {
		if p.metricsPort == 0 {
			continue
		}
		file.ScrapeConfigs = append(file.ScrapeConfigs, scrapeJob{
			JobName:        p.scrapeJob(),
			DNSSDConfigs:   []dnsLookup{{Names: []string{fmt.Sprintf("%s.%s.svc", p.metricsService, c.Namespace)}, Type: "A", Port: p.metricsPort}},
			RelabelConfigs: []relabel{{TargetLabel: "app", Replacement: p.scrapeJob()}},
		})
	}
	out, err := yaml.Marshal(file)
	if err != nil {
		return "", fmt.Errorf("prometheus config: %w", err)
	}
	return string(out), nil
}
