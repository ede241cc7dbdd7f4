package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// SharedStorage is the two ReadWriteMany claims the API and the Celery workers share.
type SharedStorage struct {
	pulumi.ResourceState

	// ModelCache is the name of the model-cache claim.
	ModelCache pulumi.StringOutput `pulumi:"modelCache"`
	// Uploads is the name of the uploads-data claim; unset when uploads live in an S3 bucket.
	Uploads pulumi.StringOutput `pulumi:"uploads"`

	// uploadsOnClaim is whether the uploads-data claim exists and is mounted.
	uploadsOnClaim bool
}

// SharedStorageArgs configures SharedStorage.
type SharedStorageArgs struct {
	// Config is the validated stack configuration; its RWX class was checked against the RWX-capable list.
	Config *config.Config
	// Foundation supplies the namespace.
	Foundation *Foundation
}

// NewSharedStorage registers model-cache and uploads-data; with data protection on they are protected and
// retained on delete.
func NewSharedStorage(ctx *pulumi.Context, name string, args *SharedStorageArgs, opts ...pulumi.ResourceOption) (*SharedStorage, error) {
	s := &SharedStorage{}
	b, err := register(ctx, "SharedStorage", name, s, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	claim := func(object, size string) (pulumi.StringOutput, error) {
		pvc, err := corev1.NewPersistentVolumeClaim(ctx, b.child(object), &corev1.PersistentVolumeClaimArgs{
			Metadata: b.scope.meta(object, "storage"),
			Spec: corev1.PersistentVolumeClaimSpecArgs{
				AccessModes:      pulumi.ToStringArray([]string{"ReadWriteMany"}),
				StorageClassName: pulumi.String(args.Config.Storage.RWXClassName),
				Resources:        corev1.VolumeResourceRequirementsArgs{Requests: pulumi.StringMap{"storage": pulumi.String(size)}},
			},
		}, b.opts(dataProtection(args.Config))...)
		if err != nil {
			return pulumi.StringOutput{}, fmt.Errorf("claim %s: %w", object, err)
		}
		return pvc.Metadata.Name().Elem(), nil
	}
	if s.ModelCache, err = claim(ModelCacheName, args.Config.Storage.Sizes.ModelCache); err != nil {
		return nil, err
	}
	if args.Config.Storage.Uploads.OnS3() {
		return s, b.done(pulumi.Map{"modelCache": s.ModelCache})
	}
	s.uploadsOnClaim = true
	if s.Uploads, err = claim(UploadsDataName, args.Config.Storage.Sizes.UploadsData); err != nil {
		return nil, err
	}
	return s, b.done(pulumi.Map{"modelCache": s.ModelCache, "uploads": s.Uploads})
}

// volumes mounts the claims: the model cache, and uploads-data unless uploads live in a bucket.
func (s *SharedStorage) volumes() corev1.VolumeArray {
	if !s.uploadsOnClaim {
		return corev1.VolumeArray{claimVolume(ModelCacheName, s.ModelCache)}
	}
	return corev1.VolumeArray{claimVolume(ModelCacheName, s.ModelCache), claimVolume(UploadsDataName, s.Uploads)}
}

// mounts places the claims at their paths.
func (s *SharedStorage) mounts() corev1.VolumeMountArray {
	if !s.uploadsOnClaim {
		return corev1.VolumeMountArray{mount(ModelCacheName, modelCachePath)}
	}
	return corev1.VolumeMountArray{mount(ModelCacheName, modelCachePath), mount(UploadsDataName, uploadsPath)}
}
