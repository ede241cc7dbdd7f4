package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadDev loads a valid dev stack with the given keys added or replaced, the keys of secret set as secrets.
func loadDev(set map[string]string, secret ...string) error {
	src := MapSource{Values: map[string]string{
		"environment": "dev", "namespace": "rag", "domain": "example.com", "kubernetesVersion": "v1.34",
		"ingress": `{"clusterIssuer": "x"}`, "llm": `{"provider": "ollama"}`,
	}, Secrets: map[string]bool{}}
	for k, v := range set {
		src.Values[k] = v
	}
	for _, k := range secret {
		src.Secrets[k] = true
	}
	_, err := LoadFrom(src)
	return err
}

// refused is the message of a ValidationError of these lines.
func refused(lines ...string) string {
	msg := "invalid stack configuration:"
	for _, l := range lines {
		msg += "\n  - config jd-jones-rag-infra:" + l
	}
	return msg
}

func TestAValueThatDoesNotFitItsFieldIsNamedByItsFullKey(t *testing.T) {
	cases := []struct {
		name, key, value string
		want             []string
	}{
		{"a misspelt nested field names its path and the closest field", "workloads", `{"api": {"minReplica": 2}}`,
			[]string{"workloads.api.minReplica is not a field of workloads.api; did you mean minReplicas?"}},
		{"a field spelt in another case is refused, suggesting the right case", "workloads", `{"api": {"MinReplicas": 2}}`,
			[]string{"workloads.api.MinReplicas is not a field of workloads.api; did you mean minReplicas?"}},
		{"a field close to none lists the fields of its object", "postgres", `{"tls": {"verify": true}}`,
			[]string{"postgres.tls.verify is not a field of postgres.tls; the fields are enabled, ca"}},
		{"a field of a list's element names the element", "workloads", `{"api": {"pod": {"envFrom": [{"configMap": "a"}, {"secrets": "b"}]}}}`,
			[]string{"workloads.api.pod.envFrom[1].secrets is not a field of workloads.api.pod.envFrom[1]; did you mean secret?"}},
		{"a word where a count belongs names the type in the stack file's words", "workloads", `{"api": {"minReplicas": "two"}}`,
			[]string{`workloads.api.minReplicas = "two": must be an integer`}},
		{"a fraction where a count belongs is refused", "workloads", `{"celeryWorker": {"maxReplicas": 2.5}}`,
			[]string{"workloads.celeryWorker.maxReplicas = 2.5: must be an integer"}},
		{"a bare number where a string belongs says to quote it", "workloads", `{"api": {"resources": {"requests": {"cpu": 1}}}}`,
			[]string{`workloads.api.resources.requests.cpu = 1: must be a string (in YAML, quote it: "1")`}},
		{"a word where a switch belongs says true or false", "postgres", `{"tls": {"enabled": "yes"}}`,
			[]string{`postgres.tls.enabled = "yes": must be a boolean (true or false)`}},
		{"a word where a ratio belongs asks for a number", "monitoring", `{"alerts": {"apiErrorRatio": "5%"}}`,
			[]string{`monitoring.alerts.apiErrorRatio = "5%": must be a number`}},
		{"a string where a list belongs", "storage", `{"rwxCapableClasses": "nfs-client"}`,
			[]string{`storage.rwxCapableClasses = "nfs-client": must be a list of strings`}},
		{"an entry of a map names its key", "workloads", `{"api": {"pod": {"env": {"WORKERS": 4}}}}`,
			[]string{`workloads.api.pod.env.WORKERS = 4: must be a string (in YAML, quote it: "4")`}},
		{"a list where an object belongs at the top", "images", `["nginx:1.27"]`,
			[]string{`images = ["nginx:1.27"]: must be an object`}},
		{"a plain string where an object belongs at the top", "images", `nginx:1.27`,
			[]string{`images = "nginx:1.27": must be an object`}},
		{"a value that is not JSON says so", "workloads", `{"api": `,
			[]string{`workloads = "{\"api\": ": must be an object, and is not valid JSON: unexpected EOF`}},
		{"a long value is cut", "ingress", `{"portalSourceRanges": {"office": "203.0.113.0/24", "vpn": "198.51.100.16/28", "home": "192.0.2.0/24"}}`,
			[]string{`ingress.portalSourceRanges = {"home":"192.0.2.0/24","office":"203.0.113.0/24","vpn":"198…: must be a list of strings`}},
		{"every problem is named at once, in the order of the keys", "workloads", `{"api": {"pod": {"zzz": 1, "labels": ["x"]}, "minReplicas": "1"}}`,
			[]string{
				`workloads.api.minReplicas = "1": must be an integer`,
				`workloads.api.pod.labels = ["x"]: must be a map of string to string`,
				"workloads.api.pod.zzz is not a field of workloads.api.pod; the fields are env, envFrom, nodeSelector, tolerations, affinity, topologySpread, priorityClassName, imagePullSecrets, annotations, labels, serviceAccountAnnotations, volumes, volumeMounts, sidecars",
			}},
		{"a misspelt toleration field names its path in the pod options", "workloads", `{"celeryWorker": {"pod": {"tolerations": [{"key": "gpu", "tolerationSecond": 60}]}}}`,
			[]string{"workloads.celeryWorker.pod.tolerations[0].tolerationSecond is not a field of workloads.celeryWorker.pod.tolerations[0]; did you mean tolerationSeconds?"}},
		{"a toleration's seconds must be a count", "workloads", `{"celeryWorker": {"pod": {"tolerations": [{"tolerationSeconds": "60"}]}}}`,
			[]string{`workloads.celeryWorker.pod.tolerations[0].tolerationSeconds = "60": must be an integer`}},
		{"tolerations are a list", "workloads", `{"api": {"pod": {"tolerations": {"key": "gpu"}}}}`,
			[]string{`workloads.api.pod.tolerations = {"key":"gpu"}: must be a list of objects`}},
		{"a deep affinity value names every step of its path", "workloads", `{"api": {"pod": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "In", "values": "a100"}]}]}}}}}}`,
			[]string{`workloads.api.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values = "a100": must be a list of strings`}},
		{"a skew beyond the API's 32 bits gives the range", "workloads", `{"api": {"pod": {"topologySpread": [{"maxSkew": 3000000000, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]}}}`,
			[]string{"workloads.api.pod.topologySpread[0].maxSkew = 3000000000: must be an integer between -2147483648 and 2147483647"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.EqualError(t, loadDev(map[string]string{tc.key: tc.value}), refused(tc.want...))
		})
	}
}

func TestASecretKeysBadValueIsNamedWithoutShowingIt(t *testing.T) {
	cases := []struct {
		name, key, value string
		want             []string
	}{
		{"an unknown field is not named, as it may be a pasted value", "postgres", `{"mode": "external", "hots": "hunter2"}`,
			[]string{"postgres = [secret]: has an unknown field (not named: the key is a secret); the fields are mode, host, port, database, user, passwordSecret, cidrs, tls"}},
		{"a value of the wrong type is named by its key, not shown", "postgres", `{"port": "hunter2"}`,
			[]string{"postgres.port = [secret]: must be an integer"}},
		{"a key the author wrote is not shown either", "externalSecrets", `{"keys": {"hunter2": {"postgres-password": 3}}}`,
			[]string{"externalSecrets.keys = [secret]: holds a value that must be a string"}},
		{"a value that is not JSON is not shown", "postgres", `{"hunter2`,
			[]string{"postgres = [secret]: must be an object, and is not valid JSON"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := loadDev(map[string]string{tc.key: tc.value}, tc.key)
			assert.EqualError(t, err, refused(tc.want...))
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestNullLeavesAFieldAtItsDefault(t *testing.T) {
	c, err := loadDevWithWorkloads(`{"api": {"minReplicas": null, "pod": {"tolerations": null}}}`)
	require.NoError(t, err)
	assert.Equal(t, Defaults(Dev).Workloads.API.MinReplicas, c.Workloads.API.MinReplicas)
}

func TestPlacementNamesTheOptionsPathWhenDecodingFails(t *testing.T) {
	// The components decode placement themselves: their errors speak the same language.
	o := PodOptions{
		Tolerations: []map[string]any{{"key": "gpu", "tolerationSeconds": "60"}},
		Affinity:    map[string]any{"nodeAfinity": map[string]any{}},
	}
	_, errs := o.Placement()
	require.Len(t, errs, 2)
	assert.EqualError(t, errs["tolerations"], `tolerations[0].tolerationSeconds = "60": must be an integer`)
	assert.EqualError(t, errs["affinity"], "affinity.nodeAfinity is not a field of affinity; did you mean nodeAffinity?")
}

func TestSuggestionsPreferAMatchThatDiffersOnlyInCase(t *testing.T) {
	best, ok := nearest("maxreplicas", []string{"minReplicas", "maxReplicas"})
	assert.True(t, ok)
	assert.Equal(t, "maxReplicas", best)
	_, ok = nearest("somethingElseEntirely", []string{"minReplicas", "maxReplicas"})
	assert.False(t, ok, "nothing close is suggested")
}
