package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// Names of the analyzers registered by this file. They are registered with
// Bleve's global registry in init, so a mapping only has to name them:
//
//	f := bleve.NewTextFieldMapping()
//	f.Analyzer = search.AnalyzerIndex
//
// and a match query on such a field sets
//
//	q.Analyzer = search.AnalyzerQuery
const (
	// AnalyzerIndex analyses Japanese (and mixed) text at index time: Fold,
	// then runs of kanji and kana become overlapping bigrams plus unigrams,
	// other words become lower-cased tokens. Use it for titles, readings,
	// names, publishers, series and subjects alike.
	AnalyzerIndex = "ja_index"
	// AnalyzerQuery analyses one query word for fields indexed with
	// AnalyzerIndex: the same folding, but runs of kanji and kana become
	// bigrams only (a one-character run stays a unigram), so that a match
	// query with Operator AND requires the whole word in one field.
	AnalyzerQuery = "ja_query"
	// AnalyzerReading analyses readings (ヨミ) at index time as
	// AnalyzerQuery does a query: bigrams, no unigrams inside a run. A
	// reading is searched by a word of two kana or more (one kana is no
	// reading), and its unigrams were a fifth of a record's terms.
	AnalyzerReading = "ja_reading"
)

func init() {
	for name, unigrams := range map[string]bool{AnalyzerIndex: true, AnalyzerQuery: false, AnalyzerReading: false} {
		a := jaAnalyzer{unigrams: unigrams, tokenizer: unicodetok.NewUnicodeTokenizer(), grams: cjkGramFilter{unigrams: unigrams}}
		err := registry.RegisterAnalyzer(name, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
			return a, nil
		})
		if err != nil {
			panic("search: register analyzer " + name + ": " + err.Error())
		}
	}
}

// registerAnalysis makes the Japanese analyzers available to m. They are
// already registered globally in init (so an index opened from disk finds
// them by name), so this only checks that m resolves both names; it exists
// so that the mapping code states its dependency in one place.
func registerAnalysis(m *mapping.IndexMappingImpl) error {
	for _, name := range []string{AnalyzerIndex, AnalyzerQuery, AnalyzerReading} {
		if m.AnalyzerNamed(name) == nil {
			return fmt.Errorf("search: analyzer %q not registered", name)
		}
	}
	return nil
}

// Fold normalises text for comparison: the same function runs at index
// time, at query time and when building sort keys or comparing titles.
//
//   - NFKC: full-width ASCII becomes ASCII, half-width katakana becomes
//     full-width (ｶﾞ → ガ), CJK compatibility ideographs become the
//     unified ones, ① becomes 1;
//   - hiragana becomes katakana (ゔ → ヴ; small kana stay small, except
//     ヵ/ヶ, which stand for カ/ケ or ガ as in 霞ヶ関 and fold to カ/ケ);
//   - letters are lower-cased;
//   - old and variant kanji become their common modern form (學 → 学,
//     鷗 → 鴎, see variantKanji);
//   - iteration marks are spelt out (学問のすゝめ → 学問ノススメ,
//     みすゞ → ミスズ, 佐々木 → 佐佐木), so both spellings compare equal;
//   - runs of white space become one ASCII space, and the ends are trimmed.
//
// Fold is idempotent. ヰ and ヱ are kept: they are real readings.
func Fold(s string) string {
	if isPlainASCII(s) {
		return foldASCII(s)
	}
	if runes, ok := foldCommon(s); ok {
		return string(runes)
	}
	return foldAny(s)
}

// foldAny is Fold for any text.
func foldAny(s string) string {
	if strings.ContainsAny(s, "\u309b\u309c") {
		// The spacing voiced marks ゛゜ would become a space plus a
		// combining mark under NFKC; make them combining first so that
		// か゛ composes to が like ｶﾞ does.
		s = strings.NewReplacer("\u309b", "\u3099", "\u309c", "\u309a").Replace(s)
	}
	s = norm.NFKC.String(s)

	out := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		r = foldRune(r)
		switch r {
		case '々', '〻': // repeat the previous kanji
			if n := len(out); n > 0 && unicode.Is(unicode.Han, out[n-1]) {
				r = out[n-1]
			}
		case 'ヽ': // repeat the previous kana
			if n := len(out); n > 0 && isKatakanaLetter(out[n-1]) {
				r = out[n-1]
			}
		case 'ヾ': // repeat the previous kana, voiced
			if n := len(out); n > 0 && isKatakanaLetter(out[n-1]) {
				r = voiced(out[n-1])
			}
		}
		out = append(out, r)
	}
	return string(out)
}

// foldRune applies the one-to-one part of Fold to a rune that is already
// in NFKC.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case 'ぁ' <= r && r <= 'ゖ', r == 'ゝ', r == 'ゞ':
		r += 'ァ' - 'ぁ'
	}
	switch r {
	case 'ヵ':
		return 'カ'
	case 'ヶ':
		return 'ケ'
	}
	if v, ok := variantKanji[r]; ok {
		return v
	}
	return unicode.ToLower(r)
}

// voiced returns the voiced form of a katakana letter (カ → ガ), or the
// letter itself when it has none.
func voiced(r rune) rune {
	v := norm.NFC.String(string(r) + "\u3099")
	if vr, size := utf8.DecodeRuneInString(v); size == len(v) {
		return vr
	}
	return r
}

func isKatakanaLetter(r rune) bool { return 'ァ' <= r && r <= 'ヺ' }

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func foldASCII(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// searchText is what the analyzers see: Fold, then kana spellings that
// readings write either way made one (ヲ → オ, ヂ → ジ, ヅ → ズ; cataloguers
// write the particle を as オ), then separators between kanji and kana
// removed, so that the reading "ナツメ ソウセキ" and the name "夏目・漱石"
// each form one run and match the query ナツメソウセキ / 夏目漱石.
//
// The result can be shorter than the input, so token offsets do not point
// into the original text. That only matters for highlighting, which
// Hondana does not use; do not turn it on for these analyzers.
func searchText(s string) string {
	runes := []rune(Fold(s))
	for i, r := range runes {
		runes[i] = oneSpelling(r)
	}
	return string(dropJoiners(runes))
}

// oneSpelling makes one the kana that readings write either way.
func oneSpelling(r rune) rune {
	switch r {
	case 'ヲ':
		return 'オ'
	case 'ヂ':
		return 'ジ'
	case 'ヅ':
		return 'ズ'
	}
	return r
}

// dropJoiners writes runes in UTF-8 without the separators that stand
// between two kanji or kana.
func dropJoiners(runes []rune) []byte {
	out := make([]byte, 0, len(runes)*3)
	last := rune(-1) // the last rune written
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if isJoiner(r) && last >= 0 && isCJK(last) {
			j := i
			for j < len(runes) && isJoiner(runes[j]) {
				j++
			}
			if j < len(runes) && isCJK(runes[j]) {
				i = j - 1
				continue
			}
		}
		out = utf8.AppendRune(out, r)
		last = r
	}
	return out
}

// foldCommon is Fold for text of ASCII, kana, the katakana middle dot
// and the common kanji (most titles, readings and names), where NFKC
// changes nothing and Fold is a rune-by-rune mapping: one pass, no
// normalisation. It reports false for any other text.
// TestFoldCommon holds it to foldAny.
func foldCommon(s string) ([]rune, bool) {
	runes := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		switch {
		case r == ' ', '\t' <= r && r <= '\r':
			space = len(runes) > 0
			continue
		case 0x20 < r && r < 0x7F,
			0x3041 <= r && r <= 0x3096, // hiragana, without ゝゞゟ
			0x30A1 <= r && r <= 0x30FC, // katakana with ・ and ー, without ヽヾヿ
			0x3400 <= r && r <= 0x4DBF, 0x4E00 <= r && r <= 0x9FFF:
		default:
			return nil, false
		}
		if space {
			runes = append(runes, ' ')
			space = false
		}
		runes = append(runes, foldRune(r))
	}
	return runes, true
}

// searchTextFast is searchText for the text foldCommon takes.
func searchTextFast(input string) ([]byte, bool) {
	runes, ok := foldCommon(input)
	if !ok {
		return nil, false
	}
	for i, r := range runes {
		runes[i] = oneSpelling(r)
	}
	return dropJoiners(runes), true
}

// isJoiner reports whether r, standing between two kanji or kana, separates
// parts of one name or reading rather than two words worth keeping apart.
func isJoiner(r rune) bool {
	switch r {
	case ' ', '・', '、', '･', '·', '=', '゠':
		return true
	}
	return unicode.IsSpace(r)
}

// isCJK reports whether r belongs to a run that is cut into bigrams.
func isCJK(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r == 'ー', r == '々', r == '〆', r == '〇', r == '\u3099', r == '\u309a':
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// jaAnalyzer is the analysis of AnalyzerIndex, AnalyzerQuery and
// AnalyzerReading: searchText, then Unicode word segmentation (UAX #29),
// then cjkGramFilter. Text made only of kanji, katakana, ASCII letters and
// digits and spaces (most titles, readings and names once folded) is cut
// by tokensFast in one pass instead: the same tokens, for a third of the
// time of an index build's analysis. TestFastTokensMatchSegmentation
// holds the two to the same result.
type jaAnalyzer struct {
	unigrams  bool
	tokenizer analysis.Tokenizer
	grams     cjkGramFilter
}

func (a jaAnalyzer) Analyze(input []byte) analysis.TokenStream {
	text := folded(string(input))
	if toks, ok := tokensFast(text, a.unigrams); ok {
		return toks
	}
	return a.grams.Filter(a.tokenizer.Tokenize(text))
}

// folded is s as the analyzers cut it: searchText, in one pass when the
// text allows.
func folded(s string) []byte {
	if text, ok := searchTextFast(s); ok {
		return text
	}
	return []byte(searchText(s))
}

// Characters tokensFast knows how UAX #29 cuts.
const (
	fastOther = iota // anything else: leave the text to the segmenter
	fastSpace
	fastASCII // a-z, 0-9: a run is one word
	fastCJK   // unified kanji, katakana and ー: cut into grams
)

func fastClass(r rune) int {
	switch {
	case r == ' ':
		return fastSpace
	case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		return fastASCII
	case 0x4E00 <= r && r <= 0x9FFF, 0x3400 <= r && r <= 0x4DBF, // kanji
		0x30A1 <= r && r <= 0x30FA, r == 'ー': // katakana ァ..ヺ
		return fastCJK
	}
	return fastOther
}

// tokensFast cuts folded text as the segmenter and cjkGramFilter would,
// or reports false when the text has a character it does not handle.
func tokensFast(text []byte, unigrams bool) (analysis.TokenStream, bool) {
	size, ok := fastSize(text)
	if !ok {
		return nil, false
	}
	// One allocation for the tokens, one for the pointers to them.
	out := make(analysis.TokenStream, 0, size)
	made := make([]analysis.Token, 0, size)
	cutFast(text, unigrams, func(start, end, pos int, typ analysis.TokenType) {
		made = append(made, analysis.Token{Term: text[start:end:end], Start: start, End: end, Position: pos, Type: typ})
		out = append(out, &made[len(made)-1])
	})
	return out, true
}

// fastSize reports how many tokens cutFast makes of text at most, or false
// when text has a character it does not handle.
func fastSize(text []byte) (int, bool) {
	size := 0
	prev := fastSpace
	for _, r := range string(text) {
		c := fastClass(r)
		switch c {
		case fastOther:
			return 0, false
		case fastCJK:
			size += 2
		case fastASCII:
			if prev != fastASCII {
				size++
			}
		}
		prev = c
	}
	return size, true
}

// cutFast calls emit with each token of text, which fastSize accepted:
// its bytes text[start:end] (every token is a run of the text, bigrams
// too), position and type.
func cutFast(text []byte, unigrams bool, emit func(start, end, pos int, typ analysis.TokenType)) {
	pos := 1
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		switch fastClass(r) {
		case fastASCII:
			j := i + 1
			for j < len(text) && fastClass(rune(text[j])) == fastASCII {
				j++
			}
			emit(i, j, pos, analysis.AlphaNumeric)
			pos++
			i = j
		case fastCJK:
			// The run: characters from i to j.
			j, runes := i, 0
			for j < len(text) {
				r, m := utf8.DecodeRune(text[j:])
				if fastClass(r) != fastCJK {
					break
				}
				j += m
				runes++
			}
			if runes == 1 {
				emit(i, j, pos, analysis.Single)
				pos++
				i = j
				continue
			}
			k := 0
			for c := i; c < j; k++ {
				_, m := utf8.DecodeRune(text[c:])
				if unigrams {
					emit(c, c+m, pos+k, analysis.Single)
				}
				if c+m < j {
					_, m2 := utf8.DecodeRune(text[c+m:])
					emit(c, c+m+m2, pos+k, analysis.Double)
				}
				c += m
			}
			pos += runes
			i = j
		default: // a space; nothing else passes fastSize
			i += n
		}
	}
}

// EachTerm analyses s as Analyze does and hands each term to fn: its
// bytes, and the same as a part of one string of the folded text (a key
// that costs no allocation). The fast path's builder needs the terms, not
// the tokens, and finds this method on the analyzers of the mapping.
func (a jaAnalyzer) EachTerm(s string, fn func(term []byte, key string)) {
	text := folded(s)
	if _, ok := fastSize(text); ok {
		keys := string(text)
		cutFast(text, a.unigrams, func(start, end, _ int, _ analysis.TokenType) {
			fn(text[start:end:end], keys[start:end])
		})
		return
	}
	for _, t := range a.grams.Filter(a.tokenizer.Tokenize(text)) {
		fn(t.Term, string(t.Term))
	}
}

// cjkGramFilter turns runs of adjacent kanji/kana tokens into overlapping
// bigrams, plus one unigram per character when unigrams is set (the index
// side, so that a one-character query such as 猫 finds 吾輩は猫である).
// Other tokens pass through. Positions are those of the run's characters,
// so the bigrams of a query are consecutive in the index too.
type cjkGramFilter struct {
	unigrams bool
}

type cjkChar struct {
	term       []byte
	start, end int
}

func (f cjkGramFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	// Size everything first: the tokens, the bigrams' bytes and the run
	// each take one allocation instead of one per token, which was most
	// of this filter's cost when building an index.
	size, cjkRunes, cjkBytes := 0, 0, 0
	for _, tok := range input {
		if allCJK(tok.Term) {
			n := utf8.RuneCount(tok.Term)
			size += 2 * n // at most a unigram and a bigram per character
			cjkRunes += n
			cjkBytes += len(tok.Term)
		} else {
			size++
		}
	}
	out := make(analysis.TokenStream, 0, size)
	made := make([]analysis.Token, 0, size) // never grows: out points into it
	grams := make([]byte, 0, 2*cjkBytes)    // nor does this
	emit := func(t analysis.Token) {
		made = append(made, t)
		out = append(out, &made[len(made)-1])
	}
	pos := 1
	run := make([]cjkChar, 0, cjkRunes)
	flush := func() {
		switch {
		case len(run) == 0:
			return
		case len(run) == 1:
			emit(analysis.Token{Term: run[0].term, Start: run[0].start, End: run[0].end, Position: pos, Type: analysis.Single})
			pos++
		default:
			for i, c := range run {
				if f.unigrams {
					emit(analysis.Token{Term: c.term, Start: c.start, End: c.end, Position: pos + i, Type: analysis.Single})
				}
				if i+1 < len(run) {
					next := run[i+1]
					from := len(grams)
					grams = append(append(grams, c.term...), next.term...)
					emit(analysis.Token{Term: grams[from:len(grams):len(grams)], Start: c.start, End: next.end, Position: pos + i, Type: analysis.Double})
				}
			}
			pos += len(run)
		}
		run = run[:0]
	}
	for _, tok := range input {
		if !allCJK(tok.Term) {
			flush()
			tok.Position = pos
			pos++
			out = append(out, tok)
			continue
		}
		if len(run) > 0 && run[len(run)-1].end != tok.Start {
			flush()
		}
		for i, r := range string(tok.Term) {
			n := utf8.RuneLen(r)
			run = append(run, cjkChar{term: tok.Term[i : i+n], start: tok.Start + i, end: tok.Start + i + n})
		}
	}
	flush()
	return out
}

func allCJK(term []byte) bool {
	if len(term) == 0 {
		return false
	}
	for _, r := range string(term) {
		if !isCJK(r) {
			return false
		}
	}
	return true
}

// Tokens returns the terms that the named analyzer (AnalyzerIndex or
// AnalyzerQuery) makes of text, for tests and for debugging a query that
// finds nothing.
func Tokens(analyzerName, text string) ([]string, error) {
	a, err := registry.NewCache().AnalyzerNamed(analyzerName)
	if err != nil {
		return nil, err
	}
	var terms []string
	for _, t := range a.Analyze([]byte(text)) {
		terms = append(terms, string(t.Term))
	}
	return terms, nil
}
