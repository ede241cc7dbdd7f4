package components

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// VolumeSnapshotsName names the snapshot job, its ServiceAccount, Role and script.
const VolumeSnapshotsName = "volume-snapshots"

// snapshotUID runs the snapshot job (nobody).
const snapshotUID = 65534

// snapshotClaimLabel marks every VolumeSnapshot the job takes with the claim it copies, so retention
// counts per claim.
const snapshotClaimLabel = "backup.jdjones.com/claim"

// Backups takes CSI snapshots of the data claims that live in the cluster on a schedule and keeps the
// newest of each claim: a CronJob whose ServiceAccount may only create, list and delete VolumeSnapshots
// in the namespace.
type Backups struct {
	pulumi.ResourceState

	// Claims are the claims the job snapshots.
	Claims pulumi.StringArrayOutput `pulumi:"claims"`
}

// BackupsArgs configures Backups.
type BackupsArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace.
	Foundation *Foundation
}

// dataClaims are the claims of the in-cluster data services, as their StatefulSets name them
// (<template>-<statefulset>-0).
func dataClaims(c *config.Config, f *Foundation) []string {
	var claims []string
	for _, ds := range dataServices {
		if ds.settings(c).IsExternal() {
			continue
		}
		set := ds.build(c, f)
		for _, t := range set.claims {
			claims = append(claims, t.name+"-"+set.pod.name+"-0")
		}
	}
	return claims
}

// snapshotManifest is the VolumeSnapshot the job creates of claim, named with stamp: one template for the
// job's script (which passes shell variables) and for the tests (which pass values).
func snapshotManifest(claim, stamp, class string) string {
	return fmt.Sprintf(`apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: %[1]s-%[2]s
  labels:
    app.kubernetes.io/managed-by: %[4]s
    %[5]s: %[1]s
spec:
  volumeSnapshotClassName: %[3]s
  source:
    persistentVolumeClaimName: %[1]s
`, claim, stamp, class, VolumeSnapshotsName, snapshotClaimLabel)
}

// snapshotScript snapshots every claim of $CLAIMS with class $CLASS, then deletes all but the newest
// $KEEP snapshots of each. It fails when any step fails, so the Job reports it.
func snapshotScript() string {
	return `set -eu
stamp=$(date -u +%Y%m%d%H%M%S)
for claim in $CLAIMS; do
  kubectl create -f - <<EOF
` + snapshotManifest("${claim}", "${stamp}", "${CLASS}") + `EOF
  kubectl get volumesnapshots -l "` + snapshotClaimLabel + `=${claim}" --sort-by=.metadata.creationTimestamp -o name |
    awk -v keep="$KEEP" '{ names[NR] = $0 } END { for (i = 1; i <= NR - keep; i++) print names[i] }' |
    while read -r old; do kubectl delete "$old"; done
done
`
}

// SnapshotInScript is the VolumeSnapshot manifest a snapshot script (as the job's ConfigMap holds it) feeds
// kubectl for claim, with the shell's stamp and class filled in: what the tests give the API server.
func SnapshotInScript(script, claim, stamp, class string) (string, error) {
	start := strings.Index(script, "apiVersion:")
	if start < 0 {
		return "", fmt.Errorf("no VolumeSnapshot manifest in the snapshot script")
	}
	manifest, _, ok := strings.Cut(script[start:], "EOF\n")
	if !ok {
		return "", fmt.Errorf("the snapshot script's manifest has no end")
	}
	return strings.NewReplacer("${claim}", claim, "${stamp}", stamp, "${CLASS}", class).Replace(manifest), nil
}

// NewBackups registers the snapshot job when the stack schedules snapshots and has claims to take.
func NewBackups(ctx *pulumi.Context, name string, args *BackupsArgs, opts ...pulumi.ResourceOption) (*Backups, error) {
	backups := &Backups{}
	b, err := register(ctx, "Backups", name, backups, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c := args.Config
	claims := dataClaims(c, args.Foundation)
	if !c.Backups.SnapshotsEnabled() || len(claims) == 0 {
		backups.Claims = pulumi.ToStringArray(nil).ToStringArrayOutput()
		return backups, b.done(pulumi.Map{"claims": backups.Claims})
	}
	s := b.scope
	saMeta := s.meta(VolumeSnapshotsName, "backup")
	if options := c.Workloads.VolumeSnapshots.Pod; len(options.ServiceAccountAnnotations) > 0 {
		saMeta.Annotations = pulumi.ToStringMap(options.ServiceAccountAnnotations)
	}
	sa, err := corev1.NewServiceAccount(ctx, b.child("sa"), &corev1.ServiceAccountArgs{
		Metadata: saMeta,
	}, b.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("snapshot service account: %w", err)
	}
	role, err := rbacv1.NewRole(ctx, b.child("role"), &rbacv1.RoleArgs{
		Metadata: s.meta(VolumeSnapshotsName, "backup"),
		Rules: rbacv1.PolicyRuleArray{rbacv1.PolicyRuleArgs{
			ApiGroups: pulumi.ToStringArray([]string{"snapshot.storage.k8s.io"}),
			Resources: pulumi.ToStringArray([]string{"volumesnapshots"}),
			Verbs:     pulumi.ToStringArray([]string{"create", "get", "list", "delete"}),
		}},
	}, b.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("snapshot role: %w", err)
	}
	binding, err := rbacv1.NewRoleBinding(ctx, b.child("rolebinding"), &rbacv1.RoleBindingArgs{
		Metadata: s.meta(VolumeSnapshotsName, "backup"),
		RoleRef: rbacv1.RoleRefArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Role"), Name: role.Metadata.Name().Elem(),
		},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
			Kind: pulumi.String("ServiceAccount"), Name: sa.Metadata.Name().Elem(), Namespace: s.namespace,
		}},
	}, b.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("snapshot role binding: %w", err)
	}
	p, podOpts, err := b.podObjects(pod{
		name: VolumeSnapshotsName, component: "backup", uid: snapshotUID, serviceAccount: VolumeSnapshotsName,
		options:       c.Workloads.VolumeSnapshots.Pod,
		restartPolicy: "OnFailure",
		configMaps:    []configMapFiles{{name: VolumeSnapshotsName, files: map[string]string{"snapshot.sh": snapshotScript()}}},
		volumes:       corev1.VolumeArray{configMapVolume("script", VolumeSnapshotsName)},
		containers: []container{{
			name: VolumeSnapshotsName, image: c.Images.Kubectl,
			command: []string{"sh", "/scripts/snapshot.sh"},
			env: corev1.EnvVarArray{
				plainEnv("CLAIMS", strings.Join(claims, " ")),
				plainEnv("CLASS", c.Backups.SnapshotClass),
				plainEnv("KEEP", strconv.Itoa(c.Backups.Keep)),
			},
			mounts:    corev1.VolumeMountArray{mount("script", "/scripts")},
			resources: c.Workloads.VolumeSnapshots.Resources,
		}},
	})
	if err != nil {
		return nil, err
	}
	if _, err := batchv1.NewCronJob(ctx, b.child("cronjob"), &batchv1.CronJobArgs{
		Metadata: s.meta(VolumeSnapshotsName, "backup"),
		Spec: batchv1.CronJobSpecArgs{
			Schedule:                   pulumi.String(c.Backups.Schedule),
			TimeZone:                   pulumi.String("Etc/UTC"),
			ConcurrencyPolicy:          pulumi.String("Forbid"),
			StartingDeadlineSeconds:    pulumi.Int(3600),
			SuccessfulJobsHistoryLimit: pulumi.Int(3),
			FailedJobsHistoryLimit:     pulumi.Int(3),
			JobTemplate: batchv1.JobTemplateSpecArgs{
				Spec: batchv1.JobSpecArgs{
					BackoffLimit:          pulumi.Int(2),
					ActiveDeadlineSeconds: pulumi.Int(1800),
					Template:              p.template(s),
				},
			},
		},
	}, b.opts(append(podOpts, pulumi.DependsOn([]pulumi.Resource{binding})))...); err != nil {
		return nil, fmt.Errorf("snapshot cronjob: %w", err)
	}
	backups.Claims = pulumi.ToStringArray(claims).ToStringArrayOutput()
	return backups, b.done(pulumi.Map{"claims": backups.Claims})
}
