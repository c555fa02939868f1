// Package importer reads catalogue files (MARC21, MARCXML, Aozora Bunko's
// index, generic CSV and TSV) into store.Record values. It writes nothing:
// the caller decides what to do with each record.
package importer

import (
	"bufio"
	"bytes"
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

// Read parses r as format f and calls fn for each record in file order.
// pos is the 1-based record number in the file. For a record that cannot
// be read, rec is nil and err is a *RecordError; the record is skipped and
// reading goes on with the next one wherever the format allows it.
// A gzip-compressed stream is decompressed transparently.
//
// Read returns an error only for I/O errors, a cancelled ctx, a file that
// is unusable as a whole, or an error returned by fn (returned as is).
func Read(ctx context.Context, r io.Reader, f Format, fn func(pos int, rec *store.Record, err error) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if head, _ := br.Peek(2); isGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("importer: gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	var err error
	switch f {
	case MARC21:
		err = readISO2709(ctx, br, fn)
	case MARCXML:
		err = readMARCXML(ctx, br, fn)
	case CSV:
		err = readTable(ctx, br, ',', fn)
	case TSV:
		err = readTable(ctx, br, '\t', fn)
	case Aozora:
		err = readAozora(ctx, br, fn)
	default:
		return fmt.Errorf("importer: %w: %q", ErrUnknownFormat, f)
	}
	return err
}
