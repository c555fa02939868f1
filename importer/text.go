package importer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hondana/store"
)

// clean makes s fit for a record field: valid UTF-8, NFC, no control
// characters, runs of white space folded to one space, trimmed.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == ' ' || r == '\u00a0':
			space = true
			continue
		case unicode.IsControl(r), r == '\u200b', r == '\ufeff':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(norm.NFC.String(b.String()))
}

// trimISBD removes the punctuation that ISBD puts between the elements of
// a description (" /", " :", " ;", " =", ",", ".") from the end of s;
// it belongs to the display of the whole record, not to the element.
func trimISBD(s string) string {
	s = clean(s)
	for {
		t := strings.TrimRight(s, " ")
		switch {
		case strings.HasSuffix(t, " /"), strings.HasSuffix(t, " :"),
			strings.HasSuffix(t, " ;"), strings.HasSuffix(t, " ="):
			t = t[:len(t)-2]
		case strings.HasSuffix(t, ","), strings.HasSuffix(t, "/"),
			strings.HasSuffix(t, ":"), strings.HasSuffix(t, ";"):
			t = t[:len(t)-1]
		case strings.HasSuffix(t, ".") && !strings.HasSuffix(t, "..") && !initialBefore(t):
			t = t[:len(t)-1]
		}
		t = strings.TrimSpace(t)
		if t == s {
			return s
		}
		s = t
	}
}

// initialBefore reports whether the final "." of s closes a one-letter
// initial ("Tolkien, J.R.R."), which keeps its period.
func initialBefore(s string) bool {
	r := []rune(s)
	n := len(r)
	if n < 2 {
		return false
	}
	if !unicode.IsUpper(r[n-2]) {
		return false
	}
	return n == 2 || r[n-3] == ' ' || r[n-3] == '.'
}

// katakana converts hiragana in s to katakana and cleans the result.
// Readings are kept as cataloguers wrote them otherwise, spaces included.
func katakana(s string) string {
	s = clean(s)
	if s == "" {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'ぁ' && r <= 'ゖ':
			return r + ('ァ' - 'ぁ')
		case r == 'ゝ' || r == 'ゞ':
			return r + ('ヽ' - 'ゝ')
		}
		return r
	}, s)
}

// isKanaReading reports whether s looks like a katakana reading: some
// katakana, no kanji and no hiragana. Used to tell NDL's reading in 880
// from the vernacular script that other agencies put there.
func isKanaReading(s string) bool {
	kata := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r):
			return false
		case unicode.Is(unicode.Katakana, r):
			kata = true
		}
	}
	return kata
}

// isForeignPart reports whether one part of a personal name is written in
// katakana only or in Latin letters, as transcribed foreign names are.
func isForeignPart(s string) bool {
	allKana := true
	for _, r := range s {
		if r <= unicode.MaxLatin1 && unicode.IsLetter(r) || unicode.In(r, unicode.Latin) {
			return true
		}
		if !unicode.Is(unicode.Katakana, r) && r != 'ー' && r != '・' && r != '＝' && r != '=' {
			allKana = false
		}
	}
	return allKana
}

// joinName joins a family and a given name. Japanese names are written
// without a space ("夏目漱石"); transcribed foreign names keep one.
func joinName(family, given string) string {
	family, given = clean(family), clean(given)
	switch {
	case given == "":
		return family
	case family == "":
		return given
	case isForeignPart(family) || isForeignPart(given):
		return family + " " + given
	}
	return family + given
}

// inverted turns a heading written "姓, 名" into "姓名" when both parts are
// Japanese; other headings ("Austen, Jane") are left as they are.
func inverted(s string) string {
	s = clean(s)
	family, given, ok := strings.Cut(s, ",")
	if !ok {
		return s
	}
	family, given = strings.TrimSpace(family), strings.TrimSpace(given)
	if family == "" || given == "" || strings.Contains(given, ",") || !hasCJK(family) || !hasCJK(given) ||
		isForeignPart(family) || isForeignPart(given) {
		return s
	}
	return family + given
}

// invertedYomi turns a reading written "ハギノ, マサアキ" into "ハギノ マサアキ".
func invertedYomi(s string) string {
	s = katakana(s)
	family, given, ok := strings.Cut(s, ",")
	if !ok {
		return s
	}
	family, given = strings.TrimSpace(family), strings.TrimSpace(given)
	if !hasCJK(family) && !hasCJK(given) {
		return s
	}
	if given == "" {
		return family
	}
	return family + " " + given
}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || r == 'ー' || r == '々' {
			return true
		}
	}
	return false
}

// firstYear returns the first run of exactly four ASCII digits in s that
// reads as a year between 1000 and 2100, or 0.
func firstYear(s string) int {
	for i := 0; i+4 <= len(s); i++ {
		if i > 0 && isDigit(s[i-1]) {
			continue
		}
		if !isDigit(s[i]) || !isDigit(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
			continue
		}
		if i+4 < len(s) && isDigit(s[i+4]) {
			continue
		}
		y := int(s[i]-'0')*1000 + int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
		if y >= 1000 && y <= 2100 {
			return y
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ndcNumber extracts a class number like "023" or "837.5" from s, e.g.
// from "023(njb/10)" or "NDC K913".
func ndcNumber(s string) string {
	start := -1
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			start = i
			break
		}
	}
	if start < 0 {
		return ""
	}
	end := start
	for end < len(s) && (isDigit(s[end]) || s[end] == '.' && end+1 < len(s) && isDigit(s[end+1])) {
		end++
	}
	return s[start:end]
}

// roleFromWord maps a relator term or code (MARC $e/$4, or the word after
// a name in a statement of responsibility) to a Hondana role.
func roleFromWord(w string) string {
	w = strings.ToLower(strings.Trim(clean(w), " .,;:[]()"))
	switch w {
	case "":
		return ""
	case "著", "作", "文", "著作", "原作", "原著", "作・文", "aut", "author", "cre", "creator", "著者", "写真", "pht", "photographer", "cmp", "composer", "作曲":
		return store.RoleAuthor
	case "訳", "翻訳", "訳者", "trl", "translator", "共訳", "監訳", "抄訳":
		return store.RoleTranslator
	case "編", "編集", "編者", "編著", "責任編集", "監修", "編纂", "edt", "editor", "ed", "eds", "comp", "compiler", "com":
		return store.RoleEditor
	case "絵", "画", "イラスト", "挿画", "漫画", "まんが", "ill", "illustrator", "illus", "art", "artist":
		return store.RoleIllustrator
	}
	switch {
	case strings.HasPrefix(w, "editor"), strings.HasPrefix(w, "ed."), strings.HasSuffix(w, "編"):
		return store.RoleEditor
	case strings.HasPrefix(w, "translat"), strings.HasSuffix(w, "訳"):
		return store.RoleTranslator
	case strings.HasPrefix(w, "illustrat"), strings.HasSuffix(w, "絵"):
		return store.RoleIllustrator
	case strings.HasPrefix(w, "author"), strings.HasSuffix(w, "著"):
		return store.RoleAuthor
	}
	return store.RoleOther
}

// roleInStatement finds name in a Japanese statement of responsibility
// ("萩野正昭 著", "田中一郎 編 ; 鈴木花子 訳") and returns the role word
// that follows it, or "" when the name is not there.
func roleInStatement(name, statement string) string {
	if name == "" || statement == "" {
		return ""
	}
	i := strings.Index(statement, name)
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(statement[i+len(name):], " ,、")
	// Several names can share one role word: "植村八潮, 野口武悟 編".
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == ';' || r == '/' }) {
		for _, w := range strings.Fields(part) {
			if hasCJK(w) && len([]rune(strings.Trim(w, ".,"))) <= 3 {
				if role := roleFromWord(w); role != store.RoleOther {
					return role
				}
			}
		}
		break
	}
	return ""
}

// dedupe removes empty and repeated strings, keeping the first order.
func dedupe(in []string) []string {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
