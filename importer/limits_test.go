package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"hondana/store"
)

// readWith reads b within lim, returning the good records, the bad ones
// and the error that ended the read.
func readWith(t *testing.T, b []byte, f Format, lim Limits) (good []*store.Record, bad []*RecordError, err error) {
	t.Helper()
	err = ReadWith(context.Background(), bytes.NewReader(b), f, lim, func(pos int, rec *store.Record, err error) error {
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("record %d: %T is not a *RecordError", pos, err)
			}
			bad = append(bad, re)
			return nil
		}
		good = append(good, rec)
		return nil
	})
	return good, bad, err
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestDecompressedLimits: a file that decompresses to far more than it
// could (a zip bomb: one 20 MiB line in a few kilobytes) or beyond the
// absolute limit ends with ErrTooBig, the records before it standing.
func TestDecompressedLimits(t *testing.T) {
	t.Parallel()
	in := "id,title\nb1,こころ\nb2," + strings.Repeat("a", 20<<20) + "\nb3,門\n"
	z := gzipped(t, []byte(in))
	if len(z) > 64<<10 {
		t.Fatalf("the bomb is %d bytes compressed", len(z))
	}
	good, _, err := readWith(t, z, CSV, Limits{})
	if !errors.Is(err, ErrTooBig) || len(good) != 1 || good[0].Title != "こころ" {
		t.Errorf("a zip bomb: %d records, err %v", len(good), err)
	}
	plain := "id,title\n" + strings.Repeat("b,こころ\n", 1000)
	if _, _, err := readWith(t, []byte(plain), CSV, Limits{MaxBytes: 4000}); !errors.Is(err, ErrTooBig) {
		t.Errorf("past MaxBytes: %v", err)
	}
	if good, _, err := readWith(t, gzipped(t, []byte(plain)), CSV, Limits{}); err != nil || len(good) != 1000 {
		t.Errorf("an ordinary gzip file: %d records, %v", len(good), err)
	}
}

// TestRecordAndFieldLimits: an overlong row (one long line, or a quoted
// field of many lines) and an overlong field are each reported and
// skipped, and the rows after them are read.
func TestRecordAndFieldLimits(t *testing.T) {
	t.Parallel()
	lim := Limits{MaxRecord: 200, MaxField: 30}
	for _, f := range []Format{CSV, TSV} {
		sep := map[Format]string{CSV: ",", TSV: "\t"}[f]
		row := func(id, title string) string { return id + sep + title + "\n" }
		in := row("id", "title") + row("1", "こころ") + row("2", strings.Repeat("長", 100)) +
			row("3", "門") + row("4", strings.Repeat("x", 31)) + row("5", "それから")
		if f == CSV {
			// A quoted field over many short lines, too long in all.
			in += `6,"` + strings.Repeat("行\n", 100) + "\"\n" + row("7", "草枕")
		}
		good, bad, err := readWith(t, []byte(in), f, lim)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var titles []string
		for _, r := range good {
			titles = append(titles, r.Title)
		}
		want := []string{"こころ", "門", "それから"}
		wantBad := 2
		if f == CSV {
			want, wantBad = append(want, "草枕"), 3
		}
		if !reflect.DeepEqual(titles, want) || len(bad) != wantBad {
			t.Fatalf("%s: read %q, %d bad: %v", f, titles, len(bad), bad)
		}
		if !strings.Contains(bad[0].Msg, "longer than 200 bytes") || bad[0].Line != 3 ||
			!strings.Contains(bad[1].Msg, "title longer than 30 bytes") {
			t.Errorf("%s: %v, %v", f, bad[0], bad[1])
		}
	}
}

// TestRowsMatchEncodingCSV: the bounded row reader reads what
// encoding/csv reads, for random rows with separators, quotes, line
// breaks (LF and CRLF) and empty fields.
func TestRowsMatchEncodingCSV(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "本", ",", `"`, "\n", "\r\n", " ", "", "x y", `""`}
	for n := 0; n < 300; n++ {
		var rows [][]string
		for range 1 + rng.IntN(5) {
			row := make([]string, 1+rng.IntN(4))
			for i := range row {
				var b strings.Builder
				for range rng.IntN(4) {
					b.WriteString(pieces[rng.IntN(len(pieces))])
				}
				row[i] = b.String()
			}
			if len(row) == 1 && row[0] == "" {
				row[0] = "x" // encoding/csv skips an empty line
			}
			rows = append(rows, row)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = n%2 == 0
		w.WriteAll(rows)
		cr := csv.NewReader(bytes.NewReader(buf.Bytes()))
		cr.FieldsPerRecord = -1
		want, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		r := newRows(bufioReader(buf.Bytes()), ',', 1<<20)
		var got [][]string
		for {
			row, _, _, err := r.next()
			if err != nil {
				break
			}
			got = append(got, row)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nread %q\nwant %q", buf.String(), got, want)
		}
	}
}

// TestOtherRecordKinds: authority and holdings records are not titles:
// each is reported and skipped, not imported as a book.
func TestOtherRecordKinds(t *testing.T) {
	t.Parallel()
	rec := func(leader, title string) string {
		return `<record><leader>` + leader + `</leader><datafield tag="245" ind1="0" ind2="0"><subfield code="a">` +
			title + `</subfield></datafield></record>`
	}
	in := `<collection xmlns="http://www.loc.gov/MARC21/slim">` + rec("00000nam a2200000 i 4500", "こころ") +
		rec("00000nz  a2200000n  4500", "夏目, 漱石") + rec("00000nx  a2200000   4500", "所蔵") + `</collection>`
	good, bad, err := readWith(t, []byte(in), MARCXML, Limits{})
	if err != nil || len(good) != 1 || good[0].Title != "こころ" || len(bad) != 2 ||
		!strings.Contains(bad[0].Msg, "authority record") || !strings.Contains(bad[1].Msg, "holdings record") {
		t.Fatalf("got %d good, bad %v, err %v", len(good), bad, err)
	}
}

// TestDetectJSON: a JSON file is named as such, not read as a table.
func TestDetectJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, head string }{
		{"records.json", `{"leader":"00000nam a2200000 i 4500"}`},
		{"export.dat", `[{"leader":"x","fields":[]}]`},
		{"records.jsonl", `{"a":1}` + "\n" + `{"a":2}`},
	} {
		if _, err := DetectFormat(c.name, []byte(c.head)); !errors.Is(err, ErrJSON) {
			t.Errorf("%s: %v, want ErrJSON", c.name, err)
		}
	}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
