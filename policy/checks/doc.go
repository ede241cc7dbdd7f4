// Package checks holds the k8s-guardrails policies, one a file named after the policy without its
// dashes (hpa-targets is [HPATargets] in hpatargets.go), with its test beside it. Each is data (a
// stable name, a one-line description, the remediation users read, a default level, parameters with
// defaults) plus one pure function over the real k8s.io/api type, built on package
// [github.com/jdjones/jd-jones-rag-infra/policy/engine]. Helpers several policies share sit in files
// named after what they hold (databaseimages.go, images.go, networkpolicies.go). Nothing here depends
// on policyx; ../main.go wires these policies into a CrossGuard pack.
//
// [ResourcePolicies] and [StackPolicies] list the pack's policies in order (policies.go);
// [DefaultPack] adds the engine's notes and failure policies. engine.go re-exports the engine's API
// the pack's callers use, so that running every policy outside Pulumi's analyzer, exactly as the
// pack does, takes one import:
//
//	resources := []checks.Resource{checks.ResourceFromInputs(typ, name, inputs), ...} // or checks.ParseManifests(r)
//	findings := checks.Evaluate(resources, checks.Options{Production: false})
//	blocking := checks.Blocking(findings) // mandatory and not excepted
//
// [Evaluate] runs the resource policies on every resource, then the stack policies on all of them,
// with levels, parameters and exceptions from [Options] (see [ParsePackConfig] for reading a
// `--policy-pack-config` file), and returns one [Finding] per violation or note.
package checks
