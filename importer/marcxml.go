package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"hondana/store"
)

// recordStart matches the start tag of a record element, with or without
// a namespace prefix ("<record>", "<marc:record ...>", "<ns0:record/>").
var recordStart = regexp.MustCompile(`<([A-Za-z_][-.\w]*:)?record[\s/>]`)

// readMARCXML cuts the stream into <record>…</record> chunks and decodes
// each one on its own, so that a record that is not well-formed XML costs
// only itself and the records after it are still read.
func readMARCXML(ctx context.Context, br *bufio.Reader, lim Limits, fn func(int, *store.Record, error) error) error {
	c := &xmlChunker{r: br, max: lim.record()}
	pos := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk, off, err := c.next()
		if err == io.EOF {
			if pos == 0 {
				return errors.New("importer: no MARCXML <record> element found")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("importer: read marcxml: %w", err)
		}
		pos++
		var rec *store.Record
		m, recErr := parseMARCXML(chunk)
		if recErr == nil {
			rec, recErr = m.toRecord()
		}
		if recErr != nil {
			rec = nil
			recErr = &RecordError{Pos: pos, Offset: off, Msg: recErr.Error()}
		}
		if err := fn(pos, rec, recErr); err != nil {
			return err
		}
	}
}

// xmlChunker finds record elements in a byte stream without parsing the
// XML around them.
type xmlChunker struct {
	r   io.Reader
	max int // bytes of one record element
	buf []byte
	off int64 // stream offset of buf[0]
	eof bool
	err error
}

// fill reads more of the stream into buf; it reports false at the end.
func (c *xmlChunker) fill() bool {
	if c.eof {
		return false
	}
	tmp := make([]byte, 64<<10)
	n, err := c.r.Read(tmp)
	c.buf = append(c.buf, tmp[:n]...)
	if err != nil {
		c.eof = true
		if err != io.EOF {
			c.err = err
		}
	}
	return true
}

// drop discards the first n bytes of buf.
func (c *xmlChunker) drop(n int) {
	c.buf = append(c.buf[:0], c.buf[n:]...)
	c.off += int64(n)
}

// next returns the bytes of the next record element and their offset.
// A record whose end tag is missing ends where the next record starts.
func (c *xmlChunker) next() ([]byte, int64, error) {
	// Find a start tag.
	var loc []int
	for {
		loc = recordStart.FindSubmatchIndex(c.buf)
		if loc != nil {
			break
		}
		// Keep a tail that may hold the beginning of a start tag.
		if keep := 64; len(c.buf) > keep {
			c.drop(len(c.buf) - keep)
		}
		if !c.fill() {
			if c.err != nil {
				return nil, 0, c.err
			}
			return nil, 0, io.EOF
		}
	}
	c.drop(loc[0])
	prefix := ""
	if loc[2] >= 0 {
		prefix = string(c.buf[loc[2]-loc[0] : loc[3]-loc[0]])
	}
	closeTag := []byte("</" + prefix + "record")

	// Find its end: the end tag, or the next start tag, or the end of
	// the stream. A self-closing <record/> is a record with no fields.
	for bytes.IndexByte(c.buf, '>') < 0 && len(c.buf) <= c.max && c.fill() {
	}
	if end := selfClosingEnd(c.buf); end > 0 {
		return c.take(end)
	}
	from := 1 // where to go on searching after more is read
	for {
		if i := indexEndTag(c.buf[from:], closeTag); i >= 0 {
			return c.take(from + i)
		}
		if l := recordStart.FindIndex(c.buf[from:]); l != nil {
			return c.take(from + l[0])
		}
		if len(c.buf) > c.max {
			return c.take(len(c.buf))
		}
		from = max(1, len(c.buf)-len(closeTag)-64)
		if !c.fill() {
			if c.err != nil {
				return nil, 0, c.err
			}
			return c.take(len(c.buf))
		}
	}
}

// take returns the first n bytes of buf as a chunk and drops them.
func (c *xmlChunker) take(n int) ([]byte, int64, error) {
	chunk := bytes.Clone(c.buf[:n])
	off := c.off
	c.drop(n)
	return chunk, off, nil
}

// selfClosingEnd returns the length of a start tag at b[0] that closes
// itself ("<record/>"), or 0.
func selfClosingEnd(b []byte) int {
	i := bytes.IndexByte(b, '>')
	if i > 0 && b[i-1] == '/' {
		return i + 1
	}
	return 0
}

// indexEndTag returns the index just past "</prefix:record>" in b, or -1.
func indexEndTag(b, closeTag []byte) int {
	from := 0
	for {
		i := bytes.Index(b[from:], closeTag)
		if i < 0 {
			return -1
		}
		j := from + i + len(closeTag)
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n') {
			j++
		}
		if j < len(b) && b[j] == '>' {
			return j + 1
		}
		if j >= len(b) {
			return -1 // the tag may go on in the next read
		}
		from = j
	}
}

// parseMARCXML decodes one record element. Namespaces are ignored: only
// local names count, so "marc:record", "ns0:record" and "record" are alike.
func parseMARCXML(chunk []byte) (*marcRecord, error) {
	d := xml.NewDecoder(bytes.NewReader(chunk))
	d.Strict = true
	m := &marcRecord{}
	var field *marcField
	var sub *marcSubfield
	var text strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth != 0 {
				return nil, errors.New("record element is not closed")
			}
			return m, nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("malformed XML at line %d of the record: %s", se.Line, se.Msg)
			}
			return nil, fmt.Errorf("malformed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			text.Reset()
			switch t.Name.Local {
			case "record":
			case "leader":
			case "controlfield", "datafield":
				tag := strings.TrimSpace(attr(t, "tag"))
				if tag == "" {
					return nil, fmt.Errorf("%s without a tag", t.Name.Local)
				}
				if len(tag) != 3 {
					return nil, fmt.Errorf("%s with bad tag %q", t.Name.Local, tag)
				}
				m.fields = append(m.fields, marcField{tag: tag, ind1: ind(attr(t, "ind1")), ind2: ind(attr(t, "ind2"))})
				field = &m.fields[len(m.fields)-1]
			case "subfield":
				code := attr(t, "code")
				if field == nil {
					return nil, errors.New("subfield outside a datafield")
				}
				if code == "" {
					return nil, fmt.Errorf("field %s: subfield without a code", field.tag)
				}
				field.subfields = append(field.subfields, marcSubfield{code: code[0]})
				sub = &field.subfields[len(field.subfields)-1]
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			depth--
			switch t.Name.Local {
			case "leader":
				m.leader = text.String()
			case "controlfield":
				if field != nil {
					field.value = text.String()
				}
				field = nil
			case "datafield":
				field = nil
			case "subfield":
				if sub != nil {
					sub.value = text.String()
				}
				sub = nil
			}
			text.Reset()
		}
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func ind(s string) byte {
	if s == "" {
		return ' '
	}
	return printable(s[0])
}
