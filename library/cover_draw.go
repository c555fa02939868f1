package library

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"hondana/store"
)

// The drawn cover (R83) of a record without an image: an SVG with the
// title set vertically from the right as a Japanese book's spine and
// cover set it, the author below on the left, on the colour of its NDC
// class. It needs nothing from the network (the fonts are the
// reader's), so kiosks and the offline laptop show it too; it is made
// when asked, and named by its hash like an image.

// drawnCoverVersion changes whenever the drawing changes, and with it
// every drawn cover's hash and address.
const drawnCoverVersion = "1"

// ndcColours are the background and the ink of each NDC class, 0–9, and
// of a record without one: muted, each its own.
var ndcColours = [11][2]string{
	{"#5b6770", "#ffffff"}, // 0 総記
	{"#6d4c7d", "#ffffff"}, // 1 哲学
	{"#8a5a2b", "#ffffff"}, // 2 歴史
	{"#2f6690", "#ffffff"}, // 3 社会科学
	{"#2e7d5b", "#ffffff"}, // 4 自然科学
	{"#546e7a", "#ffffff"}, // 5 技術
	{"#7a8b2e", "#ffffff"}, // 6 産業
	{"#b5485d", "#ffffff"}, // 7 芸術
	{"#c77d1a", "#ffffff"}, // 8 言語
	{"#1f4e79", "#ffffff"}, // 9 文学
	{"#6b6b6b", "#ffffff"}, // none
}

// coverColours are the background and ink of a record's NDC class.
func coverColours(ndc string) (bg, ink string) {
	c := ndcColours[10]
	if ndc != "" && ndc[0] >= '0' && ndc[0] <= '9' {
		c = ndcColours[ndc[0]-'0']
	}
	return c[0], c[1]
}

// DrawnCover is the SVG cover of r and its hash.
func DrawnCover(r *store.Record) (svg []byte, hash string) {
	bg, ink := coverColours(r.NDC)
	title := strings.TrimSpace(r.Title)
	if title == "" {
		title = "—"
	}
	cols, size := titleColumns(title)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" width="200" height="300" role="img" aria-label="%s">`, html.EscapeString(title))
	fmt.Fprintf(&b, `<rect width="200" height="300" fill="%s"/>`, bg)
	b.WriteString(`<rect x="10" y="10" width="180" height="280" fill="none" stroke="#ffffff" stroke-opacity=".45" stroke-width="1.5"/>`)
	fmt.Fprintf(&b, `<g fill="%s" font-family="'Noto Serif CJK JP','Hiragino Mincho ProN','Yu Mincho',serif" font-weight="bold" font-size="%d">`, ink, size)
	// Columns from the right, each down from the top.
	x := 172.0
	for _, col := range cols {
		fmt.Fprintf(&b, `<text x="%.1f" y="28" writing-mode="tb" style="writing-mode:vertical-rl">%s</text>`, x, html.EscapeString(col))
		x -= float64(size) * 1.25
	}
	b.WriteString(`</g>`)
	if author := coverAuthor(r); author != "" {
		fmt.Fprintf(&b, `<text x="26" y="128" fill="%s" font-family="'Noto Sans CJK JP','Hiragino Sans',sans-serif" font-size="13" writing-mode="tb" style="writing-mode:vertical-rl">%s</text>`,
			ink, html.EscapeString(author))
	}
	if r.NDC != "" {
		fmt.Fprintf(&b, `<text x="100" y="284" fill="%s" fill-opacity=".8" font-family="sans-serif" font-size="11" text-anchor="middle">%s</text>`,
			ink, html.EscapeString(r.NDC))
	}
	b.WriteString(`</svg>`)
	out := []byte(b.String())
	return out, contentHash(append([]byte(drawnCoverVersion), out...))
}

// titleColumns cuts a title into the columns of the drawn cover and
// picks their font size: one column of up to 10 characters large, up to
// three of 12 smaller, the rest left out with "…".
func titleColumns(title string) ([]string, int) {
	rs := []rune(strings.Join(strings.Fields(title), " "))
	size, per := 24, 10
	switch n := len(rs); {
	case n <= 10:
		return []string{string(rs)}, size
	case n <= 24:
		size, per = 19, 12
	default:
		size, per = 16, 14
	}
	var cols []string
	for len(rs) > 0 && len(cols) < 3 {
		k := min(per, len(rs))
		cols = append(cols, string(rs[:k]))
		rs = rs[k:]
	}
	if len(rs) > 0 {
		last := []rune(cols[2])
		cols[2] = string(last[:len(last)-1]) + "…"
	}
	return cols, size
}

// coverAuthor is the first author's name as the drawn cover shows it.
func coverAuthor(r *store.Record) string {
	if len(r.Authors) == 0 {
		return ""
	}
	a := strings.TrimSpace(r.Authors[0].Name)
	if utf8.RuneCountInString(a) > 12 {
		a = string([]rune(a)[:11]) + "…"
	}
	return a
}
