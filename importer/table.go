package importer

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"hondana/isbn"
	"hondana/store"
)

// columns maps the canonical column names to the names a file may use.
// Matching ignores case, spaces, hyphens and underscores.
var columns = map[string][]string{
	"source":         {"source", "id", "recordid", "識別子"},
	"title":          {"title", "書名", "タイトル", "題名", "本タイトル"},
	"title_yomi":     {"titleyomi", "titlekana", "titlereading", "書名ヨミ", "書名よみ", "タイトルヨミ", "ヨミ", "よみ"},
	"subtitle":       {"subtitle", "副書名", "サブタイトル", "副題"},
	"subtitle_yomi":  {"subtitleyomi", "副書名ヨミ", "副題ヨミ"},
	"authors":        {"authors", "author", "creator", "creators", "著者", "著者名", "著者等"},
	"authors_yomi":   {"authorsyomi", "authoryomi", "creatoryomi", "著者ヨミ", "著者名ヨミ"},
	"responsibility": {"responsibility", "statementofresponsibility", "責任表示"},
	"publisher":      {"publisher", "出版者", "出版社"},
	"publisher_yomi": {"publisheryomi", "出版者ヨミ", "出版社ヨミ"},
	"year":           {"year", "出版年", "刊行年"},
	"date":           {"date", "pubdate", "出版日", "出版年月", "出版年月日", "刊行日"},
	"isbn":           {"isbn"},
	"ndc":            {"ndc", "分類", "日本十進分類"},
	"material_type":  {"materialtype", "type", "資料種別"},
	"series":         {"series", "シリーズ", "叢書", "シリーズ名"},
	"series_yomi":    {"seriesyomi", "シリーズヨミ"},
	"volume":         {"volume", "巻次", "巻号"},
	"subjects":       {"subjects", "subject", "件名", "キーワード"},
	"description":    {"description", "summary", "内容", "内容紹介", "注記"},
	"extent":         {"extent", "physicaldescription", "形態", "数量", "ページ数"},
	"language":       {"language", "lang", "言語"},
}

func headerKey(s string) string {
	s = strings.ToLower(clean(strings.TrimPrefix(s, "\uFEFF")))
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s)
}

// readTable reads a generic CSV or TSV catalogue with a header row.
func readTable(ctx context.Context, br *bufio.Reader, sep byte, lim Limits, fn func(int, *store.Record, error) error) error {
	rows := newRows(br, sep, lim.record())
	header, _, _, err := rows.next()
	if err == io.EOF {
		return errors.New("importer: empty file: no header row")
	}
	if err != nil {
		return fmt.Errorf("importer: read header: %w", err)
	}
	index := map[string]int{}
	for i, h := range header {
		k := headerKey(h)
		for name, aliases := range columns {
			for _, a := range aliases {
				if _, dup := index[name]; !dup && k == headerKey(a) {
					index[name] = i
				}
			}
		}
	}
	if _, ok := index["title"]; !ok {
		return fmt.Errorf("importer: no title column in header %q", header)
	}

	pos := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, line, off, err := rows.next()
		if err == io.EOF {
			return nil
		}
		var re *RecordError
		if err != nil && !errors.As(err, &re) {
			return fmt.Errorf("importer: read: %w", err)
		}
		if re == nil && len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue // blank line
		}
		pos++
		var rec *store.Record
		if re == nil {
			get := func(name string) string {
				if i, ok := index[name]; ok && i < len(row) {
					return row[i]
				}
				return ""
			}
			rec = tableRecord(get)
			if rec.Title == "" {
				rec, re = nil, &RecordError{Offset: off, Line: line, Msg: "no title"}
			}
		}
		var recErr error
		if re != nil {
			re.Pos = pos
			recErr = re
		}
		if err := fn(pos, rec, recErr); err != nil {
			return err
		}
	}
}

// tableRecord builds a record from one row; get returns a column's value.
func tableRecord(get func(string) string) *store.Record {
	rec := &store.Record{}
	rec.Title, rec.Subtitle = splitSubtitle(get("title"))
	rec.TitleYomi, rec.SubtitleYomi = splitSubtitle(get("title_yomi"))
	rec.TitleYomi, rec.SubtitleYomi = katakana(rec.TitleYomi), katakana(rec.SubtitleYomi)
	if s := trimISBD(get("subtitle")); s != "" {
		rec.Subtitle = s
	}
	if s := katakana(trimISBD(get("subtitle_yomi"))); s != "" {
		rec.SubtitleYomi = s
	}

	names := splitList(get("authors"), ";", "／")
	yomis := splitList(get("authors_yomi"), ";", "／")
	statement := clean(get("responsibility"))
	seen := map[string]bool{}
	for i, n := range names {
		a := store.Author{Name: inverted(trimISBD(n))}
		if a.Name == "" || seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		if i < len(yomis) {
			a.Yomi = invertedYomi(trimISBD(yomis[i]))
		}
		if a.Role = roleInStatement(a.Name, statement); a.Role == "" {
			a.Role = store.RoleAuthor
		}
		rec.Authors = append(rec.Authors, a)
	}

	rec.Publisher = firstPublisher(get("publisher"))
	rec.PublisherYomi = katakana(firstPublisher(get("publisher_yomi")))
	if rec.Year = firstYear(get("year")); rec.Year == 0 {
		rec.Year = firstYear(get("date"))
	}
	if n, ok := isbn.Normalize(get("isbn")); ok {
		rec.ISBN = n
	}
	rec.NDC = ndcNumber(get("ndc"))
	rec.MaterialType = tableMaterial(get("material_type"))
	rec.Volume = trimISBD(get("volume"))
	series, vol, _ := strings.Cut(clean(get("series")), " ; ")
	rec.Series = trimISBD(series)
	rec.SeriesYomi = katakana(trimISBD(strings.Split(get("series_yomi"), " ; ")[0]))
	if rec.Volume == "" {
		rec.Volume = trimISBD(vol)
	}
	var subjects []string
	for _, s := range splitList(get("subjects"), ";", "；") {
		subjects = append(subjects, trimISBD(s))
	}
	rec.Subjects = dedupe(subjects)
	rec.Description = clean(get("description"))
	rec.Extent = clean(get("extent"))
	if l := strings.ToLower(clean(get("language"))); isLangCode(l) {
		rec.Language = l
	}

	switch {
	case clean(get("source")) != "" && strings.Contains(clean(get("source")), ":"):
		rec.Source = clean(get("source"))
	case clean(get("source")) != "":
		rec.Source = "csv:" + clean(get("source"))
	case rec.ISBN != "":
		rec.Source = "isbn:" + rec.ISBN
	default:
		var names []string
		for _, a := range rec.Authors {
			names = append(names, a.Name)
		}
		h := sha256.Sum256(fmt.Appendf(nil, "%s\x1f%s\x1f%d", rec.Title, strings.Join(names, ";"), rec.Year))
		rec.Source = "csv:sha256-" + hex.EncodeToString(h[:])[:20]
	}
	return rec
}

// firstPublisher keeps the first of several publishers ("日経BP社 ;
// 日経BPマーケティング (発売)") without its place ("トウキョウ : ..."), as
// the MARC mapping does with the first 260 $b.
func firstPublisher(s string) string {
	s, _, _ = strings.Cut(clean(s), " ; ")
	if i := strings.LastIndex(s, " : "); i >= 0 {
		s = s[i+3:]
	}
	return trimISBD(s)
}

// splitSubtitle splits "本タイトル : 副タイトル" at the first " : ".
func splitSubtitle(s string) (title, subtitle string) {
	t, sub, _ := strings.Cut(clean(s), " : ")
	return trimISBD(t), trimISBD(sub)
}

// splitList splits s at any of the separators and drops empty parts.
func splitList(s string, seps ...string) []string {
	for _, sep := range seps[1:] {
		s = strings.ReplaceAll(s, sep, seps[0])
	}
	var out []string
	for _, p := range strings.Split(s, seps[0]) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tableMaterial maps a material type column to the store's values; books
// are what a catalogue without the column holds.
func tableMaterial(s string) string {
	switch strings.ToLower(clean(s)) {
	case store.MaterialMagazine, "serial", "journal", "雑誌", "逐次刊行物":
		return store.MaterialMagazine
	case store.MaterialEbook, "e-book", "電子書籍":
		return store.MaterialEbook
	case store.MaterialAudio, "cd", "sound", "録音資料", "音楽cd":
		return store.MaterialAudio
	case store.MaterialVideo, "dvd", "blu-ray", "映像資料":
		return store.MaterialVideo
	case store.MaterialScore, "楽譜":
		return store.MaterialScore
	case store.MaterialMap, "地図":
		return store.MaterialMap
	case store.MaterialOther, "その他":
		return store.MaterialOther
	}
	return store.MaterialBook
}
