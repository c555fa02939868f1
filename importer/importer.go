// Package importer reads catalogue files (MARC21, MARCXML, Aozora Bunko's
// index, generic CSV and TSV) into store.Record values. It writes nothing:
// the caller decides what to do with each record.
package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"hondana/store"
)

// Format names a kind of catalogue file.
type Format string

// The formats Read understands.
const (
	MARC21  Format = "marc21"  // ISO 2709, MARC-8 or UTF-8
	MARCXML Format = "marcxml" // MARC21 slim XML
	CSV     Format = "csv"     // generic CSV with a header row
	TSV     Format = "tsv"     // generic TSV with a header row
	Aozora  Format = "aozora"  // Aozora Bunko's list_person_all_extended CSV
)

// RecordError describes one record that could not be read. The record is
// skipped; reading goes on with the next one.
type RecordError struct {
	Pos    int   // 1-based record number in the file
	Offset int64 // byte offset of the record in the (uncompressed) file, -1 when unknown
	Line   int   // 1-based line number for text formats, 0 when unknown
	Msg    string
}

func (e *RecordError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "record %d", e.Pos)
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	} else if e.Offset >= 0 {
		fmt.Fprintf(&b, " (byte %d)", e.Offset)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ErrUnknownFormat is returned by DetectFormat when neither the name nor
// the content says what a file is.
var ErrUnknownFormat = errors.New("importer: unknown file format")

// ErrJSON is returned by DetectFormat for a JSON file (MARC-in-JSON and
// the like), which no format here reads: said at once, not imported as a
// table of no records.
var ErrJSON = errors.New("importer: a JSON file (MARC-in-JSON?): export MARC21, MARCXML or CSV instead")

// Limits bound what a file may make the importer read, hold or store, so
// that a hostile or broken file costs a clear error rather than the
// server's memory (a 64 KB gzip of one 64 MiB line once took 12 GB and
// stored a 134 MB record). Zero values take the defaults.
type Limits struct {
	// MaxBytes bounds the file, decompressed: 4 GiB by default.
	MaxBytes int64
	// MaxRatio bounds decompressed bytes per compressed byte, past the
	// first MiB: 100 by default (catalogue files compress 3 to 10 times).
	MaxRatio int64
	// MaxRecord bounds one record: a CSV or TSV row, a MARCXML record
	// (1 MiB by default). An ISO 2709 record is bounded by its leader:
	// 99,999 bytes.
	MaxRecord int
	// MaxField bounds one field of a record (a title, a description):
	// 64 KiB by default.
	MaxField int
}

func (l Limits) bytes() int64 { return cmp.Or(l.MaxBytes, 4<<30) }
func (l Limits) ratio() int64 { return cmp.Or(l.MaxRatio, 100) }
func (l Limits) record() int  { return cmp.Or(l.MaxRecord, 1<<20) }
func (l Limits) field() int   { return cmp.Or(l.MaxField, 64<<10) }

// ErrTooBig is the error of a file past MaxBytes or MaxRatio; the records
// read before it stand.
var ErrTooBig = errors.New("importer: file too large")

// DetectFormat guesses the format of a file from its name and its first
// bytes (head may be gzip-compressed). Content wins over the extension
// when it is unambiguous.
func DetectFormat(filename string, head []byte) (Format, error) {
	name := strings.ToLower(filename)
	if isGzip(head) {
		head = gunzipHead(head)
	}
	name = strings.TrimSuffix(name, ".gz")
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	trimmed := bytes.TrimLeft(head, " \t\r\n")

	switch {
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['),
		strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonl"):
		return "", ErrJSON
	case len(trimmed) > 0 && trimmed[0] == '<':
		return MARCXML, nil
	case looksISO2709(trimmed):
		return MARC21, nil
	}
	firstLine, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.Contains(firstLine, []byte("作品ID")) && bytes.Contains(firstLine, []byte("人物ID")) {
		return Aozora, nil
	}
	switch filepath.Ext(name) {
	case ".mrc", ".marc", ".iso", ".dat", ".mrc21", ".iso2709":
		return MARC21, nil
	case ".xml", ".marcxml":
		return MARCXML, nil
	case ".csv":
		return CSV, nil
	case ".tsv", ".tab":
		return TSV, nil
	}
	if len(firstLine) > 0 {
		tabs, commas := bytes.Count(firstLine, []byte("\t")), bytes.Count(firstLine, []byte(","))
		switch {
		case tabs > 0 && tabs >= commas:
			return TSV, nil
		case commas > 0:
			return CSV, nil
		}
	}
	return "", ErrUnknownFormat
}

// looksISO2709 reports whether b starts with a plausible MARC leader:
// five digits of record length, and digits at the base address.
func looksISO2709(b []byte) bool {
	if len(b) < 24 {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 4, 12, 13, 14, 15, 16} {
		if !isDigit(b[i]) {
			return false
		}
	}
	return true
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// gunzipHead decompresses as much of a truncated gzip stream as it can.
func gunzipHead(b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(io.LimitReader(zr, 64<<10))
	return out
}

// Read is ReadWith the default limits.
func Read(ctx context.Context, r io.Reader, f Format, fn func(pos int, rec *store.Record, err error) error) error {
	return ReadWith(ctx, r, f, Limits{}, fn)
}

// ReadWith parses r as format f and calls fn for each record in file
// order. pos is the 1-based record number in the file. For a record that
// cannot be read (or has a field longer than lim allows), rec is nil and
// err is a *RecordError; the record is skipped and reading goes on with
// the next one wherever the format allows it. A gzip-compressed stream is
// decompressed transparently, within lim.
//
// ReadWith returns an error only for I/O errors, a cancelled ctx, a file
// that is unusable as a whole (ErrTooBig among them), or an error returned
// by fn (returned as is).
func ReadWith(ctx context.Context, r io.Reader, f Format, lim Limits, fn func(pos int, rec *store.Record, err error) error) error {
	compressed := &countingReader{r: r}
	br := bufio.NewReaderSize(compressed, 64<<10)
	var in io.Reader = br
	gz := false
	if head, _ := br.Peek(2); isGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("importer: gzip: %w", err)
		}
		defer zr.Close()
		in, gz = zr, true
	}
	in = &boundedReader{r: in, lim: lim, compressed: compressed, gz: gz}
	br = bufio.NewReaderSize(in, 64<<10)
	checked := func(pos int, rec *store.Record, err error) error {
		if rec != nil {
			if name := longField(rec, lim.field()); name != "" {
				rec, err = nil, &RecordError{Pos: pos, Offset: -1, Msg: fmt.Sprintf("%s longer than %d bytes", name, lim.field())}
			}
		}
		return fn(pos, rec, err)
	}
	var err error
	switch f {
	case MARC21:
		err = readISO2709(ctx, br, checked)
	case MARCXML:
		err = readMARCXML(ctx, br, lim, checked)
	case CSV:
		err = readTable(ctx, br, ',', lim, checked)
	case TSV:
		err = readTable(ctx, br, '\t', lim, checked)
	case Aozora:
		err = readAozora(ctx, br, lim, checked)
	default:
		return fmt.Errorf("importer: %w: %q", ErrUnknownFormat, f)
	}
	return err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// boundedReader fails with ErrTooBig once more than lim.bytes() have come
// through it, or, for a decompressed stream, more than lim.ratio() times
// what was read compressed (past the first MiB).
type boundedReader struct {
	r          io.Reader
	lim        Limits
	compressed *countingReader
	gz         bool
	n          int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	switch {
	case b.n > b.lim.bytes():
		return n, fmt.Errorf("%w: more than %d bytes", ErrTooBig, b.lim.bytes())
	case b.gz && b.n > 1<<20 && b.n > b.lim.ratio()*b.compressed.n:
		return n, fmt.Errorf("%w: it decompresses to more than %d times its size", ErrTooBig, b.lim.ratio())
	}
	return n, err
}

// longField names the first field of rec longer than max bytes, or "".
func longField(rec *store.Record, max int) string {
	long := func(s string) bool { return len(s) > max }
	switch {
	case long(rec.Title), long(rec.TitleYomi):
		return "the title"
	case long(rec.Subtitle), long(rec.SubtitleYomi), long(rec.Volume):
		return "the subtitle or volume"
	case long(rec.Publisher), long(rec.PublisherYomi):
		return "the publisher"
	case long(rec.Series), long(rec.SeriesYomi):
		return "the series"
	case long(rec.Description), long(rec.Extent):
		return "the description"
	case long(rec.Source), long(rec.NDC), long(rec.ISBN), long(rec.Language):
		return "an identifier"
	}
	for _, a := range rec.Authors {
		if long(a.Name) || long(a.Yomi) || long(a.Role) {
			return "an author"
		}
	}
	for _, s := range rec.Subjects {
		if long(s) {
			return "a subject"
		}
	}
	return ""
}
