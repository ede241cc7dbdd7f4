package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// crdResource is where CustomResourceDefinitions live.
var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// crdFiles are the CRD manifests of dir (one CRD a file, as the upstream modules ship them).
func crdFiles(dir string) ([]string, error) {
	if dir == "" {
		// An empty folder would glob the working directory.
		return nil, fmt.Errorf("no CRD folder given (Options.CRDDir): `make tools` fills .tools/crds")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no CRD manifests in %s: run `make tools`", dir)
	}
	return files, err
}

// installCRDs creates the CRDs of the upstream projects the stacks' custom resources need (snapshots,
// the Prometheus Operator's monitors and rules, External Secrets, KEDA's ScaledObjects and the Gateway
// API's routes) and waits until each is Established, so the API server validates custom resources
// against the real schemas.
func (c *Cluster) installCRDs(ctx context.Context, dir string) error {
	files, err := crdFiles(dir)
	if err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return err
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	crds := client.Resource(crdResource)
	var names []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		var crd unstructured.Unstructured
		if err := yaml.Unmarshal(data, &crd.Object); err != nil {
			return fmt.Errorf("CRD %s: %w", file, err)
		}
		if _, err := crds.Create(ctx, &crd, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("CRD %s: %w", crd.GetName(), err)
		}
		names = append(names, crd.GetName())
	}
	for _, name := range names {
		if err := poll(ctx, time.Minute, "CRD "+name+" Established", func() (bool, error) {
			crd, err := crds.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
			for _, cond := range conditions {
				if m, ok := cond.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		}); err != nil {
			return err
		}
	}
	return nil
}
