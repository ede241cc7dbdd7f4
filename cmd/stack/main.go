package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

const usage = `usage: stack <preview|up|destroy|refresh|render> -s <stack> [flags]

flags:
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", withoutStreamedOutput(err))
		os.Exit(1)
	}
}

// withoutStreamedOutput drops the engine's output that an Automation API error repeats after its first
// line ("\ncode: 1\nstdout: …\nstderr: …"): the session has streamed that output, with the program's
// and the policy pack's diagnostics, to the terminal already.
func withoutStreamedOutput(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\ncode: "); i >= 0 && strings.Contains(msg[i:], "\nstdout: ") {
		return errors.New(msg[:i] + " (the diagnostics above say why)")
	}
	return err
}

func run(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("a command is required")
	}
	command := args[0]
	flags := flag.NewFlagSet(command, flag.ContinueOnError)
	stack := flags.String("s", "dev", "stack name (a Pulumi.<stack>.yaml must exist)")
	noPolicy := flags.Bool("no-policy", false, "run without the policy pack")
	policyConfig := flags.String("policy-config", "", "a --policy-pack-config JSON file (levels, parameters, exceptions)")
	out := flags.String("out", "", "render: the directory to write the YAML to (default rendered/<stack>)")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	repo, err := runner.RepoRoot()
	if err != nil {
		return err
	}
	session := &runner.Session{
		Repo: repo, Stack: *stack, Program: platform.Program, NoPolicy: *noPolicy, PolicyConfig: *policyConfig,
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	start := time.Now()
	switch command {
	case "preview":
		_, err = session.Preview(ctx, nil)
	case "up":
		_, err = session.Up(ctx, nil)
	case "destroy":
		_, err = session.Destroy(ctx)
	case "refresh":
		_, err = session.Refresh(ctx)
	case "render":
		dir := *out
		if dir == "" {
			dir = filepath.Join(repo, "rendered", *stack)
		}
		err = session.Render(ctx, dir)
	default:
		return fmt.Errorf("unknown command %q; one of preview, up, destroy, refresh, render", command)
	}
	fmt.Fprintf(os.Stderr, "%s of %s took %s\n", command, *stack, time.Since(start).Round(100*time.Millisecond))
	return err
}
