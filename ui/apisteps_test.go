package ui_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// apiStep is one row of an API scenario table: a request, the status it
// must answer and fragments its body must contain.
type apiStep struct {
	name         string
	method, path string
	body         string
	header       []string
	status       int
	want         []string
}

// apiRunner runs scenario rows against base (…/api/v1), keeping the last
// body for the rows that follow to read ids from.
type apiRunner struct {
	t    *testing.T
	base string
	last string
}

func (r *apiRunner) run(steps ...apiStep) {
	r.t.Helper()
	for _, s := range steps {
		status, _, b := call(r.t, s.method, r.base+s.path, s.body, s.header...)
		r.last = b
		if status != s.status {
			r.t.Fatalf("%s: status %d, want %d: %s", s.name, status, s.status, b)
		}
		for _, w := range s.want {
			if !strings.Contains(b, w) {
				r.t.Errorf("%s: lacks %s in %s", s.name, w, b)
			}
		}
	}
}

// field is a top-level field of the last body, as text.
func (r *apiRunner) field(key string) string {
	var m map[string]any
	json.Unmarshal([]byte(r.last), &m)
	return fmt.Sprint(m[key])
}
