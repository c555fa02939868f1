package ui

import (
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"hondana/assets"
	"hondana/library"
	"hondana/store"
)

// parseTemplates parses every page template together with the layout.
func (s *Server) parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"t":        T,
		"asset":    assets.URL,
		"add":      func(a, b int) int { return a + b },
		"authors":  func(r *store.Record) string { return JoinAuthors(r.Authors, false) },
		"mt":       func(l, v string) string { return T(l, "mt."+v) },
		"ndc":      NDCLabel,
		"bname":    BranchName,
		"status":   copyStatus,
		"date":     FmtDate,
		"datetime": FmtDateTime,
		"list":     func(v ...string) []string { return v },
		// get reads a field's message from a map that may be absent.
		"get": func(m any, key string) string {
			if mm, ok := m.(map[string]string); ok {
				return mm[key]
			}
			return ""
		},
		"month": fmtMonth,
		"join":  strings.Join,
		"wd":    func(l string, i int) string { return T(l, "wd."+string(rune('0'+i))) },
		"role": func(r string) string {
			if r == "" || r == store.RoleAuthor {
				return ""
			}
			return r
		},
		"availAt": availableAt,
		"hitsview": func(l string, hits []library.Hit, offset int, names map[string]string) hitsView {
			return hitsView{Lang: l, Hits: hits, Offset: offset, Names: names}
		},
		"pagerview": func(l string, p Pager) pagerView { return pagerView{Lang: l, Pager: p} },
	}
	layout, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		panic(err)
	}
	lite, err := templateFS.ReadFile("templates/layout_lite.html")
	if err != nil {
		panic(err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "layout_lite" || strings.HasPrefix(name, "_") {
			continue
		}
		body, err := templateFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		t := template.Must(template.New("layout").Funcs(funcs).Parse(string(layout)))
		template.Must(t.Parse(string(lite)))
		for _, partial := range names {
			if strings.HasPrefix(path.Base(partial), "_") {
				pb, _ := templateFS.ReadFile(partial)
				template.Must(t.Parse(string(pb)))
			}
		}
		template.Must(t.Parse(string(body)))
		out[name] = t
	}
	return out
}

// copyStatus says where a copy is, in words.
func copyStatus(l string, c store.Copy) string {
	if c.Status == store.CopyOnLoan {
		if c.DueDate == "" {
			return T(l, "status.on_loan_nodate")
		}
		return T(l, "status.on_loan", fmtDateString(l, c.DueDate))
	}
	return T(l, "status."+c.Status)
}

func fmtDateString(l, d string) string {
	t, err := time.Parse(library.DateLayout, d)
	if err != nil {
		return d
	}
	return FmtDate(l, t)
}

var weekdayJA = []string{"日", "月", "火", "水", "木", "金", "土"}

// FmtDate writes a day the way people in each language read it.
func FmtDate(l string, t any) string {
	var d time.Time
	switch v := t.(type) {
	case time.Time:
		d = v
	case string:
		return fmtDateString(l, v)
	default:
		return ""
	}
	if l == LangEN {
		return d.Format("Mon 2 Jan 2006")
	}
	return d.Format("2006年1月2日") + "（" + weekdayJA[d.Weekday()] + "）"
}

func fmtMonth(l string, t time.Time) string {
	if l == LangEN {
		return t.Format("January 2006")
	}
	return t.Format("2006年1月")
}

// availableAt lists the branches with a copy on the shelf.
func availableAt(l string, copies []store.Copy, names map[string]string) string {
	var out []string
	seen := map[string]bool{}
	for _, c := range copies {
		if c.Status == store.CopyOnShelf && !seen[c.Branch] {
			seen[c.Branch] = true
			n := names[c.Branch]
			if n == "" {
				n = c.Branch
			}
			out = append(out, n)
		}
	}
	return strings.Join(out, "、")
}

// hitsView is what the hit list partial gets.
type hitsView struct {
	Lang   string
	Hits   []library.Hit
	Offset int
	Names  map[string]string
}

// pagerView is what the pager partial gets.
type pagerView struct {
	Lang string
	Pager
}

// FmtDateTime writes a moment the way people in each language read it.
func FmtDateTime(l string, t time.Time) string {
	if l == LangEN {
		return t.Format("Mon 2 Jan 2006 15:04")
	}
	return FmtDate(l, t) + t.Format(" 15:04")
}
