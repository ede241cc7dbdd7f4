// Command ocipack packs root filesystem trees into OCI image-layout tarballs that
// `ctr -n k8s.io images import` loads, without a registry or a container engine.
//
//	ocipack layer -o DIR ROOTFS                 a reproducible gzipped layer blob of ROOTFS, into DIR
//	ocipack pack -ref REF [-config CONFIG.json] -o OUT.tar LAYER...
//	                                            an image of layers (directories or .tar.gz blobs,
//	                                            bottom first) and an OCI ImageConfig JSON
//	ocipack list RECIPES                        the recipes under RECIPES: name, folder, base, binaries
//	ocipack packages RECIPES                    the union of the Debian-based recipes' packages
//	ocipack recipe [-base BLOB] [-bin NAME=FILE]... -o OUT.tar RECIPE
//	                                            RECIPE's image (see tools/images/README.md); also
//	                                            writes OUT.json, the image's reference and digest
//	ocipack index -o images.json IMAGE.json...  one index of the images, by name
//
// Layers are reproducible: entries sorted by path, modification times at the Unix epoch, numeric
// owners kept, hard links and symlinks kept, device files skipped, gzip without name or time.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ocipack layer|pack|list|packages|recipe|index ... (see the source's doc comment)")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"layer": cmdLayer, "pack": cmdPack, "list": cmdList, "packages": cmdPackages, "recipe": cmdRecipe, "index": cmdIndex,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "ocipack: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "ocipack %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmdLayer(args []string) error {
	fs := flag.NewFlagSet("layer", flag.ExitOnError)
	out := fs.String("o", ".", "directory to write the layer blob into")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return fmt.Errorf("want one root filesystem directory")
	}
	es, err := walkDir(fs.Arg(0))
	if err != nil {
		return err
	}
	sortEntries(es)
	l, err := writeLayer(*out, es)
	if err != nil {
		return err
	}
	return printJSON(l)
}

// layerArg is a layer given on the command line: an existing blob (.tar.gz, used as it is, byte for
// byte) or a directory packed into a new blob in tmp.
func layerArg(p, tmp string) (Layer, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return Layer{}, err
	}
	if !fi.IsDir() {
		return readLayer(p, nil)
	}
	es, err := walkDir(p)
	if err != nil {
		return Layer{}, err
	}
	sortEntries(es)
	return writeLayer(tmp, es)
}

func cmdPack(args []string) error {
	fs := flag.NewFlagSet("pack", flag.ExitOnError)
	ref := fs.String("ref", "", "the image's full reference, e.g. jdj.test/pause:3.10")
	config := fs.String("config", "", "an OCI ImageConfig as JSON (User, Entrypoint, Cmd, Env, WorkingDir, ExposedPorts, Labels, ...)")
	out := fs.String("o", "", "the image tarball to write")
	_ = fs.Parse(args)
	if *ref == "" || *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("want -ref, -o and at least one layer")
	}
	img := Image{Reference: *ref}
	if *config != "" {
		b, err := os.ReadFile(*config)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &img.Config); err != nil {
			return fmt.Errorf("%s: %w", *config, err)
		}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(*out), ".ocipack-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, p := range fs.Args() {
		l, err := layerArg(p, tmp)
		if err != nil {
			return err
		}
		img.Layers = append(img.Layers, l)
		img.History = append(img.History, "ocipack layer "+filepath.Base(p))
	}
	w, err := writeImage(img, *out)
	if err != nil {
		return err
	}
	return printJSON(w)
}

func cmdList(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("want the recipes' folder")
	}
	dirs, err := findRecipes(args[0])
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, d := range dirs {
		r, err := loadRecipe(d)
		if err != nil {
			return err
		}
		if prev, ok := names[r.Name]; ok {
			return fmt.Errorf("recipes %s and %s are both named %q", prev, d, r.Name)
		}
		names[r.Name] = d
		var bins []string
		for _, b := range r.Binaries {
			bins = append(bins, b)
		}
		sort.Strings(bins)
		fmt.Printf("%s\t%s\t%s\t%s\n", r.Name, d, r.Base, strings.Join(bins, ","))
	}
	return nil
}

func cmdPackages(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("want the recipes' folder")
	}
	dirs, err := findRecipes(args[0])
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for _, d := range dirs {
		r, err := loadRecipe(d)
		if err != nil {
			return err
		}
		if r.Base == "debian" {
			for _, p := range r.Packages {
				set[p] = true
			}
		}
	}
	var pkgs []string
	for p := range set {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		fmt.Println(p)
	}
	return nil
}

type binFlags map[string]string

func (b binFlags) String() string { return fmt.Sprint(map[string]string(b)) }
func (b binFlags) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok || name == "" || file == "" {
		return fmt.Errorf("want NAME=FILE, got %q", v)
	}
	b[name] = file
	return nil
}

func cmdRecipe(args []string) error {
	fs := flag.NewFlagSet("recipe", flag.ExitOnError)
	basePath := fs.String("base", "", "the shared Debian base layer blob (.tar.gz), for recipes on base \"debian\"")
	out := fs.String("o", "", "the image tarball to write; its description goes to the same path with .json")
	bins := binFlags{}
	fs.Var(bins, "bin", "NAME=FILE: a binary recipes name in \"binaries\" (repeatable)")
	_ = fs.Parse(args)
	if *out == "" || fs.NArg() != 1 {
		return fmt.Errorf("want -o and one recipe folder")
	}
	r, err := loadRecipe(fs.Arg(0))
	if err != nil {
		return err
	}
	img := Image{Reference: r.Reference, Config: r.Config}
	var base *baseInfo
	if r.Base == "debian" {
		if *basePath == "" {
			return fmt.Errorf("%s is based on debian: want -base", r.Name)
		}
		l, info, err := scanBase(*basePath)
		if err != nil {
			return err
		}
		base = info
		img.Layers = append(img.Layers, l)
		img.History = append(img.History, "debian base (mmdebstrap)")
	}
	es, err := r.thinLayer(base, bins)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(*out), ".ocipack-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	thin, err := writeLayer(tmp, es)
	if err != nil {
		return err
	}
	img.Layers = append(img.Layers, thin)
	img.History = append(img.History, "ocipack recipe "+r.Name)
	w, err := writeImage(img, *out)
	if err != nil {
		return err
	}
	w.Name, w.ConfigKeys = r.Name, r.ConfigKeys
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(strings.TrimSuffix(*out, ".tar")+".json", append(b, '\n'), 0o644); err != nil {
		return err
	}
	return printJSON(w)
}

func cmdIndex(args []string) error {
	fs := flag.NewFlagSet("index", flag.ExitOnError)
	out := fs.String("o", "images.json", "the index to write")
	_ = fs.Parse(args)
	index := map[string]Written{}
	for _, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var w Written
		if err := json.Unmarshal(b, &w); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if _, dup := index[w.Name]; dup {
			return fmt.Errorf("%s: image %q listed twice", p, w.Name)
		}
		index[w.Name] = w
	}
	b, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*out, append(b, '\n'), 0o644)
}
