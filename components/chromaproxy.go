package components

import (
	"strconv"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Chroma's open-source server (1.0.x, the Rust frontend) authenticates nobody: `chroma run` serves every
// request. So Chroma listens on the pod's loopback interface only, and an nginx sidecar on the Service's
// port admits a request only with the token, in either header Chroma's clients send
// (Authorization: Bearer <token> or X-Chroma-Token: <token>); the heartbeat answers anyone, for probes.
const (
	chromaProxyName = "chroma-proxy"
	chromaProxyFile = "nginx.conf"
	chromaProxyDir  = "/etc/chroma-proxy"
	// chromaLoopbackPort is where Chroma listens, on 127.0.0.1, behind the proxy (CHROMA_PORT).
	chromaLoopbackPort = 8001
	chromaHeartbeat    = "/api/v2/heartbeat"
	// chromaTokenSecret holds the token under chromaTokenKey, for the proxy and for Chroma's clients.
	chromaTokenSecret = "chroma-token"
	chromaTokenKey    = "token"
)

// chromaProxyResources size the proxy: one nginx worker that streams requests and responses.
var chromaProxyResources = config.Resources{
	Requests: config.ResourceList{CPU: "10m", Memory: "16Mi"},
	Limits:   config.ResourceList{CPU: "500m", Memory: "64Mi"},
}

// chromaProxyConfig is the proxy's nginx.conf. The token is alphanumeric (a generated password without
// special characters), so it is written into the configuration as is. Everything nginx writes goes to
// /tmp, the pod's only writable path.
func chromaProxyConfig(token pulumi.StringOutput) pulumi.StringOutput {
	return token.ApplyT(func(token string) string {
		return strings.NewReplacer(
			"{{token}}", token,
			"{{listenPort}}", strconv.Itoa(chromaPort),
			"{{chromaPort}}", strconv.Itoa(chromaLoopbackPort),
			"{{heartbeat}}", chromaHeartbeat,
		).Replace(chromaProxyTemplate)
	}).(pulumi.StringOutput)
}

const chromaProxyTemplate = `# Written by the stack: the token Chroma requires, checked before anything reaches it.
daemon off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;

events {
    worker_connections 1024;
}

http {
    access_log /dev/stdout;
    server_tokens off;
    client_body_temp_path /tmp/nginx-client-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;

    # 1 when either header carries the token, compared case-sensitively and whole.
    map $http_authorization $chroma_bearer {
        default 0;
        "~^Bearer {{token}}$" 1;
    }
    map $http_x_chroma_token $chroma_authorized {
        default $chroma_bearer;
        "~^{{token}}$" 1;
    }

    upstream chroma {
        server 127.0.0.1:{{chromaPort}};
        keepalive 8;
    }

    server {
        listen {{listenPort}};

        # Chroma limits request sizes itself; stream both ways rather than buffer to /tmp.
        client_max_body_size 0;
        proxy_request_buffering off;
        proxy_buffering off;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header Authorization "";
        proxy_set_header X-Chroma-Token "";
        proxy_read_timeout 300s;
        proxy_send_timeout 300s;

        # The heartbeat answers without the token, for the kubelet's probes: only GET, and Chroma is asked
        # for exactly this path, however the client spelt one that nginx normalises to it.
        location = {{heartbeat}} {
            limit_except GET {
                deny all;
            }
            proxy_pass http://chroma{{heartbeat}};
        }

        location / {
            if ($chroma_authorized != 1) {
                return 401;
            }
            proxy_pass http://chroma;
        }
    }
}
`

// chromaProxyContainer is the proxy sidecar: it serves the Service's port and is ready when Chroma is.
func chromaProxyContainer(c *config.Config) container {
	return container{
		name: chromaProxyName, image: c.Images.ChromaProxy,
		// The image's entry point would template /etc/nginx, which the read-only root filesystem refuses.
		command:   []string{"nginx", "-e", "stderr", "-c", chromaProxyDir + "/" + chromaProxyFile},
		ports:     []port{{"http", chromaPort}},
		mounts:    corev1.VolumeMountArray{readOnlyMount(chromaProxyName, chromaProxyDir)},
		resources: chromaProxyResources,
		liveness:  tcpProbe("http", livenessTiming),
		readiness: httpProbe(chromaHeartbeat, "http", readinessTiming),
	}
}

// chromaHeartbeatProbe checks Chroma's heartbeat through the proxy's port: Chroma itself answers on the
// loopback interface only, which the kubelet cannot reach.
func chromaHeartbeatProbe(t probeTiming) *corev1.ProbeArgs {
	return t.apply(&corev1.ProbeArgs{HttpGet: corev1.HTTPGetActionArgs{Path: pulumi.String(chromaHeartbeat), Port: pulumi.Int(chromaPort)}})
}
