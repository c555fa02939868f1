// Package yomi gives katakana readings (読み) to catalogue text that lacks
// them, such as titles and names imported without a reading.
//
// Readings are generated with the Kagome morphological analyser and its
// IPA dictionary. They are good for titles but often wrong for personal
// names (東野圭吾 may come out as トウノ ケイゴ), so callers should mark
// generated readings as such and let cataloguers correct them.
//
// The dictionary costs about a second and 140 MB of memory to load. It is
// loaded on the first Reading of text that contains kanji, never before:
// a catalogue whose records all have readings never pays for it.
package yomi

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"
)

var (
	loadOnce sync.Once
	analyser *tokenizer.Tokenizer
	loadErr  error
	isLoaded atomic.Bool
)

func load() (*tokenizer.Tokenizer, error) {
	loadOnce.Do(func() {
		analyser, loadErr = tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
		isLoaded.Store(true)
	})
	return analyser, loadErr
}

// loaded reports whether the dictionary has been loaded (for tests).
func loaded() bool { return isLoaded.Load() }

// NeedsReading reports whether text contains kanji, and so needs a
// dictionary to be read. Kana-only text is its own reading (see Reading);
// text without Japanese needs no reading at all.
func NeedsReading(text string) bool {
	for _, r := range text {
		if isKanji(r) {
			return true
		}
	}
	return false
}

// Reading returns a katakana reading of text, with a space between words
// in the manner of cataloguers (吾輩は猫である → "ワガハイ ワ ネコ デアル";
// the particles は, へ and を are written as pronounced, ワ, エ and オ).
// Words the dictionary does not know keep their surface form, with any
// hiragana in it turned into katakana. Text without kanji is returned with
// its hiragana turned into katakana and its width folded, without loading
// the dictionary. Reading is safe for concurrent use.
func Reading(text string) string {
	text = norm.NFKC.String(text)
	if !NeedsReading(text) {
		return strings.Join(strings.Fields(toKatakana(text)), " ")
	}
	t, err := load()
	if err != nil {
		// The dictionary is embedded in the binary: failing to load it is
		// a broken build, not a condition to handle.
		panic("yomi: load dictionary: " + err.Error())
	}
	var words []string
	var word strings.Builder
	prevNoun := false
	endWord := func() {
		if word.Len() > 0 {
			words = append(words, word.String())
			word.Reset()
		}
	}
	for _, tok := range t.Tokenize(text) {
		pos := tok.POS()
		pos0, pos1 := "", ""
		if len(pos) > 0 {
			pos0 = pos[0]
		}
		if len(pos) > 1 {
			pos1 = pos[1]
		}
		if strings.IndexFunc(tok.Surface, isLetterOrDigit) < 0 {
			// Punctuation, brackets, ・ and spaces separate words.
			endWord()
			prevNoun = false
			continue
		}
		r := reading(tok, pos0)
		// A new word starts except for auxiliaries and suffixes, which
		// cataloguers write together with the word before (シヨウ, カカレタ).
		attach := word.Len() > 0 &&
			(pos0 == "助動詞" && !prevNoun || pos1 == "接尾" || pos1 == "非自立" && pos0 != "名詞" ||
				pos0 == "助詞" && pos1 == "接続助詞" && (tok.Surface == "て" || tok.Surface == "で"))
		if !attach {
			endWord()
		}
		word.WriteString(r)
		prevNoun = pos0 == "名詞"
	}
	endWord()
	return strings.Join(words, " ")
}

// reading returns the katakana reading of one token, or its surface form
// when the dictionary gives none.
func reading(tok tokenizer.Token, pos0 string) string {
	if pos0 == "助詞" {
		switch tok.Surface {
		case "は":
			return "ワ"
		case "へ":
			return "エ"
		case "を":
			return "オ"
		}
	}
	if r, ok := tok.Reading(); ok && r != "" && r != "*" {
		return r
	}
	return toKatakana(tok.Surface)
}

// toKatakana turns hiragana into katakana and leaves everything else.
func toKatakana(s string) string {
	return strings.Map(func(r rune) rune {
		if 'ぁ' <= r && r <= 'ゖ' || r == 'ゝ' || r == 'ゞ' {
			return r + 'ァ' - 'ぁ'
		}
		return r
	}, s)
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isKanji(r rune) bool {
	return r == '々' || r == '〆' || unicode.Is(unicode.Han, r)
}
