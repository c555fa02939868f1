package search

import (
	"context"
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
		{AnalyzerTitle, "吾輩は猫である", []string{"^吾輩", "吾", "吾輩", "輩", "輩ハ", "ハ", "ハ猫", "猫", "猫デ", "デ", "デア", "ア", "アル", "ル"}},
		{AnalyzerTitle, "cnnニュース", []string{"^cnn", "cnn", "ニ", "ニユ", "ユ", "ユウ", "ウ", "ウス", "ス"}},
		{AnalyzerTitleReading, "ギンガ テツドウ", []string{"^ギン", "ギン", "ギンガ", "ンガ", "ンガテ", "ガテ", "ガテツ", "テツ", "テツド", "ツド", "ツドウ", "ドウ"}},
		{AnalyzerReading, "ナツメ ソウセキ", []string{"ナツ", "ツメ", "メソ", "ソウ", "ウセ", "セキ"}},
		{AnalyzerReadingQuery, "きんかくじ", []string{"キンカ", "ンカク", "カクジ"}},
		{AnalyzerReadingQuery, "ねこ", []string{"ネコ"}},
	}
	for _, tt := range tests {
		if got := tokens(t, tt.analyzer, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s %q: got %q, want %q", tt.analyzer, tt.in, got, tt.want)
		}
	}
}

// rankDocs are records around the ranking cases of R81, with what makes
// them hard: the same folded title twice, an author's own works and
// works about the author, a scattered reading, loans.
var rankDocs = []Doc{
	{ID: 1, Title: "吾輩ハ猫デアル", TitleYomi: "ワガハイ ワ ネコ デアル", Authors: []string{"夏目漱石"}, AuthorsYomi: []string{"ナツメ ソウセキ"}, SortKey: "ワガハイワネコデアル"},
	{ID: 2, Title: "吾輩は猫である", TitleYomi: "ワガハイ ワ ネコ デアル", Authors: []string{"夏目漱石"}, AuthorsYomi: []string{"ナツメ ソウセキ"}, SortKey: "ワガハイワネコデアル", Loans: 50},
	{ID: 3, Title: "『吾輩は猫である』上篇自序", Authors: []string{"夏目漱石"}, SortKey: "ワガハイワネコデアルジョウヘンジジョ"},
	{ID: 4, Title: "猫である吾輩", Authors: []string{"某"}, SortKey: "ネコデアルワガハイ"},
	{ID: 10, Title: "太宰治情死考", Authors: []string{"坂口安吾"}, AuthorsYomi: []string{"サカグチ アンゴ"}, SortKey: "ダザイオサムジョウシコウ"},
	{ID: 11, Title: "太宰治との一日", Authors: []string{"豊島与志雄"}, SortKey: "ダザイオサムトノイチニチ"},
	{ID: 12, Title: "青森", Authors: []string{"太宰治"}, AuthorsYomi: []string{"ダザイ オサム"}, SortKey: "アオモリ", Other: []string{"太宰治の故郷"}},
	{ID: 13, Title: "人間失格", Authors: []string{"太宰治"}, AuthorsYomi: []string{"ダザイ オサム"}, SortKey: "ニンゲンシッカク", Loans: 40},
	{ID: 14, Title: "走れメロス", Authors: []string{"太宰治"}, AuthorsYomi: []string{"ダザイ オサム"}, SortKey: "ハシレメロス", Loans: 49},
	{ID: 15, Title: "郷愁", Authors: []string{"太宰治"}, AuthorsYomi: []string{"ダザイ オサム"}, SortKey: "キョウシュウ"},
	{ID: 20, Title: "Amazon Kindleブック制作&出版完全マニュアル", TitleYomi: "アマゾン キンドル ブック セイサク アンド シュッパン カンゼン マニュアル デンシ ショセキ オ ミリョクテキ ニ ツクッテ カクジツ ニ ウル ホウホウ", SortKey: "アマゾン"},
	{ID: 21, Title: "金閣寺", TitleYomi: "キンカクジ", Authors: []string{"三島由紀夫"}, SortKey: "キンカクジ"},
	{ID: 22, Title: "銀河鉄道の夜", TitleYomi: "ギンガ テツドウ ノ ヨル", Authors: []string{"宮沢賢治"}, SortKey: "ギンガテツドウノヨル"},
	{ID: 23, Title: "夜の銀河鉄道", TitleYomi: "ヨル ノ ギンガ テツドウ", Authors: []string{"某"}, SortKey: "ヨルノギンガテツドウ"},
	{ID: 24, Title: "「銀河鉄道の夜」について", Authors: []string{"某"}, SortKey: "「ギンガテツドウノヨル」ニツイテ"},
	{ID: 30, Title: "これからの本の話をしよう", ISBN: "9784794970756", SortKey: "コレカラノホンノハナシオシヨウ"},
}

// TestRanking holds the cases of R81.
func TestRanking(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, rankDocs)
	tests := []struct {
		name, q  string
		first    []int64 // the first hits, in this order (or, when anyOrder, in any)
		anyOrder bool
		only     bool // and no other hit
	}{
		{name: "exact folded title before the rest", q: "吾輩は猫である", first: []int64{1, 2}, anyOrder: true},
		{name: "exact title, the one borrowed more first", q: "吾輩は猫である", first: []int64{2, 1, 3}},
		{name: "an author's own works before works about", q: "太宰治", first: []int64{12, 13, 14, 15}, anyOrder: true},
		{name: "an author's most borrowed works first", q: "太宰治", first: []int64{13, 14}, anyOrder: true},
		{name: "the author's reading", q: "だざいおさむ", first: []int64{13, 14}, anyOrder: true},
		{name: "title prefix before titles that only contain it", q: "銀河鉄道", first: []int64{22, 24, 23}},
		{name: "exact title before a title that quotes it", q: "銀河鉄道の夜", first: []int64{22}},
		{name: "reading typed in hiragana, exact", q: "ぎんがてつどうのよる", first: []int64{22}},
		{name: "a short reading needs its kana together", q: "きんかくじ", first: []int64{21}, only: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Query{Text: tt.q, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.IDs) < len(tt.first) {
				t.Fatalf("%q: hits %v, want %v first", tt.q, res.IDs, tt.first)
			}
			got := res.IDs[:len(tt.first)]
			if tt.anyOrder {
				got = slices.Clone(got)
				want := slices.Clone(tt.first)
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%q: hits %v, want %v first in any order", tt.q, res.IDs, tt.first)
				}
			} else if !slices.Equal(got, tt.first) {
				t.Errorf("%q: hits %v, want %v first", tt.q, res.IDs, tt.first)
			}
			if tt.only && len(res.IDs) != len(tt.first) {
				t.Errorf("%q: hits %v, want only %v", tt.q, res.IDs, tt.first)
			}
		})
	}
}

// TestFieldSearch: the conditions of 詳細検索, each with 含む, 前方一致
// and 完全一致, on titles and their readings, authors, publishers,
// series and subjects.
func TestFieldSearch(t *testing.T) {
	t.Parallel()
	docs := []Doc{
		{ID: 1, Title: "銀河鉄道の夜", TitleYomi: "ギンガ テツドウ ノ ヨル", Authors: []string{"宮沢賢治"}, AuthorsYomi: []string{"ミヤザワ ケンジ"},
			Publisher: "岩波書店", PublisherYomi: "イワナミ ショテン", Series: "岩波文庫", SeriesYomi: "イワナミ ブンコ", Subjects: []string{"童話"}, SortKey: "ギンガテツドウノヨル"},
		{ID: 2, Title: "銀河", Authors: []string{"宮沢賢治"}, Publisher: "新潮社", Series: "新潮文庫", Subjects: []string{"詩", "童話集"}, SortKey: "ギンガ"},
		{ID: 3, Title: "夜の銀河", Authors: []string{"宮沢清六"}, Publisher: "筑摩書房", Subjects: []string{"随筆"}, SortKey: "ヨルノギンガ"},
		{ID: 4, Title: "銀河鉄道の夜", MainTitle: "銀河鉄道の夜", Authors: []string{"別人"}, Publisher: "岩波書店", SortKey: "ギンガテツドウノヨル"},
	}
	docs[3].Title = "銀河鉄道の夜 第二巻"
	ix, _ := buildTest(t, docs)
	tests := []struct {
		f    FieldQuery
		want []int64
	}{
		{FieldQuery{FieldTitle, "銀河", MatchContains}, []int64{1, 2, 3, 4}},
		{FieldQuery{FieldTitle, "銀河", MatchPrefix}, []int64{1, 2, 4}},
		{FieldQuery{FieldTitle, "銀河", MatchExact}, []int64{2}},
		{FieldQuery{FieldTitle, "銀河鉄道の夜", MatchExact}, []int64{1, 4}},
		{FieldQuery{FieldTitle, "銀河鉄道の夜 第2巻", MatchExact}, []int64{4}},
		{FieldQuery{FieldTitle, "ぎんがてつどうのよる", MatchExact}, []int64{1, 4}},
		{FieldQuery{FieldTitle, "ぎんが", MatchPrefix}, []int64{1, 2, 4}},
		{FieldQuery{FieldTitle, "てつどう", MatchContains}, []int64{1}},
		{FieldQuery{FieldAuthor, "宮沢", MatchContains}, []int64{1, 2, 3}},
		{FieldQuery{FieldAuthor, "宮沢賢治", MatchExact}, []int64{1, 2}},
		{FieldQuery{FieldAuthor, "宮沢", MatchExact}, nil},
		{FieldQuery{FieldAuthor, "みやざわけんじ", MatchExact}, []int64{1}},
		{FieldQuery{FieldAuthor, "宮沢", MatchPrefix}, []int64{1, 2, 3}},
		{FieldQuery{FieldPublisher, "岩波", MatchContains}, []int64{1, 4}},
		{FieldQuery{FieldPublisher, "書店", MatchContains}, []int64{1, 4}},
		{FieldQuery{FieldPublisher, "書店", MatchPrefix}, nil},
		{FieldQuery{FieldPublisher, "いわなみしょてん", MatchExact}, []int64{1}},
		{FieldQuery{FieldSeries, "文庫", MatchContains}, []int64{1, 2}},
		{FieldQuery{FieldSeries, "新潮文庫", MatchExact}, []int64{2}},
		{FieldQuery{FieldSubject, "童話", MatchContains}, []int64{1, 2}},
		{FieldQuery{FieldSubject, "童話", MatchExact}, []int64{1}},
		{FieldQuery{FieldSubject, "「*」", MatchExact}, nil},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), Query{Fields: []FieldQuery{tt.f}, Sort: SortTitle, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Clone(res.IDs)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.f, got, tt.want)
		}
	}
	// Conditions add up, and go with the words and the filters.
	res, err := ix.Search(context.Background(), Query{Text: "夜", Fields: []FieldQuery{{FieldAuthor, "宮沢", MatchContains}, {FieldPublisher, "岩波", MatchContains}}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.IDs, []int64{1}) {
		t.Errorf("夜 + author 宮沢 + publisher 岩波: %v, want [1]", res.IDs)
	}
}

// TestSortByReadingIgnoresBrackets: titles in brackets and quotes sort
// by their first letter, not before everything.
func TestSortByReadingIgnoresBrackets(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, []Doc{
		{ID: 1, Title: "「あ」", SortKey: "「ウ」"},
		{ID: 2, Title: "い", SortKey: "イ"},
		{ID: 3, Title: "『え』", SortKey: "『エ』について"},
		{ID: 4, Title: "あ", SortKey: "ア"},
		{ID: 5, Title: "〔お〕", SortKey: "〔オ〕"},
	})
	res, err := ix.Search(context.Background(), Query{Sort: SortTitle, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{4, 2, 1, 3, 5}; !slices.Equal(res.IDs, want) {
		t.Errorf("by title: %v, want %v", res.IDs, want)
	}
}

// TestQueryModes: the relaxed forms' queries, any word and one character
// off.
func TestQueryModes(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, rankDocs)
	tests := []struct {
		q     Query
		want  []int64 // in any order
		first int64   // the first hit, when not 0
	}{
		{Query{Text: "銀河鉄道の液"}, nil, 0},
		{Query{Text: "銀河鉄道の液", Mode: ModeFuzzy}, []int64{22, 23, 24}, 22},
		{Query{Text: "ぎんがてつどうのえき", Mode: ModeFuzzy}, []int64{22}, 22},
		{Query{Text: "吾輩は犬である", Mode: ModeFuzzy}, []int64{1, 2, 3}, 0},
		{Query{Text: "人間失格 存在しない言葉"}, nil, 0},
		{Query{Text: "人間失格 存在しない言葉", Mode: ModeAnyWord}, []int64{13}, 13},
		{Query{Text: "猫", Mode: ModeFuzzy}, []int64{1, 2, 3, 4}, 0},
	}
	for _, tt := range tests {
		tt.q.Limit = 50
		res, err := ix.Search(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if tt.first != 0 && (len(res.IDs) == 0 || res.IDs[0] != tt.first) {
			t.Errorf("%+v: %v, want %d first", tt.q, res.IDs, tt.first)
		}
		got := slices.Clone(res.IDs)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.q, got, tt.want)
		}
	}
}
