package web

import (
	"embed"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"hondana/assets"
	"hondana/library"
	"hondana/store"
)

//go:embed templates/*.html templates/lite/*.html
var templateFS embed.FS

// The page templates of every audience are parsed with the layouts and
// the partials of this package: templates/layout.html,
// templates/lite/layout.html (lite mode: no stylesheet, no scripts),
// error.html and the forms' partials.
var (
	layouts  = []string{"templates/layout.html", "templates/lite/layout.html"}
	partials = "templates/_*.html"
)

// funcs are the functions every template may call.
var funcs = template.FuncMap{
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
	// dict passes several values to a partial: dict "Lang" $.Lang "T" .
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	// get reads a field's message from a map that may be absent.
	"get": func(m any, key string) string {
		if mm, ok := m.(map[string]string); ok {
			return mm[key]
		}
		return ""
	},
	"month": fmtMonth,
	"join":  strings.Join,
	// detail words a move-in report's detail code, or shows it as it is
	// (a database's error).
	"detail": func(l, code string) string {
		if _, ok := messages["movein.detail."+code]; ok {
			return T(l, "movein.detail."+code)
		}
		return code
	},
	// movecols names a move-in file's columns (canonical names) as the
	// page's language does: 利用者番号、氏名 …, not card, name ….
	"movecols": func(l string, cols []string) string {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = T(l, "movein.col."+c)
		}
		if l == LangEN {
			return strings.Join(names, ", ")
		}
		return strings.Join(names, "、")
	},
	"wd": func(l string, i int) string { return T(l, "wd."+string(rune('0'+i))) },
	// mib is a size in bytes as megabytes with one decimal.
	"mib": func(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) },
	"role": func(r string) string {
		if r == "" || r == store.RoleAuthor {
			return ""
		}
		return r
	},
	"availAt": availableAt,
	"catname": CategoryName,
	"hitsview": func(l string, hits []library.Hit, offset int, names map[string]string, covers map[int64]string) hitsView {
		return hitsView{Lang: l, Hits: hits, Offset: offset, Names: names, Covers: covers}
	},
	"pagerview": func(l string, p Pager) pagerView { return pagerView{Lang: l, Pager: p} },
	"ja":        jaAttr,
	"daynote":   DayNote,
	"birthdate": FmtBirthDate,
}

// FmtBirthDate writes a birth date (YYYY-MM-DD) as people read it, without
// a weekday: 1985年4月15日, 15 April 1985.
func FmtBirthDate(l, d string) string {
	t, err := time.Parse(library.DateLayout, d)
	if err != nil {
		return d
	}
	if l == LangEN {
		return t.Format("2 January 2006")
	}
	return t.Format("2006年1月2日")
}

// DayNote is a calendar day's note in language l. The calendar's own
// notes (library.CalendarRules) are Japanese; in English they are
// translated, a note staff typed is shown as it is.
func DayNote(l, note string) string {
	if l != LangEN || note == "" {
		return note
	}
	switch {
	case note == "休館日":
		return T(l, "daynote.closed")
	case note == "年末年始休館":
		return T(l, "daynote.new_year")
	case note == "月末整理日（休館）":
		return T(l, "daynote.month_end")
	case strings.HasSuffix(note, "（休館）"):
		return T(l, "daynote.holiday")
	}
	return note
}

// jaAttr is ` lang="ja"` for Japanese text (a title, a name) on a page in
// another language, so that screen readers and fonts treat it as
// Japanese; nothing otherwise.
func jaAttr(l string, text ...string) template.HTMLAttr {
	if l == LangJA {
		return ""
	}
	for _, t := range text {
		for _, r := range t {
			if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) || r == 'ー' || r == '々' {
				return ` lang="ja"`
			}
		}
	}
	return ""
}

// AddTemplates parses the page templates in fsys's templates folder, each
// with the layouts, this package's partials and fsys's own (files named
// _*.html), and registers them for Render as prefix + their file name
// without ".html" ("staff/" + "counter"). An audience with a layout of
// its own (prefix non-empty and a templates/layout.html, defining
// "layout" and "layout_lite") gets it instead of the public ones: the
// staff client shows no public menu or search box. It panics on a
// template that does not parse, or a name registered twice: both are
// mistakes of the program, found at start-up.
func (s *Server) AddTemplates(fsys fs.FS, prefix string) {
	var shared []string
	if own, err := fs.ReadFile(fsys, "templates/layout.html"); prefix != "" && err == nil {
		shared = append(shared, string(own))
	} else {
		for _, l := range layouts {
			shared = append(shared, string(must(fs.ReadFile(templateFS, l))))
		}
	}
	for _, p := range must(fs.Glob(templateFS, partials)) {
		shared = append(shared, string(must(fs.ReadFile(templateFS, p))))
	}
	names := must(fs.Glob(fsys, "templates/*.html"))
	var own []string
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			own = append(own, string(must(fs.ReadFile(fsys, n))))
		}
	}
	for _, n := range names {
		base := path.Base(n)
		if strings.HasPrefix(base, "_") || base == "layout.html" {
			continue
		}
		t := template.New("layout").Funcs(funcs)
		for _, src := range append(append(shared, own...), string(must(fs.ReadFile(fsys, n)))) {
			template.Must(t.Parse(src))
		}
		name := prefix + strings.TrimSuffix(base, ".html")
		if _, dup := s.pages[name]; dup {
			panic("web: template " + name + " registered twice")
		}
		s.pages[name] = t
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// copyStatus says where a copy is, in words, and that it is 禁帯出.
func copyStatus(l string, c store.Copy) string {
	var s string
	switch {
	case c.Status == store.CopyOnLoan && c.DueDate == "":
		s = T(l, "status.on_loan_nodate")
	case c.Status == store.CopyOnLoan:
		s = T(l, "status.on_loan", fmtDateString(l, c.DueDate))
	default:
		s = T(l, "status."+c.Status)
	}
	if c.NotForLoan {
		s += T(l, "status.not_for_loan")
	}
	return s
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
	return JoinList(l, out)
}

// JoinList joins names as a list in language l: 「長浜図書館、河辺図書館」,
// "Nagahama, Kawabe".
func JoinList(l string, names []string) string {
	if l == LangEN {
		return strings.Join(names, ", ")
	}
	return strings.Join(names, "、")
}

// hitsView is what the hit list partial gets.
type hitsView struct {
	Lang   string
	Hits   []library.Hit
	Offset int
	Names  map[string]string
	Covers map[int64]string // record id → cover address; nil: no covers (lite mode)
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
