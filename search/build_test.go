package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// TestBuildFieldsMatchMapping: the builder makes a document's fields
// itself rather than through the mapping's walk; every field, option,
// value and analysed term must come out as the mapping makes them, or a
// built index would answer differently from one kept by Apply.
func TestBuildFieldsMatchMapping(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	specs, err := fieldSpecs(m)
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{fields: specs}
	docs := append(slices.Clone(filterDocs),
		Doc{ID: 9, Title: "吾輩ハ猫デアル", TitleYomi: "ワガハイ ワ ネコ デ アル", Authors: []string{"夏目漱石", "Natsume Soseki"},
			AuthorsYomi: []string{"ナツメ ソウセキ"}, Publisher: "岩波書店", Other: []string{"イワナミ ショテン", "", "猫文庫", "小説"},
			ISBN: "9784003101018", NDC: "913.6", MaterialType: "book", Year: 1905,
			Branches: []string{"ozu", "nagahama"}, Available: nil, Acquired: "2001-02-03", SortKey: "ワガハイワネコデアル"},
		Doc{ID: 10}, // nothing but an id
	)
	for _, d := range docs {
		t.Run(fmt.Sprint(d.ID), func(t *testing.T) {
			want := document.NewDocument(fmt.Sprint(d.ID))
			if err := m.MapDocument(want, d.fields()); err != nil {
				t.Fatal(err)
			}
			got, err := b.document(&d)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := describeFields(got), describeFields(want); !slices.Equal(g, w) {
				t.Errorf("fields differ:\n got  %s\n want %s", strings.Join(g, "\n      "), strings.Join(w, "\n      "))
			}
		})
	}
}

// describeFields lists a document's fields by name, analysed, one line
// each in a stable order: what a segment keeps of them. Several fields of
// one name are one to a segment, their terms and lengths added up.
func describeFields(d *document.Document) []string {
	type field struct {
		desc   string
		length int
		terms  map[string]int
	}
	byName := map[string]*field{}
	d.VisitFields(func(f index.Field) {
		f.Analyze()
		desc := fmt.Sprintf("%s %T opts=%d", f.Name(), f, f.Options())
		agg := byName[f.Name()]
		if agg == nil {
			agg = &field{desc: desc, terms: map[string]int{}}
			byName[f.Name()] = agg
		} else if agg.desc != desc {
			agg.desc += " / " + desc
		}
		agg.length += f.AnalyzedLength()
		for term, tf := range f.AnalyzedTokenFrequencies() {
			agg.terms[term] += tf.Frequency()
		}
	})
	var out []string
	for _, f := range byName {
		var terms []string
		for term, n := range f.terms {
			terms = append(terms, fmt.Sprintf("%q×%d", term, n))
		}
		slices.Sort(terms)
		out = append(out, fmt.Sprintf("%s len=%d terms=%v", f.desc, f.length, terms))
	}
	slices.Sort(out)
	return out
}
