package engine

import "strings"

// PerObject merges the decided results an advisory policy found on one object into one result, so a
// reviewer reads one finding per workload listing the containers it covers instead of one per
// container. The merged result names the object once, then each container's problem; the fix is
// given once when every container shares it. "Cannot decide" notes are kept as they are.
func PerObject(results []Result) []Result {
	var out []Result
	index := map[*Object]int{}
	parts := map[*Object][]Result{}
	for _, r := range results {
		if r.Undecided {
			out = append(out, r)
			continue
		}
		if _, seen := index[r.Object]; !seen {
			index[r.Object] = len(out)
			out = append(out, r)
		}
		parts[r.Object] = append(parts[r.Object], r)
	}
	for o, rs := range parts {
		if len(rs) > 1 {
			out[index[o]] = mergeResults(o, rs)
		}
	}
	return out
}

// mergeResults renders several results on o as one: `Deployment "x": container "a": p1; container
// "b": p2` with the shared fix, or each part's own fix after it when they differ.
func mergeResults(o *Object, rs []Result) Result {
	sameFix := true
	for _, r := range rs[1:] {
		sameFix = sameFix && r.Fix == rs[0].Fix
	}
	problems := make([]string, len(rs))
	for i, r := range rs {
		what := strings.TrimPrefix(strings.TrimPrefix(r.Subject, o.Subject()), " ")
		p := r.Problem
		if what != "" {
			p = what + ": " + p
		}
		if !sameFix && r.Fix != "" {
			p += " (" + r.Fix + ")"
		}
		problems[i] = p
	}
	merged := Result{Object: o, Subject: o.Subject(), Problem: strings.Join(problems, "; ")}
	if sameFix {
		merged.Fix = rs[0].Fix
	}
	return merged
}
