package web

import (
	"errors"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// formError renders a form page again with the refusal next to its field.
type FormState struct {
	Values  map[string]string
	Errors  map[string]string // field → message
	Message string            // a message for the whole form
	Notice  string
}

// Refused shows a refusal's message next to its field, or above the
// form when it names none (a rule of the whole form, a storage failure).
func (f *FormState) Refused(field, msg string) {
	if field == "" {
		f.Message = msg
		return
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	f.Errors[field] = msg
}

// RefusalText words a rule's refusal for a form: the field at fault, the
// message and the status. A write the disk did not take is worded too
// (no field, a 503), so the form shows that nothing was saved and keeps
// what was typed; ok is false for any other error.
func (s *Server) RefusalText(c *gin.Context, err error) (field, msg string, status int, ok bool) {
	if errors.Is(err, store.ErrStorage) {
		e := s.storageError(c, err)
		return "", s.Message(c, e), e.Status, true
	}
	var r *library.Refusal
	if !errors.As(err, &r) {
		return "", "", 0, false
	}
	e := refusalError(r, s.Calendar.Location())
	return r.Field, s.Message(c, e), e.Status, true
}

// RefusalCode is the code of a rule's refusal, or "" for any other error.
func RefusalCode(err error) string {
	var r *library.Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	return ""
}
