package config

import "reflect"

// TypeName names a config field's Go type in the words a stack file's author uses (string,
// integer, number, boolean, list of …, map of … to …, object), never Go's: error messages, the
// generated reference and the JSON Schema all describe types through it.
func TypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "list of " + plural(t.Elem())
	case reflect.Map:
		return "map of " + TypeName(t.Key()) + " to " + TypeName(t.Elem())
	case reflect.Struct:
		return "object"
	}
	return "any value"
}

// plural names a list's elements: "strings", "objects", "lists of strings".
func plural(t reflect.Type) string {
	name := TypeName(t)
	switch {
	case name == "any value":
		return "values"
	case len(name) > 8 && name[:8] == "list of ":
		return "lists of " + name[8:]
	case len(name) > 7 && name[:7] == "map of ":
		return "maps of " + name[7:]
	}
	return name + "s"
}
