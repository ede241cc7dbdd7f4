package stacktest

// Type tokens of the resources the tests read.
const (
	DeploymentType         = "kubernetes:apps/v1:Deployment"
	StatefulSetType        = "kubernetes:apps/v1:StatefulSet"
	JobType                = "kubernetes:batch/v1:Job"
	CronJobType            = "kubernetes:batch/v1:CronJob"
	ServiceType            = "kubernetes:core/v1:Service"
	SecretType             = "kubernetes:core/v1:Secret" //nolint:gosec // G101: a type token, not a credential
	ConfigMapType          = "kubernetes:core/v1:ConfigMap"
	PVCType                = "kubernetes:core/v1:PersistentVolumeClaim"
	NamespaceType          = "kubernetes:core/v1:Namespace"
	ServiceAccountType     = "kubernetes:core/v1:ServiceAccount"
	RoleType               = "kubernetes:rbac.authorization.k8s.io/v1:Role"
	HPAType                = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	PDBType                = "kubernetes:policy/v1:PodDisruptionBudget"
	NetworkPolicyType      = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	IngressType            = "kubernetes:networking.k8s.io/v1:Ingress"
	ExternalSecretType     = "kubernetes:external-secrets.io/v1:ExternalSecret" //nolint:gosec // G101: a type token, not a credential
	PasswordType           = passwordType
	MonitoringCRTypePrefix = "kubernetes:monitoring.coreos.com/v1:"
)

// Stacks are the committed stacks, each with its Pulumi.<stack>.yaml.
var Stacks = []string{"dev", "prod"}
