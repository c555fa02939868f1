package exporter

import (
	"bufio"
	"encoding/csv"
	"strconv"
	"strings"

	"hondana/store"
)

// catalogueColumns are the columns of a catalogue CSV, named as the
// importer's table reader knows them (importer/table.go).
var catalogueColumns = []string{"source", "title", "title_yomi", "subtitle", "subtitle_yomi", "authors", "authors_yomi",
	"responsibility", "publisher", "publisher_yomi", "year", "isbn", "ndc", "material_type", "series", "series_yomi",
	"volume", "subjects", "description", "extent", "language"}

func writeCSVRow(w *bufio.Writer, row []string) error {
	cw := csv.NewWriter(w)
	cw.Write(row)
	cw.Flush()
	return cw.Error()
}

// writeCSVRecord writes a record as a row: authors and their readings
// joined with " ; ", each author's role in the responsibility column
// ("夏目漱石 著 ; 山田太郎 絵"), as the importer reads them.
func writeCSVRecord(w *bufio.Writer, r *store.Record) error {
	var names, yomis, roles []string
	for _, a := range r.Authors {
		names = append(names, a.Name)
		yomis = append(yomis, a.Yomi)
		roles = append(roles, strings.TrimSpace(a.Name+" "+a.Role))
	}
	year := ""
	if r.Year > 0 {
		year = strconv.Itoa(r.Year)
	}
	titleYomi := r.TitleYomi
	if r.YomiGenerated {
		titleYomi = ""
	}
	return writeCSVRow(w, []string{r.Source, r.Title, titleYomi, r.Subtitle, r.SubtitleYomi, strings.Join(names, " ; "),
		strings.Join(yomis, " ; "), strings.Join(roles, " ; "), r.Publisher, r.PublisherYomi, year, r.ISBN, r.NDC,
		r.MaterialType, r.Series, r.SeriesYomi, r.Volume, strings.Join(r.Subjects, " ; "), r.Description, r.Extent, r.Language})
}
