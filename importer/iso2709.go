package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"hondana/store"
)

const (
	recordTerminator = 0x1d
	fieldTerminator  = 0x1e
	subfieldDelim    = 0x1f
	// maxRecordLen bounds a record: its leader gives its length in five
	// digits, so a MARC record cannot be longer than 99,999 bytes. A
	// longer run is skipped to the next terminator and reported.
	maxRecordLen = 99999
)

// readISO2709 reads MARC21 records in ISO 2709 framing. Each record is cut
// at its record terminator (0x1D) rather than trusted to its leader
// length, so a record with bad lengths costs only that record.
func readISO2709(ctx context.Context, br *bufio.Reader, fn func(int, *store.Record, error) error) error {
	var off int64
	pos := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := skipBetweenRecords(br)
		off += n
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("importer: read marc21: %w", err)
		}
		chunk, n, tooLong, err := readRecordBytes(br)
		start := off
		off += n
		if err != nil && err != io.EOF {
			return fmt.Errorf("importer: read marc21: %w", err)
		}
		atEOF := err == io.EOF
		pos++
		var rec *store.Record
		var recErr error
		switch {
		case tooLong:
			recErr = fmt.Errorf("longer than a MARC record can be (%d bytes), or no record terminator", maxRecordLen)
		case atEOF && (len(chunk) == 0 || chunk[len(chunk)-1] != recordTerminator):
			recErr = errors.New("missing record terminator at end of file")
		default:
			var m *marcRecord
			m, recErr = parseISO2709(chunk)
			if recErr == nil {
				rec, recErr = m.toRecord()
			}
		}
		if recErr != nil {
			rec = nil
			recErr = &RecordError{Pos: pos, Offset: start, Msg: recErr.Error()}
		}
		if err := fn(pos, rec, recErr); err != nil {
			return err
		}
		if atEOF {
			return nil
		}
	}
}

// skipBetweenRecords skips the line breaks, blanks, NULs and ^Z that some
// exports put between or after records.
func skipBetweenRecords(br *bufio.Reader) (int64, error) {
	var n int64
	for {
		c, err := br.ReadByte()
		if err != nil {
			return n, err
		}
		switch c {
		case '\n', '\r', ' ', '\t', 0, 0x1a:
			n++
		default:
			return n, br.UnreadByte()
		}
	}
}

// readRecordBytes reads up to and including the next record terminator.
// A run longer than maxRecordLen is skipped to the next terminator and
// reported with tooLong.
func readRecordBytes(br *bufio.Reader) (chunk []byte, n int64, tooLong bool, err error) {
	for {
		part, err := br.ReadSlice(recordTerminator)
		n += int64(len(part))
		if !tooLong {
			chunk = append(chunk, part...)
			if len(chunk) > maxRecordLen {
				tooLong, chunk = true, nil
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return chunk, n, tooLong, err
	}
}

// parseISO2709 checks one record (ending in 0x1D) against its leader and
// directory and decodes its fields.
func parseISO2709(b []byte) (*marcRecord, error) {
	if len(b) < 26 {
		return nil, fmt.Errorf("record of %d bytes is too short", len(b))
	}
	leader := b[:24]
	for _, c := range leader {
		if c < 0x20 || c > 0x7e {
			return nil, fmt.Errorf("illegal byte 0x%02X in leader", c)
		}
	}
	recLen, ok := atoi(leader[0:5])
	if !ok {
		return nil, fmt.Errorf("record length %q in leader is not a number", leader[0:5])
	}
	if recLen != len(b) {
		return nil, fmt.Errorf("record length %d in leader, %d bytes found", recLen, len(b))
	}
	base, ok := atoi(leader[12:17])
	if !ok || base < 25 || base > len(b)-1 || b[base-1] != fieldTerminator {
		return nil, fmt.Errorf("bad base address of data %q", leader[12:17])
	}
	dir := b[24 : base-1]
	if len(dir)%12 != 0 {
		return nil, fmt.Errorf("directory length %d is not a multiple of 12", len(dir))
	}
	data := b[base : len(b)-1]

	type entry struct {
		tag           string
		length, start int
	}
	entries := make([]entry, 0, len(dir)/12)
	for i := 0; i < len(dir); i += 12 {
		e := dir[i : i+12]
		tag := e[0:3]
		for _, c := range tag {
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
				return nil, fmt.Errorf("directory entry %d: bad tag %q", i/12+1, tag)
			}
		}
		length, ok1 := atoi(e[3:7])
		start, ok2 := atoi(e[7:12])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("directory entry %d (%s): bad length or start %q", i/12+1, tag, e[3:12])
		}
		if length < 1 || start+length > len(data) {
			return nil, fmt.Errorf("field %s: length %d at %d runs past the end of the record", tag, length, start)
		}
		if data[start+length-1] != fieldTerminator {
			return nil, fmt.Errorf("field %s: length %d at %d does not end with a field terminator", tag, length, start)
		}
		entries = append(entries, entry{string(tag), length, start})
	}
	// The directory may list fields in any order of their data, but two
	// fields must never share bytes.
	byStart := make([]entry, len(entries))
	copy(byStart, entries)
	sort.Slice(byStart, func(i, j int) bool { return byStart[i].start < byStart[j].start })
	for i := 1; i < len(byStart); i++ {
		if p := byStart[i-1]; p.start+p.length > byStart[i].start {
			return nil, fmt.Errorf("fields %s and %s overlap", p.tag, byStart[i].tag)
		}
	}

	decode := decodeUTF8
	if leader[9] != 'a' && !looksUTF8(data) {
		decode = decodeMARC8
	}
	m := &marcRecord{leader: string(leader)}
	for _, e := range entries {
		raw := data[e.start : e.start+e.length-1]
		f := marcField{tag: e.tag}
		if f.isControl() {
			f.value = decode(raw)
			m.fields = append(m.fields, f)
			continue
		}
		f.ind1, f.ind2 = ' ', ' '
		if len(raw) >= 2 && raw[0] != subfieldDelim && raw[1] != subfieldDelim {
			f.ind1, f.ind2 = printable(raw[0]), printable(raw[1])
			raw = raw[2:]
		}
		// Text before the first delimiter belongs to no subfield.
		if i := bytes.IndexByte(raw, subfieldDelim); i >= 0 {
			raw = raw[i+1:]
		} else {
			raw = nil
		}
		for _, sf := range bytes.Split(raw, []byte{subfieldDelim}) {
			if len(sf) == 0 || sf[0] < 0x21 || sf[0] > 0x7e {
				continue
			}
			f.subfields = append(f.subfields, marcSubfield{code: sf[0], value: decode(sf[1:])})
		}
		m.fields = append(m.fields, f)
	}
	return m, nil
}

// looksUTF8 tells UTF-8 records whose leader/09 was left blank: they are
// valid UTF-8 with some multibyte sequences and no MARC-8 escapes.
// ANSEL text (a diacritic byte before an ASCII letter) is never valid UTF-8.
func looksUTF8(b []byte) bool {
	high := false
	for _, c := range b {
		if c == 0x1b {
			return false
		}
		if c >= 0x80 {
			high = true
		}
	}
	return high && utf8.Valid(b)
}

func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func printable(c byte) byte {
	if c < 0x20 || c > 0x7e {
		return ' '
	}
	return c
}

func atoi(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
