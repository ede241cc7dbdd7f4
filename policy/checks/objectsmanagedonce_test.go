package checks

import "testing"

// managedObject is an object of apiVersion and kind named name in namespace, registered as the Pulumi
// resource resource.
func managedObject(resource, apiVersion, kind, namespace, name string) string {
	return `
# pulumi name: ` + resource + `
apiVersion: ` + apiVersion + `
kind: ` + kind + `
metadata: {name: ` + name + `, namespace: ` + namespace + `}
`
}

func TestObjectsManagedOnce(t *testing.T) {
	const fix = "; keep one resource per object: remove the second one (an extraObjects entry, a manifest of a ConfigGroup) or change the object through the resource that creates it"
	platformConfig := managedObject("jd-jones-rag-foundation-config", "v1", "ConfigMap", "rag", "jd-jones-config")
	platformDeny := managedObject("jd-jones-rag-network-default-deny", "networking.k8s.io/v1", "NetworkPolicy", "rag", "default-deny-all")
	platformAPI := managedObject("jd-jones-rag-api-deployment", "apps/v1", "Deployment", "rag", "api")
	runTable(t, ObjectsManagedOnce, []checkCase{
		{name: "objects of the same name but another kind, or of another namespace, are distinct", manifests: []string{
			platformConfig, platformDeny,
			managedObject("extra-sa", "v1", "ServiceAccount", "rag", "jd-jones-config"),
			managedObject("extra-other-ns", "v1", "ConfigMap", "other", "jd-jones-config"),
			managedObject("extra-np-other-name", "networking.k8s.io/v1", "NetworkPolicy", "rag", "partner-egress"),
		}},
		{name: "the same object twice is refused", manifests: []string{
			platformConfig, managedObject("extra-config", "v1", "ConfigMap", "rag", "jd-jones-config"),
		}, want: []string{`ConfigMap "jd-jones-config": resource "extra-config" (kubernetes:core/v1:ConfigMap) is the object resource "jd-jones-rag-foundation-config" (kubernetes:core/v1:ConfigMap) already manages: ConfigMap "jd-jones-config" in namespace "rag"` + fix}},
		{name: "a miscased kind names the same object", manifests: []string{
			platformConfig, managedObject("extra-config", "v1", "Configmap", "rag", "jd-jones-config"),
		}, want: []string{`Configmap "jd-jones-config": resource "extra-config" (kubernetes:core/v1:Configmap) is the object resource "jd-jones-rag-foundation-config" (kubernetes:core/v1:ConfigMap) already manages: ConfigMap "jd-jones-config" in namespace "rag"` + fix}},
		{name: "another version of the same group names the same object", manifests: []string{
			platformAPI, managedObject("extra-api", "apps/v1beta2", "Deployment", "rag", "api"),
		}, want: []string{`Deployment "api": resource "extra-api" (kubernetes:apps/v1beta2:Deployment) is the object resource "jd-jones-rag-api-deployment" (kubernetes:apps/v1:Deployment) already manages: Deployment "api" in namespace "rag"` + fix}},
		{name: "an alias group names the same object", manifests: []string{
			platformDeny, managedObject("extra-deny", "extensions/v1beta1", "NetworkPolicy", "rag", "default-deny-all"),
		}, want: []string{`NetworkPolicy "default-deny-all": resource "extra-deny" (kubernetes:extensions/v1beta1:NetworkPolicy) is the object resource "jd-jones-rag-network-default-deny" (kubernetes:networking.k8s.io/v1:NetworkPolicy) already manages: NetworkPolicy "default-deny-all" in namespace "rag"` + fix}},
		{name: "a Patch of an object the stack creates is refused", manifests: []string{
			platformConfig, managedObject("extra-config-patch", "v1", "ConfigMapPatch", "rag", "jd-jones-config"),
		}, want: []string{`ConfigMapPatch "jd-jones-config": resource "extra-config-patch" (kubernetes:core/v1:ConfigMapPatch) patches ConfigMap "jd-jones-config" in namespace "rag", which resource "jd-jones-rag-foundation-config" (kubernetes:core/v1:ConfigMap) of the stack creates; change the object through the resource that creates it`}},
		{name: "a Patch of an object the stack does not create is left to the resource policies", manifests: []string{
			platformConfig, managedObject("coredns-patch", "v1", "ConfigMapPatch", "kube-system", "coredns"),
		}},
		{name: "the same object inside a yaml ConfigGroup is refused", manifests: []string{
			platformDeny,
			managedObject("extras-rag/default-deny-all", "networking.k8s.io/v1", "NetworkPolicy", "rag", "default-deny-all"),
			`
apiVersion: yaml/v1
kind: ConfigGroup
metadata: {name: extras}
`,
		}, want: []string{`NetworkPolicy "default-deny-all": resource "extras-rag/default-deny-all" (kubernetes:networking.k8s.io/v1:NetworkPolicy) is the object resource "jd-jones-rag-network-default-deny" (kubernetes:networking.k8s.io/v1:NetworkPolicy) already manages: NetworkPolicy "default-deny-all" in namespace "rag"` + fix}},
		{name: "an object of a kind the stack holds whose name is not known yet cannot be decided", manifests: []string{
			platformConfig, `
apiVersion: v1
kind: ConfigMap
metadata: {name: "<unknown>", namespace: rag}
`,
		}, undecided: []string{`ConfigMap "<unknown>": objects-managed-once cannot decide during preview: metadata.name is not known yet; it is checked again when the value is known`}},
	})
}
