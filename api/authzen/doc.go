// Package authzen serves the OpenID AuthZEN Authorization API 1.0 over
// gatehouse's decision: POST /access/v1/evaluation and /evaluations, the
// searches POST /access/v1/search/subject, /resource and /action, and the
// PDP metadata document GET /.well-known/authzen-configuration. The
// evaluation bodies are package wire's (shared with the Go client).
// Like the api package it binds, validates, calls and renders; the decision, the batch limit
// and the error body are the api package's, handed in through Deps (the
// api package mounts this one, so this one cannot import it).
//
// The mapping (Input): subject {type: user, id} is the user, acting
// through subject.properties.installation when given; {type:
// installation, id} is the installation; {type: app, id} is the app, in
// the tenant context.tenant names. resource {type, id} is the URI "type/id", or
// resource.properties.uri when given; action.name is the permission;
// context is accepted and not read. An answer's context carries the
// decision_id and revision, and denied_by for a deny or the reasons for
// an allow.
//
// Requests are decoded as strictly as the rest of the API (repeated keys,
// null or a wrong type are refused) except that unknown fields are
// ignored, as the spec requires; every bad request is a 400. In an
// evaluations request whose entries are well-formed JSON, an entry that
// cannot be evaluated (a missing entity, an unknown subject type) is a
// deny whose context holds the error, as the spec allows and its
// certification scenario expects.
package authzen
