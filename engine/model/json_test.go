package model_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

// check mirrors the decision body: subjects are pointers so that absent
// and empty differ.
type check struct {
	User       *string `json:"user"`
	Resource   string  `json:"resource"`
	Permission string  `json:"permission"`
}

type withTime struct {
	At    *time.Time     `json:"at"`
	Tags  []string       `json:"tags"`
	Count int64          `json:"count"`
	Extra map[string]any `json:"extra"`
	Any   any            `json:"any"`
}

func TestDecodeJSONRefusesMalformed(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"duplicate key", `{"user":"nobody","user":"alice","resource":"a","permission":"p"}`, `duplicate key "user"`},
		{"duplicate nested key", `{"any":{"a":1,"a":2}}`, `duplicate key "any.a"`},
		{"duplicate key in array element", `{"any":[{"k":1},{"k":1,"k":2}]}`, `duplicate key "any[1].k"`},
		{"invalid UTF-8", "{\"user\":\"al\xffice\"}", "not valid UTF-8"},
		{"trailing data", `{"user":"a"} {}`, "data after the JSON value"},
		{"trailing brace", `{"user":"a"}}`, "data after the JSON value"},
		{"empty", "  ", "empty"},
		{"unterminated", `{"user":"a"`, "unexpected end"},
		{"syntax", `{"user":}`, "malformed JSON"},
		{"body not an object", `[]`, "must be a JSON object"},
		{"null body", `null`, "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out withTime
			err := model.DecodeJSON([]byte(tt.body), &out)
			var bad *model.MalformedError
			if !errors.As(err, &bad) || !strings.Contains(bad.Message, tt.want) {
				t.Fatalf("DecodeJSON(%s) = %v, want a MalformedError containing %q", tt.body, err, tt.want)
			}
		})
	}
}

func TestDecodeJSONListsEveryWrongField(t *testing.T) {
	tests := []struct {
		name, body string
		out        any
		fields     []string
	}{
		{"null string and number", `{"user":null,"resource":5,"permission":"p"}`, &check{}, []string{"resource", "user"}},
		{"array and object", `{"user":["a"],"resource":{"x":1},"permission":true}`, &check{}, []string{"permission", "resource", "user"}},
		{"unknown field", `{"user":"a","resource":"r","permission":"p","User":"root"}`, &check{}, []string{"User"}},
		{"bad time and element", `{"at":"yesterday","tags":["a",null,3]}`, &withTime{}, []string{"at", "tags[1]", "tags[2]"}},
		{"fractional integer", `{"count":1.5}`, &withTime{}, []string{"count"}},
		{"null map value", `{"extra":{"k":null}}`, &withTime{}, nil},
		{"record fields", `{"_id":7,"status":null,"statements":[{"roles":[null],"resources":[{"resourceUri":false}]}]}`,
			&model.Record{}, []string{"_id", "statements[0].resources[0].resourceUri", "statements[0].roles[0]", "status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := model.DecodeJSON([]byte(tt.body), tt.out)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("DecodeJSON(%s) = %v, want nil", tt.body, err)
				}
				return
			}
			var shape *model.ShapeError
			if !errors.As(err, &shape) {
				t.Fatalf("DecodeJSON(%s) = %v, want a ShapeError", tt.body, err)
			}
			var got []string
			for _, p := range shape.Problems {
				got = append(got, p.Field)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeJSONAcceptsWellFormed(t *testing.T) {
	var c check
	if err := model.DecodeJSON([]byte(`{"user":"alice","resource":"a/b","permission":"read"}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.User == nil || *c.User != "alice" || c.Resource != "a/b" {
		t.Errorf("decoded %+v", c)
	}
	var w withTime
	body := `{"at":"2026-01-02T15:04:05Z","tags":[],"count":3,"extra":{"x":[1,null]},"any":null}`
	if err := model.DecodeJSON([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	if w.Count != 3 || w.At == nil || w.At.Year() != 2026 {
		t.Errorf("decoded %+v", w)
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"accounts/Ä/チャット", nil},
		{"a\x00b", model.ErrControlChar},
		{"a\tb", model.ErrControlChar},
		{"a\x7fb", model.ErrControlChar},
		{"a\u0085b", model.ErrControlChar},
		{"a\u009fb", model.ErrControlChar},
		{"a\xffb", model.ErrInvalidUTF8},
		{"\xc3", model.ErrInvalidUTF8},
		{"a\u00a0b", nil}, // no-break space is not a control character
	}
	for _, tt := range tests {
		if err := model.CheckText(tt.in); !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("CheckText(%q) = %v, want %v", tt.in, err, tt.err)
		}
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"alice", nil},
		{"", model.ErrEmpty},
		{" \t", model.ErrEmpty},
		{"al\x00ice", model.ErrControlChar},
		{strings.Repeat("x", 512), nil},
		{strings.Repeat("x", 513), model.ErrTooLong},
	}
	for _, tt := range tests {
		if err := model.CheckID(tt.in); !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("CheckID(%q) = %v, want %v", tt.in, err, tt.err)
		}
	}
}

func TestNormalizeURIRefusesDotSegmentsAndControls(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"accounts/A/../B", model.ErrDotSegment},
		{"accounts/./A", model.ErrDotSegment},
		{"..", model.ErrDotSegment},
		{"/./", model.ErrDotSegment},
		{"accounts/a..b/.x", nil},
		{"acct\x00read", model.ErrControlChar},
		{"accounts/\xff", model.ErrInvalidUTF8},
	}
	for _, tt := range tests {
		_, err := model.NormalizeURI(tt.in)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("NormalizeURI(%q) = %v, want %v", tt.in, err, tt.err)
		}
	}
	if _, err := model.ActionSegments("read\x00x"); !errors.Is(err, model.ErrControlChar) {
		t.Errorf("ActionSegments with NUL = %v, want ErrControlChar", err)
	}
}
