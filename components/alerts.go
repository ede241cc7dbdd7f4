package components

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// alertsTemplate is the platform's Prometheus rule file, with the stack's thresholds as template fields.
//
//go:embed monitoring/alerts.yml
var alertsTemplate string

// alertsFile is alertsTemplate parsed once. Its fields are delimited by [[ ]], so the {{ }} of
// Prometheus's own annotation templates pass through untouched.
var alertsFile = template.Must(template.New("alerts.yml").Delims("[[", "]]").Option("missingkey=error").Parse(alertsTemplate))

// alertValues are the fields alerts.yml refers to, each a PromQL literal or expression.
type alertValues struct {
	// The thresholds of monitoring.alerts.
	APIErrorRatio, APILatencyP95Seconds, CeleryQueueLength, ConnectionsRatio, VolumeFullRatio string
	// MissingTargets has a series per scrape job found in DNS that has no target at all.
	MissingTargets string
	// Postgres and Redis are set whenever an exporter reports them: beside them in the cluster, or as a
	// Deployment of its own for an external endpoint.
	Postgres, Redis bool
	// PostgresClaimBytes and RedisClaimBytes are their data claims' capacities; empty for an external
	// endpoint, which has no claim (its provider's monitoring covers its storage).
	PostgresClaimBytes, RedisClaimBytes string
}

// alertRules is the content of one Prometheus rule file (groups:) with the stack's alert thresholds;
// Prometheus loads it through rule_files, and the operator mode wraps it in a PrometheusRule.
func alertRules(c *config.Config) (string, error) {
	a := c.Monitoring.Alerts
	values := alertValues{
		APIErrorRatio:        config.FormatRatio(a.APIErrorRatio),
		APILatencyP95Seconds: config.FormatRatio(a.APILatencyP95Seconds),
		CeleryQueueLength:    strconv.Itoa(a.CeleryQueueLength),
		ConnectionsRatio:     config.FormatRatio(a.ConnectionsRatio),
		VolumeFullRatio:      config.FormatRatio(a.VolumeFullRatio),
		MissingTargets:       missingTargets(c),
		Postgres:             exported(c, PostgresName),
		Redis:                exported(c, RedisName),
	}
	var err error
	if !c.Postgres.IsExternal() {
		if values.PostgresClaimBytes, err = claimBytes(c.Storage.Sizes.PostgresData); err != nil {
			return "", fmt.Errorf("alert rules: postgres claim: %w", err)
		}
	}
	if !c.Redis.IsExternal() {
		if values.RedisClaimBytes, err = claimBytes(c.Storage.Sizes.RedisData); err != nil {
			return "", fmt.Errorf("alert rules: redis claim: %w", err)
		}
	}
	var out strings.Builder
	if err := alertsFile.Execute(&out, values); err != nil {
		return "", fmt.Errorf("alert rules: %w", err)
	}
	return out.String(), nil
}

// missingTargets is an expression with one series, labelled job, per scrape job found in the cluster DNS
// that has no target: the jobs of prometheusConfig other than Prometheus's own static one.
func missingTargets(c *config.Config) string {
	var absent []string
	for _, p := range peers(c) {
		if p.metricsPort != 0 {
			absent = append(absent, fmt.Sprintf("absent(up{job=%q})", p.scrapeJob()))
		}
	}
	return strings.Join(absent, " or ")
}

// exported says whether Prometheus scrapes an exporter of the service, in the cluster or external.
func exported(c *config.Config, service string) bool {
	for _, p := range peers(c) {
		if p.metricsPort != 0 && p.scrapeJob() == service {
			return true
		}
	}
	return false
}

// claimBytes is a claim's capacity in bytes, as PromQL takes it.
func claimBytes(size string) (string, error) {
	q, err := resource.ParseQuantity(size)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(q.Value(), 10), nil
}
