package config

import (
	"regexp"
	"strconv"
)

// Monitoring modes.
const (
	// Bundled runs the stack's own Prometheus, Alertmanager and Grafana.
	Bundled = "bundled"
	// Operator hands scraping and rules to a Prometheus Operator the cluster already runs.
	Operator = "operator"
)

// Monitoring configures metrics, alerting and their storage.
type Monitoring struct {
	// Mode is bundled (the stack's own Prometheus, Alertmanager and Grafana) or operator (monitors and
	// rules for a Prometheus Operator the cluster already runs).
	Mode string `json:"mode" enum:"bundled,operator"`
	// Retention is how long Prometheus keeps samples, as a Prometheus duration (15d).
	Retention string `json:"retention"`
	// StorageSize is the claim of each Prometheus replica, at least 1Gi; the size-based retention is
	// derived from it.
	StorageSize string `json:"storageSize"`
	// Alerts are the thresholds of the alerting rules.
	Alerts AlertThresholds `json:"alerts"`
	// Alertmanager routes notifications: a webhook (secret key alertWebhookUrl) and/or email.
	Alertmanager Alertmanager `json:"alertmanager"`
	// Operator is the cluster's Prometheus Operator's Prometheus, read in operator mode only.
	Operator OperatorPrometheus `json:"operator"`
}

// OperatorPrometheus is the Prometheus a cluster's Prometheus Operator runs, which scrapes the stack's
// monitors and evaluates its rules in operator mode.
type OperatorPrometheus struct {
	// Namespace is where its pods run; PodLabels select them (the NetworkPolicies admit them to the
	// metrics ports). Both are required in operator mode.
	Namespace string            `json:"namespace"`
	PodLabels map[string]string `json:"podLabels"`
	// SelectorLabels are the labels its serviceMonitorSelector, podMonitorSelector and ruleSelector match
	// (kube-prometheus-stack's default: release=<its release name>).
	SelectorLabels map[string]string `json:"selectorLabels"`
	// DashboardLabel labels the ConfigMaps of the platform's dashboards, which operator mode ships for
	// the Grafana dashboard sidecar beside that Prometheus (grafana_dashboard: "1" by default).
	DashboardLabel DashboardLabel `json:"dashboardLabel"`
}

// AlertThresholds are where the alerting rules fire.
type AlertThresholds struct {
	// APIErrorRatio is the share of API responses that may be 5xx over five minutes (0.05).
	APIErrorRatio float64 `json:"apiErrorRatio"`
	// APILatencyP95Seconds is the API's 95th percentile latency ceiling (2).
	APILatencyP95Seconds float64 `json:"apiLatencyP95Seconds"`
	// CeleryQueueLength is the backlog of the Celery queue that pages (100).
	CeleryQueueLength int `json:"celeryQueueLength"`
	// ConnectionsRatio is the share of Postgres's or Redis's connection limit in use that warns (0.8).
	ConnectionsRatio float64 `json:"connectionsRatio"`
	// VolumeFullRatio is the share of a data claim in use that warns (0.85).
	VolumeFullRatio float64 `json:"volumeFullRatio"`
}

// Alertmanager is where notifications go besides the webhook.
type Alertmanager struct {
	// EmailTo, EmailFrom and SMTPSmarthost (host:port) send email when EmailTo is set; the SMTP
	// password is the secret key alertSmtpPassword.
	EmailTo       string `json:"emailTo"`
	EmailFrom     string `json:"emailFrom"`
	SMTPSmarthost string `json:"smtpSmarthost"`
	// EgressCIDRs are the addresses of the webhook and SMTP endpoints; unset, any public address.
	EgressCIDRs []string `json:"egressCIDRs"`
}

// defaultMonitoring is both environments' monitoring.
func defaultMonitoring() Monitoring {
	return Monitoring{
		Mode: Bundled, Retention: "15d", StorageSize: "20Gi",
		Operator: OperatorPrometheus{DashboardLabel: defaultDashboardLabel()},
		Alerts: AlertThresholds{
			APIErrorRatio: 0.05, APILatencyP95Seconds: 2, CeleryQueueLength: 100,
			ConnectionsRatio: 0.8, VolumeFullRatio: 0.85,
		},
	}
}

// prometheusDuration is a Prometheus duration: units from milliseconds to years, largest first.
var prometheusDuration = regexp.MustCompile(`^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$`)

// validateMonitoring checks the mode, the storage and the thresholds.
func (c *Config) validateMonitoring(v *validator) {
	m := &c.Monitoring
	if m.Mode != Bundled && m.Mode != Operator {
		v.refuse(&m.Mode, "must be one of %s, %s", Bundled, Operator)
	}
	if m.Retention == "" || !prometheusDuration.MatchString(m.Retention) {
		v.refuse(&m.Retention, "must be a Prometheus duration such as 15d or 720h")
	}
	if q, ok := v.quantity(&m.StorageSize); ok && q.Cmp(minClaim) < 0 {
		v.refuse(&m.StorageSize, "must be at least 1Gi")
	}
	a := &m.Alerts
	for _, ratio := range []*float64{&a.APIErrorRatio, &a.ConnectionsRatio, &a.VolumeFullRatio} {
		if *ratio <= 0 || *ratio >= 1 {
			v.refuse(ratio, "must be a ratio between 0 and 1, e.g. 0.05")
		}
	}
	if a.APILatencyP95Seconds <= 0 {
		v.refuse(&a.APILatencyP95Seconds, "must be a positive number of seconds")
	}
	if a.CeleryQueueLength < 1 {
		v.refuse(&a.CeleryQueueLength, "must be at least 1")
	}
	if m.Mode == Operator {
		if m.Operator.Namespace == "" {
			v.refuse(&m.Operator.Namespace, "must name the namespace of the operator's Prometheus in operator mode")
		}
		if len(m.Operator.PodLabels) == 0 {
			v.refuse(&m.Operator.PodLabels, "must select the operator's Prometheus pods (e.g. app.kubernetes.io/name: prometheus) in operator mode")
		}
	}
	if len(m.Alertmanager.EgressCIDRs) > 0 {
		v.cidrs(&m.Alertmanager.EgressCIDRs)
	}
}

// FormatRatio prints a threshold as PromQL takes it.
func FormatRatio(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
