package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAnEngineFailureIsNotPrintedTwice(t *testing.T) {
	// The shape of the Automation API's error (sdk/go/auto/errors.go, autoError.Error), wrapped once.
	engine := fmt.Errorf("%s\ncode: %d\nstdout: %s\nstderr: %s\n", "failed to run preview: exit status 1", 1, //nolint:revive // the Automation API's own shape ends in a newline
		"Previewing update (dev):\n Diagnostics:\n  error: invalid stack configuration", "")
	err := fmt.Errorf("preview before up: %w", engine)
	assert.EqualError(t, withoutStreamedOutput(err), "preview before up: failed to run preview: exit status 1 (the diagnostics above say why)")

	other := errors.New("the Pulumi toolchain is not built: run `make tools` first")
	assert.Equal(t, other, withoutStreamedOutput(other), "any other error is printed whole")
}
