package importer

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"hondana/store"
)

const dataDir = "../../shared/data"

// result is what Read gave for one file.
type result struct {
	good []*store.Record
	bad  []*RecordError
}

// readFile reads a shared data file, skipping the test when it is absent.
func readFile(t *testing.T, rel string, f Format) result {
	t.Helper()
	path := filepath.Join(dataDir, rel)
	file, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s not present", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var res result
	err = Read(context.Background(), file, f, func(pos int, rec *store.Record, err error) error {
		if err != nil {
			re, ok := err.(*RecordError)
			if !ok {
				t.Fatalf("%s: record %d: error %T is not a *RecordError: %v", rel, pos, err, err)
			}
			if re.Pos != pos {
				t.Errorf("%s: RecordError.Pos %d, callback pos %d", rel, re.Pos, pos)
			}
			if rec != nil {
				t.Errorf("%s: record %d: both a record and an error", rel, pos)
			}
			res.bad = append(res.bad, re)
			return nil
		}
		if rec == nil {
			t.Fatalf("%s: record %d: neither record nor error", rel, pos)
		}
		if want := len(res.good) + len(res.bad) + 1; pos != want {
			t.Errorf("%s: pos %d, want %d", rel, pos, want)
		}
		checkStrings(t, rel, pos, rec)
		res.good = append(res.good, rec)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: Read: %v", rel, err)
	}
	return res
}

// checkStrings asserts that every string of rec is valid UTF-8, trimmed
// and free of control characters.
func checkStrings(t *testing.T, file string, pos int, rec *store.Record) {
	t.Helper()
	strs := []string{rec.Source, rec.Title, rec.TitleYomi, rec.Subtitle, rec.SubtitleYomi,
		rec.Publisher, rec.PublisherYomi, rec.NDC, rec.ISBN, rec.MaterialType, rec.Series,
		rec.SeriesYomi, rec.Volume, rec.Description, rec.Extent, rec.Language}
	strs = append(strs, rec.Subjects...)
	for _, a := range rec.Authors {
		strs = append(strs, a.Name, a.Yomi, a.Role)
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			t.Errorf("%s: record %d: invalid UTF-8 %q", file, pos, s)
		}
		if s != strings.TrimSpace(s) {
			t.Errorf("%s: record %d: untrimmed %q", file, pos, s)
		}
		for _, r := range s {
			if r < 0x20 && r != '\n' || r == 0x7f {
				t.Errorf("%s: record %d: control character in %q", file, pos, s)
				break
			}
		}
	}
	if rec.Source == "" || rec.Title == "" {
		t.Errorf("%s: record %d: no source or title: %+v", file, pos, rec)
	}
}

func find(recs []*store.Record, match func(*store.Record) bool) *store.Record {
	for _, r := range recs {
		if match(r) {
			return r
		}
	}
	return nil
}

func TestAozora(t *testing.T) {
	res := readFile(t, "aozora/list_person_all_extended_utf8.csv.gz", Aozora)
	t.Logf("aozora: %d good, %d bad", len(res.good), len(res.bad))
	if len(res.good) != 17780 || len(res.bad) != 0 {
		t.Errorf("got %d good and %d bad records, want 17780 and 0", len(res.good), len(res.bad))
	}
	sources := map[string]bool{}
	for _, r := range res.good {
		if sources[r.Source] {
			t.Errorf("duplicate source %s", r.Source)
		}
		sources[r.Source] = true
	}

	soseki := store.Author{Name: "夏目漱石", Yomi: "ナツメ ソウセキ", Role: store.RoleAuthor}
	tests := []struct {
		source string
		want   store.Record
	}{
		{"aozora:000773", store.Record{
			Source: "aozora:000773", Title: "こころ", TitleYomi: "ココロ",
			Authors:   []store.Author{soseki},
			Publisher: "集英社", Series: "集英社文庫", Year: 1991, NDC: "913",
			MaterialType: store.MaterialBook, Language: "jpn",
			Description: "文字遣い種別: 新字新仮名\n初出: 「朝日新聞」1914（大正3）年4～8月\n底本: こころ",
		}},
		{"aozora:000752", store.Record{
			Source: "aozora:000752", Title: "坊っちゃん", TitleYomi: "ボッチャン",
			Authors:   []store.Author{soseki},
			Publisher: "筑摩書房", Year: 1992, NDC: "913",
			MaterialType: store.MaterialBook, Language: "jpn",
			Description: "文字遣い種別: 新字新仮名\n初出: 「ホトトギス」1906（明治39）年4月\n底本: ちくま日本文学全集　夏目漱石",
		}},
		{"aozora:059898", store.Record{
			Source: "aozora:059898", Title: "ウェストミンスター寺院", TitleYomi: "ウェストミンスタージイン",
			Authors: []store.Author{
				{Name: "アーヴィング ワシントン", Yomi: "アーヴィング ワシントン", Role: store.RoleAuthor},
				{Name: "吉田甲子太郎", Yomi: "ヨシダ キネタロウ", Role: store.RoleTranslator},
			},
			Publisher: "新潮社", Series: "新潮文庫", Year: 1957, NDC: "933",
			MaterialType: store.MaterialBook, Language: "jpn",
			Description: "文字遣い種別: 新字新仮名\n底本: スケッチ・ブック",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			got := find(res.good, func(r *store.Record) bool { return r.Source == tt.source })
			if got == nil {
				t.Fatalf("no record %s", tt.source)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestNDL(t *testing.T) {
	mrc := readFile(t, "ndl_jpmarc/ndl_jpmarc_233.mrc", MARC21)
	xml := readFile(t, "ndl_jpmarc/ndl_jpmarc_233.marcxml", MARCXML)
	tsv := readFile(t, "ndl_jpmarc/ndl_jpmarc_233.flat.tsv", TSV)
	for name, res := range map[string]result{"mrc": mrc, "marcxml": xml, "tsv": tsv} {
		t.Logf("ndl %s: %d good, %d bad", name, len(res.good), len(res.bad))
		if len(res.good) != 233 || len(res.bad) != 0 {
			t.Errorf("%s: got %d good and %d bad records, want 233 and 0: %v", name, len(res.good), len(res.bad), res.bad)
		}
	}
	if len(mrc.good) != len(xml.good) || len(mrc.good) != len(tsv.good) {
		t.FailNow()
	}
	for i := range mrc.good {
		m, x, v := mrc.good[i], xml.good[i], tsv.good[i]
		if !reflect.DeepEqual(m, x) {
			t.Errorf("record %d: MARC21 and MARCXML differ:\n%+v\n%+v", i+1, *m, *x)
		}
		// The flat TSV has the volume and parallel title inside the title
		// column, so only its start has to agree with MARC.
		if !strings.HasPrefix(v.Title, m.Title) || !strings.HasPrefix(v.TitleYomi, m.TitleYomi) ||
			m.ISBN != v.ISBN || m.NDC != v.NDC || m.Year != v.Year || m.Publisher != v.Publisher ||
			m.Extent != v.Extent || len(m.Authors) != len(v.Authors) {
			t.Errorf("record %d: MARC21 and TSV differ:\n%+v\n%+v", i+1, *m, *v)
		}
	}

	want := store.Record{
		Source: "marc:JTNDL:029455884", Title: "これからの本の話をしよう", TitleYomi: "コレカラ ノ ホン ノ ハナシ オ シヨウ",
		Authors:   []store.Author{{Name: "萩野正昭", Yomi: "ハギノ マサアキ", Role: store.RoleAuthor}},
		Publisher: "晶文社", PublisherYomi: "ショウブンシャ", Year: 2019, NDC: "023", ISBN: "9784794970756",
		MaterialType: store.MaterialBook, Subjects: []string{"電子書籍", "電子出版"}, Extent: "301p ; 19cm", Language: "jpn",
	}
	if got := mrc.good[0]; !reflect.DeepEqual(*got, want) {
		t.Errorf("first record:\ngot  %+v\nwant %+v", *got, want)
	}
}

// edgeCounts are the good and bad records known for each MARC fixture.
// Bad ones are broken on purpose (lengths, directories, leaders, XML) or
// have no title (UNIMARC, authority-like records); a change here is a
// change of behaviour to look at.
var edgeCounts = map[string][2]int{
	"marc_edgecases/pymarc/1251.dat":                             {6, 0},
	"marc_edgecases/pymarc/alphatag.dat":                         {1, 0},
	"marc_edgecases/pymarc/bad_eacc_encoding.dat":                {1, 0},
	"marc_edgecases/pymarc/bad_indicator.dat":                    {0, 1}, // 23-byte leader
	"marc_edgecases/pymarc/bad_marc8_escape.dat":                 {1, 0},
	"marc_edgecases/pymarc/bad_records.mrc":                      {2, 6},
	"marc_edgecases/pymarc/bad_subfield_code.dat":                {0, 1}, // leader length off by one
	"marc_edgecases/pymarc/bad_tag.xml":                          {0, 1},
	"marc_edgecases/pymarc/batch.xml":                            {2, 0},
	"marc_edgecases/pymarc/diacritic.dat":                        {1, 0},
	"marc_edgecases/pymarc/marc.dat":                             {20, 0},
	"marc_edgecases/pymarc/marc8.dat":                            {1, 0},
	"marc_edgecases/pymarc/multi_isbn.dat":                       {1, 0},
	"marc_edgecases/pymarc/one.dat":                              {1, 0},
	"marc_edgecases/pymarc/regression45.dat":                     {12, 0},
	"marc_edgecases/pymarc/test.dat":                             {10, 0},
	"marc_edgecases/pymarc/testunimarc.dat":                      {0, 1}, // UNIMARC: title in 200
	"marc_edgecases/pymarc/utf8.xml":                             {1, 0},
	"marc_edgecases/pymarc/utf8_errors.dat":                      {1, 0},
	"marc_edgecases/pymarc/utf8_invalid.mrc":                     {1, 0},
	"marc_edgecases/pymarc/utf8_with_leader_flag.dat":            {1, 0},
	"marc_edgecases/pymarc/utf8_without_leader_flag.dat":         {1, 0},
	"marc_edgecases/marc4j/bad_oversize_field_bad_directory.mrc": {4, 1},
	"marc_edgecases/marc4j/bad_too_long_plus_2.mrc":              {2, 1},
	"marc_edgecases/marc4j/unordered-directory-entries.mrc":      {1, 0},
	"marc_edgecases/marc4j/chabon-missing-controlfield-tag.xml":  {0, 1},
	"marc_edgecases/marc4j/chabon-missing-datafield-tag.xml":     {0, 1},
	"marc_edgecases/marc4j/chabon-missing-subfield-code.xml":     {0, 1},
	"evergreen_marc/FSL.marc":                                    {52, 0},
	"evergreen_marc/hebrew.marc":                                 {20, 0},
	"evergreen_marc/jazz_1k.mrc":                                 {1000, 0},
	"evergreen_marc/lul_fre_500.mrc":                             {500, 0},
	"evergreen_marc/nepali.marc":                                 {96, 0},
	"evergreen_marc/serials_marc21.xml":                          {7, 0},
	"evergreen_marc/utf8/hebrew.utf8.mrc":                        {20, 0},
	"evergreen_marc/utf8/jazz_1k.utf8.mrc":                       {1000, 0},
	"evergreen_marc/utf8/lul_fre_100.utf8.mrc":                   {100, 0},
	"evergreen_marc/utf8/lul_fre_500.utf8.mrc":                   {500, 0},
	"evergreen_marc/utf8/oss.utf8.mrc":                           {42, 0},
	"koha_sample/koha_sample_bibs.mrc":                           {435, 0},
	"koha_sample/koha_sample_bibs.wellformed.marcxml":            {435, 0},
}

// TestEdgeCases reads every MARC fixture: none may panic or stop the
// import, every string must be valid, and the counts are as known.
func TestEdgeCases(t *testing.T) {
	var files []string
	for _, pattern := range []string{"marc_edgecases/pymarc/*", "marc_edgecases/marc4j/*", "evergreen_marc/*",
		"evergreen_marc/utf8/*", "koha_sample/koha_sample_bibs*"} {
		m, _ := filepath.Glob(filepath.Join(dataDir, pattern))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no shared data")
	}
	for _, path := range files {
		rel, _ := filepath.Rel(dataDir, path)
		var f Format
		switch strings.ToLower(filepath.Ext(path)) {
		case ".dat", ".mrc", ".marc":
			f = MARC21
		case ".xml", ".marcxml":
			f = MARCXML
		default:
			continue
		}
		t.Run(rel, func(t *testing.T) {
			res := readFile(t, rel, f)
			t.Logf("%s: %d good, %d bad", rel, len(res.good), len(res.bad))
			for _, b := range res.bad {
				t.Logf("  %v", b)
			}
			if want, ok := edgeCounts[rel]; ok && (len(res.good) != want[0] || len(res.bad) != want[1]) {
				t.Errorf("got %d good and %d bad, want %d and %d", len(res.good), len(res.bad), want[0], want[1])
			}
		})
	}
}

// TestKohaMalformed checks that the one record that is not well-formed
// XML is reported with its position and that the records around it are kept.
func TestKohaMalformed(t *testing.T) {
	res := readFile(t, "koha_sample/koha_sample_bibs.marcxml", MARCXML)
	if len(res.good) < 435 || len(res.bad) != 1 {
		t.Fatalf("got %d good and %d bad, want 435 and 1", len(res.good), len(res.bad))
	}
	bad := res.bad[0]
	if bad.Pos != 368 || bad.Offset <= 0 || !strings.Contains(bad.Msg, "malformed XML") {
		t.Errorf("bad record reported as %+v, want position 368 and a malformed XML message", bad)
	}
	well := readFile(t, "koha_sample/koha_sample_bibs.wellformed.marcxml", MARCXML)
	if !reflect.DeepEqual(res.good, well.good) {
		t.Errorf("the good records differ from those of the well-formed file")
	}
	iso := readFile(t, "koha_sample/koha_sample_bibs.mrc", MARC21)
	for i := range iso.good {
		if i < len(well.good) && !reflect.DeepEqual(iso.good[i], well.good[i]) {
			t.Errorf("record %d: ISO 2709 and MARCXML differ:\n%+v\n%+v", i+1, *iso.good[i], *well.good[i])
		}
	}
}
