package objectid

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOneObjectHasOneIdentityWhateverTheSpelling(t *testing.T) {
	deployment := New("apps", "Deployment", "rag", "api")
	for _, tc := range []struct {
		name string
		id   ID
	}{
		{"a miscased kind", New("apps", "deployment", "rag", "api")},
		{"the old group that still serves it", New("extensions", "Deployment", "rag", "api")},
		{"the group of another version's apiVersion", New(GroupOf("apps/v1beta2"), "DEPLOYMENT", "rag", "api")},
	} {
		assert.Equal(t, deployment, tc.id, tc.name)
	}
	for _, tc := range []struct {
		name string
		id   ID
	}{
		{"another kind of the same name", New("apps", "StatefulSet", "rag", "api")},
		{"another namespace", New("apps", "Deployment", "other", "api")},
		{"another name", New("apps", "Deployment", "rag", "api2")},
		{"a custom group's kind of the same name", New("example.com", "Deployment", "rag", "api")},
	} {
		assert.NotEqual(t, deployment, tc.id, tc.name)
	}
	assert.Equal(t, New("networking.k8s.io", "NetworkPolicy", "", "").GroupKind(), New("extensions", "networkpolicy", "", "").GroupKind())
	assert.Equal(t, "", GroupOf("v1"), "the core group")
	assert.Equal(t, New("", "Event", "rag", "e"), New("events.k8s.io", "Event", "rag", "e"), "events.k8s.io serves the core Events")
}
