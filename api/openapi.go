package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine/model"
)

// openapiYAML is the OpenAPI 3.1 document of this API, the source that
// tests/openapi validates live responses against.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the OpenAPI 3.1 document as JSON, converted from the
// embedded YAML by model.YAMLToJSON (the product's one YAML reader).
func OpenAPI() ([]byte, error) { return model.YAMLToJSON(openapiYAML) }

// openapiRoute serves the document at GET /openapi.json without auth. It
// is converted once, when the router is built; a document that does not
// convert answers 500 (tests/openapi keeps that from happening).
func (h *handlers) openapiRoute(r *gin.Engine) {
	doc, err := OpenAPI()
	r.GET("/openapi.json", func(c *gin.Context) {
		if err != nil {
			h.fail(c, err)
			return
		}
		c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
	})
}
