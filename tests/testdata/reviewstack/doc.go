// Package reviewstack is a Pulumi program for the end-to-end tests that carries one example of each
// rule the pack gained from the reference implementations — upstream's Pod Security checks, gitleaks'
// rules, credentials in config-file syntaxes, RBAC, ingress snippets, hostPath and ephemeral volumes,
// arrays of pod templates, kinds no policy judges — each beside a compliant twin. Every violating
// resource breaks exactly the rule its name announces, and no twin raises anything.
package reviewstack
