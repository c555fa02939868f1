package library

import "strings"

// RomajiToKana reads s as Hepburn (or Kunrei) romaji and returns it in
// katakana, or "" when s is not romaji. A patron who types "natsume
// souseki" on a keyboard without a Japanese input method still finds 夏目漱石.
func RomajiToKana(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	var out strings.Builder
	for _, word := range strings.Fields(s) {
		k, ok := romajiWord(word)
		if !ok {
			return ""
		}
		if out.Len() > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(k)
	}
	return out.String()
}

func romajiWord(w string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(w); {
		c := w[i]
		if c < 'a' || c > 'z' {
			if c == '-' {
				b.WriteString("ー")
				i++
				continue
			}
			return "", false
		}
		// A doubled consonant is a small tsu: "kk" → ッk.
		if i+1 < len(w) && w[i] == w[i+1] && !strings.ContainsRune("aiueon", rune(c)) {
			b.WriteString("ッ")
			i++
			continue
		}
		// "n" before a consonant or at the end is ン.
		if c == 'n' && (i+1 == len(w) || !strings.ContainsRune("aiueoy", rune(w[i+1]))) {
			if i+1 < len(w) && w[i+1] == '\'' {
				i++
			}
			b.WriteString("ン")
			i++
			continue
		}
		matched := false
		for l := 3; l >= 1; l-- {
			if i+l > len(w) {
				continue
			}
			if k, ok := romajiTable[w[i:i+l]]; ok {
				b.WriteString(k)
				i += l
				matched = true
				break
			}
		}
		if !matched {
			return "", false
		}
	}
	return b.String(), true
}

var romajiTable = map[string]string{
	"a": "ア", "i": "イ", "u": "ウ", "e": "エ", "o": "オ",
	"ka": "カ", "ki": "キ", "ku": "ク", "ke": "ケ", "ko": "コ",
	"sa": "サ", "shi": "シ", "si": "シ", "su": "ス", "se": "セ", "so": "ソ",
	"ta": "タ", "chi": "チ", "ti": "チ", "tsu": "ツ", "tu": "ツ", "te": "テ", "to": "ト",
	"na": "ナ", "ni": "ニ", "nu": "ヌ", "ne": "ネ", "no": "ノ",
	"ha": "ハ", "hi": "ヒ", "fu": "フ", "hu": "フ", "he": "ヘ", "ho": "ホ",
	"ma": "マ", "mi": "ミ", "mu": "ム", "me": "メ", "mo": "モ",
	"ya": "ヤ", "yu": "ユ", "yo": "ヨ",
	"ra": "ラ", "ri": "リ", "ru": "ル", "re": "レ", "ro": "ロ",
	"wa": "ワ", "wo": "ヲ", "n": "ン",
	"ga": "ガ", "gi": "ギ", "gu": "グ", "ge": "ゲ", "go": "ゴ",
	"za": "ザ", "ji": "ジ", "zi": "ジ", "zu": "ズ", "ze": "ゼ", "zo": "ゾ",
	"da": "ダ", "di": "ヂ", "du": "ヅ", "de": "デ", "do": "ド",
	"ba": "バ", "bi": "ビ", "bu": "ブ", "be": "ベ", "bo": "ボ",
	"pa": "パ", "pi": "ピ", "pu": "プ", "pe": "ペ", "po": "ポ",
	"kya": "キャ", "kyu": "キュ", "kyo": "キョ",
	"sha": "シャ", "shu": "シュ", "sho": "ショ", "sya": "シャ", "syu": "シュ", "syo": "ショ",
	"cha": "チャ", "chu": "チュ", "cho": "チョ", "tya": "チャ", "tyu": "チュ", "tyo": "チョ",
	"nya": "ニャ", "nyu": "ニュ", "nyo": "ニョ",
	"hya": "ヒャ", "hyu": "ヒュ", "hyo": "ヒョ",
	"mya": "ミャ", "myu": "ミュ", "myo": "ミョ",
	"rya": "リャ", "ryu": "リュ", "ryo": "リョ",
	"gya": "ギャ", "gyu": "ギュ", "gyo": "ギョ",
	"ja": "ジャ", "ju": "ジュ", "jo": "ジョ", "zya": "ジャ", "zyu": "ジュ", "zyo": "ジョ",
	"bya": "ビャ", "byu": "ビュ", "byo": "ビョ",
	"pya": "ピャ", "pyu": "ピュ", "pyo": "ピョ",
	"fa": "ファ", "fi": "フィ", "fe": "フェ", "fo": "フォ", "ti'": "ティ", "vu": "ヴ",
}
