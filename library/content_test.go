package library

import (
	"slices"
	"strings"
	"testing"

	"hondana/store"
)

func TestCheckNewsAndPage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("あ", 201)
	tests := []struct {
		name string
		news store.NewsItem
		bad  []string
	}{
		{"good", store.NewsItem{Day: "2026-12-01", Title: "年末年始の休館", Body: "**12月29日**から"}, nil},
		{"no date", store.NewsItem{Day: "12/1", Title: "x"}, []string{"day"}},
		{"no title", store.NewsItem{Day: "2026-12-01"}, []string{"title"}},
		{"long title", store.NewsItem{Day: "2026-12-01", Title: long}, []string{"title"}},
		{"bad body", store.NewsItem{Day: "2026-12-01", Title: "x", Body: "\xff"}, []string{"body"}},
		{"all", store.NewsItem{Day: "", Title: "", Body: strings.Repeat("a", 20001)}, []string{"day", "title", "body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckNews(tt.news); !slices.Equal(got, tt.bad) {
				t.Errorf("CheckNews = %v, want %v", got, tt.bad)
			}
		})
	}
	if got := CheckPage(store.Page{Title: "", Body: strings.Repeat("a", 50001)}); !slices.Equal(got, []string{"title", "body"}) {
		t.Errorf("CheckPage = %v", got)
	}
	if got := CheckPage(store.Page{Title: "利用案内", Body: "本は2週間"}); got != nil {
		t.Errorf("CheckPage of a good page = %v", got)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"card 100001000":           "card ******000",
		"/staff/patrons/123456789": "/staff/patrons/******789",
		"hold 42: reached":         "hold 42: reached",
		"12345678":                 "12345678",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
