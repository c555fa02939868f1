package search

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"hondana/search/internal/fast"
)

// Sort orders of a search.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortTitle     = "title"
	SortAcquired  = "acquired" // newest copies first: new arrivals
)

// Limits on what a query may ask, so a hostile one cannot make the server
// do unbounded work.
const (
	MaxQueryRunes = 256
	MaxWords      = 16
	MaxPerPage    = 100
	MaxOffset     = 10000
)

// Query is one catalogue search. Zero values mean "no filter".
type Query struct {
	Text string
	// Mode says how the words of Text must match: all of them (""),
	// any (ModeAnyWord), or each but for one character (ModeFuzzy).
	Mode string
	ISBN string // ISBN-13, when the text is an ISBN
	// Fields are the conditions of a field search (詳細検索), each of
	// which must hold.
	Fields       []FieldQuery
	NDC          string // leading digits, at least one
	MaterialType string
	Branch       string
	Available    bool // a copy on the shelf (at Branch, when set)
	YearFrom     int
	YearTo       int
	AcquiredFrom string // YYYY-MM-DD, for new arrivals
	Sort         string
	Offset       int
	Limit        int
	// NoFacets skips counting the facets: a search that only wants to
	// know whether anything matches.
	NoFacets bool
}

// Modes of a query's words (Query.Mode).
const (
	// ModeAnyWord matches the records with any of the words, those
	// with more of them first.
	ModeAnyWord = "any"
	// ModeFuzzy matches a word of FuzzyMinRunes characters or more
	// where all but one of them stand as typed: 銀河鉄道の液 finds
	// 銀河鉄道の夜.
	ModeFuzzy = "fuzzy"
)

// FuzzyMinRunes is the length from which ModeFuzzy lets a character of a
// word differ: of a shorter one, the bigrams left (three of five) match
// too much by chance (きんかくじ found 金貨 and 金華山).
const FuzzyMinRunes = 6

// Fields of a field search (FieldQuery.Field).
const (
	FieldTitle     = "title"
	FieldAuthor    = "author"
	FieldPublisher = "publisher"
	FieldSubject   = "subject"
	FieldSeries    = "series"
)

// How a field search matches its text (FieldQuery.Match).
const (
	MatchContains = "contains" // 含む: the words anywhere in the field
	MatchPrefix   = "prefix"   // 前方一致: the field begins with the text
	MatchExact    = "exact"    // 完全一致: the field is the text
)

// FieldQuery is one condition of a field search: a field, the text and
// how it must match. Text is compared as Key compares it, readings
// included: 完全一致 of ぎんがてつどうのよる finds 銀河鉄道の夜.
type FieldQuery struct {
	Field string
	Text  string
	Match string
}

// Count is one facet value and its number of hits.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets are the counts by facet over all hits of a query.
type Facets struct {
	NDC          []Count // first digit
	NDC3         []Count // three digits
	MaterialType []Count
	Branch       []Count
	Available    []Count // "true" / "false"
	Year         []Count // decades, "1950" for 1950–1959
}

// Result is a page of record ids with the total and facets.
type Result struct {
	Total  int
	IDs    []int64
	Facets Facets
	// FacetsApproximate says the facet counts are estimates: with more
	// than FacetExactMax hits they are counted in a sample of the hits
	// and scaled up to the total, so a rare value may be missing.
	FacetsApproximate bool
}

// Facets are counted exactly up to FacetExactMax hits; beyond, in a sample
// of about facetSample hits. Counting visits every counted hit's facet
// terms, which at a million records and a common word took longer than
// the whole rest of the query.
const (
	FacetExactMax = 10000
	facetSample   = 2000
)

// Search runs q. It never fails on what a user typed: text that analyses
// to nothing matches nothing.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	bq := ix.buildQuery(q)
	req := bleve.NewSearchRequestOptions(bq, q.Limit, q.Offset, false)
	byScore := false
	switch q.Sort {
	case SortNewest:
		req.SortBy([]string{"-" + fYear, "-" + fAcquired, "_id"})
	case SortTitle:
		req.SortBy([]string{fSort, "_id"})
	case SortAcquired:
		req.SortBy([]string{"-" + fAcquired, fSort, "_id"})
	default:
		if strings.TrimSpace(q.Text) == "" && q.ISBN == "" {
			req.SortBy([]string{"-" + fAcquired, "_id"})
		} else {
			// Equal scores keep index order: segment by segment, and
			// within a built segment the order Bleve's builder gave it
			// (it keeps a batch in a map, so not the ids' order).
			// Tie-breaking on _id read every hit's id, 15% of a query's
			// time at a million records.
			req.SortBy([]string{"-_score"})
			byScore = true
		}
	}
	key := q.cacheKey()
	gen := ix.gen.Load()
	cached, haveCached := ix.cache.get(key, gen)
	if q.NoFacets {
		// As good as cached: nothing to count.
		cached, haveCached = cachedFacets{}, true
	}
	if byScore && ix.fast != nil {
		h, err := ix.fast.Search(ctx, bq, q.Offset, q.Limit, !haveCached)
		switch {
		case err == nil:
			out := &Result{Total: h.Total, IDs: recordIDs(h.IDs)}
			switch {
			case out.Total == 0:
			case haveCached:
				out.Facets, out.FacetsApproximate = cached.facets, cached.approximate
			default:
				out.Facets = splitFacets(h.Facets, 1)
				ix.cache.put(key, gen, cachedFacets{out.Facets, false})
			}
			return out, nil
		case !errors.Is(err, fast.ErrNotReady):
			return nil, fmt.Errorf("search: %w", err)
		}
		// No facet columns yet: Bleve's collector and counting below.
	}
	sctx := ctx
	var counted func() *bsearch.FacetResult
	if !haveCached && ix.fast != nil {
		// Count the facets from the in-memory columns as hits stream by.
		sctx, counted = ix.fast.CountingContext(ctx)
	}
	res, err := ix.bi.SearchInContext(sctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &Result{Total: int(res.Total)}
	for _, h := range res.Hits {
		if id, err := strconv.ParseInt(h.ID, 10, 64); err == nil {
			out.IDs = append(out.IDs, id)
		}
	}
	if out.Total == 0 {
		return out, nil
	}
	if haveCached {
		out.Facets, out.FacetsApproximate = cached.facets, cached.approximate
		return out, nil
	}
	// Without columns (without the fast path, or just after start-up or a
	// merge, while they are read), count from Bleve's doc values, exactly
	// up to FacetExactMax hits and from a sample beyond.
	var fr *bsearch.FacetResult
	if counted != nil {
		fr = counted()
	}
	switch {
	case fr != nil:
		out.Facets = splitFacets(fr, 1)
	case out.Total <= FacetExactMax:
		out.Facets, _, err = ix.countFacets(ctx, bq)
	default:
		out.Facets, err = ix.sampleFacets(ctx, bq, out.Total)
		out.FacetsApproximate = true
	}
	if err != nil {
		return nil, err
	}
	ix.cache.put(key, gen, cachedFacets{out.Facets, out.FacetsApproximate})
	return out, nil
}

// recordIDs are the record ids of the documents ids.
func recordIDs(ids []string) []int64 {
	var out []int64
	for _, s := range ids {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// countFacets counts the facet terms of every hit of bq.
func (ix *Index) countFacets(ctx context.Context, bq query.Query) (Facets, int, error) {
	req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
	req.AddFacet(fFacet, bleve.NewFacetRequest(fFacet, 5000))
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return Facets{}, 0, fmt.Errorf("search: facets: %w", err)
	}
	return splitFacets(res.Facets[fFacet], 1), int(res.Total), nil
}

// sampleFacets estimates the facets of bq's total hits from the hits in
// enough sample slices to hold about facetSample of them.
func (ix *Index) sampleFacets(ctx context.Context, bq query.Query, total int) (Facets, error) {
	k := min(sampleSlices, (sampleSlices*facetSample+total-1)/total)
	slices := make([]query.Query, k)
	for i := range slices {
		slices[i] = termQ(fFilter, pSample+strconv.Itoa(i))
	}
	sq := bleve.NewConjunctionQuery(bq, bleve.NewDisjunctionQuery(slices...))
	req := bleve.NewSearchRequestOptions(sq, 0, 0, false)
	req.AddFacet(fFacet, bleve.NewFacetRequest(fFacet, 5000))
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return Facets{}, fmt.Errorf("search: facets: %w", err)
	}
	if res.Total == 0 {
		// The sample missed every hit (a small or oddly numbered
		// catalogue): count them all after all.
		f, _, err := ix.countFacets(ctx, bq)
		return f, err
	}
	return splitFacets(res.Facets[fFacet], float64(total)/float64(res.Total)), nil
}

func (q Query) cacheKey() string {
	return fmt.Sprintf("%q|%s|%q|%s|%s|%s|%s|%t|%d|%d|%s", q.Text, q.Mode, q.Fields, q.ISBN, q.NDC, q.MaterialType,
		q.Branch, q.Available, q.YearFrom, q.YearTo, q.AcquiredFrom)
}

// splitFacets sorts the facet field's counts into the facets, each count
// multiplied by scale (1 for exact counts).
func splitFacets(fr *bsearch.FacetResult, scale float64) Facets {
	var f Facets
	if fr == nil || fr.Terms == nil {
		return f
	}
	for _, t := range fr.Terms.Terms() {
		c := Count{Count: t.Count}
		if scale != 1 {
			c.Count = max(1, int(math.Round(float64(t.Count)*scale)))
		}
		switch {
		case strings.HasPrefix(t.Term, pNDC1):
			c.Value = t.Term[len(pNDC1):]
			f.NDC = append(f.NDC, c)
		case strings.HasPrefix(t.Term, pNDC3):
			c.Value = t.Term[len(pNDC3):]
			f.NDC3 = append(f.NDC3, c)
		case strings.HasPrefix(t.Term, pMType):
			c.Value = t.Term[len(pMType):]
			f.MaterialType = append(f.MaterialType, c)
		case strings.HasPrefix(t.Term, pBranch):
			c.Value = t.Term[len(pBranch):]
			f.Branch = append(f.Branch, c)
		case strings.HasPrefix(t.Term, pAvail):
			c.Value = "false"
			if t.Term == pAvail+"1" {
				c.Value = "true"
			}
			f.Available = append(f.Available, c)
		case strings.HasPrefix(t.Term, pDecade):
			c.Value = t.Term[len(pDecade):]
			f.Year = append(f.Year, c)
		}
	}
	byValue := func(s []Count) {
		sort.Slice(s, func(i, j int) bool { return s[i].Value < s[j].Value })
	}
	byValue(f.NDC)
	byValue(f.Year)
	sort.SliceStable(f.NDC3, func(i, j int) bool { return f.NDC3[i].Count > f.NDC3[j].Count })
	if len(f.NDC3) > 30 {
		f.NDC3 = f.NDC3[:30]
	}
	return f
}

// buildQuery turns q into a Bleve query. Text is never parsed as Bleve
// query syntax: each word must match some field, so "title:*" is just
// two words to look for.
func (ix *Index) buildQuery(q Query) query.Query {
	var must []query.Query
	text := CleanText(q.Text)
	words := strings.Fields(text)
	if len(words) > MaxWords {
		words = words[:MaxWords]
	}
	if q.ISBN != "" {
		must = append(must, termQ(fISBN, q.ISBN))
	}
	if len(words) > 0 {
		var wqs []query.Query
		for _, w := range words {
			// A word that analyses to nothing ("*", "+-") cannot match,
			// and must not empty the whole result.
			if wq := ix.wordQuery(w, q.Mode == ModeFuzzy); wq != nil {
				wqs = append(wqs, wq)
			}
		}
		switch {
		case len(wqs) == 0:
			return bleve.NewMatchNoneQuery()
		case q.Mode == ModeAnyWord && len(wqs) > 1:
			anyWord := bleve.NewDisjunctionQuery(wqs...)
			anyWord.SetMin(1)
			must = append(must, anyWord)
		default:
			must = append(must, wqs...)
		}
	}
	for _, fq := range q.Fields {
		fqq := ix.fieldQuery(fq)
		if fqq == nil {
			return bleve.NewMatchNoneQuery()
		}
		must = append(must, fqq)
	}
	filters := q.filterTerms()
	if q.YearFrom > 0 || q.YearTo > 0 {
		filters = append(filters, yearFilter(q.YearFrom, q.YearTo))
	}
	if q.AcquiredFrom != "" {
		filters = append(filters, termRange(fAcquired, q.AcquiredFrom, ""))
	}
	if len(must) == 0 && len(filters) == 0 {
		return bleve.NewMatchAllQuery()
	}
	bq := bleve.NewBooleanQuery()
	switch {
	case len(must) == 0:
		// Filters alone: their postings drive the search.
		bq.Must = all(filters)
	case len(filters) > 0:
		// Filters of a text search are checked on the text's hits and
		// not scored: a branch or a decade says nothing of relevance,
		// and scoring their long postings lists was wasted work.
		bq.Must = all(must)
		bq.AddFilter(all(filters))
	default:
		bq.Must = all(must)
	}
	if len(words) > 0 && q.ISBN == "" {
		bq.AddShould(ix.rankingQueries(text, words, ix.isAuthor(Key(text)))...)
	}
	return bq
}

// Boosts of the ranking tiers (R81), far apart: a tier's weakest match
// must outweigh everything the tiers below it add up to, the words' own
// scores included, whatever their idf.
const (
	boostExact  = 2000 // the exact title (or its reading), as a whole or a word
	boostAuthor = 100  // the query, or a word of it, is an author's whole name
	// boostAuthorName is the author tier's boost when the whole query
	// is an author's name: their own works come before even a work
	// whose title is the name (萩原朔太郎 by 堀辰雄 is about him).
	boostAuthorName = 20000
	boostPrefix     = 8 // the title (or its reading) begins with the first word
	// popularShare is the boost of a tier of loans (see popularTiers)
	// against the boost of the tier it orders.
	popularShare = 0.1
)

// rankingQueries are the optional clauses that order the hits of text
// (R81): the exact title first, then an author's own works (not those
// about them), then titles that begin with the query, then the rest;
// within each of the first three, the titles borrowed more first.
//
// Each tier is a query of its own whose loans clauses count only for the
// records that match it: Bleve multiplies the score of optional clauses
// by the share of them that match, so loans as clauses beside the tiers
// doubled the score of any record borrowed a few times, whatever it
// matched.
func (ix *Index) rankingQueries(text string, words []string, authorName bool) []query.Query {
	boosted := func(q *query.TermQuery, b float64) query.Query {
		q.SetBoost(b)
		return q
	}
	tier := func(clauses []query.Query, boost float64) query.Query {
		t := bleve.NewBooleanQuery()
		t.AddMust(oneOf(clauses))
		pop := make([]query.Query, len(popularTiers))
		for i := range popularTiers {
			pop[i] = boosted(termQ(fFilter, pPopular+strconv.Itoa(i+1)), boost*popularShare)
		}
		t.AddShould(pop...)
		return t
	}
	k := Key(text)
	exact := []query.Query{boosted(termQ(fExact, xTitle+k), boostExact), boosted(termQ(fSort, k), boostExact)}
	author := []query.Query{boosted(termQ(fAuthorKey, xAuthor+k), boostAuthor)}
	if len(words) > 1 && len(words) <= 4 {
		// 夏目漱石 こころ: the work of that title by that author.
		for _, w := range words {
			if kw := Key(w); kw != "" {
				exact = append(exact, boosted(termQ(fExact, xTitle+kw), boostExact))
				author = append(author, boosted(termQ(fAuthorKey, xAuthor+kw), boostAuthor))
			}
		}
	}
	authorBoost := float64(boostAuthor)
	if authorName {
		authorBoost = boostAuthorName
		author[0] = boosted(termQ(fAuthorKey, xAuthor+k), authorBoost)
	}
	out := []query.Query{tier(exact, boostExact), tier(author, authorBoost)}
	if terms := ix.analyse(AnalyzerQuery, words[0]); len(terms) > 0 {
		anchor := string(anchorTerm([]byte(terms[0])))
		prefix := []query.Query{boosted(termQ(fTitle, anchor), boostPrefix)}
		if isReading(words[0]) {
			prefix = append(prefix, boosted(termQ(fTitleYomi, anchor), boostPrefix))
		}
		out = append(out, tier(prefix, boostPrefix))
	}
	return out
}

// IsName reports whether text is, as a whole, a title, a title's
// reading or an author's name or reading in the index (as Key compares
// them): a few look-ups of terms, no search.
func (ix *Index) IsName(text string) bool {
	k := Key(text)
	return ix.isAuthor(k) || ix.hasTerm(fExact, xTitle+k) || ix.hasTerm(fSort, k)
}

// isAuthor reports whether key is the Key of some author's whole name
// (or reading).
func (ix *Index) isAuthor(key string) bool { return ix.hasTerm(fAuthorKey, xAuthor+key) }

// hasTerm reports whether some document has term in field: a look-up of
// its count.
func (ix *Index) hasTerm(field, term string) (found bool) {
	if term == "" || ix.closed.Load() {
		return false
	}
	// A closed index (closed under us) has no snapshot to read, and
	// reading it panics: then the name is simply not known.
	defer func() {
		if recover() != nil {
			found = false
		}
	}()
	ai, err := ix.bi.Advanced()
	if err != nil {
		return false
	}
	r, err := ai.Reader()
	if err != nil {
		return false
	}
	defer r.Close()
	tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
	if err != nil {
		return false
	}
	defer tfr.Close()
	return tfr.Count() > 0
}

// isReading reports whether a query word is kana only (and so may be a
// reading).
func isReading(w string) bool {
	n := 0
	for _, r := range searchText(w) {
		switch {
		case r >= 'ァ' && r <= 'ヺ', r == 'ー':
			n++
		case unicode.IsLetter(r), unicode.IsNumber(r):
			return false
		}
	}
	return n >= 1
}

// fieldQuery is the query of one condition of a field search; nil when
// its text analyses to nothing (it can match nothing).
func (ix *Index) fieldQuery(fq FieldQuery) query.Query {
	k := Key(fq.Text)
	if k == "" {
		return nil
	}
	var kind string
	switch fq.Field {
	case FieldTitle:
		kind = xTitle
	case FieldAuthor:
		kind = xAuthor
	case FieldPublisher:
		kind = xPublisher
	case FieldSeries:
		kind = xSeries
	case FieldSubject:
		kind = xSubject
	default:
		return nil
	}
	switch fq.Match {
	case MatchExact:
		qs := []query.Query{termQ(fieldOf(kind), kind+k)}
		if fq.Field == FieldTitle {
			qs = append(qs, termQ(fSort, k)) // the reading
		}
		return oneOf(qs)
	case MatchPrefix:
		p := bleve.NewPrefixQuery(kind + k)
		p.SetField(fieldOf(kind))
		qs := []query.Query{p}
		if fq.Field == FieldTitle {
			r := bleve.NewPrefixQuery(k)
			r.SetField(fSort)
			qs = append(qs, r)
		}
		return oneOf(qs)
	}
	// 含む: title and author are searched word by word in their text
	// fields, as the simple search does; the short fields (publisher,
	// series, subject) by their names that contain the text, of which
	// there are few.
	switch fq.Field {
	case FieldTitle, FieldAuthor:
		text, reading := fTitle, fTitleYomi
		if fq.Field == FieldAuthor {
			text, reading = fAuthor, fAuthorYomi
		}
		var words []query.Query
		for _, w := range strings.Fields(CleanText(fq.Text)) {
			terms := ix.analyse(AnalyzerQuery, w)
			if len(terms) == 0 {
				continue
			}
			alt := []query.Query{allTerms(text, terms, 1)}
			if isReading(w) {
				rterms := terms
				if reading == fTitleYomi {
					rterms = ix.analyse(AnalyzerReadingQuery, w)
				}
				alt = append(alt, allTerms(reading, rterms, 1))
			}
			words = append(words, oneOf(alt))
		}
		if len(words) == 0 {
			return nil
		}
		return all(words)
	}
	re := bleve.NewRegexpQuery(regexp.QuoteMeta(kind) + ".*" + regexp.QuoteMeta(k) + ".*")
	re.SetField(fieldOf(kind))
	return re
}

// oneOf is the disjunction of qs; one query is itself.
func oneOf(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// yearFilter matches the years from to to (0: no bound): the years of the
// decades at either end one by one, the whole decades between by their
// decade terms, so that even a range over centuries unions a few dozen
// postings lists at most.
func yearFilter(from, to int) query.Query {
	from = min(max(from, 0), 9999)
	if to <= 0 || to > 9999 {
		to = 9999
	}
	if from > to {
		return termQ(fFilter, "none:year") // matches nothing
	}
	years := func(from, to int) query.Query {
		return termRange(fYear, yearTerm(from), yearTerm(to))
	}
	firstWhole := (from + 9) / 10 * 10 // the first decade wholly inside
	lastWhole := (to - 9) / 10 * 10    // the last
	if to < 9 || firstWhole > lastWhole {
		return years(from, to)
	}
	parts := []query.Query{termRange(fFilter, pDecadeFilter+yearTerm(firstWhole), pDecadeFilter+yearTerm(lastWhole))}
	if from < firstWhole {
		parts = append(parts, years(from, firstWhole-1))
	}
	if lastWhole+9 < to {
		parts = append(parts, years(lastWhole+10, to))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return bleve.NewDisjunctionQuery(parts...)
}

// termRange matches the terms of field from lo to hi, both included ("":
// no bound).
func termRange(field, lo, hi string) query.Query {
	incl := true
	q := bleve.NewTermRangeInclusiveQuery(lo, hi, &incl, &incl)
	q.SetField(field)
	return q
}

// filterTerms turns the filters of q into term queries on the facet and
// filter fields.
func (q Query) filterTerms() []query.Query {
	var out []query.Query
	// The index holds one to three leading digits as terms of their
	// own, and every digit of a longer number, which a prefix of four
	// or more finds by a range of terms.
	switch n := ndcDigits(q.NDC); len(n) {
	case 0:
	case 1:
		out = append(out, termQ(fFacet, pNDC1+n))
	case 2:
		out = append(out, termQ(fFilter, pNDC2+n))
	case 3:
		out = append(out, termQ(fFacet, pNDC3+n))
	default:
		// Digits sort before ':', so "nd:9136" up to "nd:9136:" holds
		// 913.6 and every subdivision of it.
		incl, excl := true, false
		r := bleve.NewTermRangeInclusiveQuery(pNDCFull+n, pNDCFull+n+":", &incl, &excl)
		r.SetField(fFilter)
		out = append(out, r)
	}
	if q.MaterialType != "" {
		out = append(out, termQ(fFacet, pMType+q.MaterialType))
	}
	if q.Branch != "" {
		out = append(out, termQ(fFacet, pBranch+q.Branch))
	}
	if q.Available {
		if q.Branch != "" {
			out = append(out, termQ(fFilter, pAvailAt+q.Branch))
		} else {
			out = append(out, termQ(fFacet, pAvail+"1"))
		}
	}
	return out
}

// wordQuery matches one word of the user's query in any text field, all
// of its terms in the same field; title matches weigh most. A word of
// kana is also looked for in the readings, its kana next to each other
// there (see AnalyzerReading), and not in long text (descriptions). It
// is what a match query with operator AND makes of the word in each
// field, without analysing the word once per field, and without a
// conjunction around a single term (the sum of one score is that score,
// so the scores are the same). fuzzy lets one character of a word of
// FuzzyMinRunes or more differ: all its bigrams but two must match, and
// the records that share more of its characters rank first. Nil when the
// word analyses to nothing.
func (ix *Index) wordQuery(w string, fuzzy bool) query.Query {
	terms := ix.analyse(AnalyzerQuery, w)
	if len(terms) == 0 {
		return nil
	}
	need := len(terms)
	var chars []string
	if fuzzy && utf8.RuneCountInString(w) >= FuzzyMinRunes && len(terms) >= FuzzyMinRunes-1 {
		need = len(terms) - 2
		chars = ix.analyse(AnalyzerIndex, w)
	}
	in := func(field string, terms []string, boost float64, need int) query.Query {
		q := termsIn(field, terms, boost, need)
		if chars == nil || field == fTitleYomi || field == fAuthorYomi || field == fOtherYomi {
			return q
		}
		// One character off: those with more of the word's characters
		// (its unigrams and bigrams) first.
		b := bleve.NewBooleanQuery()
		b.AddMust(q)
		b.AddShould(termsIn(field, chars, boost, 1))
		return b
	}
	reading := isReading(w)
	dis := []query.Query{in(fTitle, terms, 4, need), in(fAuthor, terms, 3, need), in(fOther, terms, 1, need)}
	if !reading {
		dis = append(dis, in(fText, terms, 1, need))
	} else {
		rterms := terms // fuzzy: the bigrams, which title readings hold too
		if need == len(terms) {
			rterms = ix.analyse(AnalyzerReadingQuery, w)
		}
		rneed := need - len(terms) + len(rterms)
		dis = append(dis, in(fTitleYomi, rterms, 3, rneed), in(fAuthorYomi, terms, 2, need), in(fOtherYomi, terms, 1, need))
	}
	return bleve.NewDisjunctionQuery(dis...)
}

// termsIn matches at least need of terms in field, each boosted.
func termsIn(field string, terms []string, boost float64, need int) query.Query {
	if need >= len(terms) {
		return allTerms(field, terms, boost)
	}
	tqs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := termQ(field, t)
		tq.SetBoost(boost)
		tqs[i] = tq
	}
	d := bleve.NewDisjunctionQuery(tqs...)
	d.SetMin(float64(need))
	return d
}

// allTerms matches every one of terms in field, each boosted.
func allTerms(field string, terms []string, boost float64) query.Query {
	tqs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := termQ(field, t)
		tq.SetBoost(boost)
		tqs[i] = tq
	}
	return all(tqs)
}

// all is the conjunction of qs; one query is itself. Bleve searches a
// conjunction of one as another layer over every hit.
func all(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewConjunctionQuery(qs...)
}

// analyse returns the terms the named analyzer makes of w; none for "*"
// or "+-".
func (ix *Index) analyse(analyzer, w string) []string {
	a := ix.bi.Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return nil
	}
	var terms []string
	for _, t := range a.Analyze([]byte(w)) {
		terms = append(terms, string(t.Term))
	}
	return terms
}

func termQ(field, term string) *query.TermQuery {
	tq := bleve.NewTermQuery(term)
	tq.SetField(field)
	return tq
}

// CleanText makes a user's query safe to analyse: valid UTF-8, no control
// characters, at most MaxQueryRunes runes, spaces collapsed.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, " ")
	if utf8.RuneCountInString(s) > MaxQueryRunes {
		s = string([]rune(s)[:MaxQueryRunes])
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u3000' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// facetCache keeps the facet counts of recent queries, so paging through
// results does not count them again. Entries of an older index generation
// are stale.
type facetCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[string]*list.Element
}

type cacheEntry struct {
	key    string
	gen    int64
	facets cachedFacets
}

type cachedFacets struct {
	facets      Facets
	approximate bool
}

func newFacetCache(max int) *facetCache {
	return &facetCache{max: max, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *facetCache) get(key string, gen int64) (cachedFacets, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return cachedFacets{}, false
	}
	ent := e.Value.(*cacheEntry)
	if ent.gen != gen {
		c.ll.Remove(e)
		delete(c.items, key)
		return cachedFacets{}, false
	}
	c.ll.MoveToFront(e)
	return ent.facets, true
}

func (c *facetCache) put(key string, gen int64, f cachedFacets) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.ll.Remove(e)
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key: key, gen: gen, facets: f})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}
