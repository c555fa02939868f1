package ui_test

// The known-item test set: queries a patron types for a record they know,
// made from the Aozora Bunko list and the NDL sample the demo catalogue
// is built of, by kind (round 1's forms, the spellings of R80, the
// relaxed forms that keep a search from a dead end, the ranking cases of
// R81). generateKnownItems makes the same set every time (a fixed seed),
// so a pass rate can be compared from one build to the next; run
//
//	go test ./ui -run TestKnownItemSet -v
//
// to see the rate of each kind, and HONDANA_KNOWN_ITEMS_DUMP=FILE to write
// the set itself to FILE.
//
// The generator and its runner use only what every build has had (the
// importer, the readings of package yomi, the JSON API), so that the set
// can be run against an older build for its figures.

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"hondana/importer"
	"hondana/store"
	"hondana/yomi"
)

// knownItem is one query of the set and how it is judged.
type knownItem struct {
	Kind   string
	Q      string
	Sort   string // "" (relevance) or "title"
	Title  string // the wanted record's title, as catalogued
	Author string // and its first author ("" for any)
	// Check says how the answer is judged: checkTop3 (the record is in
	// the first three hits), checkOwn (the first three hits are all the
	// author's), checkNoJunk (checkTop3, and every one of the first
	// three holds the query's reading, kana next to each other),
	// checkSorted (the hits are in the order of their readings).
	Check string
}

const (
	checkTop3   = "top3"
	checkOwn    = "own"
	checkNoJunk = "nojunk"
	checkSorted = "sorted"
)

// perKind is how many queries each kind gets (fewer only where the
// catalogue has fewer).
const perKind = 120

// knownWork is a record of the demo catalogue as the generator sees it.
type knownWork struct {
	Title, TitleYomi string // the reading in katakana, without spaces
	YomiSpaced       string // the reading as catalogued
	Author           string // first author, 姓名 without a space
	AuthorYomi       string // katakana, without spaces
	AuthorYomiSpaced string // katakana, as catalogued (姓 名)
	ISBN             string
	NDL              bool
}

// knownCatalogue reads the works of the demo catalogue from its files.
func knownCatalogue() ([]knownWork, error) {
	var works []knownWork
	for _, f := range []struct {
		path   string
		format importer.Format
	}{{"../demo/data/aozora.csv.gz", importer.Aozora}, {"../demo/data/ndl_jpmarc_233.mrc.gz", importer.MARC21}} {
		raw, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		err = importer.Read(context.Background(), io.Reader(zr), f.format, func(_ int, r *store.Record, err error) error {
			if err != nil || r == nil {
				return nil
			}
			w := knownWork{Title: r.Title, TitleYomi: strings.ReplaceAll(r.TitleYomi, " ", ""), YomiSpaced: r.TitleYomi,
				ISBN: r.ISBN, NDL: f.format == importer.MARC21}
			if len(r.Authors) > 0 {
				w.Author = strings.ReplaceAll(r.Authors[0].Name, " ", "")
				w.AuthorYomi = strings.ReplaceAll(r.Authors[0].Yomi, " ", "")
				w.AuthorYomiSpaced = r.Authors[0].Yomi
			}
			works = append(works, w)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return works, nil
}

// tkey is a title as the generator compares titles: width, kana and case
// folded, without spaces and punctuation.
func tkey(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if r >= 'ぁ' && r <= 'ゖ' {
			r += 'ァ' - 'ぁ'
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func toHira(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ァ' && r <= 'ヶ' {
			return r - ('ァ' - 'ぁ')
		}
		return r
	}, s)
}

func toKata(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ぁ' && r <= 'ゖ' {
			return r + ('ァ' - 'ぁ')
		}
		return r
	}, s)
}

func hasKanji(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func isKanaOnly(s string) bool {
	for _, r := range s {
		if !(r >= 'ぁ' && r <= 'ゖ' || r >= 'ァ' && r <= 'ヺ' || r == 'ー') {
			return false
		}
	}
	return s != ""
}

// generateKnownItems makes the set from the catalogue's works.
func generateKnownItems(works []knownWork) []knownItem {
	rng := rand.New(rand.NewPCG(20261201, 17))
	order := rng.Perm(len(works))
	keyCount := map[string]int{}
	for _, w := range works {
		keyCount[tkey(w.Title)]++
	}
	// A title shared by more than three records cannot be told apart in
	// the first three hits by its title alone.
	unique := func(w knownWork) bool { return keyCount[tkey(w.Title)] <= 3 && tkey(w.Title) != "" }
	keys := make([]string, len(works))
	for i, w := range works {
		keys[i] = tkey(w.Title)
	}
	containedIn := func(s string) int {
		k, n := tkey(s), 0
		for _, key := range keys {
			if strings.Contains(key, k) {
				n++
			}
		}
		return n
	}
	beginWith := func(s string) int {
		k, n := tkey(s), 0
		for _, key := range keys {
			if strings.HasPrefix(key, k) {
				n++
			}
		}
		return n
	}
	var items []knownItem
	count := map[string]int{}
	want := func(kind string) bool { return count[kind] < perKind }
	add := func(kind, q string, w knownWork, check string) {
		if count[kind] >= perKind || strings.TrimSpace(q) == "" {
			return
		}
		count[kind]++
		items = append(items, knownItem{Kind: kind, Q: q, Title: w.Title, Author: w.Author, Check: check})
	}
	each := func(f func(w knownWork)) {
		for _, i := range order {
			f(works[i])
		}
	}

	// Round 1's forms.
	each(func(w knownWork) {
		if !unique(w) || w.NDL {
			return
		}
		if hasKanji(w.Title) {
			add("r1 kanji title", w.Title, w, checkTop3)
			if w.TitleYomi != "" && isKanaOnly(w.TitleYomi) {
				add("r1 hiragana reading", toHira(w.TitleYomi), w, checkTop3)
				add("r1 katakana reading", w.TitleYomi, w, checkTop3)
				add("r1 half-width reading", width.Narrow.String(w.TitleYomi), w, checkTop3)
			}
		}
		if w.Author != "" {
			add("r1 author + title", w.Author+" "+w.Title, w, checkTop3)
			add("r1 title + author", w.Title+" "+w.Author, w, checkTop3)
			if isKanaOnly(w.AuthorYomi) {
				add("r1 author reading + title", toHira(w.AuthorYomi)+" "+w.Title, w, checkTop3)
			}
		}
		if old := oldForms(w.Author + " " + w.Title); old != w.Author+" "+w.Title && w.Author != "" {
			add("r1 old kanji", old, w, checkTop3)
		}
	})
	// A part of a title: its first four characters, when they begin no
	// more than two other titles and stand in no more than three.
	each(func(w knownWork) {
		r := []rune(w.Title)
		if !unique(w) || len(r) < 6 || !hasKanji(w.Title) || w.NDL {
			return
		}
		part := string(r[:4])
		if !want("r1 part of a title") || strings.ContainsAny(part, " 　「」『』〔〕（）・、。") || containedIn(part) > 3 {
			return
		}
		add("r1 part of a title", part, w, checkTop3)
	})
	each(func(w knownWork) {
		if !unique(w) {
			return
		}
		if strings.IndexFunc(w.Title, func(r rune) bool { return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }) >= 0 {
			add("r1 full-width letters", width.Widen.String(w.Title), w, checkTop3)
		}
		if strings.IndexFunc(w.Title, unicode.IsUpper) >= 0 {
			add("r1 lower case", strings.ToLower(w.Title), w, checkTop3)
		}
		if w.NDL && strings.Contains(w.YomiSpaced, " ") && isKanaOnly(strings.ReplaceAll(w.YomiSpaced, " ", "")) {
			add("r1 NDL reading with spaces", toHira(w.YomiSpaced), w, checkTop3)
		}
	})
	// ISBNs: every NDL record with one, in each of round 1's forms and
	// with the prefixes and hyphens of R81.
	prefixes := []func(string) string{
		func(s string) string { return "ISBN" + s },
		func(s string) string { return "ISBN " + s },
		func(s string) string { return "isbn:" + s },
		func(s string) string { return width.Widen.String("ISBN" + s) },
		func(s string) string { return "ISBN：" + s },
	}
	k := 0
	each(func(w knownWork) {
		if w.ISBN == "" {
			return
		}
		h13 := w.ISBN[:3] + "-" + w.ISBN[3:4] + "-" + w.ISBN[4:8] + "-" + w.ISBN[8:12] + "-" + w.ISBN[12:]
		add("r1 ISBN-13 with hyphens", h13, w, checkTop3)
		add("r1 ISBN-13", w.ISBN, w, checkTop3)
		if strings.HasPrefix(w.ISBN, "978") {
			i10 := isbn10(w.ISBN)
			add("r1 ISBN-10", i10, w, checkTop3)
			add("r1 ISBN-10 with hyphens", i10[:1]+"-"+i10[1:5]+"-"+i10[5:9]+"-"+i10[9:], w, checkTop3)
			forms := []string{h13, w.ISBN, i10, strings.ReplaceAll(h13, "-", "ー"), strings.ReplaceAll(h13, "-", "‐")}
			add("k ISBN with a prefix", prefixes[k%len(prefixes)](forms[k%len(forms)]), w, checkTop3)
			add("k ISBN with a prefix", prefixes[(k+2)%len(prefixes)](forms[(k+3)%len(forms)]), w, checkTop3)
			k++
		}
	})

	// R80: spellings that must find each other.
	each(func(w knownWork) {
		if !unique(w) {
			return
		}
		if large := largeKanaOf(w.Title); large != w.Title {
			add("f small and large kana", large, w, checkTop3)
		}
		if v := vuOf(w.Title); v != w.Title {
			add("f ヴ and ブ", v, w, checkTop3)
		} else if b := buToVu(w.Title); b != w.Title {
			add("f ヴ and ブ", b, w, checkTop3)
		}
		if x := wiWeOf(w.Title); x != w.Title {
			add("f ゐゑ and いえ", x, w, checkTop3)
		} else if x := toWiWe(w.Title, rng); x != w.Title {
			add("f ゐゑ and いえ", x, w, checkTop3)
		}
		if x := choonToVowel(w.Title); x != w.Title {
			add("f ー and the vowel", x, w, checkTop3)
		} else if x := vowelToChoon(w.Title); x != w.Title {
			add("f ー and the vowel", x, w, checkTop3)
		}
		if x := kanjiToDigits(w.Title); x != w.Title {
			add("f kanji numerals and digits", x, w, checkTop3)
		} else if x := digitsToKanji(w.Title); x != w.Title {
			add("f kanji numerals and digits", x, w, checkTop3)
		}
		if x := odorijiOf(w.Title); x != w.Title {
			add("f 々 and the repeated kanji", x, w, checkTop3)
		} else if x := toOdoriji(w.Title); x != w.Title {
			add("f 々 and the repeated kanji", x, w, checkTop3)
		}
	})
	// 々 in names (佐々木, 野々口): the author's name so written, and the
	// title.
	each(func(w knownWork) {
		if !unique(w) || w.Author == "" {
			return
		}
		if x := odorijiOf(w.Author); x != w.Author {
			add("f 々 and the repeated kanji", x+" "+w.Title, w, checkTop3)
		} else if x := toOdoriji(w.Author); x != w.Author {
			add("f 々 and the repeated kanji", x+" "+w.Title, w, checkTop3)
		}
		if x := vuOf(w.Author); x != w.Author {
			add("f ヴ and ブ", x+" "+w.Title, w, checkTop3)
		}
	})

	// R80: the relaxed forms. Each query is made to find nothing as it
	// stands: the record must be among the first three hits shown
	// instead.
	homophones := homophoneTable(works)
	romajiAuthors := map[string]bool{}
	each(func(w knownWork) {
		if !unique(w) || w.NDL {
			return
		}
		if x := dropTsuChoon(w.Title, rng); x != "" && want("x a dropped っ or ー") && containedIn(x) == 0 {
			add("x a dropped っ or ー", x, w, checkTop3)
		}
		if x := oneCharOff(w.Title, rng); x != "" && want("x one character off") && containedIn(x) == 0 {
			add("x one character off", x, w, checkTop3)
		}
		if want("x a kanji slip read by its reading") {
			if x := imeSlip(w, homophones); x != "" && containedIn(x) == 0 {
				add("x a kanji slip read by its reading", x, w, checkTop3)
			}
		}
		if hasKanji(w.Title) && utf8.RuneCountInString(w.Title) >= 3 {
			add("x words as OR", w.Title+" "+nonsense[rng.IntN(len(nonsense))], w, checkTop3)
		}
	})

	each(func(w knownWork) {
		// An author's name in romaji, typed without an input method
		// (natsume soseki): a work of theirs must come up.
		if romajiAuthors[w.Author] || !want("x romaji") || !hasKanji(w.Author) || strings.Count(w.AuthorYomiSpaced, " ") != 1 ||
			hasVariantSpelling(strings.ReplaceAll(w.AuthorYomiSpaced, " ", "")) {
			return
		}
		var parts []string
		long := 0
		for _, p := range strings.Fields(w.AuthorYomiSpaced) {
			rom, n, ok := romajiOf(p)
			if !ok {
				return
			}
			parts = append(parts, rom)
			long += n
		}
		if long > 0 {
			romajiAuthors[w.Author] = true
			add("x romaji", strings.Join(parts, " "), knownWork{Author: w.Author}, checkTop3)
		}
	})

	// R81: ranking.
	authorWorks := map[string]int{}
	for _, w := range works {
		if w.Author != "" {
			authorWorks[w.Author]++
		}
	}
	// Titles and readings as a whole: a prefix that is one of them is
	// an exact match, not a prefix. And authors' names: a title that is
	// one (久米正雄 by 芥川竜之介) comes after the author's own works.
	exactly := map[string]bool{}
	authorName := map[string]bool{}
	for _, w := range works {
		exactly[tkey(w.Title)] = true
		exactly[tkey(w.TitleYomi)] = true
		authorName[tkey(w.Author)] = true
		authorName[tkey(w.AuthorYomi)] = true
	}
	each(func(w knownWork) {
		if !unique(w) || w.NDL {
			return
		}
		// The exact title, when other titles contain it.
		if want("k exact title first") && !authorName[tkey(w.Title)] && containedIn(w.Title) >= 3 {
			add("k exact title first", w.Title, w, checkTop3)
		}
		// The beginning of a title, which other titles hold further on.
		r := []rune(w.Title)
		if len(r) >= 5 && hasKanji(w.Title) && want("k title prefix") && !endsMidWord(r, 3) {
			p := string(r[:3])
			if b := beginWith(p); !strings.ContainsAny(p, " 　「」『』〔〕（）・、。") && b <= 3 && containedIn(p) > b && !exactly[tkey(p)] {
				add("k title prefix", p, w, checkTop3)
			}
		}
		// A short reading of a kanji title: its kana must stand together.
		if n := utf8.RuneCountInString(w.TitleYomi); n >= 3 && n <= 6 && hasKanji(w.Title) && isKanaOnly(w.TitleYomi) && !authorName[tkey(w.TitleYomi)] {
			add("k short reading, kana together", toHira(w.TitleYomi), w, checkNoJunk)
		}
	})
	seenAuthor := map[string]bool{}
	each(func(w knownWork) {
		if w.Author == "" || seenAuthor[w.Author] || authorWorks[w.Author] < 3 || w.NDL {
			return
		}
		seenAuthor[w.Author] = true
		add("k an author's own works first", w.Author, knownWork{Author: w.Author}, checkOwn)
	})
	bracketed := map[string]bool{}
	for _, w := range works {
		if strings.ContainsAny(w.YomiSpaced, "「『〔（【") && w.Author != "" {
			bracketed[w.Author] = true
		}
	}
	seenAuthor = map[string]bool{}
	each(func(w knownWork) {
		if !bracketed[w.Author] || seenAuthor[w.Author] || authorWorks[w.Author] < 2 {
			return
		}
		seenAuthor[w.Author] = true
		if count["k sort by reading"] < perKind {
			count["k sort by reading"]++
			items = append(items, knownItem{Kind: "k sort by reading", Q: w.Author, Sort: "title", Author: w.Author, Check: checkSorted})
		}
	})
	return items
}

// nonsense words no record holds, for "words as OR".
var nonsense = []string{"ふがほげ", "ぬばたまぬ", "ゐゑゐゑ", "ヲヲヲヲ", "xyzzy", "qwrtp"}

// endsMidWord reports whether the first n runes of r end inside a word a
// patron would not cut: a number in kanji or digits, or a word of Latin
// letters.
func endsMidWord(r []rune, n int) bool {
	if n >= len(r) {
		return false
	}
	num := func(c rune) bool {
		return kanjiDigit[c] > 0 || strings.ContainsRune("〇十百千", c) || c >= '0' && c <= '9'
	}
	latin := func(c rune) bool { return c < 0x80 && unicode.IsLetter(c) }
	a, b := r[n-1], r[n]
	return num(a) && num(b) || latin(a) && latin(b)
}

// isbn10 is the ISBN-10 of a 978 ISBN-13.
func isbn10(s string) string {
	body := s[3:12]
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * (10 - i)
	}
	check := (11 - sum%11) % 11
	if check == 10 {
		return body + "X"
	}
	return body + strconv.Itoa(check)
}

// oldForms writes some kanji in their old forms, as older books print
// them.
func oldForms(s string) string {
	return strings.NewReplacer("学", "學", "国", "國", "沢", "澤", "竜", "龍", "桜", "櫻", "芸", "藝", "鉄", "鐵",
		"広", "廣", "来", "來", "会", "會", "気", "氣", "体", "體", "円", "圓", "読", "讀", "声", "聲",
		"辺", "邊", "斎", "齋", "伝", "傳", "万", "萬", "与", "與", "浜", "濱", "髪", "髮", "恋", "戀").Replace(s)
}

var smallToLarge = strings.NewReplacer("ぁ", "あ", "ぃ", "い", "ぅ", "う", "ぇ", "え", "ぉ", "お", "っ", "つ", "ゃ", "や", "ゅ", "ゆ", "ょ", "よ", "ゎ", "わ",
	"ァ", "ア", "ィ", "イ", "ゥ", "ウ", "ェ", "エ", "ォ", "オ", "ッ", "ツ", "ャ", "ヤ", "ュ", "ユ", "ョ", "ヨ", "ヮ", "ワ")

func largeKanaOf(s string) string { return smallToLarge.Replace(s) }

func vuOf(s string) string {
	return strings.NewReplacer("ヴァ", "バ", "ヴィ", "ビ", "ヴェ", "ベ", "ヴォ", "ボ", "ヴア", "バ", "ヴイ", "ビ", "ヴエ", "ベ", "ヴオ", "ボ",
		"ヴ", "ブ", "ゔ", "ぶ").Replace(s)
}

func buToVu(s string) string {
	if !strings.ContainsAny(s, "バビブベボ") {
		return s
	}
	return strings.NewReplacer("バ", "ヴァ", "ビ", "ヴィ", "ブ", "ヴ", "ベ", "ヴェ", "ボ", "ヴォ").Replace(s)
}

func wiWeOf(s string) string {
	return strings.NewReplacer("ゐ", "い", "ゑ", "え", "ヰ", "イ", "ヱ", "エ").Replace(s)
}

// toWiWe writes one い or え after another kana as ゐ or ゑ.
func toWiWe(s string, rng *rand.Rand) string {
	rs := []rune(s)
	var at []int
	for i := 1; i < len(rs); i++ {
		if (rs[i] == 'い' || rs[i] == 'え') && isKanaOnly(string(rs[i-1])) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	i := at[rng.IntN(len(at))]
	if rs[i] == 'い' {
		rs[i] = 'ゐ'
	} else {
		rs[i] = 'ゑ'
	}
	return string(rs)
}

var vowelOfKana = func() map[rune]rune {
	m := map[rune]rune{}
	for _, row := range []string{"アカガサザタダナハバパマヤラワャァ", "イキギシジチヂニヒビピミリィ", "ウクグスズツヅヌフブプムユルュゥヴ", "エケゲセゼテデネヘベペメレェ", "オコゴソゾトドノホボポモヨロョォ"} {
		rs := []rune(row)
		for _, r := range rs {
			m[r] = rs[0]
		}
	}
	m['ャ'], m['ュ'], m['ョ'] = 'ア', 'ウ', 'オ'
	m['ァ'], m['ィ'], m['ゥ'], m['ェ'], m['ォ'] = 'ア', 'イ', 'ウ', 'エ', 'オ'
	return m
}()

// choonToVowel writes each ー after a katakana as the vowel.
func choonToVowel(s string) string {
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if rs[i] == 'ー' {
			if v, ok := vowelOfKana[rs[i-1]]; ok {
				rs[i] = v
			}
		}
	}
	return string(rs)
}

// vowelToChoon writes a katakana vowel after a katakana ending in it as ー
// (ゲエテ → ゲーテ).
func vowelToChoon(s string) string {
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if v, ok := vowelOfKana[rs[i-1]]; ok && rs[i] == v && rs[i-1] != v {
			rs[i] = 'ー'
		}
	}
	return string(rs)
}

var kanjiDigit = map[rune]int{'〇': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// kanjiToDigits writes a number of kanji numerals after 第 or of two and
// more (二十四, 三十) in Arabic digits, as a patron types it.
func kanjiToDigits(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && (kanjiDigit[rs[j]] > 0 || rs[j] == '〇' || rs[j] == '十' || rs[j] == '百' || rs[j] == '千') {
			j++
		}
		if j == i {
			b.WriteRune(rs[i])
			i++
			continue
		}
		run := rs[i:j]
		if v, ok := kanjiValue(run); ok && (len(run) >= 2 || i > 0 && rs[i-1] == '第') {
			b.WriteString(strconv.Itoa(v))
		} else {
			b.WriteString(string(run))
		}
		i = j
	}
	return b.String()
}

func kanjiValue(run []rune) (int, bool) {
	total, pending, last := 0, -1, 10000
	places := false
	for _, r := range run {
		switch r {
		case '十', '百', '千':
			places = true
		}
	}
	if !places {
		v := 0
		for _, r := range run {
			v = v*10 + kanjiDigit[r]
		}
		return v, run[0] != '〇'
	}
	for _, r := range run {
		if d, ok := kanjiDigit[r]; ok {
			if pending >= 0 {
				return 0, false
			}
			pending = d
			continue
		}
		p := map[rune]int{'十': 10, '百': 100, '千': 1000}[r]
		if p >= last {
			return 0, false
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
	return total, true
}

// digitsToKanji writes numbers in kanji numerals (24 → 二十四).
func digitsToKanji(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if rs[i] < '0' || rs[i] > '9' {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(string(rs[i:j]))
		if j-i > 4 || n == 0 {
			b.WriteString(string(rs[i:j]))
		} else {
			b.WriteString(kanjiNumber(n))
		}
		i = j
	}
	return b.String()
}

func kanjiNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	var b strings.Builder
	for _, p := range []struct {
		v int
		k string
	}{{1000, "千"}, {100, "百"}, {10, "十"}} {
		if d := n / p.v; d > 0 {
			if d > 1 {
				b.WriteString(digits[d])
			}
			b.WriteString(p.k)
			n %= p.v
		}
	}
	b.WriteString(digits[n])
	return b.String()
}

// odorijiOf writes 々 as the kanji it repeats.
func odorijiOf(s string) string {
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if rs[i] == '々' {
			rs[i] = rs[i-1]
		}
	}
	return string(rs)
}

// toOdoriji writes a repeated kanji as 々.
func toOdoriji(s string) string {
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if rs[i] == rs[i-1] && unicode.Is(unicode.Han, rs[i]) {
			rs[i] = '々'
		}
	}
	return string(rs)
}

// hasVariantSpelling reports whether a reading has what romaji writes
// two ways (ぢ, づ, を, small vowels, ヴ, ゐ, ゑ) or cannot write at all.
func hasVariantSpelling(y string) bool {
	return strings.ContainsAny(y, "ヂヅヲァィゥェォヴヰヱヮー・ ")
}

// romajiOf writes a katakana reading (a name, a word) in Hepburn romaji
// as a patron types it without an input method: long vowels as one
// letter (ソウセキ → soseki), っ as a doubled consonant; and says how many
// long vowels it left out. It reports false for a reading with more
// than two (the relaxed search restores two), or an ン that romaji would
// read otherwise.
func romajiOf(y string) (string, int, bool) {
	table := map[string]string{}
	for romaji, kana := range hepburn {
		table[kana] = romaji
	}
	rs := []rune(y)
	var out strings.Builder
	long := 0
	for i := 0; i < len(rs); {
		var syl string
		if i+1 < len(rs) {
			if r, ok := table[string(rs[i:i+2])]; ok {
				syl = r
				i += 2
			}
		}
		if syl == "" {
			r, ok := table[string(rs[i])]
			switch {
			case rs[i] == 'ッ' && i+1 < len(rs):
				next, ok := table[string(rs[i+1])]
				if !ok || strings.ContainsRune("aiueon", rune(next[0])) {
					return "", 0, false
				}
				out.WriteByte(next[0])
				i++
				continue
			case rs[i] == 'ン':
				if i+1 < len(rs) && strings.ContainsRune("アイウエオヤユヨ", rs[i+1]) {
					return "", 0, false
				}
				out.WriteByte('n')
				i++
				continue
			case !ok:
				return "", 0, false
			}
			syl = r
			i++
		}
		// オウ, ウウ before a consonant or at the end: the second vowel
		// left out (そうせき, こうじ; but いのうえ stays inoue).
		s := out.String()
		beforeVowel := i < len(rs) && strings.ContainsRune("アイウエオ", rs[i])
		if s != "" && syl == "u" && !beforeVowel && (strings.HasSuffix(s, "o") || strings.HasSuffix(s, "u")) {
			long++
			continue
		}
		out.WriteString(syl)
	}
	if long > 2 {
		return "", 0, false
	}
	return out.String(), long, true
}

var hepburn = map[string]string{
	"a": "ア", "i": "イ", "u": "ウ", "e": "エ", "o": "オ",
	"ka": "カ", "ki": "キ", "ku": "ク", "ke": "ケ", "ko": "コ",
	"sa": "サ", "shi": "シ", "su": "ス", "se": "セ", "so": "ソ",
	"ta": "タ", "chi": "チ", "tsu": "ツ", "te": "テ", "to": "ト",
	"na": "ナ", "ni": "ニ", "nu": "ヌ", "ne": "ネ", "no": "ノ",
	"ha": "ハ", "hi": "ヒ", "fu": "フ", "he": "ヘ", "ho": "ホ",
	"ma": "マ", "mi": "ミ", "mu": "ム", "me": "メ", "mo": "モ",
	"ya": "ヤ", "yu": "ユ", "yo": "ヨ",
	"ra": "ラ", "ri": "リ", "ru": "ル", "re": "レ", "ro": "ロ",
	"wa": "ワ",
	"ga": "ガ", "gi": "ギ", "gu": "グ", "ge": "ゲ", "go": "ゴ",
	"za": "ザ", "ji": "ジ", "zu": "ズ", "ze": "ゼ", "zo": "ゾ",
	"da": "ダ", "de": "デ", "do": "ド",
	"ba": "バ", "bi": "ビ", "bu": "ブ", "be": "ベ", "bo": "ボ",
	"pa": "パ", "pi": "ピ", "pu": "プ", "pe": "ペ", "po": "ポ",
	"kya": "キャ", "kyu": "キュ", "kyo": "キョ",
	"sha": "シャ", "shu": "シュ", "sho": "ショ",
	"cha": "チャ", "chu": "チュ", "cho": "チョ",
	"nya": "ニャ", "nyu": "ニュ", "nyo": "ニョ",
	"hya": "ヒャ", "hyu": "ヒュ", "hyo": "ヒョ",
	"mya": "ミャ", "myu": "ミュ", "myo": "ミョ",
	"rya": "リャ", "ryu": "リュ", "ryo": "リョ",
	"gya": "ギャ", "gyu": "ギュ", "gyo": "ギョ",
	"ja": "ジャ", "ju": "ジュ", "jo": "ジョ",
	"bya": "ビャ", "byu": "ビュ", "byo": "ビョ",
	"pya": "ピャ", "pyu": "ピュ", "pyo": "ピョ",
}

// dropTsuChoon leaves out one っ/ッ or ー of a title, "" when it has none
// (or only at its start).
func dropTsuChoon(s string, rng *rand.Rand) string {
	rs := []rune(s)
	var at []int
	for i := 1; i < len(rs); i++ {
		if rs[i] == 'っ' || rs[i] == 'ッ' || rs[i] == 'ー' {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return ""
	}
	i := at[rng.IntN(len(at))]
	return string(append(append([]rune{}, rs[:i]...), rs[i+1:]...))
}

// oneCharOff changes one kanji of a title of six characters or more, not
// its first, into another.
func oneCharOff(s string, rng *rand.Rand) string {
	rs := []rune(s)
	if len(rs) < 6 || strings.ContainsAny(s, " 　「」『』〔〕（）・〇一二三四五六七八九十百千0123456789") {
		return ""
	}
	var at []int
	for i := 1; i < len(rs); i++ {
		if unicode.Is(unicode.Han, rs[i]) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return ""
	}
	i := at[rng.IntN(len(at))]
	others := []rune("液犬岩森草鳥魚貝糸泉畑坂")
	r := others[rng.IntN(len(others))]
	if r == rs[i] {
		return ""
	}
	rs[i] = r
	return string(rs)
}

// homophoneTable maps each reading of a kanji word in the titles to the
// words so read.
func homophoneTable(works []knownWork) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, w := range works {
		for _, word := range kanjiWords(w.Title) {
			if seen[word] {
				continue
			}
			seen[word] = true
			r := strings.ReplaceAll(yomi.Reading(word), " ", "")
			out[r] = append(out[r], word)
		}
	}
	for r := range out {
		slices.Sort(out[r])
	}
	return out
}

// kanjiWords are the runs of two or more kanji of s.
func kanjiWords(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && unicode.Is(unicode.Han, rs[j]) {
			j++
		}
		if j-i >= 2 {
			out = append(out, string(rs[i:j]))
		}
		if j == i {
			j++
		}
		i = j
	}
	return out
}

// imeSlip writes one kanji word of the title as another word of the same
// reading, as an input method that picked the wrong one would: only for
// titles the dictionary reads as they are catalogued, and words it reads
// the same in the title as alone.
func imeSlip(w knownWork, homophones map[string][]string) string {
	if !hasKanji(w.Title) || w.TitleYomi == "" {
		return ""
	}
	whole := strings.ReplaceAll(yomi.Reading(w.Title), " ", "")
	if tkey(whole) != tkey(w.TitleYomi) {
		return ""
	}
	for _, word := range kanjiWords(w.Title) {
		r := strings.ReplaceAll(yomi.Reading(word), " ", "")
		for _, other := range homophones[r] {
			if other == word {
				continue
			}
			slip := strings.Replace(w.Title, word, other, 1)
			if tkey(strings.ReplaceAll(yomi.Reading(slip), " ", "")) == tkey(w.TitleYomi) {
				return slip
			}
		}
	}
	return ""
}

// dumpKnownItems writes the set, a query a line, for people to read.
func dumpKnownItems(items []knownItem, path string) error {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\n", it.Kind, it.Q, it.Sort, it.Title, it.Author, it.Check)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
