package search

import (
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// The spellings patrons type for one word and the catalogue prints
// another way (R80), made one before the text is cut into terms, in the
// index and in the query alike. Fold keeps them apart, as a reader sees
// them; searchText and Key make them one.

// spellings rewrites folded text, in place where it can (the result is
// never longer, except where numerals are written out):
//
//   - ヲ, ヂ, ヅ are オ, ジ, ズ (readings write the particle を as オ);
//   - small kana are large: 坊っちやん and 坊っちゃん, old orthography
//     and new, compare equal (ァィゥェォッャュョヮ, ㇰ…ㇿ);
//   - ヴァ ヴィ ヴ ヴェ ヴォ are バ ビ ブ ベ ボ (ヴア, ヴイ … too, as old
//     orthography writes them), and ヷ ヸ ヹ ヺ are バ ビ ベ ボ;
//   - ヰ and ヱ are イ and エ;
//   - ー after a kana is that kana's vowel (ゲーテ and ゲエテ, コーヒー and
//     コオヒイ).
//
// Kanji numerals become digits later, once the separators between kanji
// are gone (see numerals), so that 海野 十三 and 海野十三 both read 海野13.
func spellings(rs []rune) []rune {
	out := rs[:0]
	for i := 0; i < len(rs); i++ {
		r := oneSpelling(rs[i])
		switch {
		case r == 'ヴ':
			r = 'ブ'
			if i+1 < len(rs) {
				if v, ok := vuSyllable[rs[i+1]]; ok {
					r = v
					i++
				}
			}
		case r >= 'ァ' && r <= 'ヺ':
			if l := largeKatakana[r-'ァ']; l != 0 {
				r = l
			}
		case r >= 'ㇰ' && r <= 'ㇿ':
			if l, ok := largeKana[r]; ok {
				r = l
			}
		case r == 'ー':
			if n := len(out); n > 0 {
				if v := vowelOf(out[n-1]); v != 0 {
					r = v
				}
			}
		}
		out = append(out, r)
	}
	return out
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

// vuSyllable is what ヴ and a small vowel after it are written as.
var vuSyllable = map[rune]rune{'ァ': 'バ', 'ィ': 'ビ', 'ェ': 'ベ', 'ォ': 'ボ', 'ア': 'バ', 'イ': 'ビ', 'エ': 'ベ', 'オ': 'ボ'}

// largeKana maps small katakana, and the kana of the old ワ行 and ヴ row,
// to the large kana a patron types.
var largeKana = map[rune]rune{
	'ァ': 'ア', 'ィ': 'イ', 'ゥ': 'ウ', 'ェ': 'エ', 'ォ': 'オ', 'ッ': 'ツ',
	'ャ': 'ヤ', 'ュ': 'ユ', 'ョ': 'ヨ', 'ヮ': 'ワ', 'ヵ': 'カ', 'ヶ': 'ケ',
	'ㇰ': 'ク', 'ㇱ': 'シ', 'ㇲ': 'ス', 'ㇳ': 'ト', 'ㇴ': 'ヌ', 'ㇵ': 'ハ',
	'ㇶ': 'ヒ', 'ㇷ': 'フ', 'ㇸ': 'ヘ', 'ㇹ': 'ホ', 'ㇺ': 'ム', 'ㇻ': 'ラ',
	'ㇼ': 'リ', 'ㇽ': 'ル', 'ㇾ': 'レ', 'ㇿ': 'ロ',
	'ヰ': 'イ', 'ヱ': 'エ',
	'ヷ': 'バ', 'ヸ': 'ビ', 'ヹ': 'ベ', 'ヺ': 'ボ',
}

// largeKatakana is largeKana for ァ to ヺ, by the rune less ァ; 0 for a
// kana that stays.
var largeKatakana = func() (t ['ヺ' - 'ァ' + 1]rune) {
	for small, large := range largeKana {
		if small >= 'ァ' && small <= 'ヺ' {
			t[small-'ァ'] = large
		}
	}
	return t
}()

// vowels lists the large katakana by the vowel they end in.
var vowels = [5]struct {
	vowel rune
	kana  string
}{
	{'ア', "アカガサザタダナハバパマヤラワ"},
	{'イ', "イキギシジチヂニヒビピミリ"},
	{'ウ', "ウクグスズツヅヌフブプムユルヴ"},
	{'エ', "エケゲセゼテデネヘベペメレ"},
	{'オ', "オコゴソゾトドノホボポモヨロヲ"},
}

// vowelTable is the vowel of each katakana, by the rune less ァ.
var vowelTable = func() (t ['ヺ' - 'ァ' + 1]rune) {
	for _, v := range vowels {
		for _, k := range v.kana {
			t[k-'ァ'] = v.vowel
		}
	}
	return t
}()

// vowelOf is the vowel a kana ends in, 0 for ン and anything else.
func vowelOf(r rune) rune {
	if r < 'ァ' || r > 'ヺ' {
		return 0
	}
	return vowelTable[r-'ァ']
}

// kanjiDigits are the values of the kanji numerals that are digits.
var kanjiDigits = map[rune]int{'〇': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// kanjiDigitRunes are the kanji of the digits, by value.
var kanjiDigitRunes = []rune("〇一二三四五六七八九")

// kanjiPlaces are the kanji numerals that multiply.
var kanjiPlaces = map[rune]int{'十': 10, '百': 100, '千': 1000}

// counters are the kanji after which a numeral counts something
// (一夜, 三巻, 十年), and so is a number however short.
var counters = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "夜巻章回話部編篇号集冊年月日時分秒人歳才度番条幕場景首枚匹頭羽階個円銭里週版刷" {
		m[r] = true
	}
	return m
}()

func isKanjiNumeral(r rune) bool {
	switch r {
	case '〇', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千':
		return true
	}
	return false
}

// numerals writes numbers one way: 第一夜 and 第1夜, 二十四の瞳, 二四の瞳
// and 24の瞳 all become 第1夜 and 24の瞳, and 温泉１ and 温泉一 both 温泉一.
// A run of kanji numerals counts when it is two or more long, comes
// after 第, or comes before a counter, and is then written in Arabic
// digits; a lone 一 or 三 in a word (一葉, 三郎) is left alone, as is a
// run that is no well-formed number (十十). With 十, 百 or 千 the run is
// read as a number (二十四 is 24, 千九百 is 1900); without, digit by digit
// (二〇一九 is 2019). The other way round, a lone Arabic digit beside a
// kanji or kana that does not count is written as the kanji (a volume:
// 温泉１ is 温泉一), so that both spellings of such a volume meet.
func numerals(out, rs []rune) []rune {
	first := -1
	for i, r := range rs {
		if isKanjiNumeral(r) || r >= '1' && r <= '9' {
			first = i
			break
		}
	}
	if first < 0 {
		return rs
	}
	out = append(out[:0], rs[:first]...)
	for i := first; i < len(rs); {
		if r := rs[i]; r >= '0' && r <= '9' {
			j := i
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			prevCJK := i > 0 && isCJK(rs[i-1]) && rs[i-1] != '第'
			nextCJK := j < len(rs) && isCJK(rs[j]) && !counters[rs[j]]
			lone := j-i == 1 && r != '0' && (i == 0 || rs[i-1] != '第') && (j == len(rs) || !counters[rs[j]])
			if lone && (prevCJK || nextCJK) {
				out = append(out, kanjiDigitRunes[r-'0'])
			} else {
				out = append(out, rs[i:j]...)
			}
			i = j
			continue
		}
		if !isKanjiNumeral(rs[i]) {
			out = append(out, rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isKanjiNumeral(rs[j]) {
			j++
		}
		run := rs[i:j]
		counts := len(run) >= 2 || i > 0 && rs[i-1] == '第' || j < len(rs) && counters[rs[j]]
		if digits, ok := numeralDigits(run); counts && ok {
			for _, d := range digits {
				out = append(out, d)
			}
		} else {
			out = append(out, run...)
		}
		i = j
	}
	return out
}

// numeralDigits writes a run of kanji numerals in Arabic digits.
func numeralDigits(run []rune) (string, bool) {
	places := false
	for _, r := range run {
		if _, ok := kanjiPlaces[r]; ok {
			places = true
		}
	}
	if !places {
		b := make([]byte, len(run))
		for i, r := range run {
			b[i] = byte('0' + kanjiDigits[r])
		}
		return string(b), true
	}
	total, pending, last := 0, -1, 10000
	for _, r := range run {
		if d, ok := kanjiDigits[r]; ok {
			if pending >= 0 {
				return "", false // 二三十: digits and places mixed
			}
			pending = d
			continue
		}
		p := kanjiPlaces[r]
		if p >= last {
			return "", false // 十十, 百千
		}
		if pending < 0 {
			pending = 1
		}
		total += pending * p
		pending, last = -1, p
	}
	if pending >= 0 {
		total += pending
	}
	return strconv.Itoa(total), true
}

// Key is text as exact comparisons see it: searchText without spaces,
// punctuation, brackets or symbols. Two titles with the same Key are the
// same title spelt two ways (「吾輩は猫である」 and 吾輩ハ猫デアル, 二十四の瞳
// and 24の瞳); a sort by Key ignores leading brackets and quotes.
func Key(s string) string { return string(appendKey(nil, s)) }

// appendKey appends the Key of s to b.
func appendKey(b []byte, s string) []byte {
	var buf, scratch [stackRunes]rune
	runes := searchRunes(buf[:0], scratch[:0], s)
	b = slices.Grow(b, 3*len(runes))
	for _, r := range runes {
		if isKeyRune(r) {
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

func isKeyRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	case 0x30A1 <= r && r <= 0x30FA, 0x4E00 <= r && r <= 0x9FFF: // katakana letters, kanji
		return true
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || r == 'ー' || r == '々' || r == '〆'
}
