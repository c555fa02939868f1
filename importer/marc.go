package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"hondana/isbn"
	"hondana/store"
)

// marcRecord is a MARC21 record as read from ISO 2709 or MARCXML, with its
// strings already decoded to UTF-8 but not yet cleaned.
type marcRecord struct {
	leader string
	fields []marcField

	links    map[string][]*marcField // see indexLinks
	tagCount map[string]int
}

type marcField struct {
	tag        string
	ind1, ind2 byte
	value      string // control fields (00X) only
	subfields  []marcSubfield
}

type marcSubfield struct {
	code  byte
	value string
}

func (f *marcField) isControl() bool { return strings.HasPrefix(f.tag, "00") }

// sub returns the first subfield with the code, or "".
func (f *marcField) sub(code byte) string {
	for _, s := range f.subfields {
		if s.code == code {
			return s.value
		}
	}
	return ""
}

// subs returns every subfield with one of the codes, in order.
func (f *marcField) subs(codes string) []string {
	var out []string
	for _, s := range f.subfields {
		if strings.IndexByte(codes, s.code) >= 0 {
			out = append(out, s.value)
		}
	}
	return out
}

func (m *marcRecord) control(tag string) string {
	for i := range m.fields {
		if m.fields[i].tag == tag {
			return m.fields[i].value
		}
	}
	return ""
}

// each returns the fields with one of the tags, in record order.
func (m *marcRecord) each(tags ...string) []*marcField {
	var out []*marcField
	for i := range m.fields {
		for _, t := range tags {
			if m.fields[i].tag == t {
				out = append(out, &m.fields[i])
				break
			}
		}
	}
	return out
}

// reading returns the katakana reading that NDL's JAPAN/MARC links to f
// through field 880 ("$6 245-01/$1"). The romanised form ("/(B") and the
// vernacular script that other agencies put in 880 are not readings.
func (m *marcRecord) reading(f *marcField, code byte) string {
	if m.links == nil {
		m.indexLinks()
	}
	occ := ""
	if rest, ok := strings.CutPrefix(f.sub('6'), "880-"); ok && len(rest) >= 2 {
		occ = rest[:2]
	}
	candidates := m.links[f.tag+"-"+occ]
	if occ == "" {
		// Unlinked: usable only when the field cannot be confused with another.
		if m.tagCount[f.tag] > 1 {
			return ""
		}
		candidates = m.links[f.tag]
	}
	for _, l := range candidates {
		if v := m.trim(l.sub(code)); isKanaReading(v) || m.plain() && v != "" {
			return katakana(v)
		}
	}
	return ""
}

// plain reports whether the record says its values carry no ISBD
// punctuation (leader/18 "c", as Hondana's export writes): they are then
// kept as they are, a final "." included, and a reading in 880 is taken
// whatever its script ("1Q84", "カノヒノウタ【二】").
func (m *marcRecord) plain() bool { return len(m.leader) > 18 && m.leader[18] == 'c' }

// trim is trimISBD, unless the record's values have no ISBD punctuation.
func (m *marcRecord) trim(s string) string {
	if m.plain() {
		return clean(s)
	}
	return trimISBD(s)
}

// indexLinks indexes the 880 fields that are not romanisations by the
// field they belong to, both as "245-01" and as "245", so that finding a
// reading does not scan the record again for every field.
func (m *marcRecord) indexLinks() {
	m.links = map[string][]*marcField{}
	m.tagCount = map[string]int{}
	for i := range m.fields {
		f := &m.fields[i]
		m.tagCount[f.tag]++
		if f.tag != "880" {
			continue
		}
		tag, occ, script := parseLink(f.sub('6'))
		if tag == "" || strings.HasPrefix(script, "(B") {
			continue
		}
		m.links[tag+"-"+occ] = append(m.links[tag+"-"+occ], f)
		m.links[tag] = append(m.links[tag], f)
	}
}

// parseLink splits a $6 linkage like "245-01/$1" into its parts.
func parseLink(s string) (tag, occ, script string) {
	s = strings.TrimSpace(s)
	if len(s) < 6 || s[3] != '-' {
		return "", "", ""
	}
	tag, occ = s[:3], s[4:6]
	if i := strings.IndexByte(s, '/'); i >= 0 {
		script = s[i+1:]
	}
	return tag, occ, script
}

// errNoTitle is the reason a MARC record without a title is skipped:
// a record nobody can find or name is of no use in a catalogue.
var errNoTitle = errors.New("no title (245 $a)")

// toRecord maps a MARC21 bibliographic record to a store.Record.
func (m *marcRecord) toRecord() (*store.Record, error) {
	if kind := recordKind(m.leader); kind != "" {
		return nil, fmt.Errorf("%s, not a title: skipped", kind)
	}
	rec := &store.Record{}

	var statement string
	if f := first(m.each("245")); f != nil {
		rec.Title = m.trim(f.sub('a'))
		if rec.Title == "" {
			rec.Title = m.trim(f.sub('k'))
		}
		rec.Subtitle = m.trim(strings.Join(f.subs("b"), " "))
		var vol []string
		for _, v := range f.subs("np") {
			if v = m.trim(v); v != "" {
				vol = append(vol, v)
			}
		}
		rec.Volume = strings.Join(vol, " ")
		rec.TitleYomi = m.reading(f, 'a')
		if rec.Subtitle != "" {
			rec.SubtitleYomi = m.reading(f, 'b')
		}
		statement = clean(f.sub('c'))
	}
	if rec.Title == "" {
		for _, f := range m.each("130", "240") {
			if rec.Title = m.trim(f.sub('a')); rec.Title != "" {
				break
			}
		}
	}
	if rec.Title == "" {
		return nil, errNoTitle
	}

	rec.Authors = m.authors(statement)
	m.publication(rec)

	for _, f := range m.each("020") {
		if n, ok := isbn.Normalize(f.sub('a')); ok {
			rec.ISBN = n
			break
		}
	}
	rec.NDC = m.ndc()

	if f := first(m.each("490", "830")); f != nil {
		rec.Series = m.trim(f.sub('a'))
		rec.SeriesYomi = m.reading(f, 'a')
		if rec.Volume == "" {
			rec.Volume = m.trim(f.sub('v'))
		}
	}

	rec.Extent = m.extent()

	var subjects []string
	for _, f := range m.each("600", "610", "650", "651") {
		subjects = append(subjects, m.trim(f.sub('a')))
	}
	rec.Subjects = dedupe(subjects)

	var desc []string
	for _, f := range m.each("520") {
		if d := clean(f.sub('a')); d != "" {
			desc = append(desc, d)
		}
	}
	rec.Description = strings.Join(desc, "\n")

	rec.MaterialType = materialType(m.leader)
	rec.Language = m.language()
	rec.Source = m.source()
	return rec, nil
}

// extent is the physical description of the first 300 field in ISBD
// form: extent, other details, dimensions, accompanying material
// ("269p : 挿図 ; 22cm").
func (m *marcRecord) extent() string {
	f := first(m.each("300"))
	if f == nil {
		return ""
	}
	var b strings.Builder
	for _, sf := range f.subfields {
		// ISBD puts " +" before accompanying material at the end of
		// the part before it.
		v := trimISBD(strings.TrimSuffix(trimISBD(sf.value), " +"))
		if v == "" {
			continue
		}
		sep := map[byte]string{'a': " ; ", 'b': " : ", 'c': " ; ", 'e': " + "}[sf.code]
		if sep == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(v)
	}
	return b.String()
}

func first(fs []*marcField) *marcField {
	if len(fs) == 0 {
		return nil
	}
	return fs[0]
}

// authors reads the main and added entries for persons and bodies.
// statement is 245 $c, where NDL gives the roles ("萩野正昭 著") that its
// 700 fields leave out.
func (m *marcRecord) authors(statement string) []store.Author {
	var out []store.Author
	seen := map[string]bool{}
	for _, f := range m.each("100", "110", "111", "700", "710", "711") {
		parts := f.subs("a")
		if f.tag[1] != '0' {
			parts = f.subs("ab") // a body and its subordinate units
		}
		var name []string
		for _, p := range parts {
			if p = m.trim(p); p != "" {
				name = append(name, p)
			}
		}
		a := store.Author{Name: inverted(strings.Join(name, ". "))}
		if a.Name == "" || seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		a.Yomi = invertedYomi(m.reading(f, 'a'))
		for _, w := range append(f.subs("e4"), f.subs("j")...) {
			if a.Role = roleFromWord(w); a.Role != "" {
				break
			}
		}
		if a.Role == "" {
			a.Role = roleInStatement(a.Name, statement)
		}
		if a.Role == "" {
			a.Role = store.RoleAuthor
		}
		out = append(out, a)
	}
	return out
}

// publication fills the publisher, its reading and the year from 264
// (publication) or 260, falling back to 008/07-10 for the year.
func (m *marcRecord) publication(rec *store.Record) {
	var pub *marcField
	for _, f := range m.each("260", "264") {
		if f.tag == "264" && f.ind2 != '1' {
			continue
		}
		if pub == nil || pub.sub('b') == "" && f.sub('b') != "" {
			pub = f
		}
	}
	if pub != nil {
		rec.Publisher = m.trim(pub.sub('b'))
		rec.PublisherYomi = m.reading(pub, 'b')
		rec.Year = firstYear(pub.sub('c'))
	}
	if rec.Year == 0 {
		for _, f := range m.each("260", "264") {
			if rec.Year = firstYear(f.sub('c')); rec.Year != 0 {
				break
			}
		}
	}
	if rec.Year == 0 {
		if f008 := m.control("008"); len(f008) >= 11 {
			rec.Year = firstYear(f008[7:11])
		}
	}
}

// ndc returns the Nippon Decimal Classification number. NDL writes it in
// 084 with "$2 njb/9" or "njb/10". 082 is Dewey: its numbers look like NDC
// ones but mean other things, so it is used only when it says it is NDC.
func (m *marcRecord) ndc() string {
	for _, f := range m.each("084", "082") {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(f.sub('2'))), "njb") {
			if n := ndcNumber(f.sub('a')); n != "" {
				return n
			}
		}
	}
	return ""
}

// recordKind names what a record of another kind than bibliographic is,
// by its leader/06: authority records (names, subjects) and holdings come
// in the same files as titles, and were once imported as books.
func recordKind(leader string) string {
	if len(leader) < 7 {
		return ""
	}
	switch leader[6] {
	case 'z':
		return "an authority record (leader/06 z)"
	case 'u', 'v', 'x', 'y':
		return "a holdings record (leader/06 " + leader[6:7] + ")"
	case 'w':
		return "a classification record (leader/06 w)"
	case 'q':
		return "a community information record (leader/06 q)"
	}
	return ""
}

// materialType maps leader/06 (type of record) and leader/07
// (bibliographic level) to the short list patrons see as a facet.
func materialType(leader string) string {
	if len(leader) < 8 {
		return store.MaterialOther
	}
	switch leader[6] {
	case 'a', 't':
		if leader[7] == 's' {
			return store.MaterialMagazine
		}
		return store.MaterialBook
	case 'c', 'd':
		return store.MaterialScore
	case 'e', 'f':
		return store.MaterialMap
	case 'g':
		return store.MaterialVideo
	case 'i', 'j':
		return store.MaterialAudio
	case 'm':
		return store.MaterialEbook
	}
	return store.MaterialOther
}

// language reads 008/35-37, or else the first 041 $a.
func (m *marcRecord) language() string {
	if f := m.control("008"); len(f) >= 38 {
		if l := strings.ToLower(f[35:38]); isLangCode(l) {
			return l
		}
	}
	for _, f := range m.each("041") {
		if a := strings.ToLower(clean(f.sub('a'))); len(a) >= 3 && isLangCode(a[:3]) {
			return a[:3]
		}
	}
	return ""
}

func isLangCode(s string) bool {
	if len(s) != 3 || s == "und" || s == "zxx" {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// source builds the stable key "marc:<003>:<001>". A record without 001
// gets a hash of its fields (005, the time of the last change, left out),
// so that the same record in ISO 2709 and MARCXML gets the same key.
func (m *marcRecord) source() string {
	org := clean(m.control("003"))
	id := clean(m.control("001"))
	if id == "" {
		h := sha256.New()
		for _, f := range m.fields {
			if f.tag == "005" {
				continue
			}
			h.Write([]byte{0x1e})
			h.Write([]byte(f.tag))
			if !f.isControl() {
				h.Write([]byte{f.ind1, f.ind2})
			}
			h.Write([]byte(clean(f.value)))
			for _, s := range f.subfields {
				h.Write([]byte{0x1f, s.code})
				h.Write([]byte(clean(s.value)))
			}
		}
		id = "sha256-" + hex.EncodeToString(h.Sum(nil))[:20]
	}
	if org == "" && hondanaSource(id) {
		return id
	}
	return "marc:" + org + ":" + id
}

// hondanaSource reports whether id is a source key of Hondana's own
// ("aozora:000148", "csv:…", "local:…"), as its MARC export writes in
// 001 without a 003 for records that did not come from MARC: read back,
// the record keeps its key, so an import of the export updates it.
func hondanaSource(id string) bool {
	scheme, rest, ok := strings.Cut(id, ":")
	if !ok || rest == "" {
		return false
	}
	switch scheme {
	case "aozora", "csv", "isbn", "local", "bench":
		return true
	}
	return false
}
