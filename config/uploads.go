package config

import (
	"net/url"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Uploads modes.
const (
	// UploadsOnClaim keeps uploaded documents on the shared ReadWriteMany claim uploads-data.
	UploadsOnClaim = "claim"
	// UploadsOnS3 keeps them in an S3-compatible bucket; the stack creates no uploads claim.
	UploadsOnS3 = "s3"
)

// Uploads credentials sources.
const (
	// S3CredentialsSecret reads the access key pair from a Secret of the namespace.
	S3CredentialsSecret = "secret"
	// S3WorkloadIdentity sets no keys: the cloud's workload identity, through the API's and the
	// celeryWorker's serviceAccountAnnotations, supplies them.
	S3WorkloadIdentity = "workloadIdentity"
)

// Uploads is where the API and the Celery workers keep uploaded documents: the shared claim, or a bucket
// of an S3-compatible object store.
type Uploads struct {
	// Mode is claim (the ReadWriteMany claim uploads-data) or s3 (a bucket: no claim, and the API and
	// workers reach only the endpoint's CIDRs on its port).
	Mode string `json:"mode" enum:"claim,s3"`
	// Bucket is the bucket's name (required with s3).
	Bucket string `json:"bucket"`
	// Endpoint is the S3 API's http(s) URL, such as https://s3.eu-west-1.amazonaws.com (required with
	// s3; https in prod); its port, explicit or the scheme's, is the one egress allows.
	Endpoint string `json:"endpoint"`
	// Region is the bucket's region (required with s3; us-east-1 for most S3-compatible servers).
	Region string `json:"region"`
	// PathStyle addresses the bucket in the URL's path instead of as a subdomain of the endpoint (most
	// S3-compatible servers need it).
	PathStyle bool `json:"pathStyle"`
	// Credentials is where the access keys come from with s3: secret (credentialsSecret) or
	// workloadIdentity (no keys; the API and celeryWorker need pod.serviceAccountAnnotations).
	Credentials string `json:"credentials" enum:"secret,workloadIdentity"`
	// CredentialsSecret is the Secret holding the access key pair, required when credentials is secret.
	CredentialsSecret AccessKeySecret `json:"credentialsSecret"`
	// CIDRs are the endpoint's address ranges, the only ones the API and workers may reach for it
	// (required with s3).
	CIDRs []string `json:"cidrs"`
}

// AccessKeySecret names a Secret of the namespace, managed outside this stack, and its two keys.
type AccessKeySecret struct {
	// Name is the Secret's name.
	Name string `json:"name"`
	// AccessKeyIDKey is the key holding the access key ID.
	AccessKeyIDKey string `json:"accessKeyIdKey"`
	// SecretAccessKeyKey is the key holding the secret access key.
	SecretAccessKeyKey string `json:"secretAccessKeyKey"`
}

// OnS3 reports whether uploads live in a bucket rather than on the uploads-data claim.
func (u Uploads) OnS3() bool { return u.Mode == UploadsOnS3 }

// defaultUploads keep uploads on the claim; a bucket's keys, once a Secret is named, are read from the
// keys the AWS SDKs' environment variables are named after.
func defaultUploads() Uploads {
	return Uploads{
		Mode:              UploadsOnClaim,
		Credentials:       S3CredentialsSecret,
		CredentialsSecret: AccessKeySecret{AccessKeyIDKey: "AWS_ACCESS_KEY_ID", SecretAccessKeyKey: "AWS_SECRET_ACCESS_KEY"},
	}
}

// validateUploads checks the mode and, for a bucket, its name, endpoint, region, address ranges and
// where its credentials come from.
func (c *Config) validateUploads(v *validator) {
	u := &c.Storage.Uploads
	if u.Credentials != S3CredentialsSecret && u.Credentials != S3WorkloadIdentity {
		v.refuse(&u.Credentials, "must be one of %s, %s", S3CredentialsSecret, S3WorkloadIdentity)
	}
	switch u.Mode {
	case UploadsOnClaim:
		// A bucket's settings without the mode would silently leave uploads on the claim.
		for _, field := range []*string{&u.Bucket, &u.Endpoint, &u.Region} {
			if *field != "" {
				v.refuse(field, "is only for %s s3; uploads stay on the uploads-data claim with mode %s", c.keyOf(&u.Mode), UploadsOnClaim)
			}
		}
		return
	case UploadsOnS3:
	default:
		v.refuse(&u.Mode, "must be one of %s, %s", UploadsOnClaim, UploadsOnS3)
		return
	}
	modeKey := c.keyOf(&u.Mode)
	if msgs := validation.IsDNS1123Subdomain(u.Bucket); len(msgs) > 0 || len(u.Bucket) < 3 || len(u.Bucket) > 63 {
		v.refuse(&u.Bucket, "must be the bucket's name when %s is s3: 3 to 63 lowercase letters, digits, dots and hyphens", modeKey)
	}
	endpoint, err := url.Parse(u.Endpoint)
	switch {
	case err != nil || (endpoint.Scheme != "https" && endpoint.Scheme != "http") || endpoint.Host == "" || endpoint.Path != "" && endpoint.Path != "/":
		v.refuse(&u.Endpoint, "must be the S3 API's http(s) URL without a path, such as https://s3.eu-west-1.amazonaws.com, when %s is s3", modeKey)
	case endpoint.Scheme != "https" && c.Environment.IsProduction():
		v.refuse(&u.Endpoint, "must be https in prod: access keys and customer documents must not cross the network in plaintext")
	}
	if u.Region == "" {
		v.fail(c.keyOf(&u.Region), nil, "is required when %s is s3: the bucket's region (us-east-1 for most S3-compatible servers)", modeKey)
	}
	if len(u.CIDRs) == 0 {
		v.fail(c.keyOf(&u.CIDRs), nil, "is required when %s is s3: the endpoint's address ranges, the only ones the API and workers may reach for it", modeKey)
	} else {
		v.cidrs(&u.CIDRs)
	}
	switch u.Credentials {
	case S3CredentialsSecret:
		s := &u.CredentialsSecret
		if msgs := validation.IsDNS1123Subdomain(s.Name); len(msgs) > 0 {
			v.refuse(&s.Name, "must name the Secret holding the access key pair when %s is %s", c.keyOf(&u.Credentials), S3CredentialsSecret)
		}
		for _, key := range []*string{&s.AccessKeyIDKey, &s.SecretAccessKeyKey} {
			if msgs := validation.IsConfigMapKey(*key); len(msgs) > 0 {
				v.refuse(key, "must be a key of that Secret")
			}
		}
	case S3WorkloadIdentity:
		if u.CredentialsSecret.Name != "" {
			v.refuse(&u.CredentialsSecret.Name, "is only for %s %s; workload identity reads no keys", c.keyOf(&u.Credentials), S3CredentialsSecret)
		}
		for _, pod := range []*map[string]string{&c.Workloads.API.Pod.ServiceAccountAnnotations, &c.Workloads.CeleryWorker.Pod.ServiceAccountAnnotations} {
			if len(*pod) == 0 {
				v.fail(c.keyOf(pod), nil, "is required when %s is %s: the annotations bind the workload's ServiceAccount to the cloud identity that may use the bucket", c.keyOf(&u.Credentials), S3WorkloadIdentity)
			}
		}
	}
}
