package platform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
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
	for _, stack := range stacks {
		for _, tc := range cases {
			t.Run(stack+" with "+tc.name, func(t *testing.T) {
				rec := runStack(t, stack, tc.overrides)
				content := configMapFile(t, rec, "alertmanager-config", "alertmanager.yml")
				out, err := checkAlertmanagerConfig(t, amtool, content)
				require.NoError(t, err, "amtool check-config:\n%s\n%s", out, content)
				assert.Contains(t, out, "SUCCESS")
				assert.Contains(t, out, " - "+strconv.Itoa(tc.receivers)+" receivers", out)
			})
		}
	}
	// The checker reads what it is given: a route to a receiver that does not exist is refused.
	content := configMapFile(t, runStack(t, "dev", nil), "alertmanager-config", "alertmanager.yml")
	broken := strings.Replace(content, `receiver: "null"`, "receiver: nobody", 1)
	require.NotEqual(t, content, broken)
	out, err := checkAlertmanagerConfig(t, amtool, broken)
	assert.Error(t, err, "amtool refuses a route to an undefined receiver:\n%s", out)
	assert.Contains(t, out, `undefined receiver "nobody"`)
}
