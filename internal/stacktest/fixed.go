package stacktest

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// fixedPasswords answers like mocks, except that every generated password is a function of its name, so
// two runs differ only where their configuration does.
type fixedPasswords struct{ mocks }

func (m fixedPasswords) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	id, outputs, err := m.mocks.NewResource(args)
	if err == nil && args.TypeToken == passwordType {
		outputs["result"] = resource.MakeSecret(resource.NewProperty(FixedPassword(args.Name)))
	}
	return id, outputs, err
}

// passwordType is the type token of a generated password.
const passwordType = "random:index/randomPassword:RandomPassword"

// FixedPassword is the password RunWithFixedPasswords generates for the RandomPassword named name.
func FixedPassword(name string) string {
	sum := sha256.Sum256([]byte("stacktest fixed password " + name))
	return hex.EncodeToString(sum[:16])
}

// RunWithFixedPasswords is Run with generated passwords that are the same in every run (FixedPassword), for
// tests that compare two runs' secret-derived values. Every key of cfg is passed as a secret.
func RunWithFixedPasswords(stack string, cfg map[string]string, program pulumi.RunFunc) (*Record, error) {
	var secret []string
	for k := range cfg {
		secret = append(secret, k)
	}
	return runFixed(stack, cfg, secret, program)
}

// RunDeterministic is Run (the program's secret keys passed as secrets) with the generated passwords of
// RunWithFixedPasswords: two runs of the same program and configuration register the same inputs.
func RunDeterministic(stack string, cfg map[string]string, program pulumi.RunFunc) (*Record, error) {
	return runFixed(stack, cfg, secretKeysOf(cfg), program)
}

func runFixed(stack string, cfg map[string]string, secret []string, program pulumi.RunFunc) (*Record, error) {
	record := &Record{}
	return record, runMocked(stack, cfg, secret, program, fixedPasswords{mocks{record: record, stack: stack}})
}
