package config

import (
	"reflect"
	"testing"
)

func TestTypeNameSpeaksTheStackFilesLanguage(t *testing.T) {
	var n *int
	for _, c := range []struct {
		value any
		want  string
	}{
		{"", "string"},
		{true, "boolean"},
		{3, "integer"},
		{n, "integer"},
		{0.5, "number"},
		{[]string{}, "list of strings"},
		{[][]string{}, "list of lists of strings"},
		{map[string]string{}, "map of string to string"},
		{map[string]map[string]string{}, "map of string to map of string to string"},
		{[]map[string]any{}, "list of maps of string to any value"},
		{SecretRef{}, "object"},
		{[]EnvFromRef{}, "list of objects"},
		{map[string]any{}, "map of string to any value"},
	} {
		if got := TypeName(reflect.TypeOf(c.value)); got != c.want {
			t.Errorf("TypeName(%T) = %q, want %q", c.value, got, c.want)
		}
	}
}
