// Package exporter writes the catalogue as MARC21 (ISO 2709, UTF-8),
// MARCXML and CSV, the way the importer package reads them: a file
// written here and imported again gives the same records (R61). It
// reads nothing: the caller hands it one record at a time.
package exporter

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"hondana/store"
)

// Formats an export can be written in.
const (
	MARC21  = "marc21"
	MARCXML = "marcxml"
	CSV     = "csv"
)

type subfield struct {
	code  byte
	value string
}

type field struct {
	tag        string
	ind1, ind2 byte
	value      string // control fields
	subs       []subfield
}

// marcFields maps a record to MARC21 fields, the reverse of the
// importer's mapping (importer/marc.go): 001/003 from the source key,
// 008 (year, language), 020, 084 (NDC, $2 njb/10), 100/700 with the role
// in $e, 245 ($a $b $n), 260 ($b $c), 300, 490, 520 a line each, 650, and
// the katakana readings in 880 linked by $6 as NDL's JAPAN/MARC does.
// A generated title reading is left out: it is generated again at import,
// and marked so.
func marcFields(r *store.Record) (leader [24]byte, fields []field) {
	typ, level := leaderType(r.MaterialType)
	copy(leader[:], fmt.Sprintf("00000n%c%c a2200000 c 4500", typ, level))

	var readings []field
	link := func(f *field, yomi map[byte]string) {
		var subs []subfield
		for _, code := range []byte{'a', 'b'} {
			if v := yomi[code]; v != "" {
				subs = append(subs, subfield{code, v})
			}
		}
		if len(subs) == 0 {
			return
		}
		occ := fmt.Sprintf("%02d", len(readings)+1)
		f.subs = append([]subfield{{'6', "880-" + occ}}, f.subs...)
		readings = append(readings, field{tag: "880", ind1: f.ind1, ind2: f.ind2,
			subs: append([]subfield{{'6', f.tag + "-" + occ + "/$1"}}, subs...)})
	}

	org, id := splitSource(r.Source)
	fields = append(fields, field{tag: "001", value: id})
	if org != "" {
		fields = append(fields, field{tag: "003", value: org})
	}
	f008 := []byte(strings.Repeat(" ", 40))
	copy(f008[0:6], r.CreatedAt.UTC().Format("060102"))
	f008[6] = 's'
	if r.Year > 0 {
		copy(f008[7:11], fmt.Sprintf("%04d", r.Year))
	}
	if len(r.Language) == 3 {
		copy(f008[35:38], r.Language)
	}
	f008[39] = 'd'
	fields = append(fields, field{tag: "008", value: string(f008)})
	if r.ISBN != "" {
		fields = append(fields, field{tag: "020", ind1: ' ', ind2: ' ', subs: []subfield{{'a', r.ISBN}}})
	}
	if r.NDC != "" {
		fields = append(fields, field{tag: "084", ind1: ' ', ind2: ' ', subs: []subfield{{'a', r.NDC}, {'2', "njb/10"}}})
	}
	for i, a := range r.Authors {
		tag := "700"
		if i == 0 {
			tag = "100"
		}
		f := field{tag: tag, ind1: '1', ind2: ' ', subs: []subfield{{'a', a.Name}}}
		if a.Role != "" {
			f.subs = append(f.subs, subfield{'e', a.Role})
		}
		link(&f, map[byte]string{'a': a.Yomi})
		fields = append(fields, f)
	}
	t := field{tag: "245", ind1: '0', ind2: '0', subs: []subfield{{'a', r.Title}}}
	if r.Subtitle != "" {
		t.subs = append(t.subs, subfield{'b', r.Subtitle})
	}
	if r.Volume != "" {
		t.subs = append(t.subs, subfield{'n', r.Volume})
	}
	titleYomi := r.TitleYomi
	if r.YomiGenerated {
		titleYomi = ""
	}
	link(&t, map[byte]string{'a': titleYomi, 'b': r.SubtitleYomi})
	fields = append(fields, t)
	if r.Publisher != "" || r.Year > 0 {
		p := field{tag: "260", ind1: ' ', ind2: ' '}
		if r.Publisher != "" {
			p.subs = append(p.subs, subfield{'b', r.Publisher})
		}
		if r.Year > 0 {
			p.subs = append(p.subs, subfield{'c', strconv.Itoa(r.Year)})
		}
		link(&p, map[byte]string{'b': r.PublisherYomi})
		fields = append(fields, p)
	}
	if r.Extent != "" {
		// Whole in $a: the importer joins 300's parts into this form.
		fields = append(fields, field{tag: "300", ind1: ' ', ind2: ' ', subs: []subfield{{'a', r.Extent}}})
	}
	if r.Series != "" {
		s := field{tag: "490", ind1: '0', ind2: ' ', subs: []subfield{{'a', r.Series}}}
		link(&s, map[byte]string{'a': r.SeriesYomi})
		fields = append(fields, s)
	}
	for _, line := range strings.Split(r.Description, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			fields = append(fields, field{tag: "520", ind1: ' ', ind2: ' ', subs: []subfield{{'a', line}}})
		}
	}
	for _, s := range r.Subjects {
		fields = append(fields, field{tag: "650", ind1: ' ', ind2: '4', subs: []subfield{{'a', s}}})
	}
	return leader, append(fields, readings...)
}

// splitSource turns a source key into 003 and 001: "marc:JTNDL:0294"
// is organisation JTNDL, record 0294; any other key ("aozora:000148")
// goes whole into 001, which the importer reads back as the same key.
func splitSource(source string) (org, id string) {
	if rest, ok := strings.CutPrefix(source, "marc:"); ok {
		if o, i, ok := strings.Cut(rest, ":"); ok {
			return o, i
		}
	}
	return "", source
}

// leaderType is leader/06 and /07 for a material type (the reverse of
// the importer's materialType).
func leaderType(material string) (typ, level byte) {
	switch material {
	case store.MaterialMagazine:
		return 'a', 's'
	case store.MaterialScore:
		return 'c', 'm'
	case store.MaterialMap:
		return 'e', 'm'
	case store.MaterialVideo:
		return 'g', 'm'
	case store.MaterialAudio:
		return 'j', 'm'
	case store.MaterialEbook:
		return 'm', 'm'
	case store.MaterialOther:
		return 'p', 'm'
	}
	return 'a', 'm'
}

// ISO 2709 bounds: a field's length has four digits, a record's five.
const (
	maxFieldLen  = 9999
	maxRecordLen = 99999
)

// Writer writes records in one format to a stream.
type Writer struct {
	w      *bufio.Writer
	format string
	n      int
	// Shortened counts records whose description was cut to fit ISO
	// 2709's limits (a field of 9,999 bytes, a record of 99,999).
	Shortened int
}

// NewWriter starts an export in format (MARC21, MARCXML or CSV) to w.
func NewWriter(w io.Writer, format string) (*Writer, error) {
	ew := &Writer{w: bufio.NewWriterSize(w, 1<<16), format: format}
	switch format {
	case MARC21:
	case MARCXML:
		ew.w.WriteString(xml.Header + `<collection xmlns="http://www.loc.gov/MARC21/slim">` + "\n")
	case CSV:
		writeCSVRow(ew.w, catalogueColumns)
	default:
		return nil, fmt.Errorf("exporter: unknown format %q (marc21, marcxml or csv)", format)
	}
	return ew, nil
}

// Write writes one record.
func (ew *Writer) Write(r *store.Record) error {
	ew.n++
	switch ew.format {
	case MARC21:
		b, short := iso2709(r)
		if short {
			ew.Shortened++
		}
		_, err := ew.w.Write(b)
		return err
	case MARCXML:
		return writeMARCXML(ew.w, r)
	}
	return writeCSVRecord(ew.w, r)
}

// Close ends the file and flushes it.
func (ew *Writer) Close() error {
	if ew.format == MARCXML {
		ew.w.WriteString("</collection>\n")
	}
	return ew.w.Flush()
}

// Count is the number of records written.
func (ew *Writer) Count() int { return ew.n }

// iso2709 encodes a record. A description too long for ISO 2709 is cut
// (at a character's boundary); short says so.
func iso2709(r *store.Record) (b []byte, short bool) {
	for {
		leader, fields := marcFields(r)
		b, ok := encode(leader, fields)
		if ok {
			return b, short
		}
		// Only the description can be this long: halve it and try again.
		cut := *r
		d := []byte(cut.Description)
		n := len(d) / 2
		for n > 0 && !utf8.RuneStart(d[n]) {
			n--
		}
		cut.Description = strings.TrimSpace(string(d[:n]))
		r, short = &cut, true
		if n == 0 {
			leader, fields = marcFields(r)
			b, _ = encode(leader, fields)
			return b, true
		}
	}
}

func encode(leader [24]byte, fields []field) ([]byte, bool) {
	var dir, data []byte
	for _, f := range fields {
		start := len(data)
		if f.value != "" || strings.HasPrefix(f.tag, "00") {
			data = append(data, f.value...)
		} else {
			data = append(data, f.ind1, f.ind2)
			for _, s := range f.subs {
				data = append(data, 0x1f, s.code)
				data = append(data, s.value...)
			}
		}
		data = append(data, 0x1e)
		if len(data)-start > maxFieldLen {
			return nil, false
		}
		dir = fmt.Appendf(dir, "%s%04d%05d", f.tag, len(data)-start, start)
	}
	base := 24 + len(dir) + 1
	total := base + len(data) + 1
	if total > maxRecordLen {
		return nil, false
	}
	copy(leader[0:5], fmt.Sprintf("%05d", total))
	copy(leader[12:17], fmt.Sprintf("%05d", base))
	out := make([]byte, 0, total)
	out = append(out, leader[:]...)
	out = append(out, dir...)
	out = append(out, 0x1e)
	out = append(out, data...)
	return append(out, 0x1d), true
}

func writeMARCXML(w *bufio.Writer, r *store.Record) error {
	leader, fields := marcFields(r)
	w.WriteString("<record>\n  <leader>")
	w.Write(leader[:])
	w.WriteString("</leader>\n")
	for _, f := range fields {
		if strings.HasPrefix(f.tag, "00") {
			fmt.Fprintf(w, `  <controlfield tag="%s">`, f.tag)
			xml.EscapeText(w, []byte(f.value))
			w.WriteString("</controlfield>\n")
			continue
		}
		fmt.Fprintf(w, `  <datafield tag="%s" ind1="%c" ind2="%c">`, f.tag, f.ind1, f.ind2)
		for _, s := range f.subs {
			fmt.Fprintf(w, `<subfield code="%c">`, s.code)
			xml.EscapeText(w, []byte(s.value))
			w.WriteString("</subfield>")
		}
		w.WriteString("</datafield>\n")
	}
	_, err := w.WriteString("</record>\n")
	return err
}
