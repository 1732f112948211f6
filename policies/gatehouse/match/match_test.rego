package gatehouse.match_test

import data.gatehouse.match

# Helpers to build long inputs.

_repeat(s, n) := concat("", [s | some _ in numbers.range(1, n)])

_uri_of(n) := concat("/", [sprintf("s%d", [i]) | some i in numbers.range(1, n)])

# covers: resource patterns against request URIs

test_covers_exact_resource if match.covers(["accounts", "A"], ["accounts", "A"])

test_covers_cascades_to_descendants if match.covers(["accounts", "A"], ["accounts", "A", "chats", "1"])

test_covers_not_a_sibling if not match.covers(["accounts", "A"], ["accounts", "B"])

test_covers_not_an_ancestor if not match.covers(["accounts", "A", "chats"], ["accounts", "A"])

test_covers_whole_segments_only if not match.covers(["accounts", "A"], ["accounts", "AB"])

test_covers_later_segment_mismatch if not match.covers(["accounts", "A", "chats"], ["accounts", "A", "files", "1"])

test_covers_star_matches_one_segment if match.covers(["accounts", "*", "chats"], ["accounts", "B", "chats"])

test_covers_star_then_cascades if match.covers(["accounts", "*", "chats"], ["accounts", "B", "chats", "7"])

test_covers_star_not_zero_segments if not match.covers(["accounts", "*", "chats"], ["accounts", "chats"])

test_covers_star_not_two_segments if not match.covers(["accounts", "*", "chats"], ["accounts", "B", "x", "chats"])

test_covers_star_rest_must_match if not match.covers(["accounts", "*", "chats"], ["accounts", "B", "files"])

test_covers_star_pattern_prefix_must_match if not match.covers(["accounts", "*"], ["users", "B"])

test_covers_trailing_star_needs_one_more_segment if not match.covers(["accounts", "A", "*"], ["accounts", "A"])

test_covers_trailing_star_one_more_segment if match.covers(["accounts", "A", "*"], ["accounts", "A", "x"])

test_covers_trailing_star_deeper if match.covers(["accounts", "A", "*"], ["accounts", "A", "x", "y"])

test_covers_request_star_is_literal if not match.covers(["accounts", "A"], ["accounts", "*"])

test_covers_request_star_is_literal_under_star_pattern if {
	not match.covers(["accounts", "*", "chats"], ["accounts", "A", "*"])
}

test_covers_request_star_is_literal_for_actions if not match.covers(["*", "read"], match.action_segments("projects:*"))

test_covers_request_star_by_shorter_prefix if match.covers(["accounts"], ["accounts", "*"])

test_covers_request_star_by_pattern_star if match.covers(["accounts", "*"], ["accounts", "*"])

test_covers_request_star_by_equal_literal if match.covers(["accounts", "*"], ["accounts", "*", "x"])

test_covers_case_sensitive if not match.covers(["accounts", "A"], ["accounts", "a"])

test_covers_case_sensitive_under_star if not match.covers(["accounts", "*", "Chats"], ["accounts", "A", "chats"])

test_covers_request_uri_with_slashes if {
	match.covers(["accounts", "A"], match.resource_segments("/accounts/A/"))
}

# covers: permission segments against requested actions

test_covers_action_star_implies_everything if {
	match.covers([], match.action_segments("read"))
	match.covers([], match.action_segments("projects:write:all"))
}

test_covers_action_prefix_implies_sub_action if match.covers(["read"], match.action_segments("read:projects"))

test_covers_action_equal if match.covers(["read", "projects"], match.action_segments("read:projects"))

test_covers_action_not_other_verb if not match.covers(["read"], match.action_segments("write:projects"))

test_covers_action_not_broader_request if not match.covers(["read", "projects"], match.action_segments("read"))

test_covers_action_not_sibling if not match.covers(["read", "projects"], match.action_segments("read:chats"))

test_covers_action_leading_star if match.covers(["*", "read"], match.action_segments("projects:read"))

test_covers_action_leading_star_not_other_verb if not match.covers(["*", "read"], match.action_segments("projects:write"))

test_covers_action_leading_star_needs_segment if not match.covers(["*", "read"], match.action_segments("read"))

test_covers_action_request_case_insensitive if match.covers(["read", "projects"], match.action_segments("READ:Projects"))

# resource_segments

test_resource_segments_plain if match.resource_segments("accounts/A/chats") == ["accounts", "A", "chats"]

test_resource_segments_drops_leading_and_trailing_slash if {
	match.resource_segments("/accounts/A/") == ["accounts", "A"]
}

test_resource_segments_keeps_case_and_star if match.resource_segments("Accounts/*") == ["Accounts", "*"]

test_resource_segments_single if match.resource_segments("accounts") == ["accounts"]

# action_segments

test_action_segments_lower_cases if match.action_segments("Chats:Read") == ["chats", "read"]

test_action_segments_single if match.action_segments("READ") == ["read"]

test_action_segments_keeps_star if match.action_segments("read:*") == ["read", "*"]

# valid_resource

test_valid_resource_plain if match.valid_resource("accounts/A")

test_valid_resource_single_segment if match.valid_resource("accounts")

test_valid_resource_with_slashes if match.valid_resource("/accounts/A/")

test_valid_resource_with_star if match.valid_resource("accounts/*")

test_valid_resource_not_empty if not match.valid_resource("")

test_valid_resource_not_only_slash if not match.valid_resource("/")

test_valid_resource_not_empty_segment if not match.valid_resource("accounts//A")

test_valid_resource_not_double_leading_slash if not match.valid_resource("//accounts")

test_valid_resource_not_double_trailing_slash if not match.valid_resource("accounts//")

test_valid_resource_not_a_number if not match.valid_resource(42)

test_valid_resource_not_null if not match.valid_resource(null)

test_valid_resource_32_segments if match.valid_resource(_uri_of(32))

test_valid_resource_not_33_segments if not match.valid_resource(_uri_of(33))

test_valid_resource_512_bytes if match.valid_resource(_repeat("a", 512))

test_valid_resource_not_513_bytes if not match.valid_resource(_repeat("a", 513))

test_valid_resource_not_513_bytes_with_slash if not match.valid_resource(concat("", ["/", _repeat("a", 512)]))

# valid_action

test_valid_action_plain if match.valid_action("read:projects")

test_valid_action_single if match.valid_action("read")

test_valid_action_mixed_case if match.valid_action("Chats:Read")

test_valid_action_not_empty if not match.valid_action("")

test_valid_action_not_trailing_colon if not match.valid_action("read:")

test_valid_action_not_leading_colon if not match.valid_action(":read")

test_valid_action_not_empty_middle_segment if not match.valid_action("read::projects")

test_valid_action_not_a_number if not match.valid_action(7)

test_valid_action_256_characters if match.valid_action(_repeat("a", 256))

test_valid_action_not_257_characters if not match.valid_action(_repeat("a", 257))

test_valid_resource_counts_bytes_not_characters if not match.valid_resource(_repeat("é", 300))

# valid_text, valid_id, dot segments

test_valid_resource_not_dot_segment if not match.valid_resource("accounts/./A")

test_valid_resource_not_dot_dot_segment if not match.valid_resource("accounts/A/../B")

test_valid_resource_dots_inside_a_segment if match.valid_resource("accounts/a..b/.hidden")

test_valid_resource_not_control_character if not match.valid_resource("accounts/A\u0000read")

test_valid_resource_not_c1_control_character if not match.valid_resource("accounts/\u0085")

test_valid_action_not_control_character if not match.valid_action("read\nwrite")

test_valid_text_plain if match.valid_text("accounts/Ä/チャット")

test_valid_text_not_tab if not match.valid_text("a\tb")

test_valid_text_not_delete if not match.valid_text("a\u007fb")

test_valid_id_plain if match.valid_id("alice")

test_valid_id_not_blank if not match.valid_id("  ")

test_valid_id_not_empty if not match.valid_id("")

test_valid_id_not_a_number if not match.valid_id(7)

test_valid_id_not_null if not match.valid_id(null)

test_valid_id_not_control_character if not match.valid_id("al\u0000ice")

test_valid_id_at_most_512_bytes if {
	match.valid_id(_repeat("é", 256))
	not match.valid_id(_repeat("é", 257))
}

test_valid_app_id if {
	every id in ["platform:x", "platform:participants", "a:b", "p-1:0b9f5f1e-8c1a-4c1e-9a57-3c1d2b7a9e10"] {
		match.valid_app_id(id)
	}
}

test_invalid_app_id if {
	every id in ["Platform:x", "platform", "platform:", ":x", "platform:x:y", "platform:-x", "platform:x-", "platform:x/y", "platform:x\n"] {
		not match.valid_app_id(id)
	}
}

test_valid_tenant_id if {
	every id in ["t1", "T 1", "é", "t.1", "..."] {
		match.valid_tenant_id(id)
	}
}

test_invalid_tenant_id if {
	every id in ["", " ", ".", "..", "t1/t2", "/t1", "t\u0000", 7] {
		not match.valid_tenant_id(id)
	}
}
