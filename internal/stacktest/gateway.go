package stacktest

// Type tokens of the Gateway API's kinds (sigs.k8s.io/gateway-api, standard channel).
const (
	GatewayType   = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
	HTTPRouteType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
)
