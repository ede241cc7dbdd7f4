package reachability

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func policy(name string, selector map[string]string, types []networkingv1.PolicyType, ingress []networkingv1.NetworkPolicyIngressRule, egress []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "rag"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selector},
			PolicyTypes: types, Ingress: ingress, Egress: egress,
		},
	}
}

func port(n int32) []networkingv1.NetworkPolicyPort {
	tcp := corev1.ProtocolTCP
	p := intstr.FromInt32(n)
	return []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &p}}
}

var (
	web = Pod("web", "rag", map[string]string{"app": "web"}, "10.244.0.1")
	api = Pod("api", "rag", map[string]string{"app": "api"}, "10.244.0.2")
	out = Address("internet", "93.184.216.34")
	imd = Address("metadata", "169.254.169.254")
)

func TestAFlowNeedsTheReceiversIngressAndTheSendersEgress(t *testing.T) {
	both := []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	deny := policy("deny", nil, both, nil, nil)
	admitWeb := policy("to-api", map[string]string{"app": "api"}, nil, []networkingv1.NetworkPolicyIngressRule{{
		From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}, Ports: port(8000),
	}}, nil)
	webOut := policy("from-web", map[string]string{"app": "web"}, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, nil, []networkingv1.NetworkPolicyEgressRule{{
		To: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}}}}, Ports: port(8000),
	}})

	assert.True(t, New(nil).Allowed(web, api, TCP(8000)), "no policy: everything flows")
	assert.False(t, New([]*networkingv1.NetworkPolicy{deny, admitWeb}).Allowed(web, api, TCP(8000)), "admitted, but the sender may not send")
	assert.False(t, New([]*networkingv1.NetworkPolicy{deny, webOut}).Allowed(web, api, TCP(8000)), "sent, but the receiver does not admit")
	e := New([]*networkingv1.NetworkPolicy{deny, admitWeb, webOut})
	assert.True(t, e.Allowed(web, api, TCP(8000)))
	assert.False(t, e.Allowed(web, api, TCP(8001)), "another port")
	assert.False(t, e.Allowed(api, web, TCP(8000)), "the other direction")
	assert.Equal(t, []Flow{{From: "web", To: "api", Port: TCP(8000)}}, e.AllowedFlows("rag", []Party{web, api, out}, []Port{TCP(8000), TCP(443)}))
}

func TestAnIPBlockExceptKeepsTheMetadataEndpointOut(t *testing.T) {
	deny := policy("deny", nil, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, nil, nil)
	internet := policy("internet", map[string]string{"app": "api"}, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, nil, []networkingv1.NetworkPolicyEgressRule{{
		To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8", "169.254.0.0/16"}}}},
		Ports: port(443),
	}})
	e := New([]*networkingv1.NetworkPolicy{deny, internet})
	assert.True(t, e.Allowed(api, out, TCP(443)))
	assert.False(t, e.Allowed(api, imd, TCP(443)))
	assert.False(t, e.Allowed(api, web, TCP(443)), "pods in 10.0.0.0/8 are excepted")
	assert.False(t, e.Allowed(web, out, TCP(443)), "only the selected pods")
}
