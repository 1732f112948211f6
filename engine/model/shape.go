package model

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// checkShape lists every place where the parsed JSON value v does not fit
// the Go value out points to.
func checkShape(v, out any) []Problem {
	var ps Problems
	shape(&ps, "", v, reflect.TypeOf(out))
	return ps.List()
}

var timeType = reflect.TypeFor[time.Time]()

// wantsObject reports whether out decodes from a JSON object.
func wantsObject(out any) bool {
	t := reflect.TypeOf(out)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != timeType && (t.Kind() == reflect.Struct || t.Kind() == reflect.Map)
}

func shape(ps *Problems, field string, v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Interface:
		return // any JSON value, null included
	case v == nil:
		ps.Add(where(field), "must be %s, not null", kindName(t))
	case t == timeType:
		shapeTime(ps, field, v)
	case t.Kind() == reflect.Slice:
		shapeSlice(ps, field, v, t)
	case t.Kind() == reflect.Map:
		shapeMap(ps, field, v, t)
	case t.Kind() == reflect.Struct:
		shapeStruct(ps, field, v, t)
	default:
		shapeScalar(ps, field, v, t)
	}
}

func shapeScalar(ps *Problems, field string, v any, t reflect.Type) {
	ok := false
	switch t.Kind() {
	case reflect.String:
		_, ok = v.(string)
	case reflect.Bool:
		_, ok = v.(bool)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, isNum := v.(json.Number)
		_, err := strconv.ParseInt(string(n), 10, t.Bits())
		ok = isNum && err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, isNum := v.(json.Number)
		_, err := strconv.ParseUint(string(n), 10, t.Bits())
		ok = isNum && err == nil
	case reflect.Float32, reflect.Float64:
		_, ok = v.(json.Number)
	}
	if !ok {
		ps.Add(where(field), "must be %s, not %s", kindName(t), jsonKind(v))
	}
}

func shapeTime(ps *Problems, field string, v any) {
	s, ok := v.(string)
	if !ok {
		ps.Add(where(field), "must be an RFC 3339 time string, not %s", jsonKind(v))
		return
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		ps.Add(where(field), "must be an RFC 3339 time, like 2026-01-02T15:04:05Z")
	}
}

func shapeSlice(ps *Problems, field string, v any, t reflect.Type) {
	arr, ok := v.([]any)
	if !ok {
		ps.Add(where(field), "must be an array, not %s", jsonKind(v))
		return
	}
	for i, e := range arr {
		shape(ps, field+"["+strconv.Itoa(i)+"]", e, t.Elem())
	}
}

func shapeMap(ps *Problems, field string, v any, t reflect.Type) {
	obj, ok := v.(map[string]any)
	if !ok {
		ps.Add(where(field), "must be an object, not %s", jsonKind(v))
		return
	}
	for _, k := range sortedKeys(obj) {
		shape(ps, joinField(field, k), obj[k], t.Elem())
	}
}

func shapeStruct(ps *Problems, field string, v any, t reflect.Type) {
	obj, ok := v.(map[string]any)
	if !ok {
		ps.Add(where(field), "must be an object, not %s", jsonKind(v))
		return
	}
	fields := jsonFields(t)
	for _, k := range sortedKeys(obj) {
		ft, known := fields[k]
		if !known {
			ps.Add(joinField(field, k), "is not a known field")
			continue
		}
		shape(ps, joinField(field, k), obj[k], ft)
	}
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps a struct's JSON names to their types, with embedded
// structs' fields promoted as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-" || !f.IsExported() && !f.Anonymous:
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			for k, ft := range jsonFields(f.Type) {
				m[k] = ft
			}
		case name == "":
			m[f.Name] = f.Type
		default:
			m[name] = f.Type
		}
	}
	fieldCache.Store(t, m)
	return m
}

func where(field string) string {
	if field == "" {
		return "body"
	}
	return field
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		if t == timeType {
			return "an RFC 3339 time string"
		}
		return "an object"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "an integer"
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	}
	return "an object"
}
