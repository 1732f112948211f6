package model_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/engine/model"
)

func TestYAMLToJSON(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for c := 'b'; c <= 'h'; c++ {
		p := string(c - 1)
		bomb += fmt.Sprintf("%c: &%c [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", c, c, p, p, p, p, p, p, p, p, p, p)
	}
	tests := []struct {
		name, in, want string
		malformed      bool
	}{
		{name: "mapping", in: "a: 1\nb: [x, y, GET]\n", want: `{"a":1,"b":["x","y","GET"]}`},
		{name: "YAML 1.2 booleans only", in: "a: [yes, no, on, true]\n", want: `{"a":["yes","no","on",true]}`},
		{name: "null stays null", in: "a: null\nb: ~\n", want: `{"a":null,"b":null}`},
		{name: "timestamps stay strings", in: "a: 2026-01-02\n", want: `{"a":"2026-01-02"}`},
		{name: "empty", in: "", want: `null`},
		{name: "duplicate key", in: "a: 1\na: 2\n", malformed: true},
		{name: "nested duplicate key", in: "a:\n  b: 1\n  b: 2\n", malformed: true},
		{name: "two documents", in: "a: 1\n---\nb: 2\n", malformed: true},
		{name: "non-string key", in: "a:\n  [x]: 1\n", malformed: true},
		{name: "nan", in: "a: .nan\n", malformed: true},
		{name: "syntax", in: "a: [\n", malformed: true},
		{name: "merge key", in: "x: &x {a: 1}\ny:\n  <<: *x\n", malformed: true},
		{name: "numeric key", in: "1: a\n", malformed: true},
		{name: "alias", in: "x: &x [a]\ny: *x\n", want: `{"x":["a"],"y":["a"]}`},
		{name: "alias bomb", in: bomb, malformed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := model.YAMLToJSON([]byte(tt.in))
			var bad *model.MalformedError
			if tt.malformed {
				if !errors.As(err, &bad) {
					t.Fatalf("YAMLToJSON(%q) = %s, %v; want a MalformedError", tt.in, got, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("YAMLToJSON(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}
