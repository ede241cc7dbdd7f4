package config

import (
	"errors"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// Images holds one image reference per container: repo:tag or repo@sha256:digest, never the tag latest.
type Images struct {
	// API is the FastAPI application's image.
	API string `json:"api"`
	// Worker is the Celery worker's and beat's image (the application's, by default the API's).
	Worker string `json:"worker"`
	// ExternalPortal is the customer support portal's image.
	ExternalPortal string `json:"externalPortal"`
	// InternalPortal is the employee portal's image.
	InternalPortal string `json:"internalPortal"`
	// Postgres is the in-cluster database's image (with pgvector).
	Postgres string `json:"postgres"`
	// PostgresExporter is the Prometheus exporter of Postgres's metrics.
	PostgresExporter string `json:"postgresExporter"`
	// Redis is the in-cluster Redis's image.
	Redis string `json:"redis"`
	// RedisExporter is the Prometheus exporter of Redis's metrics.
	RedisExporter string `json:"redisExporter"`
	// Chroma is the in-cluster ChromaDB's image.
	Chroma string `json:"chroma"`
	// Prometheus is the bundled Prometheus's image.
	Prometheus string `json:"prometheus"`
	// Grafana is the bundled Grafana's image.
	Grafana string `json:"grafana"`
	// Alertmanager is the bundled Alertmanager's image.
	Alertmanager string `json:"alertmanager"`
	// ChromaProxy is the token-checking nginx in front of ChromaDB (an image that runs as non-root).
	ChromaProxy string `json:"chromaProxy"`
	// Kubectl runs the volume snapshot job (a shell and kubectl).
	Kubectl string `json:"kubectl"`
}

// validateImages checks that every image is pinned.
func (c *Config) validateImages(v *validator) {
	for _, image := range sortedFieldsOf[string](&c.Images) {
		if problem := ImageProblem(*image.value); problem != "" {
			v.refuse(image.value, "%s", problem)
		}
	}
}

// ImageProblem explains why ref is not a pinned image reference, or returns "".
func ImageProblem(ref string) string {
	const needsPin = "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"
	if strings.ContainsAny(ref, " \t") {
		return "must not contain spaces"
	}
	parsed, err := imageref.Parse(ref)
	switch {
	case errors.Is(err, imageref.ErrEmpty):
		return "must be an image reference repo:tag or repo@sha256:digest"
	case errors.Is(err, imageref.ErrDigest), err == nil && parsed.Digest != "" && !strings.HasPrefix(parsed.Digest, "sha256:"):
		return "digest must be @sha256: followed by 64 hex characters"
	case errors.Is(err, imageref.ErrTag) && imageref.Split(ref).Tag == "":
		return needsPin
	case err != nil:
		return err.Error()
	case parsed.Digest != "":
		return ""
	case parsed.Tag == "":
		return needsPin
	case parsed.Tag == "latest":
		return "must not use the mutable tag latest; pin a version tag or digest"
	}
	return ""
}
