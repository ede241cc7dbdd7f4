package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// localProvisioner names the storage classes of the real node. The provisioner behind it is a stand-in
// for a local-path provisioner (such as the one kind ships, which cannot be had here): it runs in the
// harness, gives each claim of those classes a `local` PersistentVolume in a folder under the node's
// folder, pinned to the node, and deletes Released volumes of reclaim policy Delete with their folders.
// `local` volumes, unlike hostPath, get the pod's fsGroup, as a cloud disk does.
const localProvisioner = "jdj.test/local-volume-stand-in"

// provisionVolumes is the stand-in provisioner's loop; it runs until ctx ends.
func (c *Cluster) provisionVolumes(ctx context.Context) {
	classes := map[string]bool{}
	for _, name := range c.opts.StorageClasses {
		classes[name] = true
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(300 * time.Millisecond):
		}
		claims, err := c.Client.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for i := range claims.Items {
			pvc := &claims.Items[i]
			if pvc.Spec.StorageClassName == nil || !classes[*pvc.Spec.StorageClassName] || pvc.Spec.VolumeName != "" ||
				pvc.DeletionTimestamp != nil {
				continue
			}
			_ = c.provisionVolume(ctx, pvc)
		}
		volumes, err := c.Client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for i := range volumes.Items {
			pv := &volumes.Items[i]
			if pv.Annotations[provisionedByAnnotation] == localProvisioner && pv.Status.Phase == corev1.VolumeReleased &&
				pv.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete {
				c.deleteVolume(ctx, pv)
			}
		}
	}
}

// provisionedByAnnotation is the annotation a provisioner sets on the volumes it creates.
const provisionedByAnnotation = "pv.kubernetes.io/provisioned-by"

// provisionVolume creates the claim's volume: a folder, and a PersistentVolume bound to the claim.
func (c *Cluster) provisionVolume(ctx context.Context, pvc *corev1.PersistentVolumeClaim) error {
	name := "pvc-" + string(pvc.UID)
	dir := filepath.Join(c.node.paths.at("volumes"), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if sc, err := c.Client.StorageV1().StorageClasses().Get(ctx, *pvc.Spec.StorageClassName, metav1.GetOptions{}); err == nil && sc.ReclaimPolicy != nil {
		reclaim = *sc.ReclaimPolicy
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{provisionedByAnnotation: localProvisioner}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: pvc.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   pvc.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              *pvc.Spec.StorageClassName,
			VolumeMode:                    pvc.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: dir}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{RealNodeName}}},
			}}}},
		},
	}
	if _, err := c.Client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("volume for %s/%s: %w", pvc.Namespace, pvc.Name, err)
	}
	return nil
}

// deleteVolume deletes a Released volume and its folder, as a provisioner does for reclaim policy Delete.
func (c *Cluster) deleteVolume(ctx context.Context, pv *corev1.PersistentVolume) {
	if err := c.Client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return
	}
	if pv.Spec.Local != nil && filepath.Dir(pv.Spec.Local.Path) == c.node.paths.at("volumes") {
		_ = os.RemoveAll(pv.Spec.Local.Path)
	}
}
