package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"hondana/isbn"
	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// branchCodes are the libraries copies are spread over: those of the
// default configuration.
var branchCodes = []string{"ozu", "nagahama", "hijikawa", "kawabe"}

// word is a vocabulary entry with its reading.
type word struct{ w, yomi string }

var jaWords = []word{
	{"図書館", "トショカン"}, {"歴史", "レキシ"}, {"日本", "ニホン"}, {"世界", "セカイ"}, {"物語", "モノガタリ"},
	{"科学", "カガク"}, {"入門", "ニュウモン"}, {"料理", "リョウリ"}, {"旅", "タビ"}, {"猫", "ネコ"},
	{"犬", "イヌ"}, {"海", "ウミ"}, {"山", "ヤマ"}, {"川", "カワ"}, {"花", "ハナ"}, {"星", "ホシ"},
	{"夜", "ヨル"}, {"春", "ハル"}, {"夏", "ナツ"}, {"秋", "アキ"}, {"冬", "フユ"}, {"子ども", "コドモ"},
	{"家族", "カゾク"}, {"経済", "ケイザイ"}, {"社会", "シャカイ"}, {"政治", "セイジ"}, {"哲学", "テツガク"},
	{"数学", "スウガク"}, {"宇宙", "ウチュウ"}, {"地球", "チキュウ"}, {"環境", "カンキョウ"}, {"健康", "ケンコウ"},
	{"医学", "イガク"}, {"心理", "シンリ"}, {"教育", "キョウイク"}, {"音楽", "オンガク"}, {"美術", "ビジュツ"},
	{"写真", "シャシン"}, {"庭", "ニワ"}, {"農業", "ノウギョウ"}, {"漁業", "ギョギョウ"}, {"鉄道", "テツドウ"},
	{"城", "シロ"}, {"町", "マチ"}, {"村", "ムラ"}, {"祭り", "マツリ"}, {"昔話", "ムカシバナシ"}, {"伝説", "デンセツ"},
	{"戦争", "センソウ"}, {"平和", "ヘイワ"}, {"恋", "コイ"}, {"手紙", "テガミ"}, {"時間", "ジカン"}, {"未来", "ミライ"},
	{"記憶", "キオク"}, {"言葉", "コトバ"}, {"文学", "ブンガク"}, {"詩", "シ"}, {"俳句", "ハイク"}, {"短歌", "タンカ"},
	{"電子書籍", "デンシショセキ"}, {"出版", "シュッパン"}, {"情報", "ジョウホウ"}, {"技術", "ギジュツ"}, {"人工知能", "ジンコウチノウ"},
	{"大洲", "オオズ"}, {"愛媛", "エヒメ"}, {"四国", "シコク"}, {"肱川", "ヒジカワ"}, {"みかん", "ミカン"},
}

var enWords = []string{"library", "history", "science", "introduction", "world", "travel", "cooking", "garden", "music",
	"design", "data", "learning", "children", "ocean", "mountain", "city", "future", "memory", "language", "poetry"}

var particles = []word{{"の", "ノ"}, {"と", "ト"}, {"を", "ヲ"}, {"から", "カラ"}, {"への", "ヘノ"}}

var benchFamily = []word{{"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"}, {"渡辺", "ワタナベ"},
	{"伊藤", "イトウ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"}, {"加藤", "カトウ"}, {"吉田", "ヨシダ"},
	{"山田", "ヤマダ"}, {"松本", "マツモト"}, {"井上", "イノウエ"}, {"木村", "キムラ"}, {"斎藤", "サイトウ"}, {"森", "モリ"},
	{"池田", "イケダ"}, {"橋本", "ハシモト"}, {"石川", "イシカワ"}, {"前田", "マエダ"}, {"藤田", "フジタ"}, {"岡田", "オカダ"}}

var benchGiven = []word{{"花子", "ハナコ"}, {"太郎", "タロウ"}, {"健一", "ケンイチ"}, {"美咲", "ミサキ"}, {"誠", "マコト"},
	{"由美", "ユミ"}, {"翔太", "ショウタ"}, {"陽子", "ヨウコ"}, {"大輔", "ダイスケ"}, {"恵", "メグミ"}, {"隆", "タカシ"},
	{"直樹", "ナオキ"}, {"裕子", "ユウコ"}, {"修", "オサム"}, {"聡", "サトシ"}, {"愛", "アイ"}, {"剛", "ツヨシ"}}

var benchPublishers = []string{"岩波書店", "新潮社", "講談社", "筑摩書房", "中央公論新社", "角川書店", "平凡社", "創元社", "晶文社", "Penguin", "Oxford University Press"}

// synth makes reproducible synthetic records and queries.
type synth struct {
	rng *rand.Rand
}

func newSynth(seed uint64) *synth { return &synth{rng: rand.New(rand.NewPCG(seed, 7))} }

func (g *synth) pick(ws []word) word { return ws[g.rng.IntN(len(ws))] }

func (g *synth) title() (string, string) {
	if g.rng.IntN(8) == 0 {
		n := 2 + g.rng.IntN(3)
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, enWords[g.rng.IntN(len(enWords))])
		}
		t := strings.Join(parts, " ")
		return strings.ToUpper(t[:1]) + t[1:], ""
	}
	n := 1 + g.rng.IntN(3)
	var t, y strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			p := g.pick(particles)
			t.WriteString(p.w)
			y.WriteString(" " + p.yomi + " ")
		}
		w := g.pick(jaWords)
		t.WriteString(w.w)
		y.WriteString(w.yomi)
	}
	return t.String(), y.String()
}

func (g *synth) record(i int) (*store.Record, []store.Copy) {
	title, yomi := g.title()
	f, gv := g.pick(benchFamily), g.pick(benchGiven)
	r := &store.Record{
		Source:       "bench:" + strconv.Itoa(i),
		Title:        title,
		TitleYomi:    yomi,
		Authors:      []store.Author{{Name: f.w + gv.w, Yomi: f.yomi + " " + gv.yomi, Role: store.RoleAuthor}},
		Publisher:    benchPublishers[g.rng.IntN(len(benchPublishers))],
		Year:         1950 + g.rng.IntN(77),
		NDC:          fmt.Sprintf("%d%02d", g.rng.IntN(10), g.rng.IntN(100)),
		MaterialType: store.MaterialBook,
		Language:     "jpn",
	}
	if g.rng.IntN(10) == 0 {
		r.MaterialType = []string{store.MaterialMagazine, store.MaterialVideo, store.MaterialAudio}[g.rng.IntN(3)]
	}
	if g.rng.IntN(5) < 3 {
		r.ISBN = benchISBN(i)
	}
	if g.rng.IntN(4) == 0 {
		r.Series = g.pick(jaWords).w + "文庫"
	}
	n := 1 + g.rng.IntN(5)
	copies := make([]store.Copy, n)
	for k := range copies {
		st := store.CopyOnShelf
		if g.rng.IntN(5) == 0 {
			st = store.CopyOnLoan
		}
		copies[k] = store.Copy{
			Barcode:    fmt.Sprintf("9%09d%d", i, k),
			Branch:     branchCodes[g.rng.IntN(len(branchCodes))],
			Location:   "一般書架",
			CallNumber: r.NDC,
			Status:     st,
			AcquiredOn: time.Date(2000+g.rng.IntN(27), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(library.DateLayout),
		}
		copies[k].ShelvedOn = copies[k].AcquiredOn
	}
	return r, copies
}

// benchISBN makes a valid ISBN-13 from a number.
func benchISBN(i int) string {
	base := fmt.Sprintf("9784%08d", i%100000000)
	sum := 0
	for k, c := range base {
		d := int(c - '0')
		if k%2 == 1 {
			d *= 3
		}
		sum += d
	}
	s, _ := isbn.Normalize(base + strconv.Itoa((10-sum%10)%10))
	return s
}

// queries makes a mix like a catalogue's log: single words, readings in
// hiragana, author names, title + author, ISBNs, English, with filters.
func (g *synth) queries(n int) []search.Query {
	toHira := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'ァ' && r <= 'ヶ' {
				return r - 0x60
			}
			return r
		}, s)
	}
	out := make([]search.Query, n)
	for i := range out {
		var q search.Query
		switch k := g.rng.IntN(10); k {
		case 0, 1:
			q.Text = g.pick(jaWords).w
		case 2:
			q.Text = toHira(g.pick(jaWords).yomi)
		case 3:
			f, gv := g.pick(benchFamily), g.pick(benchGiven)
			q.Text = f.w + gv.w
		case 4:
			q.Text = g.pick(jaWords).w + " " + g.pick(benchFamily).w
		case 5:
			q.Text = benchISBN(g.rng.IntN(100000))
		case 6:
			q.Text = enWords[g.rng.IntN(len(enWords))]
		case 7:
			q.Text = g.pick(jaWords).w + g.pick(particles).w + g.pick(jaWords).w
		case 8:
			q.Text = g.pick(jaWords).w
			q.Available = true
			q.Branch = branchCodes[g.rng.IntN(len(branchCodes))]
		case 9:
			q.Text = g.pick(jaWords).w
			q.NDC = strconv.Itoa(g.rng.IntN(10))
			q.YearFrom = 1990
		}
		if g.rng.IntN(5) == 0 {
			q.Offset = 20
		}
		q.Limit = 20
		out[i] = q
	}
	return out
}
