package search

import (
	"fmt"
	"slices"
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
// and the query builder analyses a word with AnalyzerQuery for such a
// field, with AnalyzerReadingQuery for a reading field.
//
// Every analyzer cuts the text the same way: searchText folds it, then
// runs of kanji and kana become "runs of units", each unit a character or
// a number written beside one (第1夜 is the run 第 1 夜), and other words
// are lower-cased tokens. They differ in what they make of a run.
const (
	// AnalyzerIndex analyses Japanese (and mixed) text at index time:
	// every unit of a run, and every two neighbouring units (bigrams).
	// Use it for names, publishers, series and subjects.
	AnalyzerIndex = "ja_index"
	// AnalyzerTitle is AnalyzerIndex plus one anchor term, "^" and the
	// first bigram of the text (or its first unit or word, when it
	// starts with one), so that a query can ask for a title that begins
	// with its words at the cost of one term (see anchorTerm).
	AnalyzerTitle = "ja_title"
	// AnalyzerQuery analyses one query word for fields indexed with
	// AnalyzerIndex or AnalyzerTitle: bigrams only (a one-unit run stays
	// a unigram), so that requiring every term requires the whole word in
	// one field.
	AnalyzerQuery = "ja_query"
	// AnalyzerReading analyses short readings (ヨミ) at index time, of
	// names, publishers and series: bigrams, no unigrams inside a run
	// (one kana is no reading, and the unigrams were a fifth of a
	// record's terms). A reading query asks for its bigrams, as
	// AnalyzerQuery makes them: in a reading this short they cannot
	// stand apart by chance.
	AnalyzerReading = "ja_reading"
	// AnalyzerTitleReading analyses title readings, which run long with
	// the subtitle's: bigrams and trigrams, and the anchor term of
	// AnalyzerTitle. The trigrams let a reading query ask for its kana
	// next to each other: of bigrams alone, a query matched any long
	// reading that held its bigrams scattered (きんかくじ found "…キンドル…
	// シュッパン カンゼン…カクジツ…").
	AnalyzerTitleReading = "ja_title_reading"
	// AnalyzerReadingQuery analyses a query word of kana for fields
	// indexed with AnalyzerTitleReading: trigrams, overlapping, so that
	// every three neighbouring kana must stand together in the reading (a
	// run of two is one bigram).
	AnalyzerReadingQuery = "ja_reading_query"
)

// gramMode is what an analyzer makes of a run of units.
type gramMode struct {
	unigrams bool // every unit
	bigrams  bool // every two neighbouring units
	trigrams bool // every three
	// trigramsOnly: trigrams only, bigrams only for a run of two.
	trigramsOnly bool
	anchor       bool // the anchor term, see AnalyzerTitle
}

var analyzerModes = map[string]gramMode{
	AnalyzerIndex:        {unigrams: true, bigrams: true},
	AnalyzerTitle:        {unigrams: true, bigrams: true, anchor: true},
	AnalyzerQuery:        {bigrams: true},
	AnalyzerReading:      {bigrams: true},
	AnalyzerTitleReading: {bigrams: true, trigrams: true, anchor: true},
	AnalyzerReadingQuery: {trigramsOnly: true},
}

func init() {
	for name, mode := range analyzerModes {
		a := jaAnalyzer{mode: mode, tokenizer: unicodetok.NewUnicodeTokenizer()}
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
	for name := range analyzerModes {
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
	var buf [stackRunes]rune
	if runes, ok := foldCommon(buf[:0], s); ok {
		return string(runes)
	}
	return foldAny(s)
}

// stackRunes is how many runes the folding functions keep on the stack:
// enough for a title and its subtitle, so that folding allocates nothing
// but its result.
const stackRunes = 128

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
	switch {
	case r == 'ヵ':
		return 'カ'
	case r == 'ヶ':
		return 'ケ'
	case 0x30A1 <= r && r <= 0x30FF: // katakana: no case, no variants
		return r
	case 0x3400 <= r && r <= 0x9FFF: // kanji: no case
		if hasVariant(r) {
			return variantKanji[r]
		}
		return r
	}
	if v, ok := variantKanji[r]; ok {
		return v
	}
	return unicode.ToLower(r)
}

// variantBits marks the kanji from U+3400 to U+9FFF that variantKanji
// maps, so that the common kanji, none of which it maps, cost no look-up.
var variantBits = func() (bits [(0x9FFF - 0x3400 + 64) / 64]uint64) {
	for r := range variantKanji {
		if 0x3400 <= r && r <= 0x9FFF {
			i := r - 0x3400
			bits[i/64] |= 1 << (i % 64)
		}
	}
	return bits
}()

// hasVariant reports whether variantKanji maps r, a rune from U+3400 to
// U+9FFF.
func hasVariant(r rune) bool {
	i := r - 0x3400
	return variantBits[i/64]&(1<<(i%64)) != 0
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

// searchText is what the analyzers see: Fold, then the spellings patrons
// and cataloguers write either way made one (see spellings: ヲ and オ,
// small and large kana, ヴ and ブ, ー and the vowel, kanji numerals and
// digits), then separators between kanji and kana removed, so that the
// reading "ナツメ ソウセキ" and the name "夏目・漱石" each form one run and
// match the query ナツメソウセキ / 夏目漱石.
//
// The result can be shorter than the input, so token offsets do not point
// into the original text. That only matters for highlighting, which
// Hondana does not use; do not turn it on for these analyzers.
func searchText(s string) string {
	return string(appendSearchText(nil, s))
}

// appendSearchText appends searchText(s) to b.
func appendSearchText(b []byte, s string) []byte {
	var buf, scratch [stackRunes]rune
	runes := searchRunes(buf[:0], scratch[:0], s)
	b = slices.Grow(b, 3*len(runes)) // kana and kanji: three bytes each
	for _, r := range runes {
		b = utf8.AppendRune(b, r)
	}
	return b
}

// searchRunes is searchText as runes, made in buf with the help of
// scratch (either of which it may outgrow).
func searchRunes(buf, scratch []rune, s string) []rune {
	runes, ok := foldCommon(buf, s)
	if !ok {
		for _, r := range Fold(s) {
			runes = append(runes, r)
		}
	}
	return numerals(scratch, dropJoiners(spellings(runes)))
}

// dropJoiners removes the separators that stand between two kanji or
// kana, in place.
func dropJoiners(runes []rune) []rune {
	out := runes[:0]
	last := rune(-1) // the last rune kept
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
		out = append(out, r)
		last = r
	}
	return out
}

// foldCommon is Fold for text of ASCII, kana, the katakana middle dot
// and the common kanji (most titles, readings and names), where NFKC
// changes nothing and Fold is a rune-by-rune mapping: one pass, no
// normalisation. It reports false for any other text.
// TestFoldCommon holds it to foldAny. The runes are appended to
// runes[:0].
func foldCommon(runes []rune, s string) ([]rune, bool) {
	runes = runes[:0]
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

// jaAnalyzer is the analysis of every analyzer of this file: searchText,
// then the text cut into pieces (see piece), then the runs of units cut
// into grams as its mode says. Text made only of kanji, katakana, ASCII
// letters and digits and spaces (most titles, readings and names once
// folded) is cut into pieces by fastPieces in one pass; other text goes
// through Unicode word segmentation (UAX #29). TestFastTokensMatchSegmentation
// holds the two to the same pieces.
type jaAnalyzer struct {
	mode      gramMode
	tokenizer analysis.Tokenizer
}

func (a jaAnalyzer) Analyze(input []byte) analysis.TokenStream {
	text := folded(string(input))
	pcs := a.pieces(nil, text)
	size := a.mode.maxTerms(pcs)
	// One allocation for the tokens, one for the pointers to them.
	out := make(analysis.TokenStream, 0, size)
	made := make([]analysis.Token, 0, size)
	a.mode.cut(pcs, func(start, end, pos int, typ analysis.TokenType, anchor bool) {
		term := text[start:end:end]
		if anchor {
			term = anchorTerm(term)
		}
		made = append(made, analysis.Token{Term: term, Start: start, End: end, Position: pos, Type: typ})
		out = append(out, &made[len(made)-1])
	})
	return out
}

// anchorTerm is the anchor term of a text whose first gram is first.
func anchorTerm(first []byte) []byte {
	return append([]byte{anchorMark}, first...)
}

// anchorMark starts an anchor term: no analysis makes it otherwise (it is
// punctuation, which segmentation drops).
const anchorMark = '^'

// EachTerm analyses s as Analyze does and hands each term to fn: its
// bytes, and the same as a string (a part of one string of the folded
// text, a key that costs no allocation). The fast path's builder needs
// the terms, not the tokens, and finds this method on the analyzers of
// the mapping.
func (a jaAnalyzer) EachTerm(s string, fn func(term []byte, key string)) {
	text := folded(s)
	var buf [64]piece
	pcs := a.pieces(buf[:0], text)
	keys := string(text)
	a.mode.cut(pcs, func(start, end, _ int, _ analysis.TokenType, anchor bool) {
		if anchor {
			t := anchorTerm(text[start:end])
			fn(t, string(t))
			return
		}
		fn(text[start:end:end], keys[start:end])
	})
}

// folded is s as the analyzers cut it: searchText, in one pass when the
// text allows.
func folded(s string) []byte { return appendSearchText(nil, s) }

// piece is a part of the folded text the grams are made of: a unit of a
// run (a kanji or kana, or a number standing next to one: 第1夜 is three
// units, 24の瞳 four), or a word of its own (an English word, a number
// standing alone, 1q84), by its byte offsets.
type piece struct {
	start, end int
	kind       pieceKind
}

type pieceKind uint8

const (
	pieceWord   pieceKind = iota
	pieceCJK              // a kanji or kana: a unit
	pieceDigits           // a number; a unit when next to a kanji or kana
	pieceNumber           // a number that is a unit
)

func (p piece) unit() bool { return p.kind == pieceCJK || p.kind == pieceNumber }

// pieces cuts folded text into pieces, fast when it can, appended to
// pcs[:0].
func (a jaAnalyzer) pieces(pcs []piece, text []byte) []piece {
	if pcs, ok := fastPieces(pcs, text); ok {
		return joinNumbers(pcs)
	}
	return a.segmentPieces(pcs[:0], text)
}

// segmentPieces cuts folded text into pieces by Unicode word segmentation.
func (a jaAnalyzer) segmentPieces(pcs []piece, text []byte) []piece {
	for _, tok := range a.tokenizer.Tokenize(text) {
		switch {
		case allCJK(tok.Term):
			for i, r := range string(tok.Term) {
				n := utf8.RuneLen(r)
				pcs = append(pcs, piece{tok.Start + i, tok.Start + i + n, pieceCJK})
			}
		case allDigits(tok.Term):
			pcs = append(pcs, piece{tok.Start, tok.End, pieceDigits})
		default:
			pcs = append(pcs, piece{tok.Start, tok.End, pieceWord})
		}
	}
	return joinNumbers(pcs)
}

// joinNumbers makes a unit of every number that touches a kanji or kana,
// and a word of every other.
func joinNumbers(pcs []piece) []piece {
	for i := range pcs {
		if pcs[i].kind != pieceDigits {
			continue
		}
		before := i > 0 && pcs[i-1].kind == pieceCJK && pcs[i-1].end == pcs[i].start
		after := i+1 < len(pcs) && pcs[i+1].kind == pieceCJK && pcs[i+1].start == pcs[i].end
		if before || after {
			pcs[i].kind = pieceNumber
		} else {
			pcs[i].kind = pieceWord
		}
	}
	return pcs
}

func allDigits(term []byte) bool {
	if len(term) == 0 {
		return false
	}
	for _, c := range term {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxTerms is how many terms cut makes of pcs at most.
func (m gramMode) maxTerms(pcs []piece) int {
	n := 1 // the anchor
	for _, p := range pcs {
		if p.unit() {
			n += 3
		} else {
			n++
		}
	}
	return n
}

// cut calls emit with each term of pcs, by its byte offsets in the text
// (every term is a run of the text, bigrams and trigrams too) and its
// position; anchor marks the anchor term, made of the offsets' bytes. The
// units of a run take a position each, as the characters did, so that
// the grams of a query are consecutive in the index too.
func (m gramMode) cut(pcs []piece, emit func(start, end, pos int, typ analysis.TokenType, anchor bool)) {
	pos := 1
	anchored := !m.anchor
	for i := 0; i < len(pcs); {
		p := pcs[i]
		if !p.unit() {
			if !anchored {
				emit(p.start, p.end, pos, analysis.AlphaNumeric, true)
				anchored = true
			}
			emit(p.start, p.end, pos, analysis.AlphaNumeric, false)
			pos++
			i++
			continue
		}
		j := i + 1
		for j < len(pcs) && pcs[j].unit() && pcs[j].start == pcs[j-1].end {
			j++
		}
		run := pcs[i:j]
		n := len(run)
		if !anchored {
			end := run[0].end
			if n > 1 {
				end = run[1].end
			}
			emit(run[0].start, end, pos, analysis.Double, true)
			anchored = true
		}
		if n == 1 {
			emit(p.start, p.end, pos, analysis.Single, false)
			pos++
			i = j
			continue
		}
		bigrams := m.bigrams || m.trigramsOnly && n == 2
		trigrams := m.trigrams || m.trigramsOnly
		for k, u := range run {
			if m.unigrams {
				emit(u.start, u.end, pos+k, analysis.Single, false)
			}
			if bigrams && k+1 < n {
				emit(u.start, run[k+1].end, pos+k, analysis.Double, false)
			}
			if trigrams && k+2 < n {
				emit(u.start, run[k+2].end, pos+k, analysis.Shingle, false)
			}
		}
		pos += n
		i = j
	}
}

// Characters fastPieces knows how UAX #29 cuts.
const (
	fastOther = iota // anything else: leave the text to the segmenter
	fastSpace
	fastASCII // a-z, 0-9: a run is one word
	fastCJK   // unified kanji, katakana and ー: each a unit
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

// fastPieces cuts folded text into pieces as segmentation would,
// appended to pcs[:0], or reports false when the text has a character it
// does not handle.
func fastPieces(pcs []piece, text []byte) ([]piece, bool) {
	n := 0
	for _, r := range string(text) {
		switch fastClass(r) {
		case fastOther:
			return nil, false
		case fastCJK, fastASCII:
			n++
		}
	}
	pcs = slices.Grow(pcs[:0], n)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		switch fastClass(r) {
		case fastASCII:
			j, digits := i, true
			for j < len(text) && fastClass(rune(text[j])) == fastASCII {
				digits = digits && text[j] <= '9'
				j++
			}
			kind := pieceWord
			if digits {
				kind = pieceDigits
			}
			pcs = append(pcs, piece{i, j, kind})
			i = j
		case fastCJK:
			pcs = append(pcs, piece{i, i + size, pieceCJK})
			i += size
		default: // a space; nothing else passes the check above
			i += size
		}
	}
	return pcs, true
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
