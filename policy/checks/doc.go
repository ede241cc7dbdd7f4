// Package checks holds the k8s-guardrails policies: each is data (a stable name, a one-line
// description, the remediation users read, a default level, parameters with defaults) plus one pure
// function over the real k8s.io/api type. Nothing here depends on policyx; ../main.go wires these
// policies into a CrossGuard pack.
//
// Resources come in as engine-neutral [Resource] values (a Pulumi type token, URN, name and
// property.Map) and are decoded once into an [Object]: the typed object plus the field paths whose
// values were unknown during preview or Pulumi secrets. A check whose deciding value is unknown
// returns an undecided [Result]; the pack reports those as advisory notes under [PolicyCouldNotDecide]
// and [PolicyCouldNotDecideStack] instead of guessing.
//
// To run every policy outside Pulumi's analyzer, exactly as the pack does:
//
//	resources := []checks.Resource{checks.ResourceFromInputs(typ, name, inputs), ...} // or checks.ParseManifests(r)
//	findings := checks.Evaluate(resources, checks.Options{Production: false})
//	blocking := checks.Blocking(findings) // mandatory and not excepted
//
// [Evaluate] runs the resource policies on every resource, then the stack policies on all of them,
// with levels, parameters and exceptions from [Options] (see [ParsePackConfig] for reading a
// `--policy-pack-config` file), and returns one [Finding] per violation or note.
//
// A [Policy] declares the kinds it judges (Kinds) and its parameters as a typed struct with defaults
// (Params, see [Param]); a [Session] dispatches objects by kind, decodes the config once and holds
// the notes until the notes policies, which every [Pack] runs last, report them. Both the pack and
// Evaluate run policies only through [Session.RunResource] and [Session.RunStack].
package checks
