// Package engine runs the k8s-guardrails policies; it knows nothing of policyx or of any one policy
// but kubernetes-object-readable, whose parameters steer decoding. The policies live in ../checks.
//
// Resources come in as engine-neutral [Resource] values (a Pulumi type token, URN, name and
// property.Map) and are decoded once into an [Object]: the typed k8s.io/api object plus the field
// paths whose values were unknown during preview or Pulumi secrets (decode.go, resource.go, and
// workload.go for the pod-running view of every kind that runs pods). A [Policy] is data (name,
// description, remediation, level, the Kinds it judges, typed parameters with defaults, see [Param])
// plus one pure check over an Object or over the whole [Stack] (stack.go, with its look-ups by name
// and selector). A check whose deciding value is unknown returns an undecided [Result].
//
// A [Session] dispatches objects by kind, decodes each resource and each policy's config once, and
// holds the notes and failures until the notes and failure policies ([PolicyCouldNotDecide],
// [PolicyCouldNotJudge] and their stack twins), which every [Pack] runs last, report them. Both the
// policyx pack (../main.go) and [Evaluate] run policies only through [Session.RunResource] and
// [Session.RunStack]. [ParsePackConfig] reads a `--policy-pack-config` file into [Options].
package engine
