package docgen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// sourceDocs are the doc comments of a package's struct types and their fields, read from its source.
type sourceDocs struct {
	// types maps a type name to its doc comment.
	types map[string]string
	// fields maps "Type.Field" to the field's doc comment. A field without a comment of its own that
	// directly follows a documented field of the same struct shares that field's comment if the
	// comment names it, as "// Host and Port address an external endpoint" above Host and Port does.
	fields map[string]string
	// stringConsts maps the value of each string constant to the constant's doc comment (or its
	// group's), without the constant's name as its subject.
	stringConsts map[string]string
}

// readDocs parses the non-test Go files of dir and collects their doc comments.
func readDocs(dir string) (*sourceDocs, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	docs := &sourceDocs{types: map[string]string{}, fields: map[string]string{}, stringConsts: map[string]string{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("reading doc comments: %w", err)
		}
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gen.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					docs.addType(fset, gen, spec)
				case *ast.ValueSpec:
					doc := commentText(spec.Doc)
					if doc == "" {
						doc = commentText(gen.Doc)
					}
					for i, v := range spec.Values {
						if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING && i < len(spec.Names) {
							docs.stringConsts[strings.Trim(lit.Value, "`\"")] = withoutSubject(doc, spec.Names[i].Name)
						}
					}
				}
			}
		}
	}
	return docs, nil
}

// addType records a type's doc comment and, for a struct, its fields'.
func (d *sourceDocs) addType(fset *token.FileSet, gen *ast.GenDecl, spec *ast.TypeSpec) {
	doc := commentText(spec.Doc)
	if doc == "" && len(gen.Specs) == 1 {
		doc = commentText(gen.Doc)
	}
	d.types[spec.Name.Name] = doc
	st, ok := spec.Type.(*ast.StructType)
	if !ok {
		return
	}
	shared, sharedEnd := "", -1
	for _, f := range st.Fields.List {
		line := fset.Position(f.Pos()).Line
		doc := commentText(f.Doc)
		switch {
		case doc != "":
			shared = doc
		case line == sharedEnd+1 && len(f.Names) > 0 && mentions(shared, f.Names[0].Name):
			doc = shared
		default:
			shared = ""
		}
		sharedEnd = fset.Position(f.End()).Line
		for _, n := range f.Names {
			d.fields[spec.Name.Name+"."+n.Name] = doc
		}
	}
}

// commentText is a comment group's text on one line.
func commentText(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	return strings.Join(strings.Fields(g.Text()), " ")
}

// mentions reports whether doc names the Go identifier name as a word.
func mentions(doc, name string) bool {
	for _, w := range strings.FieldsFunc(doc, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if w == name {
			return true
		}
	}
	return false
}
