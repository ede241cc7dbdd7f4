package components

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// stackConfig loads a stack's committed configuration as the program sees it.
func stackConfig(t *testing.T, stack string) *config.Config {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	var c *config.Config
	_, err = stacktest.Run(stack, cfg, func(ctx *pulumi.Context) error {
		c, err = config.Load(ctx)
		return err
	})
	require.NoError(t, err)
	return c
}

// promtool runs promtool in dir and fails the test with its output when it fails.
func promtool(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(stacktest.RequireTool(t, "promtool"), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
}

// ruleFile is the part of a Prometheus rule file the tests read.
type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

// renderedRules renders and parses a stack's rule file.
func renderedRules(t *testing.T, c *config.Config) ruleFile {
	t.Helper()
	rules, err := alertRules(c)
	require.NoError(t, err)
	var f ruleFile
	require.NoError(t, yaml.UnmarshalStrict([]byte(rules), &f))
	return f
}

// alertNames are the alerts of a rule file, in order.
func alertNames(f ruleFile) []string {
	var names []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Alert)
		}
	}
	return names
}

func TestAlertRulesOfBothStacksPassPromtoolCheck(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			rules, err := alertRules(stackConfig(t, stack))
			require.NoError(t, err)
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts.yml"), []byte(rules), 0o600))
			promtool(t, dir, "check", "rules", "--lint=all", "--lint-fatal", "alerts.yml")
		})
	}
}

// unitTestConfig is the dev stack with the thresholds and claims monitoring/alerts_test.yml was written for.
func unitTestConfig(t *testing.T) *config.Config {
	t.Helper()
	c := stackConfig(t, "dev")
	c.Monitoring.Alerts = config.AlertThresholds{
		APIErrorRatio: 0.05, APILatencyP95Seconds: 2, CeleryQueueLength: 100, ConnectionsRatio: 0.8, VolumeFullRatio: 0.85,
	}
	c.Storage.Sizes.PostgresData, c.Storage.Sizes.RedisData = "10Gi", "1Gi"
	return c
}

func TestEveryAlertFiresWhenItShouldAndStaysSilentOtherwise(t *testing.T) {
	rules, err := alertRules(unitTestConfig(t))
	require.NoError(t, err)
	tests, err := os.ReadFile(filepath.Join("monitoring", "alerts_test.yml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts.yml"), []byte(rules), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts_test.yml"), tests, 0o600))
	promtool(t, dir, "test", "rules", "alerts_test.yml")
}

// unitTests is the part of a promtool unit-test file the tests read.
type unitTests struct {
	Tests []struct {
		Name          string `json:"name"`
		AlertRuleTest []struct {
			Alertname string `json:"alertname"`
			ExpAlerts []any  `json:"exp_alerts"`
		} `json:"alert_rule_test"`
	} `json:"tests"`
}

func TestEveryAlertHasAUnitTestOfBothOutcomes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("monitoring", "alerts_test.yml"))
	require.NoError(t, err)
	var tests unitTests
	require.NoError(t, yaml.Unmarshal(data, &tests))
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, test := range tests.Tests {
		for _, a := range test.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				silent[a.Alertname] = true
			}
		}
	}
	for _, name := range alertNames(renderedRules(t, unitTestConfig(t))) {
		assert.True(t, fires[name], "%s has a test where it fires", name)
		assert.True(t, silent[name], "%s has a test where it stays silent", name)
	}
}

func TestAlertsCarryTheLabelsRoutingAndInhibitionUse(t *testing.T) {
	services := []string{APIName, CeleryWorkerName, PostgresName, RedisName, ChromaName, PrometheusName, "alertmanager"}
	for _, stack := range []string{"dev", "prod"} {
		for _, g := range renderedRules(t, stackConfig(t, stack)).Groups {
			for _, r := range g.Rules {
				assert.Contains(t, []string{"critical", "warning"}, r.Labels["severity"], "%s: severity", r.Alert)
				assert.NotEmpty(t, r.Labels["service"], "%s: service", r.Alert)
				if !strings.Contains(r.Labels["service"], "{{") {
					assert.Contains(t, services, r.Labels["service"], "%s: service", r.Alert)
				}
				if down, ok := r.Labels["down"]; ok {
					assert.Equal(t, "true", down, "%s: down is true or absent", r.Alert)
					assert.Empty(t, r.Labels["depends_on"], "%s: a cause depends on nothing", r.Alert)
				}
				for _, s := range strings.Split(r.Labels["depends_on"], ",") {
					if s != "" {
						assert.Contains(t, services, s, "%s: depends_on", r.Alert)
					}
				}
				assert.NotEmpty(t, r.Annotations["summary"], "%s: summary", r.Alert)
				assert.NotEmpty(t, r.Annotations["description"], "%s: description", r.Alert)
				assert.NotEmpty(t, r.For, "%s: a for, so one bad scrape does not page", r.Alert)
			}
		}
	}
}

func TestAlertsFollowTheStacksThresholdsAndDataServices(t *testing.T) {
	c := stackConfig(t, "dev")
	c.Monitoring.Alerts = config.AlertThresholds{
		APIErrorRatio: 0.07, APILatencyP95Seconds: 1.5, CeleryQueueLength: 250, ConnectionsRatio: 0.9, VolumeFullRatio: 0.75,
	}
	c.Storage.Sizes.PostgresData = "30Gi"
	exprs := map[string]string{}
	for _, g := range renderedRules(t, c).Groups {
		for _, r := range g.Rules {
			exprs[r.Alert] = r.Expr
		}
	}
	for alert, want := range map[string]string{
		"APIHighErrorRatio":            "> 0.07",
		"APIHighLatencyP95":            "> 1.5",
		"CeleryQueueBacklog":           "> 250",
		"PostgresConnectionsNearLimit": "> 0.9",
		"RedisConnectionsNearLimit":    "> 0.9",
		"PostgresDataClaimFilling":     "/ 32212254720 > 0.75",
	} {
		assert.Contains(t, exprs[alert], want, alert)
	}
	// Every job found in DNS, not Prometheus's static self-scrape, nor ChromaDB, which is not scraped.
	for _, job := range []string{"api", "postgres", "redis"} {
		assert.Contains(t, exprs["TargetMissing"], `absent(up{job="`+job+`"})`)
	}
	assert.NotContains(t, exprs["TargetMissing"], `job="prometheus"`)
	assert.NotContains(t, exprs["TargetMissing"], `job="chromadb"`)

	// prod's Postgres and Redis are external endpoints, reported by exporters of their own under the same job
	// names: their rules and the Celery queue's apply, but those of claims they do not have.
	prodRules := renderedRules(t, stackConfig(t, "prod"))
	prod := alertNames(prodRules)
	for _, gone := range []string{"PostgresDataClaimFilling", "RedisDataClaimFilling"} {
		assert.NotContains(t, prod, gone)
	}
	for _, kept := range []string{"TargetDown", "TargetMissing", "APIHighErrorRatio", "APIHighLatencyP95", "PrometheusRuleEvaluationFailures",
		"PostgresDown", "PostgresConnectionsNearLimit", "RedisDown", "RedisConnectionsNearLimit", "CeleryQueueBacklog", "CeleryQueueNotDraining"} {
		assert.Contains(t, prod, kept)
	}
	for _, g := range prodRules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "TargetMissing" {
				for _, job := range []string{"postgres", "redis"} {
					assert.Contains(t, r.Expr, `absent(up{job="`+job+`"})`, "prod's exporters are scraped as job "+job)
				}
				assert.NotContains(t, r.Expr, "exporter", "the exporters' jobs are named after the service they measure")
			}
		}
	}
	assert.True(t, slices.Contains(alertNames(renderedRules(t, c)), "CeleryQueueNotDraining"))
}
