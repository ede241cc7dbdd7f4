package components

import (
	"slices"
	"strconv"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// ObjectStorage is the name the flows give the S3 endpoint that holds the uploads when
// storage.uploads.mode is s3; the API and workers call it.
const ObjectStorage = "object-storage"

// The application contract of uploads in a bucket: the names the AWS SDKs read themselves (region,
// endpoint, access keys), and the two they have no standard variable for.
const (
	uploadsBackendEnv   = "UPLOADS_BACKEND"
	s3BucketEnv         = "S3_BUCKET"
	s3PathStyleEnv      = "S3_FORCE_PATH_STYLE"
	awsRegionEnv        = "AWS_REGION"
	awsS3EndpointEnv    = "AWS_ENDPOINT_URL_S3"
	awsAccessKeyIDEnv   = "AWS_ACCESS_KEY_ID"
	awsSecretAccessEnv  = "AWS_SECRET_ACCESS_KEY"
	uploadsDirectoryEnv = "UPLOADS_DIR"
)

// uploadsSettings are the settings of jd-jones-config that say where uploads live: the claim's mount
// path, or the bucket, its endpoint, region and addressing style.
func uploadsSettings(c *config.Config) map[string]string {
	u := c.Storage.Uploads
	if !u.OnS3() {
		return map[string]string{uploadsDirectoryEnv: uploadsPath}
	}
	return map[string]string{
		uploadsBackendEnv: config.UploadsOnS3,
		s3BucketEnv:       u.Bucket,
		awsS3EndpointEnv:  u.Endpoint,
		awsRegionEnv:      u.Region,
		s3PathStyleEnv:    strconv.FormatBool(u.PathStyle),
	}
}

// uploadsCredentials are the bucket's access key pair, by the env var each is read into; none on the
// claim or with workload identity.
func uploadsCredentials(c *config.Config) []appCredential {
	u := c.Storage.Uploads
	if !u.OnS3() || u.Credentials != config.S3CredentialsSecret {
		return nil
	}
	s := u.CredentialsSecret
	return []appCredential{
		{awsAccessKeyIDEnv, credential{secret: s.Name, key: s.AccessKeyIDKey}},
		{awsSecretAccessEnv, credential{secret: s.Name, key: s.SecretAccessKeyKey}},
	}
}

// uploadsCredentialsEnv reads the bucket's access keys through secretKeyRef into the API and workers.
func uploadsCredentialsEnv(c *config.Config) corev1.EnvVarArray {
	var env corev1.EnvVarArray
	for _, cred := range uploadsCredentials(c) {
		env = append(env, cred.credential.env(cred.env))
	}
	return env
}

// uploadsRollout adds the access keys' Secret, which the stack only reads, to Reloader's annotation of a
// pod template, so rotated keys roll the pods; the annotations are unchanged without such a Secret.
func uploadsRollout(c *config.Config, annotations pulumi.StringMap) pulumi.StringMap {
	creds := uploadsCredentials(c)
	if len(creds) == 0 {
		return annotations
	}
	var names []string
	if existing, ok := annotations[reloadAnnotation].(pulumi.String); ok && existing != "" {
		names = strings.Split(string(existing), ",")
	}
	if !slices.Contains(names, creds[0].credential.secret) {
		names = append(names, creds[0].credential.secret)
	}
	slices.Sort(names)
	return mergeAnnotations(annotations, pulumi.StringMap{reloadAnnotation: pulumi.String(strings.Join(names, ","))})
}

// objectStorageDestination is the uploads bucket's endpoint: its address ranges on the endpoint URL's
// port; nothing when uploads live on the claim.
func objectStorageDestination(c *config.Config) (reach, bool) {
	u := c.Storage.Uploads
	if !u.OnS3() {
		return reach{}, false
	}
	return reach{cidrs: u.CIDRs, ports: tcp(urlPort(u.Endpoint))}, true
}
