package model_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Fuzz targets for the parsers every input passes through. Seeds live in
// testdata/fuzz/<target>; `make fuzz` runs each for FUZZTIME.

// FuzzNormalizeURI: a normalized URI normalizes to itself, holds only
// valid text, and splits into segments none of which is empty, "." or "..".
func FuzzNormalizeURI(f *testing.F) {
	for _, s := range []string{"accounts/A", "/a/b/", "a//b", "a/../b", "a\x00b", "*/x", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		norm, err := model.NormalizeURI(uri)
		if err != nil {
			return
		}
		again, err := model.NormalizeURI(norm)
		if err != nil || again != norm {
			t.Fatalf("NormalizeURI(%q) = %q, but that normalizes to %q, %v", uri, norm, again, err)
		}
		if model.CheckText(norm) != nil || !utf8.ValidString(norm) {
			t.Fatalf("NormalizeURI(%q) = %q holds invalid text", uri, norm)
		}
		segs := strings.Split(norm, "/")
		if slices.Contains(segs, "") || slices.Contains(segs, ".") || slices.Contains(segs, "..") || len(segs) > model.MaxURISegments {
			t.Fatalf("NormalizeURI(%q) = %q has a bad segment", uri, norm)
		}
		if !model.Covers(segs, segs) {
			t.Fatalf("%q does not cover itself", norm)
		}
	})
}

// FuzzActionSegments: a valid action is implied by its own pattern, its
// segments rejoin to the lower-cased action, and it holds valid text.
func FuzzActionSegments(f *testing.F) {
	for _, s := range []string{"read", "read:*", "*", "READ:Projects", "a::b", "x\x00y", "*:read"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, action string) {
		segs, err := model.ActionSegments(action)
		if err != nil {
			return
		}
		if strings.Join(segs, ":") != strings.ToLower(action) || model.CheckText(action) != nil {
			t.Fatalf("ActionSegments(%q) = %q", action, segs)
		}
		pattern, err := model.PatternSegments(action)
		if err != nil {
			t.Fatalf("PatternSegments(%q) fails where ActionSegments succeeds: %v", action, err)
		}
		if !model.Covers(pattern, segs) {
			t.Fatalf("pattern %q does not imply its own action %q", pattern, segs)
		}
	})
}

// FuzzDecodeJSON: whatever DecodeJSON accepts has no repeated key, is
// valid UTF-8, and decodes to the same value as encoding/json; the
// generic parse of an accepted value re-encodes to an equal value.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"user":"a","resource":"r","permission":"p"}`, `{"a":1,"a":2}`, `{"user":null}`, `[1,{"x":[]}]`, `"\ud800"`, "{\"k\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got any
		err := model.DecodeJSON(raw, &got)
		var bad *model.MalformedError
		if err != nil {
			if !errors.As(err, &bad) {
				t.Fatalf("DecodeJSON into any: %v, want only MalformedError", err)
			}
			return
		}
		if !utf8.Valid(raw) {
			t.Fatalf("accepted invalid UTF-8 %q", raw)
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeJSON(%q) = %v; encoding/json gives %v, %v", raw, got, want, err)
		}
		tree, err := model.ParseJSON(raw)
		if err != nil {
			t.Fatalf("ParseJSON refuses what DecodeJSON accepted: %v", err)
		}
		again, _ := json.Marshal(tree)
		var back any
		if err := model.DecodeJSON(again, &back); err != nil {
			t.Fatalf("re-encoded %s is refused: %v", again, err)
		}
	})
}

// FuzzDocument: for every collection, a document DecodeJSON accepts and
// Validate passes encodes and decodes back to a document that validates
// the same, with every id and URI valid text.
func FuzzDocument(f *testing.F) {
	seeds := map[string]string{
		model.Records:       `{"_id":"r1","status":"ACTIVE","users":[{"userId":"u1"}],"statements":[{"roles":["x"],"resources":[{"resourceUri":"accounts/A"}]}]}`,
		model.Roles:         `{"_id":"x","name":"X","permissions":[{"action":"read:*","grant":true}]}`,
		model.Groups:        `{"_id":"g","name":"G","users":[{"userId":"u\u0000"}]}`,
		model.Memberships:   `{"_id":"m","userId":"u","context":"a/../b","roles":["x"]}`,
		model.Installations: `{"_id":"i","extensionId":"e","context":"accounts/A","consentedPermissions":["read"],"installedBy":"u","status":"ACTIVE"}`,
		model.Extensions:    `{"_id":"e","name":"E","permissions":["read",null]}`,
		model.Tenants:       `{"_id":"t","name":"T","stackId":"s"}`,
		model.Policies:      `{"_id":"p","source":"package x"}`,
	}
	for i, c := range model.Collections {
		f.Add(uint8(i), []byte(seeds[c]))
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		collection := model.Collections[int(which)%len(model.Collections)]
		doc := model.NewDocument(collection)
		if err := model.DecodeJSON(raw, doc); err != nil || len(doc.Validate()) > 0 {
			return
		}
		if model.CheckID(doc.DocMeta().ID) != nil {
			t.Fatalf("%s: accepted id %q", collection, doc.DocMeta().ID)
		}
		again, err := json.Marshal(doc)
		if err != nil {
			return // a time outside JSON's range; refused when stored
		}
		back := model.NewDocument(collection)
		if err := model.DecodeJSON(again, back); err != nil {
			t.Fatalf("%s: re-encoded %s is refused: %v", collection, again, err)
		}
		if ps := back.Validate(); len(ps) > 0 {
			t.Fatalf("%s: %s validated, its re-encoding %s does not: %v", collection, raw, again, ps)
		}
	})
}
