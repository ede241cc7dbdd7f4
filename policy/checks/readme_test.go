package checks

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReadmeTableMatchesTheCode keeps policy/README.md's table in step with All(): the same policies
// in the same order, with the same kind, default level and parameter names.
func TestReadmeTableMatchesTheCode(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([a-z0-9-]+)` \\| (resource|stack) \\|")
	type entry struct{ name, kind, level, params string }
	var rows []entry
	for _, line := range strings.Split(string(data), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		cells := splitRow(line)
		if len(cells) != 6 {
			t.Fatalf("row for %s has %d cells, want 6", m[1], len(cells))
		}
		rows = append(rows, entry{m[1], m[2], cells[4], cells[5]})
	}
	var got, want []string
	for _, r := range rows {
		got = append(got, r.name)
	}
	for _, p := range All() {
		want = append(want, p.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("README policies:\n got %v\nwant %v", got, want)
	}
	for i, p := range All() {
		r := rows[i]
		kind := "resource"
		if p.IsStack() {
			kind = "stack"
		}
		if r.kind != kind || r.level != string(p.Level) {
			t.Errorf("%s: README says %s/%s, code says %s/%s", p.Name, r.kind, r.level, kind, p.Level)
		}
		for _, prm := range p.Parameters() {
			if !strings.Contains(r.params, "`"+prm.Name+"`") {
				t.Errorf("%s: README does not document parameter %s", p.Name, prm.Name)
			}
		}
		if len(p.Parameters()) == 0 && r.params != "—" {
			t.Errorf("%s: README lists parameters %q the code does not have", p.Name, r.params)
		}
	}
}

// splitRow splits a Markdown table row on unescaped pipes.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' && i+1 < len(line) && line[i+1] == '|' {
			cur.WriteByte('|')
			i++
			continue
		}
		if line[i] == '|' {
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(line[i])
	}
	return append(cells, strings.TrimSpace(cur.String()))
}
