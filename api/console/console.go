// Package console serves the operator console: one page of hand-written
// HTML, CSS and JavaScript modules embedded in the binary (static/), with
// no runtime downloads. The page is a client of the public API like any
// other: it asks for an API key and sends it on its own calls, so the
// static files themselves need none. This package owns only those files
// and how they are served; it must not import package api, the engine or
// the loader.
package console

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var static embed.FS

// Prefix is where the console is served.
const Prefix = "/console"

// contentSecurityPolicy lets the page load only its own files and call
// only its own origin: no inline script, so text that slipped into the
// markup still could not run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Register mounts the console: GET /console is the page, GET
// /console/{file} its files (HEAD too). Anything else under the prefix is
// 404 in the API's error shape.
func Register(r gin.IRoutes) {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	page := serve(files, "index.html")
	asset := func(c *gin.Context) { serve(files, strings.TrimPrefix(c.Param("file"), "/"))(c) }
	r.GET(Prefix, page)
	r.HEAD(Prefix, page)
	r.GET(Prefix+"/*file", asset)
	r.HEAD(Prefix+"/*file", asset)
}

// serve answers with one embedded file, or 404 for a missing file, a
// directory or a path that is not clean.
func serve(files fs.FS, name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if name == "" || path.Clean(name) != name || !fs.ValidPath(name) {
			notFound(c)
			return
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			notFound(c)
			return
		}
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		c.Data(http.StatusOK, contentType(name), body)
	}
}

// contentType is the file's type by extension; Go's built-in table knows
// every extension the console uses.
func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// notFound answers in the API's one error shape.
func notFound(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusNotFound, gin.H{"code": "not_found", "message": "no such console file"})
}
