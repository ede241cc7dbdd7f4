package components

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// alertsTemplate is the platform's Prometheus rule file, with the stack's thresholds as template fields.
//
//go:embed monitoring/alerts.yml
var alertsTemplate string

// alertsFile is alertsTemplate parsed once. Its fields are delimited by [[ ]], so the {{ }} of
// Prometheus's own annotation templates pass through untouched.
var alertsFile = template.Must(template.New("alerts.yml").Delims("[[", "]]").Option("missingkey=error").Parse(alertsTemplate))

// alertValues are the thresholds as PromQL literals, the fields alerts.yml refers to.
type alertValues struct {
	APIErrorRatio, APILatencyP95Seconds, CeleryQueueLength, ConnectionsRatio, VolumeFullRatio string
}

// alertRules is the content of one Prometheus rule file (groups:) with the stack's alert thresholds;
// Prometheus loads it through rule_files, and the operator mode wraps it in a PrometheusRule.
func alertRules(c *config.Config) (string, error) {
	a := c.Monitoring.Alerts
	var out strings.Builder
	if err := alertsFile.Execute(&out, alertValues{
		APIErrorRatio:        config.FormatRatio(a.APIErrorRatio),
		APILatencyP95Seconds: config.FormatRatio(a.APILatencyP95Seconds),
		CeleryQueueLength:    strconv.Itoa(a.CeleryQueueLength),
		ConnectionsRatio:     config.FormatRatio(a.ConnectionsRatio),
		VolumeFullRatio:      config.FormatRatio(a.VolumeFullRatio),
	}); err != nil {
		return "", fmt.Errorf("alert rules: %w", err)
	}
	return out.String(), nil
}
