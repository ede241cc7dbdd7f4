package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/opencontainers/go-digest"
)

// LayerFormat names how layers are packed (entry order, headers, gzip): tools/build.sh keys the cached
// Debian base layer by it instead of by this whole module, so bump it with any change to the packed bytes.
const LayerFormat = "1"

// epoch is every entry's modification time, so that a layer depends only on content, modes and owners.
var epoch = time.Unix(0, 0).UTC()

// entry is one member of a layer: a header and, for a regular file, where its content comes from.
type entry struct {
	hdr  tar.Header
	src  string // file to copy the content from, or
	data []byte // the content itself
}

// Layer is a gzipped layer blob on disk.
type Layer struct {
	Path   string        `json:"-"`      // the blob file (gzip of the tar)
	Digest digest.Digest `json:"digest"` // sha256 of the blob
	DiffID digest.Digest `json:"diffID"` // sha256 of the uncompressed tar, config's rootfs.diff_ids
	Size   int64         `json:"size"`   // blob size
}

// walkDir lists a root filesystem tree as layer entries: directories, regular files, symlinks and hard
// links (the first path of an inode carries the content, later ones link to it), with their numeric
// owners and modes. Device files, sockets and FIFOs are skipped: the runtime provides /dev.
func walkDir(root string) ([]entry, error) {
	var out []entry
	type inode struct{ dev, ino uint64 }
	seen := map[inode]string{}
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		name := filepath.ToSlash(rel)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		hdr := tar.Header{Name: name, Mode: int64(tarMode(info.Mode())), ModTime: epoch, Format: tar.FormatPAX}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
		}
		e := entry{}
		switch m := info.Mode(); {
		case m.IsDir():
			hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
		case m&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
		case m.IsRegular():
			st, _ := info.Sys().(*syscall.Stat_t)
			if st != nil && st.Nlink > 1 {
				key := inode{uint64(st.Dev), st.Ino}
				if first, ok := seen[key]; ok {
					hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
					break
				}
				seen[key] = name
			}
			hdr.Typeflag, hdr.Size = tar.TypeReg, info.Size()
			e.src = p
		default:
			return nil // devices, sockets, FIFOs
		}
		e.hdr = hdr
		out = append(out, e)
		return nil
	})
	return out, err
}

// tarMode is the tar mode of a file mode: permissions plus setuid, setgid and sticky bits.
func tarMode(m fs.FileMode) int {
	mode := int(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}

// pathLess orders paths component by component, so a directory comes right before its contents.
func pathLess(a, b string) bool {
	as, bs := strings.Split(strings.TrimSuffix(a, "/"), "/"), strings.Split(strings.TrimSuffix(b, "/"), "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] != bs[i] {
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

// sortEntries orders entries by path; a hard link must follow its target, which sorting by path
// keeps for walkDir's links (the first path seen is the smallest in this order).
func sortEntries(es []entry) {
	sort.SliceStable(es, func(i, j int) bool { return pathLess(es[i].hdr.Name, es[j].hdr.Name) })
}

// writeTar writes the entries, in order, as an uncompressed tar.
func writeTar(w io.Writer, es []entry) error {
	tw := tar.NewWriter(w)
	for i := range es {
		e := &es[i]
		hdr := e.hdr
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = epoch, time.Time{}, time.Time{}
		hdr.Uname, hdr.Gname = "", ""
		if hdr.Format == tar.FormatUnknown {
			hdr.Format = tar.FormatPAX
		}
		if e.data != nil {
			hdr.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			return fmt.Errorf("%s: %w", hdr.Name, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		if e.data != nil {
			if _, err := tw.Write(e.data); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(e.src)
		if err != nil {
			return err
		}
		n, err := io.Copy(tw, f)
		_ = f.Close() // only read
		if err != nil {
			return fmt.Errorf("%s: %w", e.src, err)
		}
		if n != hdr.Size {
			return fmt.Errorf("%s changed while packing (%d bytes, expected %d)", e.src, n, hdr.Size)
		}
	}
	return tw.Close()
}

// writeLayer writes the entries as a gzipped layer blob into dir and returns it. The gzip header has
// no name and no time, so equal entries give an equal blob.
func writeLayer(dir string, es []entry) (Layer, error) {
	f, err := os.CreateTemp(dir, ".layer-*")
	if err != nil {
		return Layer{}, err
	}
	defer func() {
		if f != nil { // a failed write: the unfinished blob goes, whatever its Close says
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	blobHash, tarHash := sha256.New(), sha256.New()
	counter := &countingWriter{w: io.MultiWriter(f, blobHash)}
	zw, err := gzip.NewWriterLevel(counter, gzip.DefaultCompression)
	if err != nil {
		return Layer{}, err
	}
	if err := writeTar(io.MultiWriter(zw, tarHash), es); err != nil {
		return Layer{}, err
	}
	if err := zw.Close(); err != nil {
		return Layer{}, err
	}
	if err := f.Close(); err != nil {
		return Layer{}, err
	}
	l := Layer{
		Digest: digest.NewDigest(digest.SHA256, blobHash),
		DiffID: digest.NewDigest(digest.SHA256, tarHash),
		Size:   counter.n,
	}
	l.Path = filepath.Join(dir, "layer-"+l.Digest.Encoded()+".tar.gz")
	if err := os.Rename(f.Name(), l.Path); err != nil {
		return Layer{}, err
	}
	f = nil
	return l, nil
}

// readLayer describes an existing gzipped layer blob, visiting every header (and, through visit's
// reader, the content) on the way; visit may be nil.
func readLayer(p string, visit func(*tar.Header, io.Reader) error) (Layer, error) {
	f, err := os.Open(p)
	if err != nil {
		return Layer{}, err
	}
	defer f.Close()
	blobHash, tarHash := sha256.New(), sha256.New()
	counter := &countingWriter{w: blobHash}
	zr, err := gzip.NewReader(io.TeeReader(f, counter))
	if err != nil {
		return Layer{}, fmt.Errorf("%s: %w", p, err)
	}
	tr := tar.NewReader(io.TeeReader(zr, tarHash))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Layer{}, fmt.Errorf("%s: %w", p, err)
		}
		if visit != nil {
			if err := visit(hdr, tr); err != nil {
				return Layer{}, err
			}
		}
	}
	// The tar reader stops at the end-of-archive marker; hash the padding after it too.
	if _, err := io.Copy(tarHash, zr); err != nil {
		return Layer{}, err
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(f, counter)); err != nil {
		return Layer{}, err
	}
	return Layer{Path: p, Digest: digest.NewDigest(digest.SHA256, blobHash), DiffID: digest.NewDigest(digest.SHA256, tarHash), Size: counter.n}, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// cleanName is a layer path without leading "/" or "./" and without a trailing "/".
func cleanName(p string) string {
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}
