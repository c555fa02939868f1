package web

import (
	"errors"

	"github.com/gin-gonic/gin"

	"hondana/library"
)

// formError renders a form page again with the refusal next to its field.
type FormState struct {
	Values  map[string]string
	Errors  map[string]string // field → message
	Message string            // a message for the whole form
	Notice  string
}

// RefusalText words a rule's refusal for a form: the field at fault, the
// message and the status; ok is false for any other error.
func (s *Server) RefusalText(c *gin.Context, err error) (field, msg string, status int, ok bool) {
	var r *library.Refusal
	if !errors.As(err, &r) {
		return "", "", 0, false
	}
	e := refusalError(r, s.Calendar.Location())
	return r.Field, s.Message(c, e), e.Status, true
}
