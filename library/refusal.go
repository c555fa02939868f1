package library

import (
	"fmt"
	"time"
)

// Refusal is a rule saying no: a stable code for programs, and what the
// message needs. The ui package maps codes to status and words.
type Refusal struct {
	Code string
	// Field names the input at fault, when there is one.
	Field string
	// At is the time the message mentions (when a temporary password
	// becomes usable).
	At time.Time
	// RetryAfter is how long to wait before trying again.
	RetryAfter time.Duration
}

func (r *Refusal) Error() string {
	if r.Field != "" {
		return fmt.Sprintf("refused: %s (%s)", r.Code, r.Field)
	}
	return "refused: " + r.Code
}

func refuse(code string) *Refusal { return &Refusal{Code: code} }
