package library

import (
	"strings"

	"hondana/search"
	"hondana/store"
)

// docsOf turns store entries into index documents: what a record is
// found by, and what orders it among the hits.
func docsOf(entries []store.IndexEntry) []search.Doc {
	docs := make([]search.Doc, len(entries))
	for i, e := range entries {
		r := e.Record
		d := search.Doc{
			ID:            r.ID,
			Title:         strings.TrimSpace(strings.Join([]string{r.Title, r.Subtitle, r.Volume}, " ")),
			TitleYomi:     strings.TrimSpace(r.TitleYomi + " " + r.SubtitleYomi),
			Publisher:     r.Publisher,
			PublisherYomi: r.PublisherYomi,
			Series:        r.Series,
			SeriesYomi:    r.SeriesYomi,
			Subjects:      r.Subjects,
			ISBN:          r.ISBN,
			NDC:           r.NDC,
			MaterialType:  r.MaterialType,
			Year:          r.Year,
			Branches:      e.Holdings.Branches,
			Available:     e.Holdings.Available,
			Acquired:      e.Holdings.Acquired,
			Loans:         e.Loans,
		}
		if d.Title != r.Title {
			d.MainTitle = r.Title
		}
		for _, a := range r.Authors {
			d.Authors = append(d.Authors, a.Name)
			if a.Yomi != "" {
				d.AuthorsYomi = append(d.AuthorsYomi, a.Yomi)
			}
		}
		if r.Description != "" {
			d.Other = []string{r.Description}
		}
		d.SortKey = r.TitleYomi
		if d.SortKey == "" {
			d.SortKey = r.Title
		}
		docs[i] = d
	}
	return docs
}
