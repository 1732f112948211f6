package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes the body strictly (unknown fields, trailing data and
// type mismatches are 400) into out.
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

func decodeStrict(raw []byte, out any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return malformed("the request body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return malformed(describeJSONError(err))
	}
	return noTrailingData(dec)
}

// noTrailingData fails unless only white space follows the decoded value.
func noTrailingData(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return malformed("the request body has data after the JSON value")
	}
	return nil
}

func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: unexpected end of input"
	}
	return "malformed JSON: " + err.Error()
}
