package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// debianPath is the PATH of Debian's root and of the images that name none.
const debianPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Recipe is a tools/images/<name>/image.json: see tools/images/README.md.
type Recipe struct {
	Name       string            `json:"name"`
	ConfigKeys []string          `json:"configKeys"`
	Reference  string            `json:"reference"`
	Base       string            `json:"base"`
	Packages   []string          `json:"packages"`
	User       *User             `json:"user"`
	Dirs       []Dir             `json:"dirs"`
	Binaries   map[string]string `json:"binaries"`
	Config     v1.ImageConfig    `json:"config"`

	dir string // the recipe's folder
}

// User is the account an image runs as.
type User struct {
	Name  string `json:"name"`
	UID   int    `json:"uid"`
	GID   *int   `json:"gid"`
	Group string `json:"group"`
	Home  string `json:"home"`
	Shell string `json:"shell"`
}

// Dir is a directory the thin layer creates.
type Dir struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	UID  *int   `json:"uid"`
	GID  *int   `json:"gid"`
}

// loadRecipe reads dir/image.json and fills the defaults.
func loadRecipe(dir string) (*Recipe, error) {
	b, err := os.ReadFile(filepath.Join(dir, "image.json"))
	if err != nil {
		return nil, err
	}
	r := &Recipe{dir: dir}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		return nil, fmt.Errorf("%s/image.json: %w", dir, err)
	}
	if r.Name == "" {
		r.Name = filepath.Base(dir)
	}
	if r.Base == "" {
		r.Base = "debian"
	}
	if r.Reference == "" {
		return nil, fmt.Errorf("%s/image.json: no reference", dir)
	}
	if r.Base != "debian" && r.Base != "scratch" {
		return nil, fmt.Errorf("%s/image.json: base %q is neither \"debian\" nor \"scratch\"", dir, r.Base)
	}
	if u := r.User; u != nil {
		if u.Name == "" {
			return nil, fmt.Errorf("%s/image.json: user without a name", dir)
		}
		if u.GID == nil {
			gid := u.UID
			u.GID = &gid
		}
		if u.Group == "" {
			u.Group = u.Name
		}
		if u.Home == "" {
			u.Home = "/"
		}
		if u.Shell == "" {
			u.Shell = "/usr/sbin/nologin"
		}
		if r.Config.User == "" {
			r.Config.User = fmt.Sprintf("%d:%d", u.UID, *u.GID)
		}
	}
	if r.Base == "debian" && !hasEnv(r.Config.Env, "PATH") {
		r.Config.Env = append([]string{debianPath}, r.Config.Env...)
	}
	return r, nil
}

func hasEnv(env []string, name string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, name+"=") {
			return true
		}
	}
	return false
}

// baseInfo is what a thin layer needs to know of the base layer under it.
type baseInfo struct {
	kinds map[string]byte   // path -> tar type flag
	links map[string]string // symlink path -> target
	files map[string][]byte // /etc/passwd and /etc/group
}

// scanBase reads the base layer blob: every path's type, its symlinks, its passwd and group.
func scanBase(p string) (Layer, *baseInfo, error) {
	info := &baseInfo{kinds: map[string]byte{}, links: map[string]string{}, files: map[string][]byte{}}
	l, err := readLayer(p, func(h *tar.Header, r io.Reader) error {
		name := cleanName(h.Name)
		info.kinds[name] = h.Typeflag
		switch {
		case h.Typeflag == tar.TypeSymlink:
			info.links[name] = h.Linkname
		case name == "etc/passwd" || name == "etc/group":
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			info.files[name] = b
		}
		return nil
	})
	return l, info, err
}

// resolve follows the base's symlinks in p's directories (and in p itself when follow), the way a
// runtime unpacking the layer on top of the base does, so the thin layer writes where the base points.
func (b *baseInfo) resolve(p string, follow bool) string {
	if b == nil {
		return cleanName(p)
	}
	parts := strings.Split(cleanName(p), "/")
	cur := ""
	for hops := 0; len(parts) > 0; {
		next := path.Join(cur, parts[0])
		parts = parts[1:]
		target, isLink := b.links[next]
		if !isLink || (len(parts) == 0 && !follow) || hops > 40 {
			cur = next
			continue
		}
		hops++
		if strings.HasPrefix(target, "/") {
			cur = ""
		}
		parts = append(strings.Split(cleanName(path.Join(cur, target)), "/"), parts...)
		cur = ""
	}
	return cleanName(cur)
}

// setAccount returns an /etc/passwd or /etc/group with line set for name and id, dropping any line of
// the same name or the same id (field 3).
func setAccount(file []byte, name string, id int, line string) []byte {
	var out bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(string(file), "\n"), "\n") {
		f := strings.Split(l, ":")
		if l == "" || (len(f) > 2 && (f[0] == name || f[2] == strconv.Itoa(id))) {
			continue
		}
		out.WriteString(l + "\n")
	}
	out.WriteString(line + "\n")
	return out.Bytes()
}

// thinLayer lists the entries of the recipe's own layer: its accounts, dirs, binaries and rootfs/.
func (r *Recipe) thinLayer(base *baseInfo, bins map[string]string) ([]entry, error) {
	es := map[string]entry{}
	add := func(e entry) { es[cleanName(e.hdr.Name)] = e }
	if u := r.User; u != nil {
		passwd, group := []byte("root:x:0:0:root:/root:/bin/sh\n"), []byte("root:x:0:\n")
		if base != nil {
			passwd, group = base.files["etc/passwd"], base.files["etc/group"]
		}
		passwd = setAccount(passwd, u.Name, u.UID, fmt.Sprintf("%s:x:%d:%d:%s:%s:%s", u.Name, u.UID, *u.GID, u.Name, u.Home, u.Shell))
		group = setAccount(group, u.Group, *u.GID, fmt.Sprintf("%s:x:%d:", u.Group, *u.GID))
		add(entry{hdr: tar.Header{Name: base.resolve("/etc/passwd", true), Typeflag: tar.TypeReg, Mode: 0o644}, data: passwd})
		add(entry{hdr: tar.Header{Name: base.resolve("/etc/group", true), Typeflag: tar.TypeReg, Mode: 0o644}, data: group})
	}
	// rootfs/: as checked out, root-owned.
	overlay := filepath.Join(r.dir, "rootfs")
	if _, err := os.Stat(overlay); err == nil {
		files, err := walkDir(overlay)
		if err != nil {
			return nil, err
		}
		for _, e := range files {
			e.hdr.Uid, e.hdr.Gid = 0, 0
			isDir := e.hdr.Typeflag == tar.TypeDir
			e.hdr.Name = base.resolve(e.hdr.Name, isDir)
			if isDir {
				if base != nil && base.kinds[e.hdr.Name] == tar.TypeDir {
					continue // keep the base's directory as it is
				}
				e.hdr.Name += "/"
			}
			if e.hdr.Typeflag == tar.TypeLink {
				e.hdr.Linkname = base.resolve(e.hdr.Linkname, false)
			}
			add(e)
		}
	}
	for p, name := range r.Binaries {
		src, ok := bins[name]
		if !ok {
			return nil, fmt.Errorf("%s: binary %q for %s not supplied (-bin %s=FILE)", r.Name, name, p, name)
		}
		fi, err := os.Stat(src)
		if err != nil {
			return nil, err
		}
		add(entry{hdr: tar.Header{Name: base.resolve(p, true), Typeflag: tar.TypeReg, Mode: 0o755, Size: fi.Size()}, src: src})
	}
	for _, d := range r.Dirs {
		mode := int64(0o755)
		if d.Mode != "" {
			m, err := strconv.ParseInt(d.Mode, 8, 32)
			if err != nil {
				return nil, fmt.Errorf("%s: dir %s: mode %q: %w", r.Name, d.Path, d.Mode, err)
			}
			mode = m
		}
		uid, gid := 0, 0
		if r.User != nil {
			uid, gid = r.User.UID, *r.User.GID
		}
		if d.UID != nil {
			uid = *d.UID
		}
		if d.GID != nil {
			gid = *d.GID
		}
		add(entry{hdr: tar.Header{Name: base.resolve(d.Path, true) + "/", Typeflag: tar.TypeDir, Mode: mode, Uid: uid, Gid: gid}})
	}
	// Parents the base lacks, root-owned.
	for name := range es {
		for dir := path.Dir(name); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if _, ok := es[dir]; ok {
				continue
			}
			if base != nil && base.kinds[dir] == tar.TypeDir {
				continue
			}
			es[dir] = entry{hdr: tar.Header{Name: dir + "/", Typeflag: tar.TypeDir, Mode: 0o755}}
		}
	}
	out := make([]entry, 0, len(es))
	for _, e := range es {
		out = append(out, e)
	}
	sortEntries(out)
	return out, nil
}

// findRecipes lists the folders under root holding an image.json, sorted.
func findRecipes(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "rootfs" {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "image.json" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	sort.Strings(dirs)
	return dirs, err
}
