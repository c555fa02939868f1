package web

import (
	"bytes"
	"html/template"
	"strings"

	"hondana/library"
	"hondana/store"
)

// JoinAuthors writes the authors' names (their readings when yomi) on
// one line.
func JoinAuthors(as []store.Author, yomi bool) string {
	var parts []string
	for _, a := range as {
		v := a.Name
		if yomi {
			v = a.Yomi
		}
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " / ")
}

// BranchName is a branch's name in language l.
func BranchName(l string, b store.Branch) string {
	if l == LangEN && b.NameEn != "" {
		return b.NameEn
	}
	return b.Name
}

// CategoryName is a patron category's name in language l.
func CategoryName(l string, c library.Category) string {
	if l == LangEN && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

// Markdown renders staff-written Markdown; raw HTML in it is dropped.
func (s *Server) Markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := s.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String())
}

// NDCLabel names an NDC class ("9" → "9 文学").
func NDCLabel(l, v string) string {
	names := ndcClassesJA
	if l == LangEN {
		names = ndcClassesEN
	}
	if len(v) == 1 && v[0] >= '0' && v[0] <= '9' {
		return v + " " + names[v[0]-'0']
	}
	return v
}

var ndcClassesJA = [10]string{"総記", "哲学", "歴史", "社会科学", "自然科学", "技術", "産業", "芸術", "言語", "文学"}

var ndcClassesEN = [10]string{"General works", "Philosophy", "History", "Social sciences", "Natural sciences", "Technology", "Industry", "Arts", "Language", "Literature"}

// BranchNames maps each branch's code to its name in language l.
func (s *Server) BranchNames(l string, branches []store.Branch) map[string]string {
	names := make(map[string]string, len(branches))
	for _, b := range branches {
		names[b.Code] = BranchName(l, b)
	}
	return names
}
