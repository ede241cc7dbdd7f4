package runner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Preview previews the stack with the policy pack. events, when given, receive the engine's events and
// are closed when the preview ends, even one that fails before it starts.
func (s *Session) Preview(ctx context.Context, events chan<- events.EngineEvent) (auto.PreviewResult, error) {
	stack, pack, err := s.prepare(ctx, events)
	if err != nil {
		return auto.PreviewResult{}, err
	}
	return stack.Preview(ctx, s.previewOptions(pack, events)...)
}

// Up applies the stack, judged by the policy pack before anything changes: the engine runs stack
// policies only after an update's steps are applied, so Up first previews the same program against
// the same state with the pack, and a refused preview stops it. (Update plans, which would make the
// update apply exactly what the preview judged, are refused here by the Kubernetes provider itself: a
// Secret whose values are unknown during preview keeps stringData in the plan and has data at update
// time, which the CLI reports as "violates plan".) events receive the update's events and behave as
// in Preview.
func (s *Session) Up(ctx context.Context, events chan<- events.EngineEvent) (auto.UpResult, error) {
	stack, pack, err := s.prepare(ctx, events)
	if err != nil {
		return auto.UpResult{}, err // prepare closed events
	}
	if err := s.refuseDefaultPassphrase(ctx, stack, "apply"); err != nil {
		if events != nil {
			close(events)
		}
		return auto.UpResult{}, err
	}
	if err := s.checkBeforeUp(ctx, stack, pack); err != nil {
		if events != nil {
			close(events)
		}
		return auto.UpResult{}, err
	}
	return stack.Up(ctx, s.upOptions(pack, events)...)
}

// checkBeforeUp warns about a production stack and previews with the pack; a preview the pack
// refuses is an error that says nothing was applied.
func (s *Session) checkBeforeUp(ctx context.Context, stack auto.Stack, pack string) error {
	if err := s.warnIfProduction(ctx, stack); err != nil {
		return err
	}
	if _, err := stack.Preview(ctx, s.previewOptions(pack, nil)...); err != nil {
		return fmt.Errorf("the preview before up failed, so nothing was applied: %w", err)
	}
	return nil
}

// warnIfProduction warns before a production stack is applied from the local backend.
func (s *Session) warnIfProduction(ctx context.Context, stack auto.Stack) error {
	prod, err := s.isProduction(ctx, stack)
	if err != nil {
		return err
	}
	if prod {
		fmt.Fprintf(s.errOut(), "warning: applying %s, a production stack, from the local file backend with a passphrase secrets provider; "+
			"production state belongs in a shared backend with a real secrets provider (see docs/operations.md).\n", s.Stack)
	}
	return nil
}

// isProduction reports whether the stack's environment is production, whatever its name.
func (s *Session) isProduction(ctx context.Context, stack auto.Stack) (bool, error) {
	v, err := stack.GetConfig(ctx, config.Project+":"+config.EnvironmentKey)
	if err != nil {
		return false, fmt.Errorf("reading the environment of stack %s: %w", s.Stack, err)
	}
	return config.Environment(v.Value).IsProduction(), nil
}

// ErrDefaultPassphrase refuses to change a cluster with secrets encrypted by DefaultPassphrase.
var ErrDefaultPassphrase = errors.New("the built-in local passphrase protects nothing: set PULUMI_CONFIG_PASSPHRASE (or use a shared backend with a real secrets provider) first")

// refuseDefaultPassphrase stops an operation that changes a cluster (apply, refresh, destroy) when the
// stack's secrets would be encrypted with DefaultPassphrase, unless the stack is not production and
// the cluster is the local test control plane.
func (s *Session) refuseDefaultPassphrase(ctx context.Context, stack auto.Stack, operation string) error {
	if !s.usesDefaultPassphrase() {
		return nil
	}
	prod, err := s.isProduction(ctx, stack)
	if err != nil {
		return err
	}
	if prod {
		return fmt.Errorf("refusing to %s %s, a production stack: %w", operation, s.Stack, ErrDefaultPassphrase)
	}
	if kube := s.kubeContext(); kube != LocalControlPlaneContext {
		return fmt.Errorf("refusing to %s %s on the cluster of kubeconfig context %q, which is not the local test control plane: %w", operation, s.Stack, kube, ErrDefaultPassphrase)
	}
	return nil
}

// checkConfigKeys refuses keys of the project the program does not read: an inline program is handed
// no list of the stack's keys, so the runner checks them before the program runs.
func (s *Session) checkConfigKeys(ctx context.Context, stack auto.Stack) error {
	all, err := stack.GetAllConfig(ctx)
	if err != nil {
		return fmt.Errorf("reading the configuration of stack %s: %w", s.Stack, err)
	}
	return config.CheckKeys(slices.Collect(maps.Keys(all)))
}

// Destroy deletes the stack's resources (protected ones refuse).
func (s *Session) Destroy(ctx context.Context) (auto.DestroyResult, error) {
	stack, err := s.Select(ctx)
	if err != nil {
		return auto.DestroyResult{}, err
	}
	if err := s.refuseDefaultPassphrase(ctx, stack, "destroy"); err != nil {
		return auto.DestroyResult{}, err
	}
	return stack.Destroy(ctx, optdestroy.ProgressStreams(s.out()), optdestroy.ErrorProgressStreams(s.errOut()))
}

// Refresh reads the live state of the stack's resources into its state.
func (s *Session) Refresh(ctx context.Context) (auto.RefreshResult, error) {
	stack, err := s.Select(ctx)
	if err != nil {
		return auto.RefreshResult{}, err
	}
	if err := s.refuseDefaultPassphrase(ctx, stack, "refresh"); err != nil {
		return auto.RefreshResult{}, err
	}
	return stack.Refresh(ctx, optrefresh.ProgressStreams(s.out()), optrefresh.ErrorProgressStreams(s.errOut()))
}

// Render writes every Kubernetes object of the stack as YAML under out, through the provider's
// renderYamlToDirectory, instead of applying it. It runs against a throwaway state of its own, so each
// render writes every object afresh and never touches the stack's real state. Rendered Secrets are
// plaintext: keep out of git.
func (s *Session) Render(ctx context.Context, out string) error {
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(out, "0-crd")); err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(out, "1-manifest")); err != nil {
		return err
	}
	render := *s
	render.StateDir = filepath.Join(s.stateDir(), "render")
	if err := os.RemoveAll(render.StateDir); err != nil {
		return err
	}
	stack, pack, err := render.prepare(ctx, nil)
	if err != nil {
		return err
	}
	if err := stack.SetConfig(ctx, "kubernetes:renderYamlToDirectory", auto.ConfigValue{Value: out}); err != nil {
		return fmt.Errorf("setting the render directory: %w", err)
	}
	fmt.Fprintf(s.errOut(), "warning: rendering %s to %s; rendered Secrets hold their values in plaintext, keep the folder out of git.\n", s.Stack, out)
	_, err = stack.Up(ctx, render.upOptions(pack, nil)...)
	return err
}

// previewOptions are the options of a preview with the session's streams, policy pack and its config.
func (s *Session) previewOptions(pack string, events chan<- events.EngineEvent) []optpreview.Option {
	opts := []optpreview.Option{optpreview.ProgressStreams(s.out()), optpreview.ErrorProgressStreams(s.errOut())}
	if pack != "" {
		opts = append(opts, optpreview.PolicyPacks(pack))
	}
	if s.PolicyConfig != "" {
		opts = append(opts, optpreview.PolicyPackConfigs(s.PolicyConfig))
	}
	if events != nil {
		opts = append(opts, optpreview.EventStreams(events))
	}
	return opts
}

// upOptions are the options of an up with the session's streams, policy pack and its config.
func (s *Session) upOptions(pack string, events chan<- events.EngineEvent) []optup.Option {
	opts := []optup.Option{optup.ProgressStreams(s.out()), optup.ErrorProgressStreams(s.errOut())}
	if pack != "" {
		opts = append(opts, optup.PolicyPacks(pack))
	}
	if s.PolicyConfig != "" {
		opts = append(opts, optup.PolicyPackConfigs(s.PolicyConfig))
	}
	if events != nil {
		opts = append(opts, optup.EventStreams(events))
	}
	return opts
}

// prepare selects the stack and builds the policy pack; on failure it closes events, which the
// operation that would have closed them will not run.
func (s *Session) prepare(ctx context.Context, events chan<- events.EngineEvent) (auto.Stack, string, error) {
	stack, err := s.Select(ctx)
	if err == nil {
		err = s.checkConfigKeys(ctx, stack)
	}
	var pack string
	if err == nil {
		pack, err = s.PolicyPack(ctx)
	}
	if err != nil && events != nil {
		close(events)
	}
	return stack, pack, err
}
