package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// DefaultPassphrase encrypts the local backend's secrets when PULUMI_CONFIG_PASSPHRASE is unset.
// It protects nothing: the local backend is for previews and tests, so the runner refuses it to apply,
// refresh or destroy a production stack or any cluster but the local test control plane. Real stacks
// use a shared backend and a real secrets provider.
const DefaultPassphrase = "jd-jones-rag-local-only"

// LocalControlPlaneContext is the kubeconfig context of the local test control plane (internal/cluster),
// the one cluster the built-in passphrase may change.
const LocalControlPlaneContext = "jd-jones-rag-local-control-plane"

// Session is one stack of one project, run through the Automation API.
type Session struct {
	// Repo is the repository root: where .tools, .pulumi-local and the policy pack live.
	Repo string
	// ProjectDir holds Pulumi.yaml and Pulumi.<stack>.yaml; the repository root unless set.
	ProjectDir string
	// Stack is the stack name, e.g. dev.
	Stack string
	// Program is the inline program; the platform's unless set.
	Program pulumi.RunFunc
	// StateDir holds the file backend, work directories and the built policy pack; Repo/.pulumi-local unless set.
	StateDir string
	// NoPolicy turns the policy pack off.
	NoPolicy bool
	// PolicyConfig is a --policy-pack-config file (levels, parameters, exceptions).
	PolicyConfig string
	// PolicyPackPath is an already built policy pack binary; unset, the session builds ./policy.
	PolicyPackPath string
	// Project is the project name of ProjectDir's Pulumi.yaml; the platform's unless set.
	Project string
	// Env adds or overrides environment variables of the CLI, e.g. KUBECONFIG.
	Env map[string]string
	// Stdout and Stderr receive Pulumi's own progress and diagnostics.
	Stdout, Stderr io.Writer
}

func (s *Session) projectDir() string {
	if s.ProjectDir != "" {
		return s.ProjectDir
	}
	return s.Repo
}

func (s *Session) stateDir() string {
	if s.StateDir != "" {
		return s.StateDir
	}
	return filepath.Join(s.Repo, ".pulumi-local")
}

func (s *Session) out() io.Writer {
	if s.Stdout != nil {
		return s.Stdout
	}
	return os.Stdout
}

func (s *Session) errOut() io.Writer {
	if s.Stderr != nil {
		return s.Stderr
	}
	return os.Stderr
}

// ErrToolsMissing is returned when `make tools` has not been run.
var ErrToolsMissing = errors.New("the Pulumi toolchain is not built: run `make tools` first (the first build takes 10-15 minutes)")

// Toolchain returns the Pulumi CLI and Pulumi home that `make tools` laid out under repo/.tools.
func Toolchain(repo string) (cliRoot, pulumiHome string, err error) {
	cliRoot = filepath.Join(repo, ".tools")
	pulumiHome = filepath.Join(cliRoot, "pulumi-home")
	for _, p := range []string{filepath.Join(cliRoot, "bin", "pulumi"), filepath.Join(pulumiHome, "plugins")} {
		if _, err := os.Stat(p); err != nil {
			return "", "", fmt.Errorf("%w (%s is missing)", ErrToolsMissing, p)
		}
	}
	return cliRoot, pulumiHome, nil
}

// Environment is what the CLI runs with: the local file backend, the project-local Pulumi home and
// Pulumi's offline switches; a PULUMI_CONFIG_PASSPHRASE already set wins over the default.
func (s *Session) Environment(pulumiHome string) map[string]string {
	env := map[string]string{
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(s.stateDir(), "state"),
		"PULUMI_CONFIG_PASSPHRASE":                    DefaultPassphrase,
		"PULUMI_HOME":                                 pulumiHome,
		"PULUMI_SKIP_UPDATE_CHECK":                    "1",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS":               "true",
	}
	if p := os.Getenv("PULUMI_CONFIG_PASSPHRASE"); p != "" {
		env["PULUMI_CONFIG_PASSPHRASE"] = p
	}
	for k, v := range s.Env {
		env[k] = v
	}
	return env
}

// usesDefaultPassphrase reports whether the CLI would encrypt with DefaultPassphrase.
func (s *Session) usesDefaultPassphrase() bool {
	return s.Environment("")["PULUMI_CONFIG_PASSPHRASE"] == DefaultPassphrase
}

// kubeContext is the current context of the kubeconfig the CLI would use ($KUBECONFIG of Env or of
// the process, else ~/.kube/config), or "" when there is none.
func (s *Session) kubeContext() string {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path, ok := s.Env["KUBECONFIG"]; ok {
		rules.Precedence = filepath.SplitList(path)
	}
	cfg, err := rules.Load()
	if err != nil {
		return ""
	}
	return cfg.CurrentContext
}

// Select prepares the work directory and selects (or creates) the stack on the local backend.
func (s *Session) Select(ctx context.Context) (auto.Stack, error) {
	cliRoot, pulumiHome, err := Toolchain(s.Repo)
	if err != nil {
		return auto.Stack{}, err
	}
	work, err := s.prepareWorkDir()
	if err != nil {
		return auto.Stack{}, err
	}
	// Owner only: the state's secrets may be encrypted with the published DefaultPassphrase.
	if err := os.MkdirAll(filepath.Join(s.stateDir(), "state"), 0o700); err != nil {
		return auto.Stack{}, err
	}
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: cliRoot})
	if err != nil {
		return auto.Stack{}, fmt.Errorf("pulumi CLI in %s: %w", cliRoot, err)
	}
	program := s.Program
	if program == nil {
		return auto.Stack{}, errors.New("runner: Session.Program is not set")
	}
	project := s.Project
	if project == "" {
		project = config.Project
	}
	stack, err := auto.UpsertStackInlineSource(ctx, s.Stack, project, program,
		auto.WorkDir(work), auto.Pulumi(cli), auto.PulumiHome(pulumiHome),
		auto.SecretsProvider("passphrase"), auto.EnvVars(s.Environment(pulumiHome)))
	if err != nil {
		return auto.Stack{}, fmt.Errorf("selecting stack %s: %w", s.Stack, err)
	}
	return stack, nil
}

// encryptionSalt matches the line the passphrase provider writes into a stack file.
var encryptionSalt = regexp.MustCompile(`(?m)^encryptionsalt: .*$`)

// prepareWorkDir copies Pulumi.yaml and the stack file into the session's work directory, so nothing in
// the repository is rewritten; the salt the passphrase provider wrote there earlier is kept, or the
// stack's secrets could no longer be decrypted.
func (s *Session) prepareWorkDir() (string, error) {
	work := filepath.Join(s.stateDir(), "work", filepath.Base(s.projectDir()), s.Stack)
	if err := os.MkdirAll(work, 0o700); err != nil {
		return "", err
	}
	project, err := os.ReadFile(filepath.Join(s.projectDir(), "Pulumi.yaml"))
	if err != nil {
		return "", fmt.Errorf("reading the project: %w", err)
	}
	stackFile := "Pulumi." + s.Stack + ".yaml"
	stackConfig, err := os.ReadFile(filepath.Join(s.projectDir(), stackFile))
	if err != nil {
		return "", fmt.Errorf("stack %q has no %s in %s: %w", s.Stack, stackFile, s.projectDir(), err)
	}
	if previous, err := os.ReadFile(filepath.Join(work, stackFile)); err == nil {
		if salt := encryptionSalt.Find(previous); salt != nil {
			stackConfig = append([]byte(strings.TrimRight(string(stackConfig), "\n")+"\n"), append(salt, '\n')...)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "Pulumi.yaml"), project, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(work, stackFile), stackConfig, 0o600); err != nil {
		return "", err
	}
	return work, nil
}

// PolicyPack builds the policy pack to a binary the CLI runs directly (no Go language host needed)
// and returns its path, or "" when the session runs without it.
func (s *Session) PolicyPack(ctx context.Context) (string, error) {
	switch {
	case s.NoPolicy:
		return "", nil
	case s.PolicyPackPath != "":
		return s.PolicyPackPath, nil
	}
	return BuildPolicyPack(ctx, s.Repo, filepath.Join(s.stateDir(), "bin"), s.errOut())
}

// BuildPolicyPack compiles repo's ./policy into dir and returns the binary's path.
func BuildPolicyPack(ctx context.Context, repo, dir string, log io.Writer) (string, error) {
	bin := filepath.Join(dir, "k8s-guardrails")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./policy")
	build.Dir = repo
	build.Stdout, build.Stderr = log, log
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building the policy pack: %w", err)
	}
	return bin, nil
}

// RepoRoot is the nearest folder upwards from the working directory that holds Pulumi.yaml: the
// repository the commands run in.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no Pulumi.yaml here or above: run from the repository")
		}
		dir = parent
	}
}
