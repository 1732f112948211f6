# METADATA
# title: Matching
# description: |
#   Segment matching shared by resource URIs and actions. Patterns arrive
#   pre-split by the loader; requests are split here.
package gatehouse.match

# METADATA
# description: |
#   The pattern's segments are a prefix of the request's, where a "*"
#   segment of the pattern matches exactly one segment of the request.
covers(pattern, request) if {
	count(pattern) <= count(request)
	array.slice(request, 0, count(pattern)) == pattern
}

covers(pattern, request) if {
	"*" in pattern
	count(pattern) <= count(request)
	every i, s in pattern {
		_segment_matches(s, request[i])
	}
}

_segment_matches("*", _) := true

_segment_matches(s, t) if s == t

# METADATA
# description: A request URI split into segments; one leading and one trailing "/" are ignored.
resource_segments(uri) := split(trim_suffix(trim_prefix(uri, "/"), "/"), "/")

# METADATA
# description: A requested action split into lower-case segments.
action_segments(action) := split(lower(action), ":")

# METADATA
# description: A request URI has 1 to 32 segments, none empty, "." or "..", and at most 512 bytes of valid text.
valid_resource(uri) if {
	is_string(uri)
	valid_resource_segments(uri, resource_segments(uri))
}

# METADATA
# description: |
#   valid_resource for a URI already split into segments: no empty, "."
#   or ".." segment, and valid text.
valid_resource_segments(uri, segments) if {
	_at_most_512_bytes(uri)
	count(segments) <= 32
	not "" in segments
	not "." in segments
	not ".." in segments
	valid_text(uri)
}

# METADATA
# description: |
#   No control character (Unicode class Cc: U+0000-U+001F, U+007F-U+009F).
#   JSON input is valid UTF-8 by the time Rego sees it.
valid_text(s) if not regex.match(`\p{Cc}`, s)

# METADATA
# description: An id (user, installation, ...) is a non-blank string of at most 512 bytes without control characters.
valid_id(id) if {
	is_string(id)
	trim_space(id) != ""
	_at_most_512_bytes(id)
	valid_text(id)
}

# METADATA
# description: |
#   An app id is namespace:name, both lower-case DNS labels (letters,
#   digits, inner hyphens, 1-63 characters), as model.CheckAppID.
valid_app_id(id) if {
	is_string(id)
	regex.match(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`, id)
}

# METADATA
# description: |
#   A tenant id is a valid id that is exactly one URI segment: no "/",
#   not "." or "..", as model.CheckTenantID.
valid_tenant_id(id) if {
	valid_id(id)
	not contains(id, "/")
	not id in {".", ".."}
}

# count() counts characters, each at most 4 bytes; hex-encode only when it matters.
_at_most_512_bytes(s) if count(s) <= 128

_at_most_512_bytes(s) if {
	count(s) > 128
	count(hex.encode(s)) <= 1024
}

# METADATA
# description: A requested action has non-empty segments, at most 256 characters of valid text.
valid_action(action) if {
	is_string(action)
	valid_action_segments(action, action_segments(action))
}

# METADATA
# description: valid_action for an action already split into segments.
valid_action_segments(action, segments) if {
	count(action) <= 256
	not "" in segments
	valid_text(action)
}
