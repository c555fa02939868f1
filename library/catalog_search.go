package library

import (
	"context"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"hondana/isbn"
	"hondana/search"
	"hondana/store"
)

// Hit is one record in a result list, with what a patron wants to see at
// a glance: where copies are and how many people wait.
type Hit struct {
	Record       *store.Record
	Copies       []store.Copy
	Available    bool
	HoldsWaiting int
}

// Suggestion is a search the patron may try instead of one that found
// nothing.
type Suggestion struct {
	Text  string
	Total int
}

// SearchResult is one page of a catalogue search.
type SearchResult struct {
	Total  int
	Hits   []Hit
	Facets search.Facets
	// FacetsApproximate says the facet counts are estimated from a
	// sample of the hits (more than search.FacetExactMax of them).
	FacetsApproximate bool
	Suggestions       []Suggestion
	// Relaxed is what a search that found nothing shows at once
	// instead (R80), nil when it found something or nothing near.
	Relaxed *Relaxed
}

// Kinds of relaxed searches (Relaxed.Kind), in the order they are tried.
const (
	RelaxRomaji   = "romaji"   // romaji read as kana: natsume soseki → ナツメ ソウセキ
	RelaxSpelling = "spelling" // a っ or ー dropped or added: 坊ちゃん → 坊っちゃん
	RelaxReading  = "reading"  // a kanji word by its reading: 京都液 → キョウトエキ (京都駅)
	RelaxOneChar  = "one_char" // one character off: 銀河鉄道の液 → 銀河鉄道の夜
	RelaxAnyWord  = "any_word" // any of the words, those with more first
)

// Relaxed is the result of the nearest search to one that found nothing:
// its kind, the text it searched for (to show: "「…」の結果を表示しています")
// and its page of hits.
type Relaxed struct {
	Kind              string
	From              string // the text that found nothing
	Text              string
	Total             int
	Hits              []Hit
	Facets            search.Facets
	FacetsApproximate bool
}

// FacetsReady reports whether the index has read what it needs to count
// facets fast: a few seconds after start-up at a million records.
func (c *Catalog) FacetsReady() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ix != nil && c.ix.FacetsReady()
}

// ISBNQuery reports the ISBN-13 a search text stands for: 10 or 13 digits
// (an ISBN-10 may end in X), with hyphens of any kind or none, full-width
// or not, after an "ISBN" prefix or not ("ISBN978-4-…", "isbn:4-…").
func ISBNQuery(text string) (string, bool) {
	t := strings.TrimSpace(norm.NFKC.String(text))
	if len(t) >= 4 && strings.EqualFold(t[:4], "isbn") {
		t = strings.TrimLeft(t[4:], " :-")
	}
	if !isbn.Looks(t) {
		return "", false
	}
	return isbn.Normalize(t)
}

// Search runs a catalogue search. A query that looks like an ISBN (10 or
// 13 digits, hyphens or not, "ISBN" before it or not) finds the record
// with that ISBN. A search that finds nothing runs the relaxed forms of
// its words at once (see Relaxed) and comes back with suggestions: the
// query with one word left out, or read as romaji.
func (c *Catalog) Search(ctx context.Context, q search.Query) (*SearchResult, error) {
	q.Text = search.CleanText(q.Text)
	if q.ISBN == "" {
		if n, ok := ISBNQuery(q.Text); ok {
			// The text is the ISBN, not words to look for.
			q.ISBN, q.Text = n, ""
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	ix, err := c.openIndex()
	if err != nil {
		return nil, err
	}
	res, err := ix.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &SearchResult{Total: res.Total, Facets: res.Facets, FacetsApproximate: res.FacetsApproximate}
	if out.Hits, err = c.Hits(ctx, res.IDs); err != nil {
		return nil, err
	}
	exactFirst(out.Hits, q)
	if res.Total == 0 && q.Text != "" {
		if q.Offset == 0 {
			out.Suggestions = c.suggest(ctx, ix, q)
		}
		if out.Relaxed, err = c.relax(ctx, ix, q); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openIndex is the index in use, for a caller holding c.mu: a rebuild
// does not close it until the search is done.
func (c *Catalog) openIndex() (*search.Index, error) {
	if c.ix == nil {
		if c.closed {
			return nil, errClosed
		}
		return nil, errNoIndex
	}
	return c.ix, nil
}

// exactFirst puts, among the hits at the top of the first page whose
// title is the query's (search.Key alike, which the index ranks first),
// those spelt exactly as typed first: 吾輩は猫である before 吾輩ハ猫デアル.
func exactFirst(hits []Hit, q search.Query) {
	if q.Offset > 0 || q.Text == "" || q.Sort != "" && q.Sort != search.SortRelevance {
		return
	}
	key := search.Key(q.Text)
	n := 0
	for n < len(hits) && titleKeyIs(hits[n].Record, key) {
		n++
	}
	if n < 2 {
		return
	}
	typed := literal(q.Text)
	slices.SortStableFunc(hits[:n], func(a, b Hit) int {
		la, lb := literal(a.Record.Title) == typed, literal(b.Record.Title) == typed
		switch {
		case la && !lb:
			return -1
		case lb && !la:
			return 1
		}
		return 0
	})
}

func titleKeyIs(r *store.Record, key string) bool {
	return search.Key(r.Title) == key || search.Key(r.TitleYomi) == key ||
		search.Key(strings.Join([]string{r.Title, r.Subtitle, r.Volume}, " ")) == key
}

// literal is text as typed, but for width, case and spaces.
func literal(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(s))), " ")
}

// Hits loads records with their copies and holds, in the order of ids.
func (c *Catalog) Hits(ctx context.Context, ids []int64) ([]Hit, error) {
	recs, err := c.db.RecordsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	copies, err := c.db.CopiesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	holds, err := c.db.HoldsWaiting(ctx, ids)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(recs))
	for i, r := range recs {
		h := Hit{Record: r, Copies: copies[r.ID], HoldsWaiting: holds[r.ID]}
		for _, cp := range h.Copies {
			if cp.Status == store.CopyOnShelf {
				h.Available = true
			}
		}
		hits[i] = h
	}
	return hits, nil
}

func (c *Catalog) suggest(ctx context.Context, ix *search.Index, q search.Query) []Suggestion {
	var out []Suggestion
	seen := map[string]bool{q.Text: true}
	try := func(text string) {
		if text == "" || seen[text] {
			return
		}
		seen[text] = true
		alt := q
		alt.Text, alt.ISBN, alt.Mode, alt.Offset, alt.Limit, alt.NoFacets = text, "", "", 0, 1, true
		if r, err := ix.Search(ctx, alt); err == nil && r.Total > 0 {
			out = append(out, Suggestion{Text: text, Total: r.Total})
		}
	}
	for _, kana := range romajiReadings(q.Text) {
		try(kana)
	}
	words := strings.Fields(q.Text)
	if len(words) > 1 && len(words) <= 6 {
		for i := range words {
			rest := append(append([]string{}, words[:i]...), words[i+1:]...)
			try(strings.Join(rest, " "))
		}
	}
	// Without filters the same words may find something.
	if len(out) == 0 && (q.NDC != "" || q.MaterialType != "" || q.Branch != "" || q.Available || q.YearFrom > 0 || q.YearTo > 0) {
		alt := search.Query{Text: q.Text, Fields: q.Fields, Limit: 1, NoFacets: true}
		if r, err := ix.Search(ctx, alt); err == nil && r.Total > 0 {
			out = append(out, Suggestion{Text: q.Text, Total: r.Total})
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// Record returns one record with its copies and holds.
func (c *Catalog) Record(ctx context.Context, id int64) (*Hit, error) {
	hits, err := c.Hits(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(hits) == 0 {
		return nil, store.ErrNotFound
	}
	return &hits[0], nil
}
