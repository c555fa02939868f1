package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// readJSON decodes a small JSON body into v (and into each of more, to
// tell a field sent as null from one not sent): malformed JSON is a 400,
// unknown fields are ignored.
func readJSON(c *gin.Context, v any, more ...any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, 1<<20+1))
	if err != nil {
		return &web.Error{Status: http.StatusBadRequest, Code: web.CodeBadRequest, Msg: "err.bad_request"}
	}
	if len(body) > 1<<20 {
		return &web.Error{Status: http.StatusRequestEntityTooLarge, Code: web.CodeTooLarge, Msg: "err.too_large"}
	}
	for _, target := range append([]any{v}, more...) {
		if err := json.Unmarshal(body, target); err != nil {
			return &web.Error{Status: http.StatusBadRequest, Code: web.CodeBadRequest, Msg: "err.bad_request"}
		}
	}
	return nil
}

// nullable is s, or JSON's null for "".
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
