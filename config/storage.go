package config

import (
	"slices"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Storage picks the storage classes and claim sizes.
type Storage struct {
	// ClassName is the ReadWriteOnce class of the data claims (required).
	ClassName string `json:"className"`
	// RWXClassName is the class of the shared ReadWriteMany claims; it must be listed in RWXCapableClasses.
	RWXClassName string `json:"rwxClassName"`
	// RWXCapableClasses are the classes this cluster's operators have verified support ReadWriteMany.
	RWXCapableClasses []string `json:"rwxCapableClasses"`
	// Sizes are the claims' capacities.
	Sizes ClaimSizes `json:"sizes"`
	// Uploads is where uploaded documents live: the uploads-data claim (the default) or an S3 bucket.
	Uploads Uploads `json:"uploads"`
}

// ClaimSizes are the capacities of the five claims of the review's inventory.
type ClaimSizes struct {
	// PostgresData is the in-cluster Postgres's claim; every size is a quantity of at least 1Gi.
	PostgresData string `json:"postgresData"`
	// RedisData is the in-cluster Redis's claim.
	RedisData string `json:"redisData"`
	// ChromaData is the in-cluster ChromaDB's claim.
	ChromaData string `json:"chromaData"`
	// ModelCache is the shared ReadWriteMany claim of downloaded models.
	ModelCache string `json:"modelCache"`
	// UploadsData is the shared ReadWriteMany claim of uploaded documents.
	UploadsData string `json:"uploadsData"`
}

// minClaim is the smallest data claim.
var minClaim = resource.MustParse("1Gi")

// validateStorage checks the storage classes and the claims' sizes.
func (c *Config) validateStorage(v *validator) {
	s := &c.Storage
	if s.ClassName == "" {
		v.refuse(&s.ClassName, "must name the ReadWriteOnce StorageClass of the data claims")
	}
	if !slices.Contains(s.RWXCapableClasses, s.RWXClassName) {
		v.refuse(&s.RWXClassName,
			"must be one of %s %q: the shared claims are ReadWriteMany and block storage classes cannot serve that", c.keyOf(&s.RWXCapableClasses), s.RWXCapableClasses)
	}
	for _, size := range fieldsOf[string](&s.Sizes) {
		if q, ok := v.quantity(size.value); ok && q.Cmp(minClaim) < 0 {
			v.refuse(size.value, "must be at least 1Gi: a data claim smaller than that is a typo (a unit missing or m for Mi)")
		}
	}
}
