package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"hondana/store"
)

// aozoraWork collects the rows of one work: the index has one row per
// (work, person), and the rows of a work are not always next to each other.
type aozoraWork struct {
	id   string
	rows [][]string
	err  *RecordError // set for a row that could not be read
}

// readAozora reads Aozora Bunko's list_person_all_extended CSV. The whole
// file is read before the first record is passed on, because a work's
// rows can be far apart; records come in order of first appearance.
func readAozora(ctx context.Context, br *bufio.Reader, lim Limits, fn func(int, *store.Record, error) error) error {
	rows := newRows(br, ',', lim.record())
	header, _, _, err := rows.next()
	if err == io.EOF {
		return errors.New("importer: empty file: no header row")
	}
	if err != nil {
		return fmt.Errorf("importer: read aozora header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[clean(strings.TrimPrefix(h, "\uFEFF"))] = i
	}
	for _, need := range []string{"作品ID", "作品名", "人物ID", "姓"} {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("importer: not an Aozora Bunko index: no %s column", need)
		}
	}

	var works []*aozoraWork
	byID := map[string]*aozoraWork{}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, line, off, err := rows.next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			works = append(works, &aozoraWork{err: re})
			continue
		}
		if err != nil {
			return fmt.Errorf("importer: read aozora: %w", err)
		}
		id := cell(row, col, "作品ID")
		if id == "" {
			works = append(works, &aozoraWork{err: &RecordError{Line: line, Offset: off, Msg: "no 作品ID"}})
			continue
		}
		w := byID[id]
		if w == nil {
			w = &aozoraWork{id: id}
			byID[id] = w
			works = append(works, w)
		}
		w.rows = append(w.rows, row)
	}

	for i, w := range works {
		if err := ctx.Err(); err != nil {
			return err
		}
		pos := i + 1
		var rec *store.Record
		var recErr error
		if w.err != nil {
			w.err.Pos = pos
			recErr = w.err
		} else if rec = aozoraRecord(w, col); rec.Title == "" {
			rec, recErr = nil, &RecordError{Pos: pos, Offset: -1, Msg: "作品 " + w.id + ": no 作品名"}
		}
		if err := fn(pos, rec, recErr); err != nil {
			return err
		}
	}
	return nil
}

// cell returns a cleaned cell by column name, "" when absent.
func cell(row []string, col map[string]int, name string) string {
	if i, ok := col[name]; ok && i < len(row) {
		return clean(row[i])
	}
	return ""
}

// aozoraRecord maps one work: titles and readings (in katakana), the
// people with their roles, NDC, the base text's publisher, series and
// year, and the orthography (文字遣い種別) in the description.
func aozoraRecord(w *aozoraWork, col map[string]int) *store.Record {
	row := w.rows[0]
	get := func(name string) string { return cell(row, col, name) }
	rec := &store.Record{
		Source:       "aozora:" + w.id,
		Title:        get("作品名"),
		TitleYomi:    katakana(get("作品名読み")),
		Subtitle:     get("副題"),
		SubtitleYomi: katakana(get("副題読み")),
		MaterialType: store.MaterialBook,
		Language:     "jpn",
	}

	// 分類番号 is "NDC 913", "NDC K913" or "NDC 913 914"; K marks a
	// children's book, which is a facet patrons use.
	for i, c := range strings.Fields(strings.TrimPrefix(get("分類番号"), "NDC")) {
		if strings.HasPrefix(c, "K") {
			rec.Subjects = append(rec.Subjects, "児童書")
		}
		if i == 0 {
			rec.NDC = ndcNumber(c)
		}
	}
	rec.Subjects = dedupe(rec.Subjects)

	// 底本出版社名1 is often "新潮文庫、新潮社": the series, then the publisher.
	pub := get("底本出版社名1")
	if i := strings.LastIndex(pub, "、"); i >= 0 {
		rec.Series = strings.TrimSpace(pub[:i])
		pub = strings.TrimSpace(pub[i+len("、"):])
	}
	rec.Publisher = pub
	rec.Year = firstYear(get("底本初版発行年1"))

	var desc []string
	for _, c := range []struct{ label, col string }{
		{"文字遣い種別", "文字遣い種別"},
		{"原題", "原題"},
		{"初出", "初出"},
		{"底本", "底本名1"},
	} {
		if v := get(c.col); v != "" {
			desc = append(desc, c.label+": "+v)
		}
	}
	rec.Description = strings.Join(desc, "\n")

	seen := map[string]bool{}
	for _, r := range w.rows {
		get := func(name string) string { return cell(r, col, name) }
		if id := get("人物ID"); id != "" {
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		a := store.Author{
			Name: joinName(get("姓"), get("名")),
			Role: aozoraRole(get("役割フラグ")),
		}
		if a.Name == "" {
			continue
		}
		family, given := katakana(get("姓読み")), katakana(get("名読み"))
		a.Yomi = strings.TrimSpace(family + " " + given)
		rec.Authors = append(rec.Authors, a)
	}
	return rec
}

func aozoraRole(flag string) string {
	switch flag {
	case "著者":
		return store.RoleAuthor
	case "翻訳者":
		return store.RoleTranslator
	case "編者":
		return store.RoleEditor
	}
	return store.RoleOther // 校訂者, その他
}
