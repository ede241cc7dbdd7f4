package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Version is the pulumi-random release this stand-in answers for; tools/build.sh installs
// the plugin under resource-random-v<Version>.
const Version = "4.21.2"

// passwordType is the only resource type this stand-in serves.
const passwordType = "random:index/randomPassword:RandomPassword"

// passwordID is the ID the real provider gives every RandomPassword.
const passwordID = "none"

//go:embed schema.json
var schemaJSON string

// randomProvider serves RandomPassword over the Pulumi resource provider protocol.
type randomProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	// keepSecrets is whether the engine accepts secret values from us (set by Configure).
	keepSecrets bool
}

func newRandomProvider() *randomProvider { return &randomProvider{} }

func (p *randomProvider) unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true})
}

func (p *randomProvider) marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: p.keepSecrets, SkipNulls: true})
}

// checkType refuses any resource type but RandomPassword, naming what this stand-in is.
func checkType(urn string) error {
	if t := resource.URN(urn).Type(); t != passwordType {
		return status.Errorf(codes.InvalidArgument,
			"%s is not supported: this pulumi-resource-random is a local stand-in that implements only %s "+
				"(install the real plugin with `pulumi plugin install resource random %s`)", t, passwordType, Version)
	}
	return nil
}

func (p *randomProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *randomProvider) GetSchema(_ context.Context, req *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	if req.SubpackageName != "" {
		return nil, status.Errorf(codes.NotFound, "random has no subpackage %q", req.SubpackageName)
	}
	return &pulumirpc.GetSchemaResponse{Schema: schemaJSON}, nil
}

// CheckConfig accepts any provider configuration: random has none that matters.
func (p *randomProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.News}, nil
}

func (p *randomProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *randomProvider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	p.keepSecrets = req.AcceptSecrets
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

// Check validates the inputs and returns them with the defaults filled in.
func (p *randomProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.Urn); err != nil {
		return nil, err
	}
	news, err := p.unmarshal(req.News)
	if err != nil {
		return nil, err
	}
	filled, failures := checkInputs(news)
	inputs, err := p.marshal(filled)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// Diff keeps the password unless an input changed; every input change replaces it.
func (p *randomProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := checkType(req.Urn); err != nil {
		return nil, err
	}
	olds, err := p.unmarshal(req.Olds)
	if err != nil {
		return nil, err
	}
	news, err := p.unmarshal(req.News)
	if err != nil {
		return nil, err
	}
	changed := changedInputs(olds, news, req.IgnoreChanges)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{
			Changes:         pulumirpc.DiffResponse_DIFF_NONE,
			Stables:         []string{keyResult, keyBcryptHash},
			HasDetailedDiff: true,
			DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		}, nil
	}
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range changed {
		kind := pulumirpc.PropertyDiff_UPDATE_REPLACE
		switch {
		case !isSet(olds, resource.PropertyKey(k)):
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		case !isSet(news, resource.PropertyKey(k)):
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_SOME,
		Replaces:        changed,
		Diffs:           changed,
		DetailedDiff:    detailed,
		HasDetailedDiff: true,
	}, nil
}

// outputs returns the state of a password: its inputs (defaults filled) plus the secret
// result and bcryptHash.
func outputs(inputs resource.PropertyMap, result, hash resource.PropertyValue) resource.PropertyMap {
	out := withDefaults(inputs)
	out[keyResult] = result
	out[keyBcryptHash] = hash
	return out
}

// asSecret wraps v as a secret unless it already is one.
func asSecret(v resource.PropertyValue) resource.PropertyValue {
	if v.IsSecret() {
		return v
	}
	return resource.MakeSecret(v)
}

// Create draws a new password; in a preview its result and hash are unknown.
func (p *randomProvider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.Urn); err != nil {
		return nil, err
	}
	inputs, err := p.unmarshal(req.Properties)
	if err != nil {
		return nil, err
	}
	var state resource.PropertyMap
	if req.Preview {
		unknown := resource.MakeComputed(resource.NewStringProperty(""))
		state = outputs(inputs, unknown, unknown)
	} else {
		spec, err := specFromInputs(inputs)
		if err != nil {
			return nil, err
		}
		password, err := generatePassword(spec, rand.Reader)
		if err != nil {
			return nil, err
		}
		hash, err := bcryptHash(password)
		if err != nil {
			return nil, err
		}
		state = outputs(inputs,
			resource.MakeSecret(resource.NewStringProperty(password)),
			resource.MakeSecret(resource.NewStringProperty(hash)))
	}
	props, err := p.marshal(state)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: passwordID, Properties: props}, nil
}

// Read returns the state it is given, so a refresh finds no drift. Given no state (an import),
// it takes the ID as the password, like the real provider.
func (p *randomProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := checkType(req.Urn); err != nil {
		return nil, err
	}
	state, err := p.unmarshal(req.Properties)
	if err != nil {
		return nil, err
	}
	if len(state) > 0 {
		return &pulumirpc.ReadResponse{Id: req.Id, Properties: req.Properties, Inputs: req.Inputs}, nil
	}

	password := req.Id
	if password == "" {
		return nil, status.Error(codes.InvalidArgument, "importing a RandomPassword needs the password as the ID")
	}
	hash, err := bcryptHash(password)
	if err != nil {
		return nil, err
	}
	inputs := withDefaults(resource.PropertyMap{keyLength: resource.NewNumberProperty(float64(len([]rune(password))))})
	props, err := p.marshal(outputs(inputs,
		resource.MakeSecret(resource.NewStringProperty(password)),
		resource.MakeSecret(resource.NewStringProperty(hash))))
	if err != nil {
		return nil, err
	}
	ins, err := p.marshal(inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: passwordID, Properties: props, Inputs: ins}, nil
}

// Update keeps the password: Diff makes every input change a replacement, so only a change
// that needs no new password (none today) gets here.
func (p *randomProvider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := checkType(req.Urn); err != nil {
		return nil, err
	}
	olds, err := p.unmarshal(req.Olds)
	if err != nil {
		return nil, err
	}
	news, err := p.unmarshal(req.News)
	if err != nil {
		return nil, err
	}
	if !isSet(olds, keyResult) {
		return nil, fmt.Errorf("the old state of %s has no result to keep", req.Urn)
	}
	props, err := p.marshal(outputs(news, asSecret(olds[keyResult]), asSecret(olds[keyBcryptHash])))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Delete forgets the password; there is nothing outside the state to remove.
func (p *randomProvider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := checkType(req.Urn); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

func (p *randomProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
