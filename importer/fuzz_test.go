package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"hondana/store"
)

// addSeeds adds the small fixtures matching pattern, when present.
func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join(dataDir, pattern))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 8<<10 {
			f.Add(b)
		}
	}
}

// fuzzRead reads b and fails on anything but clean records and
// *RecordErrors; a panic fails the fuzz test by itself.
func fuzzRead(t *testing.T, b []byte, format Format) {
	Read(context.Background(), bytes.NewReader(b), format, func(pos int, rec *store.Record, err error) error {
		if err != nil {
			if _, ok := err.(*RecordError); !ok || rec != nil {
				t.Fatalf("record %d: bad error %T %v", pos, err, err)
			}
			return nil
		}
		all := []string{rec.Title, rec.TitleYomi, rec.Subtitle, rec.SubtitleYomi, rec.Publisher, rec.PublisherYomi,
			rec.Series, rec.SeriesYomi, rec.Volume, rec.Description, rec.Source, rec.NDC, rec.Language}
		all = append(all, rec.Subjects...)
		for _, a := range rec.Authors {
			all = append(all, a.Name, a.Yomi, a.Role)
		}
		for _, s := range all {
			if !utf8.ValidString(s) {
				t.Fatalf("record %d: invalid UTF-8 %q", pos, s)
			}
		}
		return nil
	})
}

func FuzzISO2709(f *testing.F) {
	f.Add(buildISO2709('a', ndlFields...))
	f.Add(buildISO2709(' ', field{"001", "1"}, field{"245", "10$aL\xe2e \x1b(Bx\x1b$1!0!"}))
	addSeeds(f, "marc_edgecases/pymarc/*.dat")
	addSeeds(f, "marc_edgecases/pymarc/*.mrc")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, MARC21) })
}

func FuzzMARCXML(f *testing.F) {
	f.Add([]byte(`<collection><record><leader>00000nam a2200000 i 4500</leader><controlfield tag="001">1</controlfield>` +
		`<datafield tag="245" ind1="0" ind2="0"><subfield code="a">T /</subfield></datafield></record></collection>`))
	f.Add([]byte(`<marc:record><marc:datafield tag="245"><marc:subfield code="a">x</marc:subfield></marc:record><record/>`))
	addSeeds(f, "marc_edgecases/pymarc/*.xml")
	addSeeds(f, "marc_edgecases/marc4j/chabon*.xml")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, MARCXML) })
}
