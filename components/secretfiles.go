package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ownedSecret is a Secret the stack writes besides jd-jones-secrets: a credential read on its own, or
// configuration files that hold one, which a pod mounts.
type ownedSecret struct {
	// name is the Secret's name (and the volume's, when a pod mounts it).
	name string
	// data are the keys (file names) and their values.
	data map[string]pulumi.StringOutput
}

// secretFileMode lets the pod's group (fsGroup, the user every container runs as) read the files, and
// nobody else.
const secretFileMode = 0o440

// ownedSecret registers the Secret, every value a Pulumi secret, and returns the pod template annotation,
// checksum/<name>, that rolls the pods reading it when a value changes.
func (b *builder) ownedSecret(f *Foundation, component string, s ownedSecret) (*corev1.Secret, pulumi.StringMap, error) {
	data := pulumi.StringMap{}
	for key, value := range s.data {
		data[key] = pulumi.ToSecret(value).(pulumi.StringOutput)
	}
	secret, err := corev1.NewSecret(b.ctx, b.child(s.name), &corev1.SecretArgs{
		Metadata:   b.scope.meta(s.name, component),
		Type:       pulumi.String("Opaque"),
		StringData: data,
	}, b.opts(nil)...)
	if err != nil {
		return nil, nil, fmt.Errorf("secret %s: %w", s.name, err)
	}
	return secret, pulumi.StringMap{"checksum/" + s.name: f.secretChecksum(s.data)}, nil
}

// secretVolume projects a Secret's keys as files only the pod's group may read.
func secretVolume(name, secret string) corev1.VolumeArgs {
	return corev1.VolumeArgs{Name: pulumi.String(name), Secret: corev1.SecretVolumeSourceArgs{
		SecretName: pulumi.String(secret), DefaultMode: pulumi.Int(secretFileMode),
	}}
}

// readOnlyMount mounts volume at path, read-only.
func readOnlyMount(volume, path string) corev1.VolumeMountArgs {
	return corev1.VolumeMountArgs{Name: pulumi.String(volume), MountPath: pulumi.String(path), ReadOnly: pulumi.Bool(true)}
}
