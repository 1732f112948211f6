package model_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

func TestNormalizeURI(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"accounts/A", "accounts/A", nil},
		{"/accounts/A/", "accounts/A", nil},
		{"accounts/*/chats", "accounts/*/chats", nil},
		{"a//b", "", model.ErrEmptySegment},
		{"", "", model.ErrEmptySegment},
		{"//a", "", model.ErrEmptySegment},
		{strings.Repeat("a/", 32) + "a", "", model.ErrTooDeep},
		{strings.Repeat("x", 513), "", model.ErrTooLong},
	}
	for _, tt := range tests {
		got, err := model.NormalizeURI(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("NormalizeURI(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestPatternSegmentsAndCovers(t *testing.T) {
	tests := []struct {
		pattern, action string
		segs            []string
		implies         bool
	}{
		{"*", "anything:at:all", []string{}, true},
		{"read:*", "read:projects", []string{"read"}, true},
		{"read", "read:projects", []string{"read"}, true},
		{"READ:Projects", "read:projects", []string{"read", "projects"}, true},
		{"*:read", "projects:read", []string{"*", "read"}, true},
		{"*:read", "projects:write", []string{"*", "read"}, false},
		{"read:projects", "read", []string{"read", "projects"}, false},
	}
	for _, tt := range tests {
		segs, err := model.PatternSegments(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.segs, segs); diff != "" {
			t.Errorf("PatternSegments(%q) (-want +got):\n%s", tt.pattern, diff)
		}
		req, _ := model.ActionSegments(tt.action)
		if got := model.Covers(segs, req); got != tt.implies {
			t.Errorf("%q implies %q = %v, want %v", tt.pattern, tt.action, got, tt.implies)
		}
	}
	if _, err := model.ActionSegments("read::x"); !errors.Is(err, model.ErrEmptySegment) {
		t.Errorf("read::x: %v", err)
	}
}

func TestSnapshotValidateListsEveryProblem(t *testing.T) {
	s := &model.Snapshot{
		Roles: []model.Role{{Meta: model.Meta{ID: "r"}}, {Meta: model.Meta{ID: "r"}}},
		Installations: []model.Installation{{Meta: model.Meta{ID: "i"}, ExtensionID: "e", Context: "accounts/A",
			Resources: []string{"accounts/B"}, Status: "ON"}},
		Memberships: []model.Membership{{Meta: model.Meta{ID: "m"}, UserID: "u", Context: "c", Roles: []string{"ghost"}}},
	}
	var got []string
	for _, p := range s.Validate() {
		got = append(got, p.Collection+"/"+p.ID+":"+p.Field)
	}
	want := []string{
		"roles/r:_id",
		"installations/i:status",
		"installations/i:resources[0]",
		"memberships/m:roles[0]",
		"installations/i:extensionId",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestMergeReplacesByID(t *testing.T) {
	base := &model.Snapshot{Tenants: []model.Tenant{{Meta: model.Meta{ID: "a"}, Name: "old"}, {Meta: model.Meta{ID: "b"}, Name: "b"}}}
	got := base.Merge(&model.Snapshot{Tenants: []model.Tenant{{Meta: model.Meta{ID: "a"}, Name: "new"}, {Meta: model.Meta{ID: "c"}, Name: "c"}}})
	var names []string
	for _, t := range got.Tenants {
		names = append(names, t.ID+"="+t.Name)
	}
	if diff := cmp.Diff([]string{"a=new", "b=b", "c=c"}, names); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}
}
