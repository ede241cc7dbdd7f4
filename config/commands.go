package config

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// Commands are the application image's entry points.
type Commands struct {
	// Worker is the Celery worker's argv (non-empty).
	Worker []string `json:"worker"`
	// Beat is the Celery beat's argv.
	Beat []string `json:"beat"`
	// Migration is the migration Job's argv.
	Migration []string `json:"migration"`
}

// Probes are the health contracts of the application images.
type Probes struct {
	// APIPath is the API's HTTP health path (starting with /).
	APIPath string `json:"apiPath"`
	// PortalPath is the portals' HTTP health path (starting with /).
	PortalPath string `json:"portalPath"`
	// WorkerLiveness is the worker's liveness exec probe (an argv that fails when the process hangs;
	// one that always succeeds, such as true, is refused): by default, a heartbeat file's age.
	WorkerLiveness []string `json:"workerLiveness"`
	// WorkerReadiness is the worker's readiness exec probe.
	WorkerReadiness []string `json:"workerReadiness"`
	// BeatLiveness is beat's liveness exec probe: by default, the age of the file its scheduler touches.
	BeatLiveness []string `json:"beatLiveness"`
	// BeatReadiness is beat's readiness exec probe.
	BeatReadiness []string `json:"beatReadiness"`
}

// validateCommands checks the entry points and the probes: non-empty argvs, probes that can fail,
// HTTP paths.
func (c *Config) validateCommands(v *validator) {
	commands := append(sortedFieldsOf[[]string](&c.Commands), sortedFieldsOf[[]string](&c.Probes)...)
	for _, command := range commands {
		if len(*command.value) == 0 || (*command.value)[0] == "" {
			v.refuse(command.value, "must be a non-empty command (an argv list)")
		}
	}
	for _, probe := range sortedFieldsOf[[]string](&c.Probes) {
		if len(*probe.value) > 0 && cannotFail(*probe.value) {
			v.refuse(probe.value, "always succeeds, so it would report a hung process healthy; check something the process does (a heartbeat file, a ping)")
		}
	}
	for _, path := range sortedFieldsOf[string](&c.Probes) {
		if !strings.HasPrefix(*path.value, "/") {
			v.refuse(path.value, "must be an HTTP path starting with /")
		}
	}
}

// alwaysSucceeds are commands whose exit status says nothing about anything.
var alwaysSucceeds = []string{"true", ":", "echo", "printf"}

// trivialScript is a shell script that ends by succeeding whatever came before.
var trivialScript = regexp.MustCompile(`(?s)^\s*(true|:|exit(\s+0)?|echo\b.*)\s*;?\s*$|(\|\||;|&&)\s*(true|:|exit(\s+0)?)\s*;?\s*$`)

// cannotFail reports whether an exec probe's argv always exits 0: a command that always succeeds, or a
// shell whose script does.
func cannotFail(argv []string) bool {
	if slices.Contains(alwaysSucceeds, path.Base(argv[0])) {
		return true
	}
	shells := []string{"sh", "bash", "ash", "dash", "zsh"}
	if slices.Contains(shells, path.Base(argv[0])) && len(argv) >= 3 && argv[1] == "-c" {
		return trivialScript.MatchString(argv[2])
	}
	return false
}
