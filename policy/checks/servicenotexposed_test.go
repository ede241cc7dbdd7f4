package checks

import "testing"

func TestServiceNotExposed(t *testing.T) {
	const fix = "; make it a ClusterIP Service and route outside traffic through an Ingress with TLS"
	svc := func(name, spec string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec: " + spec + "\n"
	}
	runTable(t, ServiceNotExposed, []checkCase{
		{name: "clusterip, headless and externalname services pass", manifests: []string{
			svc("api", "{ports: [{port: 8000}]}"),
			svc("db", "{type: ClusterIP, clusterIP: None}"),
			svc("mail", "{type: ExternalName, externalName: smtp.example.com}"),
		}},
		{name: "a load balancer is flagged", manifests: []string{svc("web", "{type: LoadBalancer}")},
			want: []string{`Service "web": is of type LoadBalancer, which opens it to outside traffic that bypasses the Ingress` + fix}},
		{name: "a node port is flagged", manifests: []string{svc("web", "{type: NodePort}")},
			want: []string{`Service "web": is of type NodePort, which opens it on every node's address` + fix}},
		{name: "external ips are flagged", manifests: []string{svc("web", "{externalIPs: [203.0.113.10]}")},
			want: []string{`Service "web": has externalIPs 203.0.113.10, which route outside traffic to it` + fix}},
		{name: "a type unknown during preview is not judged", manifests: []string{svc("web", `{type: "<unknown>"}`)},
			undecided: []string{cannotDecide(`Service "web"`, "service-not-exposed", "spec.type or spec.externalIPs")}},
	})
}
