package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"hondana/store"
)

// field is one field for buildISO2709: a control field's value, or a data
// field's indicators and subfields written with '$' for the delimiter.
type field struct{ tag, data string }

// buildISO2709 writes one record in ISO 2709 framing. leader09 is 'a' for
// UTF-8 and ' ' for MARC-8.
func buildISO2709(leader09 byte, fields ...field) []byte {
	var dir, data bytes.Buffer
	for _, f := range fields {
		d := f.data
		if !strings.HasPrefix(f.tag, "00") {
			d = strings.ReplaceAll(d, "$", "\x1f")
		}
		d += "\x1e"
		fmt.Fprintf(&dir, "%s%04d%05d", f.tag, len(d), data.Len())
		data.WriteString(d)
	}
	base := 24 + dir.Len() + 1
	total := base + data.Len() + 1
	leader := fmt.Sprintf("%05dnam %c22%05d   4500", total, leader09, base)
	return []byte(leader + dir.String() + "\x1e" + data.String() + "\x1d")
}

// readAll reads b and returns the good records and the errors.
func readAll(t *testing.T, b []byte, f Format) ([]*store.Record, []*RecordError) {
	t.Helper()
	good, bad, err := readWith(t, b, f, Limits{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for i, rec := range good {
		checkStrings(t, "input", i+1, rec)
	}
	return good, bad
}

var ndlFields = []field{
	{"001", "029455884"},
	{"003", "JTNDL"},
	{"008", "190212s2019    ja ||||g |||| ||||||jpn  "},
	{"020", "  $a978-4-7949-7075-6 :$c1700円"},
	{"084", "  $aUE13$2kktb"},
	{"084", "  $a023$2njb/10"},
	{"245", "00$6880-01$aこれからの本の話をしよう /$c萩野正昭 著."},
	{"260", "  $6880-02$a東京 :$b晶文社,$c2019.2."},
	{"650", " 7$6880-03$a電子書籍$2ndlsh"},
	{"700", "1 $6880-04$a萩野, 正昭"},
	{"880", "00$6245-01/$1$aコレカラ ノ ホン ノ ハナシ オ シヨウ."},
	{"880", "00$6245-01/(B$aKorekara no hon no hanashi o shiyo."},
	{"880", "  $6260-02/$1$bショウブンシャ."},
	{"880", "1 $6700-04/(B$aHagino, Masaki"},
	{"880", "1 $6700-04/$1$aハギノ, マサアキ"},
}

var ndlWant = store.Record{
	Source: "marc:JTNDL:029455884", Title: "これからの本の話をしよう", TitleYomi: "コレカラ ノ ホン ノ ハナシ オ シヨウ",
	Authors:   []store.Author{{Name: "萩野正昭", Yomi: "ハギノ マサアキ", Role: store.RoleAuthor}},
	Publisher: "晶文社", PublisherYomi: "ショウブンシャ", Year: 2019, NDC: "023", ISBN: "9784794970756",
	MaterialType: store.MaterialBook, Subjects: []string{"電子書籍"}, Language: "jpn",
}

func TestISO2709(t *testing.T) {
	good := buildISO2709('a', ndlFields...)
	marc8 := buildISO2709(' ',
		field{"001", "m8"},
		// ANSEL acute (0xE2) before its letter, an escape to Basic Latin, and a
		// translator given by relator code.
		field{"245", "10$aL'autre monde, mythes et l\xe2egendes :$ble purgatoire /$cF\xe2elice."},
		field{"100", "1 $aF\xe2elice, Philippe de,$4trl"},
		field{"260", "  $aParis :$b\x1b(BChampion,$c1906."},
	)
	badLen := buildISO2709('a', field{"001", "x"}, field{"245", "00$aBroken"})
	copy(badLen[0:5], "00999")
	noTitle := buildISO2709('a', field{"001", "y"}, field{"100", "1 $aNobody"})
	truncated := buildISO2709('a', field{"001", "z"}, field{"245", "00$aLast"})
	truncated = truncated[:len(truncated)-1]

	var in []byte
	for _, r := range [][]byte{good, badLen, marc8, []byte("\r\n"), noTitle, truncated} {
		in = append(in, r...)
	}
	recs, bad := readAll(t, in, MARC21)
	if len(recs) != 2 || len(bad) != 3 {
		t.Fatalf("got %d good, %d bad (%v); want 2 and 3", len(recs), len(bad), bad)
	}
	if !reflect.DeepEqual(*recs[0], ndlWant) {
		t.Errorf("NDL record:\ngot  %+v\nwant %+v", *recs[0], ndlWant)
	}
	m := recs[1]
	if m.Title != "L'autre monde, mythes et légendes" || m.Subtitle != "le purgatoire" || m.Publisher != "Champion" ||
		m.Year != 1906 || len(m.Authors) != 1 || m.Authors[0] != (store.Author{Name: "Félice, Philippe de", Role: store.RoleTranslator}) {
		t.Errorf("MARC-8 record: %+v", *m)
	}
	wantBad := []struct {
		pos    int
		offset int64
		msg    string
	}{
		{2, int64(len(good)), "record length"},
		{4, int64(len(good) + len(badLen) + len(marc8) + 2), "no title"},
		{5, int64(len(good) + len(badLen) + len(marc8) + 2 + len(noTitle)), "terminator"},
	}
	for i, w := range wantBad {
		if bad[i].Pos != w.pos || bad[i].Offset != w.offset || !strings.Contains(bad[i].Msg, w.msg) {
			t.Errorf("bad[%d] = %+v, want pos %d offset %d %q", i, bad[i], w.pos, w.offset, w.msg)
		}
	}
}

func TestMARCXML(t *testing.T) {
	in := `<?xml version="1.0"?>
<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim">
<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>
 <marc:controlfield tag="001">1</marc:controlfield>
 <marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">First /</marc:subfield></marc:datafield>
</marc:record>
<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>
 <marc:controlfield tag="001">2&#x1f;</marc:controlfield>
 <marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">Broken` + "\x1f" + `</marc:subfield></marc:datafield>
</marc:record>
<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>
 <marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield>No code</marc:subfield></marc:datafield>
</marc:record>
<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000cas a2200000 i 4500</leader>
 <controlfield tag="001">4</controlfield><controlfield tag="003">X</controlfield>
 <datafield tag="245" ind1="0" ind2="0"><subfield code="a">Fourth &amp; last.</subfield></datafield>
</record>
</marc:collection>`
	recs, bad := readAll(t, []byte(in), MARCXML)
	if len(recs) != 2 || len(bad) != 2 {
		t.Fatalf("got %d good, %d bad (%v); want 2 and 2", len(recs), len(bad), bad)
	}
	if recs[0].Title != "First" || recs[0].Source != "marc::1" {
		t.Errorf("first: %+v", *recs[0])
	}
	if recs[1].Title != "Fourth & last" || recs[1].Source != "marc:X:4" || recs[1].MaterialType != store.MaterialMagazine {
		t.Errorf("fourth: %+v", *recs[1])
	}
	if bad[0].Pos != 2 || !strings.Contains(bad[0].Msg, "malformed XML") {
		t.Errorf("bad[0] = %+v", bad[0])
	}
	if bad[1].Pos != 3 || !strings.Contains(bad[1].Msg, "without a code") {
		t.Errorf("bad[1] = %+v", bad[1])
	}
}

// TestMARCXMLSameAsISO2709 checks that a record gives the same result in
// both MARC encodings.
func TestMARCXMLSameAsISO2709(t *testing.T) {
	var x strings.Builder
	x.WriteString(`<record><leader>00000nam a2200000zi 4500</leader>`)
	for _, f := range ndlFields {
		if strings.HasPrefix(f.tag, "00") {
			fmt.Fprintf(&x, `<controlfield tag="%s">%s</controlfield>`, f.tag, f.data)
			continue
		}
		fmt.Fprintf(&x, `<datafield tag="%s" ind1="%c" ind2="%c">`, f.tag, f.data[0], f.data[1])
		for _, sf := range strings.Split(f.data[3:], "$") {
			// "$6245-01/$1" holds a "$" of its own: join it back.
			fmt.Fprintf(&x, `<subfield code="%c">%s</subfield>`, sf[0], sf[1:])
		}
		x.WriteString(`</datafield>`)
	}
	x.WriteString(`</record>`)
	s := strings.ReplaceAll(x.String(), `<subfield code="6">245-01/</subfield><subfield code="1"></subfield>`, `<subfield code="6">245-01/$1</subfield>`)
	s = strings.ReplaceAll(s, `<subfield code="6">700-04/</subfield><subfield code="1"></subfield>`, `<subfield code="6">700-04/$1</subfield>`)
	s = strings.ReplaceAll(s, `<subfield code="6">260-02/</subfield><subfield code="1"></subfield>`, `<subfield code="6">260-02/$1</subfield>`)
	recs, bad := readAll(t, []byte(s), MARCXML)
	if len(recs) != 1 || len(bad) != 0 {
		t.Fatalf("got %d good, %d bad (%v)", len(recs), len(bad), bad)
	}
	if !reflect.DeepEqual(*recs[0], ndlWant) {
		t.Errorf("got  %+v\nwant %+v", *recs[0], ndlWant)
	}
}

func TestCSV(t *testing.T) {
	in := "\uFEFFID,書名,書名ヨミ,著者,著者ヨミ,出版社,出版年,ISBN,NDC,資料種別,件名\n" +
		`b1,"こころ : 新装版",こころ,"夏目 漱石／Smith, John",なつめ そうせき,岩波書店,1991年,4101010013,913.6(njb/10),,"小説;明治"` + "\n" +
		`b2,,,,,,,,,,` + "\n" +
		`,"A ""quoted"" title",,"Austen, Jane",,,"c1990.",,,magazine,` + "\n" +
		`,本,,,,,,978-4-7949-7075-6,,,` + "\n" +
		`,bad "quote",,,,,,,,,` + "\n" +
		`,after,,,,,,,,,` + "\n"
	recs, bad := readAll(t, []byte(in), CSV)
	if len(recs) != 4 || len(bad) != 2 {
		t.Fatalf("got %d good, %d bad (%v)", len(recs), len(bad), bad)
	}
	want := store.Record{
		Source: "csv:b1", Title: "こころ", Subtitle: "新装版", TitleYomi: "ココロ",
		Authors:   []store.Author{{Name: "夏目 漱石", Yomi: "ナツメ ソウセキ", Role: store.RoleAuthor}, {Name: "Smith, John", Role: store.RoleAuthor}},
		Publisher: "岩波書店", Year: 1991, ISBN: "9784101010014", NDC: "913.6", MaterialType: store.MaterialBook,
		Subjects: []string{"小説", "明治"},
	}
	if !reflect.DeepEqual(*recs[0], want) {
		t.Errorf("got  %+v\nwant %+v", *recs[0], want)
	}
	if bad[0].Pos != 2 || bad[0].Line != 3 || !strings.Contains(bad[0].Msg, "no title") {
		t.Errorf("bad = %+v", bad[0])
	}
	if r := recs[1]; r.Title != `A "quoted" title` || r.Year != 1990 || r.MaterialType != store.MaterialMagazine ||
		!strings.HasPrefix(r.Source, "csv:sha256-") {
		t.Errorf("third row: %+v", *r)
	}
	if bad[1].Pos != 5 || bad[1].Line != 6 || recs[3].Title != "after" {
		t.Errorf("bad quote not skipped: %+v, then %q", bad[1], recs[3].Title)
	}
	if r := recs[2]; r.Source != "isbn:9784794970756" {
		t.Errorf("fourth row source %q", r.Source)
	}
}

func TestTSV(t *testing.T) {
	in := "title\tauthors\tauthors_yomi\tresponsibility\tseries\tdate\n" +
		"本の話 : 副題\t萩野, 正昭;田中, 一郎\tハギノ, マサアキ;タナカ, イチロウ\t萩野正昭 著 ; 田中一郎 訳\tMF文庫J ; あ-22-02\t2019.2\r\n" +
		"\t\t\t\t\t\n" +
		"\"quoted\tno\"\t\t\t\t\t\n"
	recs, bad := readAll(t, []byte(in), TSV)
	if len(recs) != 2 || len(bad) != 1 {
		t.Fatalf("got %d good, %d bad (%v)", len(recs), len(bad), bad)
	}
	r := recs[0]
	wantAuthors := []store.Author{
		{Name: "萩野正昭", Yomi: "ハギノ マサアキ", Role: store.RoleAuthor},
		{Name: "田中一郎", Yomi: "タナカ イチロウ", Role: store.RoleTranslator},
	}
	if r.Title != "本の話" || r.Subtitle != "副題" || r.Series != "MF文庫J" || r.Volume != "あ-22-02" || r.Year != 2019 ||
		!reflect.DeepEqual(r.Authors, wantAuthors) {
		t.Errorf("got %+v", *r)
	}
	if recs[1].Title != `"quoted` {
		t.Errorf("TSV must not unquote: %q", recs[1].Title)
	}
}

func TestReadGzipAndErrors(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte("title\nOne\nTwo\n"))
	zw.Close()
	recs, _ := readAll(t, z.Bytes(), CSV)
	if len(recs) != 2 {
		t.Errorf("gzip: got %d records, want 2", len(recs))
	}

	stop := errors.New("stop")
	calls := 0
	err := Read(context.Background(), bytes.NewReader(z.Bytes()), CSV, func(int, *store.Record, error) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("callback error: got %v after %d calls, want it returned as is after 1", err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Read(ctx, strings.NewReader("title\nOne\n"), CSV, func(int, *store.Record, error) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	if err := Read(context.Background(), strings.NewReader("foo,bar\n1,2\n"), CSV, func(int, *store.Record, error) error { return nil }); err == nil {
		t.Error("CSV without a title column: want an error")
	}
	if err := Read(context.Background(), strings.NewReader("not xml"), MARCXML, func(int, *store.Record, error) error { return nil }); err == nil {
		t.Error("XML without records: want an error")
	}
}

func TestDetectFormat(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(`"作品ID","作品名","人物ID"` + "\n"))
	zw.Close()
	tests := []struct {
		name string
		head []byte
		want Format
	}{
		{"x.mrc", buildISO2709('a', field{"001", "1"}), MARC21},
		{"x.bin", buildISO2709('a', field{"001", "1"}), MARC21},
		{"x.dat", []byte("garbage"), MARC21},
		{"x.txt", []byte("\uFEFF<?xml version=\"1.0\"?><collection>"), MARCXML},
		{"x.xml", []byte(""), MARCXML},
		{"list_person_all_extended_utf8.csv.gz", z.Bytes(), Aozora},
		{"books.csv", []byte("title,author\n"), CSV},
		{"books.txt", []byte("title\tauthor\n"), TSV},
		{"books.TSV", []byte("title,author\n"), TSV},
		{"books", []byte("title;author\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectFormat(tt.name, tt.head)
			if got != tt.want || (tt.want == "") != (err != nil) {
				t.Errorf("DetectFormat(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
		})
	}
}

func TestTrimISBD(t *testing.T) {
	tests := []struct{ in, want string }{
		{"これからの本の話をしよう /", "これからの本の話をしよう"},
		{"東京 :", "東京"},
		{"晶文社,", "晶文社"},
		{"2019.2.", "2019.2"},
		{"Title ;", "Title"},
		{"Parallel =", "Parallel"},
		{"Tolkien, J.R.R.", "Tolkien, J.R.R."},
		{"Wait...", "Wait..."},
		{"  spaced\t out  ", "spaced out"},
		{"ctrl\x01char", "ctrlchar"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"e\u0301", "é"},
		{"\u3000全角空白\u3000", "全角空白"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := trimISBD(tt.in); got != tt.want {
				t.Errorf("trimISBD(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeMARC8(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii", "plain", "plain"},
		{"acute before letter", "caf\xe2e", "café"},
		{"two marks", "\xe3\xe1a", "ầ"},
		{"spacing", "\xa5sop \xb1od\xb2", "Æsop łodø"},
		{"escape skipped", "a\x1b(Bb\x1bsc", "abc"},
		{"cjk unknown", "x\x1b$1\x21\x30\x21\x1b(By", "x\uFFFDy"},
		{"hebrew unknown", "\x1b(2\x60\x1b(Bz", "\uFFFDz"},
		{"superscript", "x\x1bp2\x1bs", "x²"},
		{"trailing mark", "a\xe2", "á"},
		{"unknown high byte", "a\x80b", "a\uFFFDb"},
		{"lone escape", "a\x1b", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeMARC8([]byte(tt.in))
			if got != tt.want || !utf8.ValidString(got) {
				t.Errorf("decodeMARC8(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ family, given, want string }{
		{"夏目", "漱石", "夏目漱石"},
		{"林", "フミ子", "林フミ子"},
		{"アーヴィング", "ワシントン", "アーヴィング ワシントン"},
		{"Doyle", "Arthur Conan", "Doyle Arthur Conan"},
		{"紫式部", "", "紫式部"},
	}
	for _, tt := range tests {
		if got := joinName(tt.family, tt.given); got != tt.want {
			t.Errorf("joinName(%q, %q) = %q, want %q", tt.family, tt.given, got, tt.want)
		}
	}
	if got := inverted("萩野, 正昭"); got != "萩野正昭" {
		t.Errorf("inverted = %q", got)
	}
	if got := inverted("Austen, Jane"); got != "Austen, Jane" {
		t.Errorf("inverted = %q", got)
	}
	if got := invertedYomi("はぎの, まさあき"); got != "ハギノ マサアキ" {
		t.Errorf("invertedYomi = %q", got)
	}
}
