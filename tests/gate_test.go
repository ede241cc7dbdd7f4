package tests

import (
	"context"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apimetav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// withDanglingService is the platform program plus a ConfigMap and a Service whose selector matches no
// pod: the Service breaks service-selects-pods, a stack policy, which the engine runs only after an
// update's steps are applied.
func withDanglingService(namespace string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if err := platform.Program(ctx); err != nil {
			return err
		}
		meta := func(name string) metav1.ObjectMetaArgs {
			return metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: pulumi.String(namespace)}
		}
		if _, err := corev1.NewConfigMap(ctx, "gate-marker", &corev1.ConfigMapArgs{
			Metadata: meta("gate-marker"), Data: pulumi.StringMap{"applied": pulumi.String("yes")},
		}); err != nil {
			return err
		}
		_, err := corev1.NewService(ctx, "dangling", &corev1.ServiceArgs{
			Metadata: meta("dangling"),
			Spec: corev1.ServiceSpecArgs{
				Selector: pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("nothing-runs-this")},
				Ports:    corev1.ServicePortArray{corev1.ServicePortArgs{Port: pulumi.Int(80)}},
			},
		})
		return err
	}
}

// objectVersions are the names and resourceVersions of the objects an update of the stack could
// touch in its namespace, by kind.
func objectVersions(t *testing.T, c *cluster.Cluster, ns string) map[string]map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]map[string]string{}
	add := func(kind string, items []apimetav1.Object) {
		out[kind] = map[string]string{}
		for _, o := range items {
			out[kind][o.GetName()] = o.GetResourceVersion()
		}
	}
	cms, err := c.Client.CoreV1().ConfigMaps(ns).List(ctx, apimetav1.ListOptions{})
	require.NoError(t, err)
	add("ConfigMap", objects(cms.Items))
	svcs, err := c.Client.CoreV1().Services(ns).List(ctx, apimetav1.ListOptions{})
	require.NoError(t, err)
	add("Service", objects(svcs.Items))
	secrets, err := c.Client.CoreV1().Secrets(ns).List(ctx, apimetav1.ListOptions{})
	require.NoError(t, err)
	add("Secret", objects(secrets.Items))
	deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, apimetav1.ListOptions{})
	require.NoError(t, err)
	add("Deployment", objects(deps.Items))
	sets, err := c.Client.AppsV1().StatefulSets(ns).List(ctx, apimetav1.ListOptions{})
	require.NoError(t, err)
	add("StatefulSet", objects(sets.Items))
	nps, err := c.Client.NetworkingV1().NetworkPolicies(ns).List(ctx, apimetav1.ListOptions{})
	require.NoError(t, err)
	add("NetworkPolicy", objects(nps.Items))
	return out
}

// objects views a list's items through their metadata.
func objects[T any, P interface {
	*T
	apimetav1.Object
}](items []T) []apimetav1.Object {
	out := make([]apimetav1.Object, len(items))
	for i := range items {
		out[i] = P(&items[i])
	}
	return out
}

// assertStackPolicyGatesUp shows that a change breaking a stack policy is refused before it is applied:
// up fails, naming the policy, and the namespace holds exactly what it held before.
func assertStackPolicyGatesUp(t *testing.T, c *cluster.Cluster, stack, state string) {
	ns := namespaces[stack]
	before := objectVersions(t, c, ns)
	s := clusterSession(t, c, stack, state)
	s.Program = withDanglingService(ns)
	_, err := s.Up(context.Background(), nil)
	require.Error(t, err, "up of a change that breaks a stack policy")
	assert.Contains(t, err.Error(), "nothing was applied")
	assert.Contains(t, err.Error(), "service-selects-pods")
	assert.Equal(t, before, objectVersions(t, c, ns), "the namespace after the refused up")
}
