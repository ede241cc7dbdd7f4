package checks

import "testing"

func TestDeprecatedAPIVersions(t *testing.T) {
	runTable(t, DeprecatedAPIVersions, []checkCase{
		{name: "current api versions pass", manifests: []string{
			"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n",
			"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\n",
			"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: reindex}\n",
			"apiVersion: example.com/v1beta1\nkind: Widget\nmetadata: {name: w}\n",
		}},
		{name: "an extensions/v1beta1 ingress is flagged", manifests: []string{
			"apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n",
		}, want: []string{`Ingress "web": apiVersion extensions/v1beta1 was removed in Kubernetes 1.22 (the cluster runs 1.34), so the API server refuses it; use networking.k8s.io/v1`}},
		{name: "policy/v1beta1 budgets, batch/v1beta1 cronjobs and autoscaling/v2beta2 are flagged", manifests: []string{
			"apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: api}\n",
			"apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: reindex}\n",
			"apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\n",
			"apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: fs}\n",
		}, want: []string{
			`PodDisruptionBudget "api": apiVersion policy/v1beta1 was removed in Kubernetes 1.25 (the cluster runs 1.34), so the API server refuses it; use policy/v1`,
			`CronJob "reindex": apiVersion batch/v1beta1 was removed in Kubernetes 1.25 (the cluster runs 1.34), so the API server refuses it; use batch/v1`,
			`HorizontalPodAutoscaler "api": apiVersion autoscaling/v2beta2 was removed in Kubernetes 1.26 (the cluster runs 1.34), so the API server refuses it; use autoscaling/v2`,
			`FlowSchema "fs": apiVersion flowcontrol.apiserver.k8s.io/v1beta3 was removed in Kubernetes 1.32 (the cluster runs 1.34), so the API server refuses it; use flowcontrol.apiserver.k8s.io/v1`,
		}},
		{name: "an older cluster sees a deprecated version, not a removed one", config: map[string]any{"kubernetesVersion": "1.30"}, manifests: []string{
			"apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: fs}\n",
			"apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: reindex}\n",
		}, want: []string{
			`FlowSchema "fs": apiVersion flowcontrol.apiserver.k8s.io/v1beta3 is deprecated since Kubernetes 1.29 and removed in 1.32; use flowcontrol.apiserver.k8s.io/v1`,
			`CronJob "reindex": apiVersion batch/v1beta1 was removed in Kubernetes 1.25 (the cluster runs 1.30), so the API server refuses it; use batch/v1`,
		}},
		{name: "a kubernetesVersion that is not a version is reported", config: map[string]any{"kubernetesVersion": "latest"}, manifests: []string{
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n",
		}, want: []string{`ConfigMap "app": the pack config's kubernetesVersion "latest" is not a version such as 1.34; set kubernetesVersion to the cluster's version, e.g. 1.34`}},
		{name: "values unknown during preview do not change the api version", manifests: []string{
			"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec: {rules: \"<unknown>\"}\n",
		}},
	})
}
