package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnknownKeysAreRefusedNamingTheClosestKnownOne(t *testing.T) {
	err := CheckKeys([]string{
		"jd-jones-rag-infra:protectdata", "jd-jones-rag-infra:postgresPasword", "jd-jones-rag-infra:imagess",
		"jd-jones-rag-infra:somethingElseEntirely", "kubernetes:context", "jd-jones-rag-infra:domain",
	})
	var verr ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	assert.Equal(t, []string{"imagess", "postgresPasword", "protectdata", "somethingElseEntirely"}, verr.Keys())
	msg := err.Error()
	assert.Contains(t, msg, "config jd-jones-rag-infra:protectdata is not a key of this program; did you mean protectData?")
	assert.Contains(t, msg, "config jd-jones-rag-infra:postgresPasword is not a key of this program; did you mean postgresPassword?")
	assert.Contains(t, msg, "config jd-jones-rag-infra:imagess is not a key of this program; did you mean images?")
	assert.Contains(t, msg, "somethingElseEntirely is not a key of this program; the keys are environment, namespace")
	assert.NoError(t, CheckKeys(nil))
	assert.NoError(t, CheckKeysIn(""))
	assert.Error(t, CheckKeysIn(`{"jd-jones-rag-infra:namspace": "x"}`))
}
