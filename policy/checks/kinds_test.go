package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// recordKinds is a resource policy that records the kinds of the objects it is given.
func recordKinds(kinds ...string) (*engine.Policy, *[]string) {
	var seen []string
	return &engine.Policy{Name: "test-record-" + strings.Join(kinds, "-"), Level: engine.Advisory, Kinds: kinds,
		Resource: func(o *engine.Object, _ *engine.Config) []engine.Result {
			seen = append(seen, o.Kind)
			return nil
		}}, &seen
}

func TestAPolicyIsOnlyCalledForTheKindsItDeclares(t *testing.T) {
	var rs []engine.Resource
	for _, doc := range []string{
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: rag}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: ss}\n",
		"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\n",
		"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\n",
		"apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\n",
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n",
		"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
		"apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: not-apps}\n",
	} {
		rs = append(rs, manifest(t, doc))
	}
	for _, c := range []struct {
		kinds []string
		want  []string
	}{
		{[]string{engine.PodBearing}, engine.PodBearingKindNames(false)},
		{[]string{"Namespace"}, []string{"Namespace"}},
		{[]string{engine.PodBearing, "ConfigMap"}, slices.Concat([]string{"ConfigMap"}, engine.PodBearingKindNames(false))},
		{[]string{engine.EveryKind}, []string{"Namespace", "ConfigMap", "Service", "Deployment", "StatefulSet", "DaemonSet",
			"ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod", "Deployment"}},
	} {
		t.Run(strings.Join(c.kinds, " and "), func(t *testing.T) {
			p, seen := recordKinds(c.kinds...)
			Evaluate(rs, engine.Options{Pack: engine.NewPack(p)})
			assertLines(t, "kinds judged", c.want, *seen)
		})
	}
}

func TestEveryDeclaredKindIsOneTheChecksDecode(t *testing.T) {
	for _, p := range All() {
		for _, k := range p.Kinds {
			if k != engine.PodBearing && k != engine.EveryKind && !engine.DecodesKind(k) {
				t.Errorf("policy %s declares kind %q, which never decodes into a typed object", p.Name, k)
			}
		}
	}
}
