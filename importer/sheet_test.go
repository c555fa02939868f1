package importer

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestParseDate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-04-01", "2026-04-01"},
		{"2026/4/1", "2026-04-01"},
		{"２０２６／４／１", "2026-04-01"},
		{"2026.4.1", "2026-04-01"},
		{"20260401", "2026-04-01"},
		{"2026年4月1日", "2026-04-01"},
		{"令和8年4月1日", "2026-04-01"},
		{"令和元年5月1日", "2019-05-01"},
		{"R8.4.1", "2026-04-01"},
		{"平成2年12月24日", "1990-12-24"},
		{"H31/4/30", "2019-04-30"},
		{"昭和64年1月7日", "1989-01-07"},
		{"2026/4/1 10:00:00", "2026-04-01"},
		{"2026-02-29", ""},
		{"令和元年4月30日", ""}, // before the era began
		{"1990-13-01", ""},
		{"4/1", ""},
		{"明日", ""},
		{"", ""},
	} {
		got, err := ParseDate(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// TestSheetMixedEncodings: a file that begins as UTF-8 and turns to
// Shift_JIS after the first 64 KiB has those rows reported, not read
// as garbage.
func TestSheetMixedEncodings(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("card,name\n")
	for b.Len() < sniffBytes+100 {
		b.WriteString("100000017,Yamada\n")
	}
	sjis, _ := japanese.ShiftJIS.NewEncoder().String("100000025,山田\n")
	b.WriteString(sjis)
	s, err := OpenSheet(&b, Limits{}, map[string][]string{"card": {"card"}, "name": {"name"}})
	if err != nil || s.Encoding != "UTF-8" {
		t.Fatal(s, err)
	}
	for {
		r, err := s.Next(context.Background())
		if err == io.EOF {
			t.Fatal("the Shift_JIS row was read without complaint")
		}
		if r.Err != nil {
			if !strings.Contains(r.Err.Error(), "not UTF-8") || r.Get("name") != "" {
				t.Errorf("row %d: %v", r.Line, r.Err)
			}
			return
		}
		if r.Get("name") != "Yamada" {
			t.Fatalf("row %d: %q", r.Line, r.Get("name"))
		}
	}
}

func TestSheetEncodings(t *testing.T) {
	cols := map[string][]string{"card": {"card", "利用者番号"}, "name": {"name", "氏名"}, "yomi": {"name_yomi", "ヨミ"}}
	text := "利用者番号,氏名,ヨミ,備考\r\n100000017,髙橋 ①子,ﾀｶﾊｼ,x\r\n\r\n\"100000025\",\"山田, \"\"太郎\"\"\",ヤマダ,\r\n100000033,\"壊れ\"た,,\r\n"
	sjis, err := japanese.ShiftJIS.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, data, enc string
	}{
		{"utf-8", text, "UTF-8"},
		{"utf-8 bom", "\uFEFF" + text, "UTF-8"},
		{"shift_jis", sjis, "Shift_JIS"},
		{"tsv", strings.NewReplacer(",", "\t", `"`, "").Replace(strings.Split(text, "\r\n")[0] + "\n" + "100000017\t髙橋 ①子\tﾀｶﾊｼ\n"), "UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := OpenSheet(bytes.NewReader([]byte(c.data)), Limits{}, cols)
			if err != nil {
				t.Fatal(err)
			}
			if s.Encoding != c.enc || !s.Has("card") || !s.Has("yomi") || len(s.Unknown) != 1 || s.Unknown[0] != "備考" {
				t.Fatalf("sheet %+v", s)
			}
			r, err := s.Next(context.Background())
			if err != nil || r.Line != 2 || r.Get("card") != "100000017" || r.Get("name") != "髙橋 ①子" || r.Get("yomi") != "ﾀｶﾊｼ" {
				t.Fatalf("row 1: %+v %v", r, err)
			}
			if c.name == "tsv" {
				return
			}
			r, err = s.Next(context.Background())
			if err != nil || r.Line != 4 || r.Get("name") != `山田, "太郎"` {
				t.Fatalf("row 2 (after a blank line): %+v %v", r, err)
			}
			r, err = s.Next(context.Background())
			if err != nil || r.Line != 5 || r.Err == nil {
				t.Fatalf("row 3 should be unreadable: %+v %v", r, err)
			}
			if _, err := s.Next(context.Background()); err != io.EOF {
				t.Fatalf("end: %v", err)
			}
		})
	}
}
