package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// rowReader cuts a CSV or TSV stream into rows of fields, a row of at most max
// bytes: a longer one (a file that is not a table, or a hostile one: one
// line of 64 MiB once took the server to 12 GB) is skipped and reported,
// and reading goes on with the next row. CSV follows RFC 4180 as
// encoding/csv reads it: a quoted field may hold separators, doubled
// quotes and line breaks (CRLF read as LF); a quote inside an unquoted
// field, or text after a closing quote, makes the row bad. TSV has no
// quoting: a row is a line, its fields split at tabs.
type rowReader struct {
	br    *bufio.Reader
	sep   byte
	quote bool // CSV
	max   int

	line int   // lines read
	off  int64 // bytes read
}

func newRows(br *bufio.Reader, sep byte, max int) *rowReader {
	return &rowReader{br: br, sep: sep, quote: sep == ',', max: max}
}

// next returns the next row, the line it starts on and its byte offset.
// A row that cannot be read has err set to a *RecordError; io.EOF ends
// the file; any other error is the reader's.
func (r *rowReader) next() (row []string, line int, off int64, err error) {
	start, startOff := r.line+1, r.off
	p := rowParser{sep: r.sep, atStart: true}
	size := 0
	for {
		l, cut, rerr := r.readLine()
		if rerr != nil && rerr != io.EOF {
			return nil, 0, r.off, rerr
		}
		if l == nil && rerr == io.EOF {
			if size == 0 {
				return nil, 0, r.off, io.EOF
			}
			p.fail(`extraneous or missing " in quoted-field`) // the file ended inside quotes
			break
		}
		r.line++
		size += len(l)
		eol := bytes.HasSuffix(l, []byte("\n"))
		l = bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
		switch {
		case cut:
			// One line too long to look into: the row ends with it.
			p.fail(fmt.Sprintf("row longer than %d bytes", r.max))
			p.quoted = false
		case size > r.max:
			// Too long: read on to the row's end, keeping nothing.
			p.fail(fmt.Sprintf("row longer than %d bytes", r.max))
			p.skip = true
			p.parse(l)
		case !r.quote:
			return strings.Split(string(l), string(r.sep)), start, startOff, nil
		default:
			p.parse(l)
		}
		if p.quoted && eol && rerr != io.EOF {
			p.keep([]byte{'\n'})
			continue
		}
		if p.quoted {
			p.fail(`extraneous or missing " in quoted-field`)
		}
		break
	}
	if p.bad != "" {
		return nil, start, startOff, &RecordError{Line: start, Offset: startOff, Msg: p.bad}
	}
	p.endField()
	return p.row(), start, startOff, nil
}

// rowParser is the state of a CSV row being read, line by line. The
// fields' text goes to one buffer, made one string at the end and cut
// into the fields, as encoding/csv does: one allocation a row, not one a
// field.
type rowParser struct {
	sep     byte
	buf     []byte // the text of the fields read
	ends    []int  // where each field read ends in buf
	quoted  bool   // inside a quoted field
	atStart bool   // at the start of a field
	skip    bool   // keep nothing: the row is being skipped
	bad     string
}

func (p *rowParser) fail(why string) {
	if p.bad == "" {
		p.bad = why
	}
}

// parse reads one line of the row (without its line break), a segment
// at a time rather than a byte at a time.
func (p *rowParser) parse(l []byte) {
	for len(l) > 0 || p.atStart {
		switch {
		case p.quoted:
			i := bytes.IndexByte(l, '"')
			if i < 0 {
				p.keep(l)
				return
			}
			p.keep(l[:i])
			l = l[i+1:]
			if len(l) > 0 && l[0] == '"' {
				p.keep(l[:1]) // a doubled quote is one quote
				l = l[1:]
				continue
			}
			p.quoted = false
			if len(l) > 0 && l[0] != p.sep {
				p.fail(`extraneous or missing " in quoted-field`)
			}
		case p.atStart && len(l) > 0 && l[0] == '"':
			p.quoted, p.atStart = true, false
			l = l[1:]
		default:
			i := bytes.IndexByte(l, p.sep)
			seg := l
			if i >= 0 {
				seg = l[:i]
			}
			if bytes.IndexByte(seg, '"') >= 0 {
				p.fail(`bare " in non-quoted-field`)
			}
			p.keep(seg)
			if i < 0 {
				p.atStart = false
				return
			}
			p.endField()
			p.atStart = true
			l = l[i+1:]
			if len(l) == 0 {
				return // the row's last field is empty
			}
		}
	}
}

// keep adds b to the field being read, unless the row is being skipped.
func (p *rowParser) keep(b []byte) {
	if !p.skip {
		p.buf = append(p.buf, b...)
	}
}

// endField ends the field being read.
func (p *rowParser) endField() {
	if !p.skip {
		p.ends = append(p.ends, len(p.buf))
	}
}

// row is the fields read.
func (p *rowParser) row() []string {
	s := string(p.buf)
	out := make([]string, len(p.ends))
	from := 0
	for i, end := range p.ends {
		out[i], from = s[from:end], end
	}
	return out
}

// readLine reads up to and including the next line break, or to the end
// of the file. A line of more than max bytes is read to its end but not
// kept: cut reports it.
func (r *rowReader) readLine() (line []byte, cut bool, err error) {
	for {
		part, err := r.br.ReadSlice('\n')
		r.off += int64(len(part))
		if !cut {
			line = append(line, part...)
			if len(line) > r.max+1 {
				line, cut = line[:0], true
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && len(line) == 0 && !cut {
			return nil, false, io.EOF
		}
		if cut && err == nil {
			line = append(line, '\n')
		}
		return line, cut, err
	}
}
