package config_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// withUploads loads a stack's committed configuration with storage.uploads set to the JSON object
// uploads, and other keys overridden whole.
func withUploads(t *testing.T, stack, uploads string, overrides map[string]string) (*config.Config, error) {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	src := config.MapSource{Values: map[string]string{}}
	for k, v := range cfg {
		src.Values[strings.TrimPrefix(k, config.Project+":")] = v
	}
	storage := map[string]any{}
	if raw, ok := src.Values["storage"]; ok {
		require.NoError(t, json.Unmarshal([]byte(raw), &storage))
	}
	var u any
	require.NoError(t, json.Unmarshal([]byte(uploads), &u))
	storage["uploads"] = u
	b, err := json.Marshal(storage)
	require.NoError(t, err)
	src.Values["storage"] = string(b)
	for k, v := range overrides {
		src.Values[k] = v
	}
	return config.LoadFrom(src)
}

// bucket is a valid s3 uploads object, completed by the fields of each case.
const bucket = `"mode": "s3", "bucket": "jd-jones-uploads", "endpoint": "https://s3.eu-west-1.amazonaws.com", "region": "eu-west-1", "cidrs": ["52.95.0.0/16"]`

func TestUploadsStayOnTheClaimUnlessSetToABucket(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		cfg, err := stacktest.StackConfig(stack)
		require.NoError(t, err)
		src := config.MapSource{Values: map[string]string{}}
		for k, v := range cfg {
			src.Values[strings.TrimPrefix(k, config.Project+":")] = v
		}
		c, err := config.LoadFrom(src)
		require.NoError(t, err)
		assert.Equal(t, config.UploadsOnClaim, c.Storage.Uploads.Mode, stack)
		assert.False(t, c.Storage.Uploads.OnS3(), stack)
	}
	c, err := withUploads(t, "prod", `{`+bucket+`, "credentialsSecret": {"name": "uploads-s3"}}`, nil)
	require.NoError(t, err)
	assert.True(t, c.Storage.Uploads.OnS3())
	assert.Equal(t, config.AccessKeySecret{Name: "uploads-s3", AccessKeyIDKey: "AWS_ACCESS_KEY_ID", SecretAccessKeyKey: "AWS_SECRET_ACCESS_KEY"},
		c.Storage.Uploads.CredentialsSecret, "the keys default to the SDKs' names")
}

func TestUploadsRefuseAnIncompleteBucket(t *testing.T) {
	annotated := `{"api": {"pod": {"serviceAccountAnnotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r"}}}}`
	cases := []struct {
		name, stack, uploads string
		overrides            map[string]string
		refused              []string
	}{
		{"an unknown mode is refused", "dev", `{"mode": "gcs"}`, nil,
			[]string{`config jd-jones-rag-infra:storage.uploads.mode = "gcs": must be one of claim, s3`}},
		{"a bucket needs its name, endpoint, region and address ranges", "dev", `{"mode": "s3", "credentialsSecret": {"name": "uploads-s3"}}`, nil, []string{
			`config jd-jones-rag-infra:storage.uploads.bucket = "": must be the bucket's name when storage.uploads.mode is s3: 3 to 63 lowercase letters, digits, dots and hyphens`,
			`config jd-jones-rag-infra:storage.uploads.endpoint = "": must be the S3 API's http(s) URL without a path, such as https://s3.eu-west-1.amazonaws.com, when storage.uploads.mode is s3`,
			`config jd-jones-rag-infra:storage.uploads.region is required when storage.uploads.mode is s3: the bucket's region (us-east-1 for most S3-compatible servers)`,
			`config jd-jones-rag-infra:storage.uploads.cidrs is required when storage.uploads.mode is s3: the endpoint's address ranges, the only ones the API and workers may reach for it`,
		}},
		{"a bucket without credentials is refused", "dev", `{` + bucket + `}`, nil,
			[]string{`config jd-jones-rag-infra:storage.uploads.credentialsSecret.name = "": must name the Secret holding the access key pair when storage.uploads.credentials is secret`}},
		{"an unknown credentials source is refused", "dev", `{` + bucket + `, "credentials": "instanceProfile"}`, nil,
			[]string{`config jd-jones-rag-infra:storage.uploads.credentials = "instanceProfile": must be one of secret, workloadIdentity`}},
		{"workload identity needs both workloads' ServiceAccount annotations", "dev", `{` + bucket + `, "credentials": "workloadIdentity"}`, map[string]string{"workloads": annotated},
			[]string{`config jd-jones-rag-infra:workloads.celeryWorker.pod.serviceAccountAnnotations is required when storage.uploads.credentials is workloadIdentity: the annotations bind the workload's ServiceAccount to the cloud identity that may use the bucket`}},
		{"keys must be keys of a Secret", "dev", `{` + bucket + `, "credentialsSecret": {"name": "uploads-s3", "accessKeyIdKey": "a key"}}`, nil,
			[]string{`config jd-jones-rag-infra:storage.uploads.credentialsSecret.accessKeyIdKey = "a key": must be a key of that Secret`}},
		{"the endpoint is a URL without a path", "dev", `{` + strings.Replace(bucket, `amazonaws.com"`, `amazonaws.com/jd-jones-uploads"`, 1) + `, "credentialsSecret": {"name": "uploads-s3"}}`, nil,
			[]string{`config jd-jones-rag-infra:storage.uploads.endpoint = "https://s3.eu-west-1.amazonaws.com/jd-jones-uploads": must be the S3 API's http(s) URL without a path, such as https://s3.eu-west-1.amazonaws.com, when storage.uploads.mode is s3`}},
		{"prod refuses a plaintext endpoint", "prod", `{` + strings.Replace(bucket, "https://", "http://", 1) + `, "credentialsSecret": {"name": "uploads-s3"}}`, nil,
			[]string{`config jd-jones-rag-infra:storage.uploads.endpoint = "http://s3.eu-west-1.amazonaws.com": must be https in prod: access keys and customer documents must not cross the network in plaintext`}},
		{"the address ranges may not be every address", "dev", `{` + strings.Replace(bucket, "52.95.0.0/16", "0.0.0.0/0", 1) + `, "credentialsSecret": {"name": "uploads-s3"}}`, nil,
			[]string{`config jd-jones-rag-infra:storage.uploads.cidrs = ["0.0.0.0/0"]: "0.0.0.0/0" is every address; list the endpoint's own ranges`}},
		{"a bucket without the mode is refused rather than ignored", "dev", `{"bucket": "jd-jones-uploads", "region": "eu-west-1"}`, nil, []string{
			`config jd-jones-rag-infra:storage.uploads.bucket = "jd-jones-uploads": is only for storage.uploads.mode s3; uploads stay on the uploads-data claim with mode claim`,
			`config jd-jones-rag-infra:storage.uploads.region = "eu-west-1": is only for storage.uploads.mode s3; uploads stay on the uploads-data claim with mode claim`,
		}},
		{"workload identity takes no Secret", "dev", `{` + bucket + `, "credentials": "workloadIdentity", "credentialsSecret": {"name": "uploads-s3"}}`,
			map[string]string{"workloads": `{"api": {"pod": {"serviceAccountAnnotations": {"a": "b"}}}, "celeryWorker": {"pod": {"serviceAccountAnnotations": {"a": "b"}}}}`},
			[]string{`config jd-jones-rag-infra:storage.uploads.credentialsSecret.name = "uploads-s3": is only for storage.uploads.credentials secret; workload identity reads no keys`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := withUploads(t, tc.stack, tc.uploads, tc.overrides)
			require.Error(t, err)
			assert.Equal(t, "invalid stack configuration:\n  - "+strings.Join(tc.refused, "\n  - "), err.Error())
		})
	}
}
