package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

func main() {
	code, err := run(os.Args[1:], os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "guardrails:", err)
	}
	os.Exit(code)
}

func run(args []string, stdin io.Reader, stdout io.Writer) (int, error) {
	flags := flag.NewFlagSet("guardrails", flag.ContinueOnError)
	production := flags.Bool("production", false, "apply the production rules (replicas, HA databases, HPA floors)")
	configFile := flags.String("config", "", "a policy pack config (levels, parameters, v2 exceptions), as for --policy-pack-config")
	quiet := flags.Bool("quiet", false, "print only blocking findings")
	if err := flags.Parse(args); err != nil {
		return 2, err
	}
	opts := checks.Options{Production: *production}
	if *configFile != "" {
		data, err := os.ReadFile(*configFile)
		if err != nil {
			return 2, err
		}
		cfg, err := checks.ParsePackConfig(data)
		if err != nil {
			return 2, fmt.Errorf("%s: %w", *configFile, err)
		}
		opts.Policies, opts.Exceptions = cfg.Policies, cfg.Exceptions
	}
	paths := flags.Args()
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	var resources []checks.Resource
	for _, path := range paths {
		rs, err := read(path, stdin)
		if err != nil {
			return 2, err
		}
		resources = append(resources, rs...)
	}
	// bufio keeps the first write error: the Flush below reports it.
	out := bufio.NewWriter(stdout)
	findings := checks.Evaluate(resources, opts)
	blocking := 0
	for _, f := range findings {
		if f.Blocking() {
			blocking++
		} else if *quiet {
			continue
		}
		fmt.Fprintln(out, f.String())
	}
	fmt.Fprintf(out, "%d objects, %d findings, %d blocking\n", len(resources), len(findings), blocking)
	if err := out.Flush(); err != nil {
		return 2, fmt.Errorf("writing the findings: %w", err)
	}
	if blocking > 0 {
		return 1, nil
	}
	return 0, nil
}

// read parses the manifests of a file, of every .yaml/.yml/.json file under a directory, or of stdin ("-").
func read(path string, stdin io.Reader) ([]checks.Resource, error) {
	if path == "-" {
		return checks.ParseManifests(stdin)
	}
	var out []checks.Resource
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := strings.ToLower(filepath.Ext(p)); p != path && ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		rs, err := checks.ParseManifests(f)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, rs...)
		return nil
	})
	return out, err
}
