package search

import (
	"slices"
	"testing"
)

// TestSpellingsFoldAlike: the spellings R80 makes one find each other,
// in the index and in the query, and the words they must not touch stay
// as they are.
func TestSpellingsFoldAlike(t *testing.T) {
	t.Parallel()
	alike := [][]string{
		{"坊っちゃん", "坊っちやん", "坊つちやん"},
		{"ぼっちゃん", "ボツチヤン", "ﾎﾞｯﾁｬﾝ"},
		{"ゲーテ", "ゲエテ", "げえて", "ｹﾞｰﾃ"},
		{"ヴァイオリン", "バイオリン", "ゔぁいおりん"},
		{"ヴィヨンの妻", "ビヨンの妻"},
		{"ヴェニス", "ベニス"},
		{"ヴォルテール", "ボルテール", "ボルテエル"},
		{"ヴ", "ブ"},
		{"ゐなか", "いなか", "ヰナカ"},
		{"ゑのぐ", "えのぐ", "ヱノグ"},
		{"コーヒー", "コオヒイ"},
		{"第一夜", "第1夜", "第１夜"},
		{"二十四の瞳", "24の瞳", "二四の瞳"},
		{"一九三五年", "1935年", "千九百三十五年"},
		{"三四郎", "34郎"},
		{"十二夜", "12夜"},
		{"温泉一", "温泉１", "温泉1"},
		{"その1", "その一"},
		{"海野十三", "海野 十三", "海野13"},
		{"佐々木", "佐佐木"},
		{"人々", "人人"},
		{"學問のすゝめ", "学問のすすめ"},
		{"すずき", "スズキ", "すゞき"},
	}
	for _, set := range alike {
		for _, s := range set[1:] {
			if a, b := Key(set[0]), Key(s); a != b {
				t.Errorf("Key(%q) = %q, Key(%q) = %q: want them equal", set[0], a, s, b)
			}
			if a, b := tokens(t, AnalyzerQuery, set[0]), tokens(t, AnalyzerQuery, s); !slices.Equal(a, b) {
				t.Errorf("query terms of %q %q and of %q %q differ", set[0], a, s, b)
			}
		}
	}
	apart := [][2]string{
		{"三郎", "30郎"},    // a lone 三 in a word is no number
		{"十十", "20"},     // no well-formed number
		{"1Q84", "一Q84"}, // a digit in a Latin word
		{"斎藤", "斉藤"},     // two surnames
		{"ハート", "ハト"},    // the prolonged mark is a vowel, not nothing
		{"シャツ", "シャシ"},   // small kana are large, not gone
	}
	for _, p := range apart {
		if Key(p[0]) == Key(p[1]) {
			t.Errorf("Key(%q) = Key(%q) = %q: want them apart", p[0], p[1], Key(p[0]))
		}
	}
	for in, want := range map[string]string{
		"「吾輩は猫である」":    "吾輩ハ猫デアル",
		"『こころ』上":       "ココロ上",
		"Harry Potter": "harrypotter",
		"第一夜":          "第1夜",
		"ゲーテ":          "ゲエテ",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNumbersAreUnits: a number beside kanji or kana is one unit of
// their run, so 第1夜 is found by 第一夜 as a whole and by 1 alone.
func TestNumbersAreUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		analyzer, in string
		want         []string
	}{
		{AnalyzerQuery, "第一夜", []string{"第1", "1夜"}},
		{AnalyzerQuery, "二十四の瞳", []string{"24ノ", "ノ瞳"}},
		{AnalyzerIndex, "夢十夜", []string{"夢", "夢10", "10", "10夜", "夜"}},
		{AnalyzerQuery, "1Q84", []string{"1q84"}},
		{AnalyzerQuery, "2019 年", []string{"2019", "年"}},
		{AnalyzerIndex, "cnnニュース", []string{"cnn", "ニ", "ニユ", "ユ", "ユウ", "ウ", "ウス", "ス"}},
		{AnalyzerReading, "ギンガ テツドウ", []string{"ギン", "ンガ", "ガテ", "テツ", "ツド", "ドウ"}},
	}
	for _, tt := range tests {
		if got := tokens(t, tt.analyzer, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s %q: got %q, want %q", tt.analyzer, tt.in, got, tt.want)
		}
	}
}
