package ui_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// TestFailMapsErrors checks that a handler can return what the rules
// returned, unwrapped or wrapped, and the client still gets the rule's
// status, code and words: the mapping is fail's alone, so no handler can
// turn a refusal into a 500 by forgetting a step.
func TestFailMapsErrors(t *testing.T) {
	e := demoEnv(t)
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		words  string
	}{
		{"refusal", &library.Refusal{Code: library.HoldNotFound}, 404, "hold_not_found", "その予約は見つかりませんでした"},
		{"wrapped refusal", fmt.Errorf("renew: %w", &library.Refusal{Code: library.AlreadyRenewed}), 409, "already_renewed", "延長"},
		{"refusal with a field", &library.Refusal{Code: library.InvalidField, Field: "name"}, 422, "invalid_field", "氏名"},
		{"staff exists", &library.Refusal{Code: library.StaffExists, Field: "username"}, 409, "staff_exists", "職員ID"},
		{"store not found", fmt.Errorf("x: %w", store.ErrNotFound), 404, "not_found", "見つかりません"},
		{"store conflict", fmt.Errorf("x: %w", store.ErrConflict), 409, "conflict", "もう一度"},
		{"disk full", fmt.Errorf("store: commit: %w: database or disk is full (13)", store.ErrStorage), 503, "storage_unavailable", "保存ができません"},
		{"anything else", errors.New("disk on fire"), 500, "internal", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gin.New()
			h := e.Server.Handle(func(*gin.Context) error { return tt.err })
			r.GET("/api/v1/x", web.JSON, h)
			r.GET("/x", h)
			for _, path := range []string{"/api/v1/x", "/x"} {
				w := httptest.NewRecorder()
				r.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
				if w.Code != tt.status {
					t.Errorf("%s: status %d, want %d: %s", path, w.Code, tt.status, w.Body)
				}
				body := w.Body.String()
				if path == "/api/v1/x" && !strings.Contains(body, `"code":"`+tt.code+`"`) {
					t.Errorf("%s: body %s, want code %s", path, body, tt.code)
				}
				if !strings.Contains(body, tt.words) {
					t.Errorf("%s: body lacks %q: %s", path, tt.words, body)
				}
			}
		})
	}
}

// TestStorageFailureInEnglish: the answer to a write the disk did not
// take says so in English too, for the API and for pages.
func TestStorageFailureInEnglish(t *testing.T) {
	e := demoEnv(t)
	r := gin.New()
	h := e.Server.Handle(func(*gin.Context) error { return fmt.Errorf("x: %w", store.ErrStorage) })
	r.GET("/api/v1/x", web.JSON, h)
	r.GET("/x", h)
	for _, path := range []string{"/api/v1/x", "/x"} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Language", "en")
		r.ServeHTTP(w, req)
		if w.Code != 503 || !strings.Contains(w.Body.String(), "cannot save anything right now") {
			t.Errorf("%s: %d %s; want 503 saying the library cannot save", path, w.Code, w.Body)
		}
	}
}
