package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine/model"
)

// bindJSON decodes the body strictly into out: malformed JSON, invalid
// UTF-8, repeated keys and trailing data are 400; null, a wrong type or an
// unknown field is 422 listing every such field.
func bindJSON(c *gin.Context, out any) error {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return tooLarge
		}
		return malformed("the request body could not be read")
	}
	return decodeStrict(raw, out)
}

// decodeStrict is bindJSON for bytes already read.
func decodeStrict(raw []byte, out any) error {
	return jsonError(model.DecodeJSON(raw, out))
}

// jsonError turns the model's decoding errors into the API's.
func jsonError(err error) error {
	var bad *model.MalformedError
	var shape *model.ShapeError
	switch {
	case errors.As(err, &bad):
		return malformed(bad.Message)
	case errors.As(err, &shape):
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", shape.Problems...)
	}
	return err
}
