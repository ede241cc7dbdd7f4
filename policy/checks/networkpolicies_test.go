package checks

func networkPolicy(name, namespace, spec string) string {
	return `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec: ` + spec + `
`
}
