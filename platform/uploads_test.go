package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// uploadsStorage is a stack's storage key with uploads set to the JSON object uploads.
func uploadsStorage(t *testing.T, stack, uploads string) string {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	storage := map[string]any{}
	if raw, ok := cfg[config.Project+":storage"]; ok {
		require.NoError(t, json.Unmarshal([]byte(raw), &storage))
	}
	var u any
	require.NoError(t, json.Unmarshal([]byte(uploads), &u))
	storage["uploads"] = u
	b, err := json.Marshal(storage)
	require.NoError(t, err)
	return string(b)
}

// s3Uploads is a bucket whose keys are in the Secret uploads-s3.
const s3Uploads = `{"mode": "s3", "bucket": "jd-jones-uploads", "endpoint": "https://s3.eu-west-1.amazonaws.com",
	"region": "eu-west-1", "cidrs": ["52.95.0.0/16"], "credentialsSecret": {"name": "uploads-s3"}}`

// appPod is the pod template of an application Deployment.
func appPod(t *testing.T, rec *stacktest.Record, name string) corev1.PodTemplateSpec {
	t.Helper()
	r, ok := rec.Object(stacktest.DeploymentType, name)
	require.True(t, ok, name)
	return stacktest.DecodeWorkload(t, r).Spec
}

func TestUploadsInABucketHaveNoClaimAndTheSDKsSettings(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, map[string]string{"storage": uploadsStorage(t, stack, s3Uploads)})
			_, claimed := rec.Object(stacktest.PVCType, "uploads-data")
			assert.False(t, claimed, "no uploads-data claim")
			_, cache := rec.Object(stacktest.PVCType, "model-cache")
			assert.True(t, cache, "the model cache keeps its claim")

			cm, ok := rec.Object(stacktest.ConfigMapType, "jd-jones-config")
			require.True(t, ok)
			var settings corev1.ConfigMap
			require.NoError(t, cm.Decode(&settings))
			for k, v := range map[string]string{
				"UPLOADS_BACKEND": "s3", "S3_BUCKET": "jd-jones-uploads", "AWS_ENDPOINT_URL_S3": "https://s3.eu-west-1.amazonaws.com",
				"AWS_REGION": "eu-west-1", "S3_FORCE_PATH_STYLE": "false",
			} {
				assert.Equal(t, v, settings.Data[k], k)
			}
			assert.NotContains(t, settings.Data, "UPLOADS_DIR", "no directory to write uploads to")

			for _, name := range []string{"api", "celery-worker"} {
				pod := appPod(t, rec, name)
				for _, v := range pod.Spec.Volumes {
					assert.NotEqual(t, "uploads-data", v.Name, "%s mounts no uploads claim", name)
				}
				env := pod.Spec.Containers[0].Env
				for envName, key := range map[string]string{"AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY"} {
					i := slices.IndexFunc(env, func(e corev1.EnvVar) bool { return e.Name == envName })
					require.GreaterOrEqual(t, i, 0, "%s reads %s", name, envName)
					require.NotNil(t, env[i].ValueFrom, "%s: %s from a Secret, never a literal", name, envName)
					assert.Equal(t, corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "uploads-s3"}, Key: key}, *env[i].ValueFrom.SecretKeyRef, name)
				}
				assert.Contains(t, strings.Split(pod.Annotations["secret.reloader.stakater.com/reload"], ","), "uploads-s3", "%s rolls when the keys rotate", name)
			}
			for _, name := range []string{"celery-beat", "external-portal"} {
				for _, e := range appPod(t, rec, name).Spec.Containers[0].Env {
					assert.NotEqual(t, "AWS_SECRET_ACCESS_KEY", e.Name, "%s does not read the bucket's keys", name)
				}
			}
		})
	}
}

func TestUploadsBucketIsReachedOnlyOnItsCIDRsAndPort(t *testing.T) {
	uploads := strings.Replace(s3Uploads, `"https://s3.eu-west-1.amazonaws.com"`, `"https://objects.example.com:9443"`, 1)
	rec := runStack(t, "prod", map[string]string{"storage": uploadsStorage(t, "prod", uploads)})
	bucketRule := func(rules []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicyEgressRule {
		for i, r := range rules {
			if len(r.To) == 1 && r.To[0].IPBlock != nil && r.To[0].IPBlock.CIDR == "52.95.0.0/16" {
				return &rules[i]
			}
		}
		return nil
	}
	for _, source := range []string{"api", "celery-worker"} {
		rule := bucketRule(stacktest.Egress(t, rec, "allow-from-"+source))
		require.NotNil(t, rule, "%s reaches the bucket's CIDRs", source)
		assert.Nil(t, rule.To[0].IPBlock.Except)
		require.Len(t, rule.Ports, 1)
		assert.Equal(t, 9443, rule.Ports[0].Port.IntValue(), "%s: only the endpoint's port", source)
		assert.Equal(t, corev1.ProtocolTCP, *rule.Ports[0].Protocol)
	}
	assert.Nil(t, bucketRule(stacktest.Egress(t, rec, "allow-from-celery-beat")), "beat does not reach the bucket")

	onClaim := runStack(t, "prod", nil)
	assert.Nil(t, bucketRule(stacktest.Egress(t, onClaim, "allow-from-api")), "no bucket, no rule")
}

func TestUploadsWithWorkloadIdentityReadNoKeys(t *testing.T) {
	uploads := strings.Replace(s3Uploads, `"credentialsSecret": {"name": "uploads-s3"}`, `"credentials": "workloadIdentity"`, 1)
	role := `{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/jd-jones-uploads"}`
	workloads := `{"api": {"pod": {"serviceAccountAnnotations": ` + role + `}}, "celeryWorker": {"pod": {"serviceAccountAnnotations": ` + role + `}}}`
	rec := runStack(t, "dev", map[string]string{"storage": uploadsStorage(t, "dev", uploads), "workloads": workloads})
	for _, name := range []string{"api", "celery-worker"} {
		pod := appPod(t, rec, name)
		for _, e := range pod.Spec.Containers[0].Env {
			assert.False(t, strings.HasPrefix(e.Name, "AWS_ACCESS") || strings.HasPrefix(e.Name, "AWS_SECRET"), "%s: no keys with workload identity, got %s", name, e.Name)
		}
		assert.Equal(t, name, pod.Spec.ServiceAccountName, "%s runs as its annotated ServiceAccount", name)
		sa, ok := rec.Object("kubernetes:core/v1:ServiceAccount", name)
		require.True(t, ok, name)
		var account corev1.ServiceAccount
		require.NoError(t, sa.Decode(&account))
		assert.Equal(t, "arn:aws:iam::123456789012:role/jd-jones-uploads", account.Annotations["eks.amazonaws.com/role-arn"], name)
	}
}

// TestSwitchingAProtectedStackToABucketLeavesItsClaimToPulumisProtection records what the engine is
// asked to do when a protectData stack switches uploads to s3: the program no longer registers the
// claim it registered with protect and retainOnDelete, so the engine plans its deletion and refuses it
// (resource "…uploads-data" cannot be deleted because it is protected): nothing is deleted. Once
// unprotected (pulumi state unprotect <urn>), retainOnDelete drops it from the state only, and the
// claim and its files stay in the cluster (docs/operations.md; tests/uploads_test.go does it for real).
func TestSwitchingAProtectedStackToABucketLeavesItsClaimToPulumisProtection(t *testing.T) {
	before := runStack(t, "prod", nil)
	var claim stacktest.Resource
	for _, r := range before.OfType(stacktest.PVCType) {
		if r.ObjectName() == "uploads-data" {
			claim = r
		}
	}
	require.NotEmpty(t, claim.URN, "prod has the claim")
	assert.True(t, claim.Protect, "protected: Pulumi refuses to delete it")
	assert.True(t, claim.RetainOnDelete, "retained: once unprotected, deleting it from the stack leaves it in the cluster")

	after := runStack(t, "prod", map[string]string{"storage": uploadsStorage(t, "prod", s3Uploads)})
	_, still := after.ByURN(claim.URN)
	assert.False(t, still, "the s3 program no longer registers the claim, so the engine plans its deletion, which protect refuses")
	for _, r := range after.OfType(stacktest.PVCType) {
		assert.True(t, r.Protect && r.RetainOnDelete, "%s stays protected", r.Name)
	}
}

// podEnv is a container's environment as the kubelet builds it: its envFrom ConfigMap's data, then its
// env, a secretKeyRef read from secrets (a Secret of the namespace, by name and key); references to
// Secrets the test does not hold are left out.
func podEnv(t *testing.T, rec *stacktest.Record, ctr corev1.Container, secrets map[string]map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, from := range ctr.EnvFrom {
		require.NotNil(t, from.ConfigMapRef, "envFrom reads only ConfigMaps")
		r, ok := rec.Object(stacktest.ConfigMapType, from.ConfigMapRef.Name)
		require.True(t, ok, from.ConfigMapRef.Name)
		var cm corev1.ConfigMap
		require.NoError(t, r.Decode(&cm))
		for k, v := range cm.Data {
			env[k] = v
		}
	}
	for _, e := range ctr.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			if v, ok := secrets[e.ValueFrom.SecretKeyRef.Name][e.ValueFrom.SecretKeyRef.Key]; ok {
				env[e.Name] = v
			}
		}
	}
	return env
}

func TestVersitygwServesTheBucketOnlyToTheRenderedSettings(t *testing.T) {
	gateway := stacktest.RequireTool(t, "versitygw")
	const accessKey, secretKey = "jdjonesuploads", "a-secret-access-key-of-the-test"
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "jd-jones-uploads"), 0o755), "posix: a folder is a bucket")
	port := stacktest.FreePort(t)
	stacktest.StartServer(t, gateway, "--access", accessKey, "--secret", secretKey, "--port", fmt.Sprintf("127.0.0.1:%d", port), "posix", "--nometa", root)

	uploads := fmt.Sprintf(`{"mode": "s3", "bucket": "jd-jones-uploads", "endpoint": "http://127.0.0.1:%d", "region": "us-east-1",
		"pathStyle": true, "cidrs": ["127.0.0.1/32"], "credentialsSecret": {"name": "uploads-s3", "accessKeyIdKey": "id", "secretAccessKeyKey": "secret"}}`, port)
	rec := runStack(t, "dev", map[string]string{"storage": uploadsStorage(t, "dev", uploads)})
	// The Secret the stack's operator creates in the namespace, as the API's env reads it.
	secrets := map[string]map[string]string{"uploads-s3": {"id": accessKey, "secret": secretKey}}
	env := podEnv(t, rec, appPod(t, rec, "api").Spec.Containers[0], secrets)
	require.Equal(t, accessKey, env["AWS_ACCESS_KEY_ID"])

	// The SDK reads AWS_REGION, AWS_ENDPOINT_URL_S3 and the keys from the environment itself; nothing of
	// the host's AWS configuration may help it.
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(root, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(root, "no-credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	client := func(cfg aws.Config) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = env["S3_FORCE_PATH_STYLE"] == "true" })
	}
	bucket, key, body := aws.String(env["S3_BUCKET"]), aws.String("docs/manual.pdf"), []byte("an uploaded document")

	_, err = client(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader(body)})
	require.NoError(t, err, "the rendered settings put an object")
	got, err := client(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
	require.NoError(t, err, "and get it")
	read, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	assert.Equal(t, body, read)

	refused := func(what, code string, cfg aws.Config) {
		t.Helper()
		_, err := client(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
		var apiErr smithy.APIError
		require.True(t, errors.As(err, &apiErr), "%s: refused by the server, got %v", what, err)
		assert.Equal(t, code, apiErr.ErrorCode(), what)
		_, err = client(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("intruder"), Body: bytes.NewReader(body)})
		assert.Error(t, err, "%s: cannot put", what)
	}
	anonymous := cfg.Copy()
	anonymous.Credentials = aws.AnonymousCredentials{}
	refused("without the credentials", "AccessDenied", anonymous)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
	wrong, err := awsconfig.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	refused("with a wrong secret key", "SignatureDoesNotMatch", wrong)
}

// The example's feature check: registered here, beside the feature's other tests.
func init() {
	exampleFeatures["uploads-s3"] = func(t *testing.T, e ranExample) {
		var storage config.Storage
		e.object(t, "storage", &storage)
		u := storage.Uploads
		require.Equal(t, config.UploadsOnS3, u.Mode)
		_, claimed := e.rec.Object(stacktest.PVCType, "uploads-data")
		assert.False(t, claimed, "no uploads claim")
		s := e.settings(t)
		assert.Equal(t, u.Bucket, s["S3_BUCKET"])
		assert.Equal(t, u.Endpoint, s["AWS_ENDPOINT_URL_S3"])
		assert.Equal(t, u.Region, s["AWS_REGION"])
		for _, name := range []string{"api", "celery-worker"} {
			pod := appPod(t, e.rec, name)
			assert.Equal(t, name, pod.Spec.ServiceAccountName, "%s assumes the bucket's role through its ServiceAccount", name)
			for _, env := range pod.Spec.Containers[0].Env {
				assert.NotEqual(t, "AWS_SECRET_ACCESS_KEY", env.Name, "%s: workload identity, no keys", name)
			}
			found := false
			for _, rule := range stacktest.Egress(t, e.rec, "allow-from-"+name) {
				found = found || len(rule.To) == 1 && rule.To[0].IPBlock != nil && rule.To[0].IPBlock.CIDR == u.CIDRs[0] && rule.Ports[0].Port.IntValue() == 443
			}
			assert.True(t, found, "%s reaches the endpoint's CIDRs on 443", name)
		}
	}
}

func TestThePackRefusesABucketKeyWrittenIntoThePodSpec(t *testing.T) {
	// The compliant twin is the example, which the pack passes (TestEveryExampleRunsPassesThePolicyPack…).
	file := filepath.Join(stacktest.RepoRoot(), "examples", "uploads-s3.yaml")
	e := runExample(t, file, "uploads-s3-with-a-literal-key")
	var resources []checks.Resource
	for _, r := range e.rec.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		if r.Type == stacktest.DeploymentType && r.ObjectName() == "api" {
			// A regression that writes the bucket's secret key into the pod spec instead of a secretKeyRef.
			inputs := r.Inputs.Copy()
			ctr := inputs["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()["containers"].ArrayValue()[0].ObjectValue()
			env := append(ctr["env"].ArrayValue(), presource.NewProperty(presource.PropertyMap{
				"name": presource.NewProperty("AWS_SECRET_ACCESS_KEY"), "value": presource.NewProperty("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
			}))
			ctr["env"] = presource.NewProperty(env)
			r.Inputs = inputs
		}
		res := checks.ResourceFromInputs(r.Type, r.Name, r.Inputs)
		res.URN, res.IgnoreChanges = r.URN, r.IgnoreChanges
		resources = append(resources, res)
	}
	blocking := checks.Blocking(checks.Evaluate(resources, checks.Options{Production: true}))
	require.Len(t, blocking, 1, "%v", blocking)
	assert.Equal(t, "no-literal-credentials", blocking[0].Policy)
	assert.Contains(t, blocking[0].Message, "AWS_SECRET_ACCESS_KEY")
}
