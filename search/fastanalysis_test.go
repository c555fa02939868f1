package search

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// TestFastTokensMatchSegmentation holds fastPieces to what Unicode word
// segmentation makes of the same folded text (see segmentPieces): the
// same pieces, so the same terms in the same order at the same
// positions, over every title, reading, name and publisher of the Aozora
// list and over random text of the characters where the two could part.
func TestFastTokensMatchSegmentation(t *testing.T) {
	t.Parallel()
	rows := aozoraRows(t)
	var texts []string
	for _, r := range rows[1:] {
		// 作品名, 作品名読み, 副題, 副題読み, 姓, 名, 姓読み, 名読み, 姓ローマ字, 底本名1, 底本出版社名1
		for _, c := range []int{1, 2, 4, 5, 15, 16, 17, 18, 21, 27, 28} {
			texts = append(texts, r[c])
		}
		texts = append(texts, r[15]+" "+r[16], r[17]+" "+r[18])
	}
	// Random text of the characters around the fast path's edges.
	alphabet := []rune("abcxyz019AZ ー・ァアカガヴヺヽヾヿ漢字猫川々〆〇㐀丂龥豈ひらがなゝゞ゛゜\u3099\u309a" +
		"０９ＡＺａｚｱｶﾞｰ.,-'_:/&@#()「」、。！？éßΩж한글😀\u3000\t一二十百第夜")
	// And of the characters the fast path takes, so that it meets every
	// neighbourhood of them.
	fastAlphabet := []rune("abz09 ーァアカヴヺ漢猫川㐀丂龥AＺｱ一十第夜")
	texts = append(texts, randomTexts(1, 20000, 12, alphabet, fastAlphabet)...)

	a := jaAnalyzer{tokenizer: unicodetok.NewUnicodeTokenizer()}
	describe := func(text []byte, pcs []piece) string {
		s := ""
		for _, p := range pcs {
			s += fmt.Sprintf("%q/%d ", text[p.start:p.end], p.kind)
		}
		return s
	}
	fast, slow := 0, 0
	for _, text := range texts {
		folded := []byte(searchText(text))
		got, ok := fastPieces(nil, folded)
		if !ok {
			slow++
			continue
		}
		fast++
		if g, w := describe(folded, joinNumbers(got)), describe(folded, a.segmentPieces(nil, folded)); g != w {
			t.Errorf("%q:\n fast %s\n want %s", text, g, w)
		}
	}
	t.Logf("%d analyses by the fast path, %d by segmentation", fast, slow)
	if fast < slow {
		t.Errorf("only %d of %d analyses took the fast path", fast, fast+slow)
	}
}

// aozoraRows reads the Aozora Bunko list the demo catalogue is made of
// (the repository's copy of shared/data/aozora), header first.
func aozoraRows(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../demo/data/aozora.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSearchTextFast holds searchText, which folds in one pass where
// foldCommon takes the text, to its definition by the whole of Fold, over
// the Aozora list and random text around the edges of the characters
// foldCommon takes.
func TestSearchTextFast(t *testing.T) {
	t.Parallel()
	alphabet := []rune("aZz09 =・、ー\t\n\u3000ぁゖゝゞゟァヺヽヾヿヲヂヅをぢづヵヶゕゖ漢字猫川國學鷗澤龍櫻㐀丂龥豈々〆" +
		"\u3099\u309a゛゜ｶﾞＡａ①éΩ😀\x00\x7f.-'")
	fastAlphabet := []rune("aZz09 =・ー\tぁゖァヺヲヂヅをぢづヵヶ漢猫川國學鷗澤㐀丂龥")
	checkFastPath(t, randomTexts(5, 50000, 10, alphabet, fastAlphabet), func(s string) (string, bool) {
		_, ok := foldCommon(nil, s)
		return searchText(s), ok
	}, func(s string) string {
		return string(numerals(nil, dropJoiners(spellings([]rune(foldAny(s))))))
	})
}

// TestFoldCommon holds Fold's one-pass path to the whole of Fold.
func TestFoldCommon(t *testing.T) {
	t.Parallel()
	checkFastPath(t, randomTexts(7, 50000, 10, []rune("aZz09 \t\nぁゖァヺヵヶ・ー漢猫國學鷗㐀龥"),
		[]rune("aZ ・ー國學ヵゝヽ々\u3000\u3099゛ｶﾞＡ①é")), func(s string) (string, bool) {
		runes, ok := foldCommon(nil, s)
		return string(runes), ok
	}, foldAny)
}

// checkFastPath holds fast to whole wherever fast takes the text, over
// every field of the Aozora list and the random texts, and makes sure
// fast takes most of them.
func checkFastPath(t *testing.T, random []string, fast func(string) (string, bool), whole func(string) string) {
	t.Helper()
	var texts []string
	for _, r := range aozoraRows(t)[1:] {
		texts = append(texts, r...)
	}
	texts = append(texts, random...)
	took := 0
	for _, text := range texts {
		got, ok := fast(text)
		if !ok {
			continue
		}
		took++
		if want := whole(text); got != want {
			t.Errorf("%q: fast path %q, whole %q", text, got, want)
		}
	}
	t.Logf("%d of %d texts by the fast path", took, len(texts))
	if took < len(texts)/2 {
		t.Errorf("only %d of %d texts took the fast path", took, len(texts))
	}
}

// randomTexts makes n strings of 1 to maxLen runes from each alphabet.
func randomTexts(seed uint64, n, maxLen int, alphabets ...[]rune) []string {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []string
	for _, a := range alphabets {
		for range n {
			rs := make([]rune, 1+rng.IntN(maxLen))
			for i := range rs {
				rs[i] = a[rng.IntN(len(a))]
			}
			out = append(out, string(rs))
		}
	}
	return out
}
