package search

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"こころ", "ココロ"},
		{"ｿｳｾｷ", "ソウセキ"},
		{"ｶﾞｯｺｳ ﾊﾟﾝ", "ガッコウ パン"},
		{"か゛", "ガ"},
		{"ゔぁいおりん", "ヴァイオリン"},
		{"ぁぃぅぇぉっゃゅょゎ", "ァィゥェォッャュョヮ"},
		{"ゐゑ", "ヰヱ"},
		{"霞ヶ関", "霞ケ関"},
		{"ＨＡＲＲＹ　Ｐｏｔｔｅｒ", "harry potter"},
		{"  Night   on the\tGalactic Railroad ", "night on the galactic railroad"},
		{"１Ｑ８４", "1q84"},
		{"學問のすゝめ", "学問ノススメ"},
		{"金子みすゞ", "金子ミスズ"},
		{"佐々木", "佐佐木"},
		{"々", "々"},
		{"森鷗外", "森鴎外"},
		{"福澤諭吉", "福沢諭吉"},
		{"芥川龍之介", "芥川竜之介"},
		{"渡邊・渡邉", "渡辺・渡辺"},
		{"髙島屋", "高島屋"},
		{"山﨑", "山崎"},
		{"海\ufa45", "海海"}, // U+FA45 is a compatibility ideograph: NFKC maps it
		{"ドストエフスキー", "ドストエフスキー"},
		{"①", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldIdempotent(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		t.Helper()
		once := Fold(s)
		if twice := Fold(once); twice != once {
			t.Errorf("Fold(Fold(%q)) = %q, Fold = %q", s, twice, once)
		}
	}
	for r := rune(0); r <= 0x2FFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		check(string(r))
		check("カ" + string(r))
		check("漢" + string(r))
	}
	for _, s := range []string{"アヾ", "ヽヽ", "学々々", "すゞゞ", "ﾟｱ", "゛か"} {
		check(s)
	}
}

func TestVariantTable(t *testing.T) {
	t.Parallel()
	if n := len(variantKanji); n < 350 {
		t.Errorf("variantKanji has %d pairs, want at least 350", n)
	}
	for k, v := range variantKanji {
		if k == v {
			t.Errorf("%c maps to itself", k)
		}
		if w, ok := variantKanji[v]; ok {
			t.Errorf("chain %c → %c → %c: fold %c to %c directly", k, v, w, k, w)
		}
		for _, r := range []rune{k, v} {
			if !unicode.Is(unicode.Han, r) {
				t.Errorf("%c (U+%04X) is not a kanji", r, r)
			}
			if s := string(r); norm.NFKC.String(s) != s {
				t.Errorf("%c (U+%04X) is not NFKC-stable: Fold would never see it", r, r)
			}
		}
	}
	// Compatibility ideographs, including old forms that exist only there
	// (社 U+FA4C, 海 U+FA45, 神 U+FA19), end up as one ordinary kanji.
	for _, block := range [][2]rune{{0xF900, 0xFAFF}, {0x2F800, 0x2FA1F}} {
		for r := block[0]; r <= block[1]; r++ {
			if !unicode.Is(unicode.Han, r) || norm.NFKC.String(string(r)) == string(r) && variantKanji[r] == 0 {
				// Twelve ideographs of the block (U+FA0E, 﨑 U+FA11, …) are
				// unified ones without a decomposition; only those with a
				// common everyday form (﨑 → 崎) are in variantKanji.
				continue
			}
			got := Fold(string(r))
			g, size := utf8.DecodeRuneInString(got)
			if size != len(got) || (g >= 0xF900 && g <= 0xFAFF) || (g >= 0x2F800 && g <= 0x2FA1F) {
				t.Errorf("Fold(U+%04X) = %q (U+%04X), want an ordinary kanji", r, got, g)
			}
		}
	}
	for _, pair := range []string{
		"鷗鴎", "國国", "學学", "澤沢", "龍竜", "櫻桜", "齋斎", "齊斉", "邊辺", "邉辺",
		"髙高", "﨑崎", "德徳", "眞真", "圓円", "會会", "廣広", "當当", "藝芸", "驛駅",
		"體体", "濵浜", "瀨瀬", "栁柳", "槇槙", "辯弁", "辨弁", "瓣弁", "曾曽", "嶋島",
		"\ufa4c社", "\ufa45海", "\ufa19神", "\ufa1b福", "\uf9dc隆", "\ufa10塚",
	} {
		r := []rune(pair)
		if got := Fold(string(r[0])); got != string(r[1]) {
			t.Errorf("Fold(%c U+%04X) = %s, want %c", r[0], r[0], got, r[1])
		}
	}
	// Distinct surnames stay distinct.
	if Fold("斎藤") == Fold("斉藤") {
		t.Error("斎藤 and 斉藤 fold alike")
	}
}

func tokens(t *testing.T, analyzer, text string) []string {
	t.Helper()
	toks, err := Tokens(analyzer, text)
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

func TestAnalyzers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		analyzer, in string
		want         []string
	}{
		{AnalyzerIndex, "こころ", []string{"コ", "ココ", "コ", "コロ", "ロ"}},
		{AnalyzerQuery, "こころ", []string{"ココ", "コロ"}},
		{AnalyzerQuery, "猫", []string{"猫"}},
		{AnalyzerIndex, "ナツメ ソウセキ", []string{"ナ", "ナツ", "ツ", "ツメ", "メ", "メソ", "ソ", "ソウ", "ウ", "ウセ", "セ", "セキ", "キ"}},
		{AnalyzerQuery, "なつめ　そうせき", []string{"ナツ", "ツメ", "メソ", "ソウ", "ウセ", "セキ"}},
		{AnalyzerQuery, "夏目・漱石", []string{"夏目", "目漱", "漱石"}},
		{AnalyzerQuery, "Harry Potter と賢者の石", []string{"harry", "potter", "ト賢", "賢者", "者ノ", "ノ石"}},
		{AnalyzerQuery, "1Q84", []string{"1q84"}},
		{AnalyzerQuery, "これからのほんのはなしを", []string{"コレ", "レカ", "カラ", "ラノ", "ノホ", "ホン", "ンノ", "ノハ", "ハナ", "ナシ", "シオ"}},
		{AnalyzerQuery, "「*」", nil},
	}
	for _, tt := range tests {
		t.Run(tt.analyzer+" "+tt.in, func(t *testing.T) {
			if got := tokens(t, tt.analyzer, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// record is a catalogue record as the test index sees it. The titles,
// names and readings come from Aozora Bunko's index
// (shared/data/aozora), some rewritten in old orthography the way older
// books print them.
type record struct {
	ID, Title, TitleYomi, Author, AuthorYomi, Publisher, Series string
}

var records = []record{
	{"000773", "こころ", "ココロ", "夏目 漱石", "ナツメ ソウセキ", "集英社", "集英社文庫"},
	{"000752", "坊っちゃん", "ボッチャン", "夏目 漱石", "ナツメ ソウセキ", "筑摩書房", ""},
	{"000789", "吾輩は猫である", "ワガハイ ワ ネコ デ アル", "夏目 漱石", "ナツメ ソウセキ", "筑摩書房", "ちくま文庫"},
	{"055540", "こころ", "ココロ", "今野 大力", "コンノ ダイリキ", "新日本出版社", ""},
	{"000682", "舞姫", "マイヒメ", "森 鷗外", "モリ オウガイ", "講談社", ""},
	{"000689", "山椒大夫", "サンショウ ダユウ", "森 鴎外", "モリ オウガイ", "中央公論社", ""},
	{"000691", "高瀬舟", "タカセブネ", "森 林太郎", "モリ リンタロウ", "講談社", ""},
	{"002165", "舞姫", "マイヒメ", "与謝野 晶子", "ヨサノ アキコ", "筑摩書房", ""},
	{"000128", "羅生門", "ラショウモン", "芥川 龍之介", "アクタガワ リュウノスケ", "ほるぷ出版", ""},
	{"000092", "蜘蛛の糸", "クモ ノ イト", "芥川 竜之介", "アクタガワ リュウノスケ", "筑摩書房", "ちくま文庫"},
	{"000179", "藪の中", "ヤブ ノ ナカ", "芥川 竜之介", "アクタガワ リュウノスケ", "筑摩書房", "ちくま文庫"},
	{"000042", "鼻", "ハナ", "芥川 竜之介", "アクタガワ リュウノスケ", "筑摩書房", "ちくま文庫"},
	{"000372", "鼻", "ハナ", "ゴーゴリ ニコライ", "ゴーゴリ ニコライ", "岩波書店", "岩波文庫"},
	{"046322", "銀河鐵道の夜", "ギンガ テツドウ ノ ヨル", "宮澤 賢治", "ミヤザワ ケンジ", "岩波書店", "岩波文庫"},
	{"001927", "注文の多い料理店", "チュウモン ノ オオイ リョウリテン", "宮沢 賢治", "ミヤザワ ケンジ", "筑摩書房", "ちくま文庫"},
	{"004865", "龍と詩人", "リュウ ト シジン", "宮沢 賢治", "ミヤザワ ケンジ", "筑摩書房", ""},
	{"047061", "學問のすゝめ", "ガクモン ノ ススメ", "福澤 諭吉", "フクザワ ユキチ", "中央公論社", "中公バックス"},
	{"047063", "修身要領", "シュウシン ヨウリョウ", "慶應義塾", "ケイオウ ギジュク", "", ""},
	{"001567", "走れメロス", "ハシレ メロス", "太宰 治", "ダザイ オサム", "筑摩書房", "ちくま文庫"},
	{"000301", "人間失格", "ニンゲン シッカク", "太宰 治", "ダザイ オサム", "新潮社", "新潮文庫"},
	{"046349", "檸檬", "レモン", "梶井 基次郎", "カジイ モトジロウ", "十字屋書店", ""},
	{"046669", "智恵子抄", "チエコショウ", "高村 光太郎", "タカムラ コウタロウ", "新潮社", "新潮文庫"},
	{"056041", "たけくらべ", "タケクラベ", "樋口 一葉", "ヒグチ イチヨウ", "新潮社", "新潮文庫"},
	{"055672", "にごりえ", "ニゴリエ", "樋口 一葉", "ヒグチ イチヨウ", "博文館", ""},
	{"044879", "「新日本文学全集第三集・岸田國士集」あとがき", "シン ニホン ブンガク ゼンシュウ ダイサンシュウ キシダ クニオ シュウ アトガキ", "岸田 国士", "キシダ クニオ", "岩波書店", ""},
	{"049789", "「鐵」の字の古体と古代の文化", "テツ ノ ジ ノ コタイ ト コダイ ノ ブンカ", "喜田 貞吉", "キタ サダキチ", "", ""},
	{"056522", "改めて民藝について", "アラタメテ ミンゲイ ニ ツイテ", "柳 宗悦", "ヤナギ ムネヨシ", "", ""},
	{"056605", "女順禮", "オンナ ジュンレイ", "三田村 鳶魚", "ミタムラ エンギョ", "", ""},
	{"062477", "鴨川アンダーグラウンド", "カモガワ アンダーグラウンド", "澤西 祐典", "サワニシ ユウテン", "", ""},
	{"056224", "花と龍", "ハナ ト リュウ", "火野 葦平", "ヒノ アシヘイ", "岩波書店", "岩波現代文庫"},
	{"051307", "みだれ髪", "ミダレガミ", "與謝野 晶子", "ヨサノ アキコ", "新潮社", "新潮文庫"},
	{"000816", "一握の砂", "イチアク ノ スナ", "石川 啄木", "イシカワ タクボク", "集英社", ""},
	{"900001", "ハリー・ポッターと賢者の石", "ハリー ポッター ト ケンジャ ノ イシ", "J.K.ローリング", "ローリング J K", "静山社", ""},
	{"900002", "Harry Potter and the Philosopher's Stone", "", "Rowling, J. K.", "", "Bloomsbury", ""},
	{"900003", "これからの「正義」の話をしよう", "コレカラ ノ セイギ ノ ハナシ オ シヨウ", "マイケル・サンデル", "サンデル マイケル", "早川書房", "ハヤカワ文庫"},
	{"900004", "1Q84", "イチキュウハチヨン", "村上 春樹", "ムラカミ ハルキ", "新潮社", ""},
	{"900005", "櫻の園", "サクラ ノ ソノ", "チェーホフ", "チェーホフ", "岩波書店", "岩波文庫"},
	{"900006", "渡邊崋山", "ワタナベ カザン", "齋藤 茂吉", "サイトウ モキチ", "", ""},
	{"900007", "齊藤さんの本", "サイトウ サン ノ ホン", "髙橋 一郎", "タカハシ イチロウ", "圓谷書店", ""},
	{"900008", "山﨑豊子の世界", "ヤマザキ トヨコ ノ セカイ", "德永 眞一", "トクナガ シンイチ", "廣済堂", ""},
	{"900009", "驛前の體操", "エキマエ ノ タイソウ", "會田 當一", "アイダ トウイチ", "", ""},
	{"900010", "金子みすゞ童謡集", "カネコ ミスズ ドウヨウシュウ", "金子 みすゞ", "カネコ ミスズ", "", ""},
}

var searchFields = []string{"title", "title_yomi", "author", "author_yomi", "publisher", "series"}

// newTestIndex indexes recs in memory, or, when dir is set, in a scorch
// index there (much faster than the in-memory store for thousands).
func newTestIndex(t testing.TB, dir string, recs []record) bleve.Index {
	t.Helper()
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range searchFields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = AnalyzerIndex
		fm.Store = false
		fm.IncludeTermVectors = false
		doc.AddFieldMappingsAt(f, fm)
	}
	m := bleve.NewIndexMapping()
	if err := registerAnalysis(m); err != nil {
		t.Fatal(err)
	}
	m.DefaultMapping = doc
	var ix bleve.Index
	var err error
	if dir == "" {
		ix, err = bleve.NewMemOnly(m)
	} else {
		ix, err = bleve.New(dir, m)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	b := ix.NewBatch()
	for i, r := range recs {
		if i > 0 && i%1000 == 0 {
			if err := ix.Batch(b); err != nil {
				t.Fatal(err)
			}
			b.Reset()
		}
		err := b.Index(r.ID, map[string]any{
			"title": r.Title, "title_yomi": r.TitleYomi, "author": r.Author,
			"author_yomi": r.AuthorYomi, "publisher": r.Publisher, "series": r.Series,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Batch(b); err != nil {
		t.Fatal(err)
	}
	return ix
}

// userQuery builds the query the catalogue runs for what a patron types:
// each white-space separated word must match, as a whole, in some field.
func userQuery(text string) query.Query {
	var words []query.Query
	for _, w := range strings.Fields(text) {
		var fields []query.Query
		for _, f := range searchFields {
			mq := bleve.NewMatchQuery(w)
			mq.SetField(f)
			mq.Analyzer = AnalyzerQuery
			mq.Operator = query.MatchQueryOperatorAnd
			fields = append(fields, mq)
		}
		words = append(words, bleve.NewDisjunctionQuery(fields...))
	}
	return bleve.NewConjunctionQuery(words...)
}

func hits(t testing.TB, ix bleve.Index, text string) []string {
	t.Helper()
	req := bleve.NewSearchRequestOptions(userQuery(text), 100, 0, false)
	res, err := ix.Search(req)
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestSearchJapanese(t *testing.T) {
	t.Parallel()
	ix := newTestIndex(t, "", records)
	tests := []struct {
		query string
		want  []string // exactly these records
	}{
		// Readings: hiragana, katakana, half-width, with and without spaces.
		{"なつめそうせき", []string{"000752", "000773", "000789"}},
		{"ナツメソウセキ", []string{"000752", "000773", "000789"}},
		{"なつめ そうせき", []string{"000752", "000773", "000789"}},
		{"ｿｳｾｷ", []string{"000752", "000773", "000789"}},
		{"ｿｳｾｷ ｺｺﾛ", []string{"000773"}},
		{"こころ", []string{"000773", "055540"}},
		{"ココロ", []string{"000773", "055540"}},
		{"夏目漱石 こころ", []string{"000773"}},
		{"夏目 漱石", []string{"000752", "000773", "000789"}},
		{"わがはい", []string{"000789"}},
		{"ギンガテツドウ", []string{"046322"}},
		{"たかせぶね", []string{"000691"}},
		{"これからのせいぎのはなしをしよう", []string{"900003"}},
		{"だざいおさむ", []string{"000301", "001567"}},
		{"ぼっちゃん", []string{"000752"}},
		{"ﾎﾞｯﾁｬﾝ", []string{"000752"}},

		// Kanji without spaces, single kanji.
		{"銀河鉄道", []string{"046322"}},
		{"銀河鉄道の夜", []string{"046322"}},
		{"猫", []string{"000789"}},
		{"吾輩は猫", []string{"000789"}},
		{"鼻", []string{"000042", "000372"}},
		{"鼻 ゴーゴリ", []string{"000372"}},
		{"檸檬", []string{"046349"}},
		{"芥川", []string{"000042", "000092", "000128", "000179"}},
		{"蜘蛛の糸 芥川", []string{"000092"}},
		{"ちくま文庫 宮沢", []string{"001927"}},

		// Variant kanji, both ways.
		{"森鴎外", []string{"000682", "000689"}},
		{"森鷗外", []string{"000682", "000689"}},
		{"鷗外 舞姫", []string{"000682"}},
		{"芥川龍之介", []string{"000042", "000092", "000128", "000179"}},
		{"羅生門 芥川竜之介", []string{"000128"}},
		{"銀河鐵道", []string{"046322"}},
		{"宮沢賢治", []string{"001927", "004865", "046322"}},
		{"宮澤賢治", []string{"001927", "004865", "046322"}},
		{"学問のすすめ", []string{"047061"}},
		{"學問ノススメ", []string{"047061"}},
		{"福沢諭吉", []string{"047061"}},
		{"慶応", []string{"047063"}},
		{"岸田国士", []string{"044879"}},
		{"鉄", []string{"046322", "049789"}},
		{"民芸", []string{"056522"}},
		{"順礼", []string{"056605"}},
		{"沢西", []string{"062477"}},
		{"竜 詩人", []string{"004865"}},
		{"龍", []string{"000042", "000092", "000128", "000179", "004865", "056224"}},
		{"与謝野晶子", []string{"002165", "051307"}},
		{"桜の園", []string{"900005"}},
		{"渡辺", []string{"900006"}},
		{"渡邉崋山", []string{"900006"}},
		{"斎藤茂吉", []string{"900006"}},
		{"斉藤", []string{"900007"}},
		{"高橋", []string{"900007"}},
		{"円谷", []string{"900007"}},
		{"山崎", []string{"900008"}},
		{"徳永真一", []string{"900008"}},
		{"広済堂", []string{"900008"}},
		{"駅前の体操", []string{"900009"}},
		{"会田当一", []string{"900009"}},
		{"みすず", []string{"900010"}},
		{"金子みすゞ", []string{"900010"}},

		// Latin script: case and width fold, words need not be adjacent.
		{"harry potter", []string{"900002"}},
		{"ＨＡＲＲＹ", []string{"900002"}},
		{"potter STONE", []string{"900002"}},
		{"ハリーポッター", []string{"900001"}},
		{"ﾊﾘｰ･ﾎﾟｯﾀｰ", []string{"900001"}},
		{"1q84", []string{"900004"}},
		{"１Ｑ８４", []string{"900004"}},

		// Every word must match.
		{"夏目漱石 羅生門", nil},
		{"なつめそうせき らしょうもん", nil},
		{"ねこ", []string{"000789", "900010"}}, // ワガハイ ワ ネコ, カネコ ミスズ
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := hits(t, ix, tt.query)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%q found %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

// TestAozoraIndex indexes every work in the Aozora Bunko list and checks
// that each one is found by its title, by its reading typed in hiragana,
// and by its author's name and reading.
func TestAozoraIndex(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("indexes 19,000 records")
	}
	rows := aozoraRows(t)
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	type work struct {
		record
		titleYomiHira, authorYomiHira string
	}
	var works []work
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		id := r[col["作品ID"]]
		if seen[id] || r[col["役割フラグ"]] != "著者" {
			continue
		}
		seen[id] = true
		w := work{
			record: record{
				ID:         id,
				Title:      r[col["作品名"]],
				TitleYomi:  Fold(r[col["作品名読み"]]),
				Author:     r[col["姓"]] + " " + r[col["名"]],
				AuthorYomi: Fold(r[col["姓読み"]] + " " + r[col["名読み"]]),
				Publisher:  r[col["底本出版社名1"]],
			},
			titleYomiHira:  r[col["作品名読み"]],
			authorYomiHira: r[col["姓読み"]] + r[col["名読み"]],
		}
		works = append(works, w)
	}
	recs := make([]record, len(works))
	for i, w := range works {
		recs[i] = w.record
	}
	start := time.Now()
	ix := newTestIndex(t, t.TempDir()+"/aozora.bleve", recs)
	t.Logf("indexed in %v", time.Since(start))

	misses := 0
	checked := 0
	for i, w := range works {
		if i%20 != 0 {
			continue
		}
		for _, q := range []string{
			w.Title,
			w.titleYomiHira,
			w.Title + " " + w.authorYomiHira,
			strings.ReplaceAll(w.Author, " ", "") + " " + w.titleYomiHira,
		} {
			if strings.TrimSpace(q) == "" {
				continue
			}
			checked++
			if !matches(t, ix, q, w.ID) {
				misses++
				if misses <= 20 {
					t.Errorf("%s %q: not found by %q", w.ID, w.Title, q)
				}
			}
		}
	}
	t.Logf("%d works indexed, %d queries, %d misses", len(works), checked, misses)
}

// matches reports whether the record id is among the hits of text.
func matches(t testing.TB, ix bleve.Index, text, id string) bool {
	t.Helper()
	q := bleve.NewConjunctionQuery(userQuery(text), bleve.NewDocIDQuery([]string{id}))
	res, err := ix.Search(bleve.NewSearchRequestOptions(q, 1, 0, false))
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	return res.Total == 1
}
