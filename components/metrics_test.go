package components

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// metricCatalogue is monitoring/metrics.yml: the metrics the dashboards and rules may select.
type metricCatalogue struct {
	Sources []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Where   string `json:"where"`
		Scraped string `json:"scraped"`
		Metrics []struct {
			Name   string   `json:"name"`
			Type   string   `json:"type"`
			Labels []string `json:"labels"`
			Help   string   `json:"help"`
		} `json:"metrics"`
	} `json:"sources"`
}

// targetLabels are on every scraped series: the scrape job's and the app label scrape.go sets.
var targetLabels = []string{"__name__", "job", "instance", "app"}

// catalogued is one selectable series name: the metric it belongs to and the labels it may be matched on.
type catalogued struct {
	metric string
	labels []string
}

// loadCatalogue reads monitoring/metrics.yml into the series names it allows: a histogram's _bucket
// (with le), _sum and _count, every other metric by its name.
func loadCatalogue(t *testing.T) map[string]catalogued {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("monitoring", "metrics.yml"))
	require.NoError(t, err)
	var c metricCatalogue
	require.NoError(t, yaml.UnmarshalStrict(data, &c))
	out := map[string]catalogued{}
	for _, s := range c.Sources {
		require.NotEmpty(t, s.Version, "%s: version", s.Name)
		require.NotEmpty(t, s.Where, "%s: where it was read", s.Name)
		for _, m := range s.Metrics {
			require.NotContains(t, out, m.Name, "%s is catalogued once", m.Name)
			require.NotEmpty(t, m.Help, "%s: help", m.Name)
			labels := append(slices.Clone(targetLabels), m.Labels...)
			switch m.Type {
			case "histogram":
				out[m.Name+"_bucket"] = catalogued{m.Name, append(slices.Clone(labels), "le")}
				out[m.Name+"_sum"] = catalogued{m.Name, labels}
				out[m.Name+"_count"] = catalogued{m.Name, labels}
			case "counter", "gauge":
				out[m.Name] = catalogued{m.Name, labels}
			default:
				t.Fatalf("%s: type %q is not counter, gauge or histogram", m.Name, m.Type)
			}
		}
	}
	return out
}

// selectors are the vector selectors of a PromQL expression.
func selectors(t *testing.T, expr string) []*parser.VectorSelector {
	t.Helper()
	parsed, err := parser.ParseExpr(expr)
	require.NoError(t, err, "PromQL %q", expr)
	var out []*parser.VectorSelector
	parser.Inspect(parsed, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// checkAgainstCatalogue asserts every selector of expr names a catalogued metric and matches only
// labels it carries; it records the metrics used.
func checkAgainstCatalogue(t *testing.T, catalogue map[string]catalogued, used map[string]bool, where, expr string) {
	t.Helper()
	for _, vs := range selectors(t, expr) {
		name := vs.Name
		if name == "" {
			for _, m := range vs.LabelMatchers {
				if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
					name = m.Value
				}
			}
		}
		entry, ok := catalogue[name]
		if !assert.True(t, ok, "%s: %s selects %q, which monitoring/metrics.yml does not list", where, expr, name) {
			continue
		}
		used[entry.metric] = true
		for _, m := range vs.LabelMatchers {
			assert.Contains(t, entry.labels, m.Name, "%s: %s matches label %q, which %s does not carry", where, expr, m.Name, name)
		}
	}
}

// dashboard is the part of a Grafana dashboard the tests read.
type dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		Title      string `json:"title"`
		Type       string `json:"type"`
		Datasource *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestDashboardsAndAlertsSelectOnlyCataloguedMetrics(t *testing.T) {
	catalogue := loadCatalogue(t)
	used := map[string]bool{}

	dashboards, err := provisionedDashboards()
	require.NoError(t, err)
	require.Len(t, dashboards, 3, "the API, Celery, and Postgres and Redis dashboards")
	uids := map[string]bool{}
	for file, content := range dashboards {
		var d dashboard
		require.NoError(t, json.Unmarshal([]byte(content), &d), file)
		require.NotEmpty(t, d.UID, file)
		assert.False(t, uids[d.UID], "%s: uid %s is unique", file, d.UID)
		uids[d.UID] = true
		for _, p := range d.Panels {
			if p.Type == "text" {
				continue
			}
			require.NotNil(t, p.Datasource, "%s %q: datasource", file, p.Title)
			assert.Equal(t, "prometheus", p.Datasource.UID, "%s %q: the provisioned datasource", file, p.Title)
			require.NotEmpty(t, p.Targets, "%s %q: a query", file, p.Title)
			for _, target := range p.Targets {
				checkAgainstCatalogue(t, catalogue, used, file+" "+p.Title, target.Expr)
			}
		}
	}

	// dev runs every data service in the cluster, so its rule file holds every rule.
	for _, g := range renderedRules(t, stackConfig(t, "dev")).Groups {
		for _, r := range g.Rules {
			checkAgainstCatalogue(t, catalogue, used, "alert "+r.Alert, r.Expr)
		}
	}

	// The unit tests' input series are real series too.
	data, err := os.ReadFile(filepath.Join("monitoring", "alerts_test.yml"))
	require.NoError(t, err)
	var tests struct {
		Tests []struct {
			InputSeries []struct {
				Series string `json:"series"`
			} `json:"input_series"`
		} `json:"tests"`
	}
	require.NoError(t, yaml.Unmarshal(data, &tests))
	for _, test := range tests.Tests {
		for _, s := range test.InputSeries {
			checkAgainstCatalogue(t, catalogue, used, "alerts_test.yml", s.Series)
		}
	}

	for _, entry := range catalogue {
		assert.True(t, used[entry.metric], "%s is catalogued but no dashboard or rule selects it", entry.metric)
	}
}
