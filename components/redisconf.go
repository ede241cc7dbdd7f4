package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Redis reads its whole configuration from a file of the redis-config Secret, so the password is in no
// process's arguments and no container runtime's spec.
const (
	redisConfigName = "redis-config"
	redisConfigFile = "redis.conf"
	redisConfigDir  = "/etc/redis"
	redisDataDir    = "/data"
)

// redisConfig is redis.conf: the port every pod of the namespace reaches (the NetworkPolicies decide
// who may), the password, and append-only persistence on the claim.
func redisConfig(password pulumi.StringOutput) pulumi.StringOutput {
	return password.ApplyT(func(pw string) string {
		return strings.Join([]string{
			"# Written by the stack from jd-jones-secrets; Redis reads nothing else.",
			fmt.Sprintf("port %d", redisPort),
			// Every interface: other pods connect to the pod's address. "-::*" binds IPv6 when the pod has it.
			"bind * -::*",
			"protected-mode yes",
			"requirepass " + redisQuote(pw),
			"appendonly yes",
			"dir " + redisDataDir,
			"",
		}, "\n")
	}).(pulumi.StringOutput)
}

// redisQuote writes s as one double-quoted argument of redis.conf, whatever it holds (a supplied password
// may have spaces, quotes or backslashes): printable ASCII as is, everything else as \xHH.
func redisQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
