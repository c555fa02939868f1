package library

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"hondana/search"
	"hondana/yomi"
)

// A search that finds nothing is no dead end (R80): its relaxed forms run
// at once, in order, and the first that finds something is shown with
// its results ("「坊ちゃん」の検索結果はありませんでした。「坊っちゃん」の結果を
// 表示しています"):
//
//  1. romaji read as kana, with the long vowels romaji leaves out
//     (natsume soseki → ナツメ ソウセキ);
//  2. a っ or ー dropped (坊ちゃん → 坊っちゃん);
//  3. a kanji word by its reading, for the slips of an input method that
//     picked the wrong kanji of the same sound (京都液 → キョウトエキ);
//  4. one character off in a word of six or more (銀河鉄道の液 →
//     銀河鉄道の夜), when the words it found can be read off its best hit;
//  5. any of the words, those with more of them first.
//
// Each form first asks only whether anything matches, without counting
// facets; only the one shown is searched in full.

// maxVariants bounds the searches one form may try.
const maxVariants = 24

// relax returns the first relaxed form of q (which found nothing) that
// finds something, or nil.
func (c *Catalog) relax(ctx context.Context, ix *search.Index, q search.Query) (*Relaxed, error) {
	if q.ISBN != "" || q.Mode != "" || q.Text == "" {
		return nil, nil
	}
	tried := map[string]bool{q.Text: true}
	found := func(text, mode string) bool {
		if text == "" || tried[mode+"|"+text] {
			return false
		}
		tried[mode+"|"+text] = true
		alt := q
		alt.Text, alt.Mode, alt.Offset, alt.Limit, alt.NoFacets = text, mode, 0, 1, true
		r, err := ix.Search(ctx, alt)
		return err == nil && r.Total > 0
	}
	show := func(kind, shown, text, mode string) (*Relaxed, error) {
		alt := q
		alt.Text, alt.Mode = text, mode
		r, err := ix.Search(ctx, alt)
		if err != nil {
			return nil, err
		}
		out := &Relaxed{Kind: kind, From: q.Text, Text: shown, Total: r.Total, Facets: r.Facets, FacetsApproximate: r.FacetsApproximate}
		if out.Hits, err = c.Hits(ctx, r.IDs); err != nil {
			return nil, err
		}
		exactFirst(out.Hits, alt)
		return out, nil
	}
	// Of the readings romaji may stand for, a name or title as a whole
	// first (uno koji is 宇野浩二, ウノ コウジ, though ウノ コジ matches
	// something too), else the first that matches.
	var anyKana string
	for _, kana := range romajiReadings(q.Text) {
		if ix.IsName(kana) && found(kana, "") {
			return show(RelaxRomaji, kana, kana, "")
		}
		if anyKana == "" && found(kana, "") {
			anyKana = kana
		}
	}
	if anyKana != "" {
		return show(RelaxRomaji, anyKana, anyKana, "")
	}
	for _, v := range spellingVariants(q.Text) {
		if found(v, "") {
			return show(RelaxSpelling, v, v, "")
		}
	}
	// The reading run together first, then with the words the reading
	// keeps apart (as it does across brackets: 心象風景（続編） is
	// シンショウフウケイ ゾクヘン) as words of their own.
	if joined, spaced := readingOf(q.Text); joined != "" {
		if found(joined, "") {
			return show(RelaxReading, joined, joined, "")
		}
		if spaced != joined && found(spaced, "") {
			return show(RelaxReading, spaced, spaced, "")
		}
	}
	if hasLongWord(q.Text) {
		alt := q
		alt.Mode, alt.Offset, alt.Limit, alt.NoFacets = search.ModeFuzzy, 0, 3, true
		r, err := ix.Search(ctx, alt)
		if err != nil {
			return nil, err
		}
		if r.Total > 0 {
			// Shown only as the words it found: a match with one
			// character off that cannot be read off its hit is as
			// likely chance.
			hits, err := c.Hits(ctx, r.IDs)
			if err != nil {
				return nil, err
			}
			for _, h := range hits {
				if fixed := oneCharFixed(q.Text, h); fixed != "" && found(fixed, "") {
					return show(RelaxOneChar, fixed, fixed, "")
				}
			}
		}
	}
	if words := strings.Fields(q.Text); len(words) > 1 && found(q.Text, search.ModeAnyWord) {
		return show(RelaxAnyWord, strings.Join(words, " OR "), q.Text, search.ModeAnyWord)
	}
	return nil, nil
}

// romajiReadings are the kana s may stand for when it is romaji: as
// typed, then with a long vowel the romaji left out (soseki for
// ソウセキ, tokyo for トウキョウ, ramen for ラーメン); none when s is not
// romaji.
func romajiReadings(s string) []string {
	if RomajiToKana(s) == "" {
		return nil
	}
	words := strings.Fields(strings.ToLower(s))
	texts := []string{strings.Join(words, " ")}
	for i, w := range words {
		for _, v := range longVowels(w) {
			alt := append([]string{}, words...)
			alt[i] = v
			texts = append(texts, strings.Join(alt, " "))
		}
	}
	// Both a first and a second word long (tokyo daigaku → トウキョウ …).
	if len(words) > 1 {
		for _, a := range longVowels(words[0]) {
			for _, b := range longVowels(words[1]) {
				alt := append([]string{a, b}, words[2:]...)
				texts = append(texts, strings.Join(alt, " "))
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		if k := RomajiToKana(t); k != "" && !seen[k] && len(out) < maxVariants {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// longVowels are w with one vowel lengthened the way kana write it (o →
// ou, u → uu, a → aa, e → ei, i → ii), and with two of its o and u
// lengthened; at most a dozen.
func longVowels(w string) []string {
	long := map[byte]string{'o': "ou", 'u': "uu", 'a': "aa", 'e': "ei", 'i': "ii"}
	var at []int // vowels not already long
	for i := 0; i < len(w); i++ {
		if l, ok := long[w[i]]; ok && (i+1 == len(w) || w[i+1] != l[1]) {
			at = append(at, i)
		}
	}
	var out []string
	for _, i := range at {
		out = append(out, w[:i]+long[w[i]]+w[i+1:])
	}
	for x := 0; x < len(at); x++ {
		for y := x + 1; y < len(at); y++ {
			i, j := at[x], at[y]
			if !strings.ContainsRune("ou", rune(w[i])) || !strings.ContainsRune("ou", rune(w[j])) {
				continue
			}
			out = append(out, w[:i]+long[w[i]]+w[i+1:j]+long[w[j]]+w[j+1:])
		}
	}
	if len(out) > 12 {
		out = out[:12]
	}
	return out
}

// spellingVariants are s with a っ (or ッ) put in before a kana, or a ー
// after a katakana: the marks a patron drops (坊ちゃん for 坊っちゃん, コヒー
// for コーヒー). Taking one out was tried too, and found mostly chance
// matches of the shorter word.
func spellingVariants(s string) []string {
	rs := []rune(s)
	var out []string
	add := func(v []rune) {
		if len(out) < maxVariants {
			out = append(out, string(v))
		}
	}
	insert := func(i int, r rune) []rune {
		v := make([]rune, 0, len(rs)+1)
		return append(append(append(v, rs[:i]...), r), rs[i:]...)
	}
	for i := 1; i < len(rs); i++ {
		// Before a kana of a consonant, or before a kanji after kana
		// (いたずらっ子).
		beforeKanji := unicode.Is(unicode.Han, rs[i]) && (isHiragana(rs[i-1]) || isKatakana(rs[i-1]))
		if isWordRune(rs[i-1]) && (consonantKana(rs[i]) || beforeKanji) {
			tsu := 'ッ'
			if isHiragana(rs[i]) {
				tsu = 'っ'
			}
			add(insert(i, tsu))
		}
	}
	for i := 1; i <= len(rs); i++ {
		if isKatakana(rs[i-1]) && rs[i-1] != 'ン' && rs[i-1] != 'ッ' && rs[i-1] != 'ー' && (i == len(rs) || rs[i] != 'ー') {
			add(insert(i, 'ー'))
		}
	}
	return out
}

// consonantKana reports whether r is a kana that a っ may stand before: a
// large kana of a consonant (か, サ …), not a vowel, ん, or a small kana.
func consonantKana(r rune) bool {
	if isHiragana(r) {
		r += 'ァ' - 'ぁ'
	}
	if !isKatakana(r) {
		return false
	}
	return !strings.ContainsRune("アイウエオンァィゥェォッャュョヮーヲ", r)
}

func isHiragana(r rune) bool { return r >= 'ぁ' && r <= 'ゖ' }
func isKatakana(r rune) bool { return r >= 'ァ' && r <= 'ヺ' || r == 'ー' }

// isWordRune reports whether r is a kanji or kana: a っ after it continues
// its word.
func isWordRune(r rune) bool {
	return isHiragana(r) || isKatakana(r) || unicode.Is(unicode.Han, r)
}

// readingOf is text with each word of kanji replaced by its reading, run
// together ("京都液" → "キョウトエキ"), and with the words of the reading
// apart ("キョウト エキ"); "" when no word has kanji.
func readingOf(text string) (joined, spaced string) {
	words := strings.Fields(text)
	apart := slices.Clone(words)
	changed := false
	for i, w := range words {
		if yomi.NeedsReading(w) {
			apart[i] = yomi.Reading(w)
			words[i] = strings.ReplaceAll(apart[i], " ", "")
			changed = true
		}
	}
	if !changed {
		return "", ""
	}
	return strings.Join(words, " "), strings.Join(apart, " ")
}

// hasLongWord reports whether text has a word of six characters or
// more, which ModeFuzzy can match with one of them off.
func hasLongWord(text string) bool {
	for _, w := range strings.Fields(text) {
		if utf8.RuneCountInString(w) >= search.FuzzyMinRunes {
			return true
		}
	}
	return false
}

// oneCharFixed is text with each word of six or more characters that
// differs from a part of the hit's title (or reading, or an author's
// name) in one character replaced by that part: 銀河鉄道の液 and the hit
// 銀河鉄道の夜 give 銀河鉄道の夜. "" when no word could be fixed.
func oneCharFixed(text string, h Hit) string {
	r := h.Record
	names := []string{r.Title, r.TitleYomi, r.Subtitle}
	for _, a := range r.Authors {
		names = append(names, a.Name, a.Yomi)
	}
	words := strings.Fields(text)
	fixed := false
	for i, w := range words {
		if utf8.RuneCountInString(w) < search.FuzzyMinRunes {
			continue
		}
		for _, n := range names {
			if part := oneOff(w, n); part != "" {
				words[i], fixed = part, true
				break
			}
		}
	}
	if !fixed {
		return ""
	}
	return strings.Join(words, " ")
}

// oneOff returns the part of name as long as w that differs from it in
// exactly one character (each compared as search.Key has it: ゐ and い
// alike), or "".
func oneOff(w, name string) string {
	wr := []rune(w)
	nr := []rune(name)
	same := func(a, b rune) bool { return a == b || search.Key(string(a)) == search.Key(string(b)) }
	for start := 0; start+len(wr) <= len(nr); start++ {
		part := nr[start : start+len(wr)]
		diff := 0
		for k := range wr {
			if !same(wr[k], part[k]) {
				diff++
			}
		}
		if diff == 1 {
			return string(part)
		}
	}
	return ""
}
