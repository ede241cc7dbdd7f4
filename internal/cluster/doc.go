// Package cluster starts a real Kubernetes control plane on loopback for the cluster tests: etcd,
// kube-apiserver (token authentication, RBAC, Pod Security admission), kube-controller-manager and
// kube-scheduler, all built by `make tools`, and one node. The node is either real (RealNode: a kubelet on
// containerd and runc, CNI bridge networking, kube-proxy and CoreDNS, so pods run as processes and their
// probes are executed) or kwok's fake one (pods get no containers: kwok moves them to Running and Ready,
// Job pods to Succeeded, and binds claims). Or it connects to an existing cluster.
package cluster
