package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const testURN = "urn:pulumi:dev::rag::random:index/randomPassword:RandomPassword::db-password"

var wireOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

// configured returns a provider after the Configure call the engine always makes first.
func configured(t *testing.T) *randomProvider {
	t.Helper()
	p := newRandomProvider()
	if _, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{AcceptSecrets: true}); err != nil {
		t.Fatal(err)
	}
	return p
}

func toStruct(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, wireOpts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fromStruct(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(s, wireOpts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

var unknownNumber = resource.MakeComputed(resource.NewNumberProperty(0))

// check runs Check as the engine does before a create or a diff.
func check(t *testing.T, p *randomProvider, inputs resource.PropertyMap) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	t.Helper()
	resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: toStruct(t, inputs)})
	if err != nil {
		t.Fatalf("Check returned an error instead of check failures: %v", err)
	}
	return fromStruct(t, resp.Inputs), resp.Failures
}

// create checks inputs and creates a password from them, returning its state.
func create(t *testing.T, p *randomProvider, inputs resource.PropertyMap) *pulumirpc.CreateResponse {
	t.Helper()
	checked, failures := check(t, p, inputs)
	if len(failures) > 0 {
		t.Fatalf("unexpected check failures: %s", failureText(failures))
	}
	resp, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: testURN, Properties: toStruct(t, checked)})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return resp
}

func TestCheckRejectsInvalidInputsWithClearMessages(t *testing.T) {
	tests := []struct {
		name     string
		inputs   resource.PropertyMap
		property string
		reason   string
	}{
		{"a missing length is refused", props(map[string]any{}), "length", "length is required"},
		{"a length of zero is refused", props(map[string]any{"length": 0}), "length", "length must be at least 1, got 0"},
		{"a fractional length is refused", props(map[string]any{"length": 3.5}), "length", "length must be a whole number, got 3.5"},
		{"a length given as text is refused", props(map[string]any{"length": "8"}), "length", "length must be a whole number, got a string"},
		{
			"minimums that do not fit in the length are refused",
			props(map[string]any{"length": 4, "minUpper": 2, "minNumeric": 3}),
			"length", "length (4) must be at least minUpper + minLower + minNumeric + minSpecial (5)",
		},
		{"a negative minimum is refused", props(map[string]any{"length": 8, "minLower": -1}), "minLower", "minLower must be at least 0, got -1"},
		{
			"all character classes switched off is refused",
			props(map[string]any{"length": 8, "lower": false, "upper": false, "numeric": false, "special": false}),
			"", "at least one of lower, upper, numeric and special must be true",
		},
		{
			"all classes off through the deprecated number alias is refused",
			props(map[string]any{"length": 8, "lower": false, "upper": false, "number": false, "special": false}),
			"", "at least one of lower, upper, numeric and special must be true",
		},
		{
			"number and numeric that disagree are refused",
			props(map[string]any{"length": 8, "number": false, "numeric": true}),
			"number", "number is a deprecated alias of numeric and the two disagree",
		},
		{"a switch given as text is refused", props(map[string]any{"length": 8, "upper": "yes"}), "upper", "upper must be true or false, got a string"},
		{"an unknown property is refused", props(map[string]any{"length": 8, "colour": "red"}), "colour", `unknown property "colour"`},
		{"keepers that are not strings are refused", props(map[string]any{"length": 8, "keepers": map[string]any{"n": 1}}), "keepers", `keepers["n"] must be a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, failures := check(t, configured(t), tt.inputs)
			for _, f := range failures {
				if f.Property == tt.property && strings.Contains(f.Reason, tt.reason) {
					return
				}
			}
			t.Errorf("want a failure on %q containing %q, got %v", tt.property, tt.reason, failures)
		})
	}
}

func TestCheckAcceptsValidInputsAndFillsDefaults(t *testing.T) {
	tests := []struct {
		name   string
		inputs resource.PropertyMap
		want   map[string]any
	}{
		{
			"only a length gets every default of the real provider",
			props(map[string]any{"length": 12}),
			map[string]any{"length": 12.0, "lower": true, "upper": true, "numeric": true, "number": true, "special": true,
				"minLower": 0.0, "minUpper": 0.0, "minNumeric": 0.0, "minSpecial": 0.0},
		},
		{
			"the deprecated number switch carries over to numeric",
			props(map[string]any{"length": 12, "number": false}),
			map[string]any{"number": false, "numeric": false},
		},
		{
			"numeric carries over to the deprecated number",
			props(map[string]any{"length": 12, "numeric": false}),
			map[string]any{"number": false, "numeric": false},
		},
		{
			"minimums that exactly fill the length are accepted",
			props(map[string]any{"length": 4, "minLower": 1, "minUpper": 1, "minNumeric": 1, "minSpecial": 1}),
			map[string]any{"length": 4.0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, failures := check(t, configured(t), tt.inputs)
			if len(failures) > 0 {
				t.Fatalf("unexpected failures: %s", failureText(failures))
			}
			for k, v := range tt.want {
				if g := got[resource.PropertyKey(k)]; !g.DeepEquals(resource.NewPropertyValue(v)) {
					t.Errorf("%s = %v, want %v", k, g, v)
				}
			}
		})
	}
}

func TestCheckDoesNotJudgeValuesUnknownDuringPreview(t *testing.T) {
	inputs := resource.PropertyMap{"length": unknownNumber, "minUpper": resource.NewNumberProperty(3)}
	if _, failures := check(t, configured(t), inputs); len(failures) > 0 {
		t.Errorf("unknown length drew failures: %s", failureText(failures))
	}
}

func TestCreateMakesASecretPasswordOfTheRequestedLength(t *testing.T) {
	resp := create(t, configured(t), props(map[string]any{"length": 20, "special": false, "keepers": map[string]any{"rotation": "1"}}))
	if resp.Id != "none" {
		t.Errorf("id = %q, want \"none\" like the real provider", resp.Id)
	}
	state := fromStruct(t, resp.Properties)
	for _, k := range []resource.PropertyKey{"result", "bcryptHash"} {
		if !state[k].IsSecret() {
			t.Errorf("%s is not marked secret: %v", k, state[k])
		}
	}
	pw := state["result"].SecretValue().Element.StringValue()
	if len(pw) != 20 || strings.ContainsAny(pw, defaultSpecialChars) {
		t.Errorf("result %q: want 20 characters and no special ones", pw)
	}
	hash := state["bcryptHash"].SecretValue().Element.StringValue()
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)); err != nil {
		t.Errorf("bcryptHash does not match result: %v", err)
	}
	for k, want := range map[resource.PropertyKey]resource.PropertyValue{
		"length": resource.NewNumberProperty(20), "special": resource.NewBoolProperty(false),
		"minSpecial": resource.NewNumberProperty(0), "numeric": resource.NewBoolProperty(true),
		"keepers": resource.NewObjectProperty(props(map[string]any{"rotation": "1"})),
	} {
		if !state[k].DeepEquals(want) {
			t.Errorf("output %s = %v, want %v", k, state[k], want)
		}
	}
}

func TestCreateInPreviewLeavesTheResultUnknown(t *testing.T) {
	p := configured(t)
	checked, _ := check(t, p, props(map[string]any{"length": 16}))
	resp, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: testURN, Properties: toStruct(t, checked), Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	state := fromStruct(t, resp.Properties)
	if !state["result"].ContainsUnknowns() || !state["bcryptHash"].ContainsUnknowns() {
		t.Errorf("preview state has a known result or hash: %v", state)
	}
}

func TestDiff(t *testing.T) {
	base := map[string]any{"length": 16, "keepers": map[string]any{"image": "v1"}}
	with := func(changes map[string]any) resource.PropertyMap {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return props(m)
	}
	tests := []struct {
		name         string
		olds         resource.PropertyMap
		news         resource.PropertyMap
		ignore       []string
		wantReplaces []string
	}{
		{"the same inputs keep the password", with(nil), with(nil), nil, nil},
		{"spelling out the defaults keeps the password", with(nil), with(map[string]any{"lower": true, "minUpper": 0, "number": true}), nil, nil},
		{"an empty keepers map is the same as none", props(map[string]any{"length": 8}), props(map[string]any{"length": 8, "keepers": map[string]any{}}), nil, nil},
		{"a changed keeper replaces the password", with(nil), with(map[string]any{"keepers": map[string]any{"image": "v2"}}), nil, []string{"keepers"}},
		{"removing keepers replaces the password", with(nil), with(map[string]any{"keepers": nil}), nil, []string{"keepers"}},
		{"a changed length replaces the password", with(nil), with(map[string]any{"length": 17}), nil, []string{"length"}},
		{"switching off special replaces the password", with(nil), with(map[string]any{"special": false}), nil, []string{"special"}},
		{"a new override set replaces the password", with(nil), with(map[string]any{"overrideSpecial": "_-"}), nil, []string{"overrideSpecial"}},
		{"raising a minimum replaces the password", with(nil), with(map[string]any{"minNumeric": 2}), nil, []string{"minNumeric"}},
		{"switching numeric off replaces the password, alias included", with(nil), with(map[string]any{"numeric": false}), nil, []string{"number", "numeric"}},
		{"an ignored keepers change keeps the password", with(nil), with(map[string]any{"keepers": map[string]any{"image": "v2"}}), []string{"keepers"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := configured(t)
			state := create(t, p, tt.olds).Properties
			news, failures := check(t, p, tt.news)
			if len(failures) > 0 {
				t.Fatalf("unexpected failures: %s", failureText(failures))
			}
			resp, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{
				Id: "none", Urn: testURN, Olds: state, News: toStruct(t, news), IgnoreChanges: tt.ignore,
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(resp.Replaces)
			if !slices.Equal(resp.Replaces, tt.wantReplaces) {
				t.Errorf("replaces = %v, want %v", resp.Replaces, tt.wantReplaces)
			}
			wantChanges := pulumirpc.DiffResponse_DIFF_NONE
			if len(tt.wantReplaces) > 0 {
				wantChanges = pulumirpc.DiffResponse_DIFF_SOME
			}
			if resp.Changes != wantChanges {
				t.Errorf("changes = %v, want %v", resp.Changes, wantChanges)
			}
		})
	}
}

func TestDiffReplacesWhenANewInputIsUnknownDuringPreview(t *testing.T) {
	p := configured(t)
	state := create(t, p, props(map[string]any{"length": 16})).Properties
	news := resource.PropertyMap{"length": unknownNumber}
	resp, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: testURN, Olds: state, News: toStruct(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(resp.Replaces, []string{"length"}) {
		t.Errorf("replaces = %v, want [length]", resp.Replaces)
	}
}

func TestReadReturnsTheStateItWasGiven(t *testing.T) {
	p := configured(t)
	state := create(t, p, props(map[string]any{"length": 10})).Properties
	inputs, _ := check(t, p, props(map[string]any{"length": 10}))
	resp, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Id: "none", Urn: testURN, Properties: state, Inputs: toStruct(t, inputs)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Id != "none" || !proto.Equal(resp.Properties, state) {
		t.Errorf("Read changed the state: id %q, properties %v", resp.Id, resp.Properties)
	}
}

func TestReadWithoutStateImportsThePasswordGivenAsID(t *testing.T) {
	resp, err := configured(t).Read(context.Background(), &pulumirpc.ReadRequest{Id: "s3cr3t-Pass", Urn: testURN})
	if err != nil {
		t.Fatal(err)
	}
	state := fromStruct(t, resp.Properties)
	if resp.Id != "none" || state["result"].SecretValue().Element.StringValue() != "s3cr3t-Pass" ||
		state["length"].NumberValue() != 11 {
		t.Errorf("import gave id %q and state %v", resp.Id, state)
	}
}

func TestUpdateKeepsThePassword(t *testing.T) {
	p := configured(t)
	created := create(t, p, props(map[string]any{"length": 10}))
	resp, err := p.Update(context.Background(), &pulumirpc.UpdateRequest{
		Id: "none", Urn: testURN, Olds: created.Properties, News: toStruct(t, props(map[string]any{"length": 10})),
	})
	if err != nil {
		t.Fatal(err)
	}
	before, after := fromStruct(t, created.Properties), fromStruct(t, resp.Properties)
	if !after["result"].IsSecret() || !before["result"].DeepEquals(after["result"]) {
		t.Errorf("result changed or lost its secrecy: %v -> %v", before["result"], after["result"])
	}
}

func TestOtherRandomResourcesAreRefusedByName(t *testing.T) {
	_, err := configured(t).Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: "urn:pulumi:dev::rag::random:index/randomString:RandomString::s", News: &structpb.Struct{},
	})
	if err == nil || !strings.Contains(err.Error(), "stand-in") || !strings.Contains(err.Error(), "pulumi plugin install resource random 4.21.2") {
		t.Errorf("got %v, want an error saying this is a stand-in and how to get the real plugin", err)
	}
}

func TestPluginReportsVersion4212(t *testing.T) {
	info, err := configured(t).GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil || info.Version != "4.21.2" {
		t.Errorf("GetPluginInfo = %v, %v; want version 4.21.2", info, err)
	}
}

func TestSchemaDeclaresRandomPasswordLikeTheRealOne(t *testing.T) {
	resp, err := configured(t).GetSchema(context.Background(), &pulumirpc.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	type property struct {
		Secret bool `json:"secret"`
	}
	var schema struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Resources map[string]struct {
			Properties      map[string]property `json:"properties"`
			InputProperties map[string]property `json:"inputProperties"`
			RequiredInputs  []string            `json:"requiredInputs"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(resp.Schema), &schema); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	res, ok := schema.Resources[passwordType]
	if schema.Name != "random" || schema.Version != Version || !ok {
		t.Fatalf("schema names %q %q and has RandomPassword=%t", schema.Name, schema.Version, ok)
	}
	if !res.Properties["result"].Secret || !res.Properties["bcryptHash"].Secret {
		t.Error("result and bcryptHash must be secret in the schema")
	}
	var inputs []string
	for k := range res.InputProperties {
		inputs = append(inputs, k)
	}
	slices.Sort(inputs)
	if want := keyStrings(inputKeys); !slices.Equal(inputs, want) {
		t.Errorf("schema inputs %v, provider inputs %v", inputs, want)
	}
	if !slices.Equal(res.RequiredInputs, []string{"length"}) {
		t.Errorf("required inputs %v, want [length]", res.RequiredInputs)
	}
}
