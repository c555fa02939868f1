package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
	"golang.org/x/text/width"
)

// A Sheet is a CSV or TSV file of rows under a header, such as a vendor
// system's export of patrons, loans or holds: the header's names (in
// Japanese or English) are matched against the columns a caller knows.
type Sheet struct {
	// Encoding is what the file was read as: "UTF-8" or "Shift_JIS"
	// (CP932, Windows' Shift_JIS, as vendor systems write it).
	Encoding string
	// Sep is ',' or '\t'.
	Sep byte
	// Columns are the canonical names found in the header.
	Columns []string
	// Unknown are the header's names that match no column.
	Unknown []string

	rows  *rowReader
	index map[string]int
}

// A SheetRow is one row of a sheet.
type SheetRow struct {
	Line int // the line the row starts on, 1-based (the header is line 1)
	// Err is set, and the fields empty, for a row that could not be read
	// (a broken quote, a row too long).
	Err    error
	fields []string
	index  map[string]int
}

// Get returns the value of a canonical column, trimmed ("" when the file
// has no such column).
func (r SheetRow) Get(name string) string {
	if i, ok := r.index[name]; ok && i < len(r.fields) {
		return strings.TrimSpace(strings.Trim(r.fields[i], "\u3000"))
	}
	return ""
}

// Blank reports whether every field of the row is empty.
func (r SheetRow) Blank() bool {
	for _, f := range r.fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return r.Err == nil
}

// sniffBytes is how much of a file is looked at to tell its encoding.
const sniffBytes = 64 << 10

// OpenSheet reads the header of a sheet. columns maps each canonical
// column name to the names a header may give it (matched ignoring case,
// width, spaces, hyphens and underscores). The encoding is UTF-8 (with
// or without a byte order mark) when the file's start is valid UTF-8,
// else Shift_JIS; the separator is a tab when the header has more tabs
// than commas.
func OpenSheet(r io.Reader, lim Limits, columns map[string][]string) (*Sheet, error) {
	br := bufio.NewReaderSize(&boundedReader{r: r, lim: lim, compressed: &countingReader{}}, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("importer: read: %w", err)
	}
	s := &Sheet{Encoding: "UTF-8", index: map[string]int{}}
	var in io.Reader = br
	if !validUTF8Prefix(head, len(head) < sniffBytes) {
		s.Encoding = "Shift_JIS"
		in = transform.NewReader(br, japanese.ShiftJIS.NewDecoder())
	}
	ubr := bufio.NewReaderSize(in, 64<<10)
	if bom, _ := ubr.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		ubr.Discard(3)
	}
	first, _ := ubr.Peek(4096)
	line, _, _ := bytes.Cut(first, []byte("\n"))
	s.Sep = ','
	if bytes.Count(line, []byte("\t")) > bytes.Count(line, []byte(",")) {
		s.Sep = '\t'
	}
	s.rows = newRows(ubr, s.Sep, lim.record())
	header, _, _, err := s.rows.next()
	if err == io.EOF {
		return nil, errors.New("importer: empty file: no header row")
	}
	if err != nil {
		return nil, fmt.Errorf("importer: read header: %w", err)
	}
	for i, h := range header {
		k := sheetKey(h)
		found := ""
		for name, aliases := range columns {
			for _, a := range aliases {
				if k == sheetKey(a) {
					found = name
				}
			}
		}
		if _, dup := s.index[found]; found == "" || dup {
			if strings.TrimSpace(h) != "" {
				s.Unknown = append(s.Unknown, h)
			}
			continue
		}
		s.index[found] = i
		s.Columns = append(s.Columns, found)
	}
	return s, nil
}

// Has reports whether the header named a canonical column.
func (s *Sheet) Has(name string) bool { _, ok := s.index[name]; return ok }

// Next returns the next row that is not blank; io.EOF ends the sheet.
// Any other error is the reader's (the file as a whole is unusable).
func (s *Sheet) Next(ctx context.Context) (SheetRow, error) {
	for {
		if err := ctx.Err(); err != nil {
			return SheetRow{}, err
		}
		fields, line, off, err := s.rows.next()
		if err == io.EOF {
			return SheetRow{}, io.EOF
		}
		var re *RecordError
		if err != nil && !errors.As(err, &re) {
			return SheetRow{}, fmt.Errorf("importer: read: %w", err)
		}
		row := SheetRow{Line: line, fields: fields, index: s.index}
		if re != nil {
			re.Offset = off
			row.Err = errors.New(re.Msg)
			return row, nil
		}
		for _, f := range fields {
			if !utf8.ValidString(f) {
				// UTF-8 at the start, something else here: rather than a
				// name garbled in the database, the row is reported.
				row.fields, row.Err = nil, errors.New("not UTF-8 although the file begins as UTF-8 (save the whole file in one encoding)")
				return row, nil
			}
		}
		if row.Blank() {
			continue
		}
		return row, nil
	}
}

// sheetKey is a header name as matched: full-width letters and digits
// narrowed, half-width katakana widened, lower case, without spaces,
// hyphens, underscores and a byte order mark.
func sheetKey(s string) string {
	s = width.Fold.String(strings.TrimPrefix(strings.TrimSpace(s), "\uFEFF"))
	s = strings.ToLower(s)
	return strings.NewReplacer(" ", "", "\u3000", "", "_", "", "-", "", "・", "").Replace(s)
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut
// at its end unless whole is set (b is the whole file).
func validUTF8Prefix(b []byte, whole bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if whole {
		return false
	}
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}
