package stacktest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// AlertmanagerFile is the part of alertmanager.yml the tests read.
type AlertmanagerFile struct {
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

// ReadAlertmanagerFile is the alertmanager.yml of the alertmanager-config ConfigMap a record holds.
func ReadAlertmanagerFile(t *testing.T, rec *Record) AlertmanagerFile {
	t.Helper()
	var f AlertmanagerFile
	require.NoError(t, yaml.Unmarshal([]byte(ConfigMapFile(t, rec, "alertmanager-config", "alertmanager.yml")), &f))
	return f
}
