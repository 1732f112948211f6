package client_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/engine"
)

// TestWireTypesInStep holds each of the client's own wire types to the
// server's (the bodies both take from package wire need no check): the same JSON field names at the same paths, with the same
// kinds (pointers looked through, so a request's *string subject matches
// the client's string).
func TestWireTypesInStep(t *testing.T) {
	tests := []struct {
		name           string
		client, server any
	}{
		{"batch request", client.BatchRequest{}, api.BatchRequest{}},
		{"batch response", client.BatchResponse{}, api.BatchResponse{}},
		{"route check", engine.HTTPInput{}, api.HTTPCheck{}},
		{"decision check", engine.Input{}, api.Check{}},
		{"explained decision", client.ExplainedDecision{}, api.Explained{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(jsonShape(reflect.TypeOf(tt.server)), jsonShape(reflect.TypeOf(tt.client))); diff != "" {
				t.Errorf("the client's shape differs from the server's (-server +client):\n%s", diff)
			}
		})
	}
}

// TestJSONShape checks the shape helper itself, so that the test above
// can fail.
func TestJSONShape(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type outer struct {
		inner
		A  *string          `json:"a,omitempty"`
		B  []inner          `json:"b"`
		M  map[string]inner `json:"m"`
		T  time.Time        `json:"t"`
		X  any              `json:"x"`
		no string
		No string `json:"-"`
	}
	want := map[string]string{
		".n": "int", ".a": "string", ".b": "array", ".b[]": "object", ".b[].n": "int", ".m": "map", ".m{}": "object",
		".m{}.n": "int", ".t": "time", ".x": "any",
	}
	if diff := cmp.Diff(want, jsonShape(reflect.TypeOf(outer{}))); diff != "" {
		t.Errorf("shape (-want +got):\n%s", diff)
	}
}

// jsonShape maps every JSON path of t to the kind of value found there.
func jsonShape(t reflect.Type) map[string]string {
	out := map[string]string{}
	walkShape(t, "", out)
	return out
}

func walkShape(t reflect.Type, path string, out map[string]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		out[path] = "time"
	case t.Kind() == reflect.Struct:
		walkFields(t, path, out)
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		out[path] = "array"
		walkShape(t.Elem(), path+"[]", out)
	case t.Kind() == reflect.Map:
		out[path] = "map"
		walkShape(t.Elem(), path+"{}", out)
	case t.Kind() == reflect.Interface:
		out[path] = "any"
	default:
		out[path] = t.Kind().String()
	}
}

// walkFields adds a struct's fields as encoding/json names them.
func walkFields(t reflect.Type, path string, out map[string]string) {
	if path != "" {
		out[path] = "object"
	}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
		case f.Anonymous && name == "":
			walkShape(f.Type, path, out)
		default:
			if name == "" {
				name = f.Name
			}
			walkShape(f.Type, path+"."+name, out)
		}
	}
}
