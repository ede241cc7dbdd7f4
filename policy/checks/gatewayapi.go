package checks

import (
	"encoding/json"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// gatewayGroup is the Gateway API's group (sigs.k8s.io/gateway-api). Its kinds do not decode into a
// k8s.io/api type; the gateway checks read the few fields they judge with gatewayFields.
const gatewayGroup = "gateway.networking.k8s.io"

// gatewayListener is the part of a Gateway listener the checks read.
type gatewayListener struct {
	Name     string `json:"name"`
	Hostname string `json:"hostname"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	TLS      *struct {
		Mode            string `json:"mode"`
		CertificateRefs []struct {
			Name string `json:"name"`
		} `json:"certificateRefs"`
	} `json:"tls"`
}

// httpRouteBackendRef is one backendRef of an HTTPRoute rule.
type httpRouteBackendRef struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Port      int32  `json:"port"`
}

// gatewayFields reads the properties of a Gateway API object into into, the values unknown during
// preview and the secrets left out (callers ask o.UnknownWithin first).
func gatewayFields(o *engine.Object, into any) error {
	b, err := json.Marshal(plainOf(property.New(o.Properties)))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// plainOf is v as plain Go values, without the unknown ones.
func plainOf(v property.Value) any {
	switch {
	case v.IsComputed():
		return nil
	case v.IsString():
		return v.AsString()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsBool():
		return v.AsBool()
	case v.IsMap():
		m := map[string]any{}
		for k, e := range v.AsMap().AllStable {
			m[k] = plainOf(e)
		}
		return m
	case v.IsArray():
		var a []any
		for _, e := range v.AsArray().All {
			a = append(a, plainOf(e))
		}
		return a
	}
	return nil
}

// isGatewayKind reports whether o is the Gateway API kind named.
func isGatewayKind(o *engine.Object, kind string) bool {
	return o.Group == gatewayGroup && o.Kind == kind
}
