package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// LoadRecord is the record the path's :id names, with its copies, for
// its page and its API answer alike.
func (s *Server) LoadRecord(c *gin.Context) (*library.Hit, error) {
	id, err := RecordID(c)
	if err != nil {
		return nil, err
	}
	h, err := s.Catalog.Record(c.Request.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound(library.RecordNotFound)
	}
	return h, err
}

// NewArrivals runs the new-arrivals search shared by the page and the API.
func (s *Server) NewArrivals(c *gin.Context) (*library.SearchResult, search.Query, int, int, error) {
	maxDays := 365
	days, err := intParam(c, "days", s.Site.NewArrivalsDays, 1, maxDays, func() *Error { return badParam("days", "why.days", maxDays) })
	if err != nil {
		return nil, search.Query{}, 0, 0, err
	}
	q, page, err := s.SearchParams(c)
	if err != nil {
		return nil, q, 0, 0, err
	}
	q.Sort = search.SortAcquired
	today := s.Clock.Now().In(s.Calendar.Location())
	q.AcquiredFrom = today.AddDate(0, 0, -days).Format(library.DateLayout)
	res, err := s.Catalog.Search(c.Request.Context(), q)
	return res, q, page, days, err
}

// Rank is one line of a ranking.
type Rank struct {
	Rank     int    `json:"rank"`
	RecordID int64  `json:"record_id"`
	Title    string `json:"title"`
	Author   string `json:"author"`
	Count    int    `json:"count"`
}

// Ranking loads one of the two rankings for the page and the API.
func (s *Server) Ranking(c *gin.Context, holds bool) ([]Rank, []library.Hit, string, error) {
	limit, err := intParam(c, "limit", 20, 1, 100, func() *Error { return badParam("limit", "why.limit", 100) })
	if err != nil {
		return nil, nil, "", err
	}
	var rows []store.LoanRanking
	period := ""
	if holds {
		rows, err = s.DB.TopHolds(c.Request.Context(), limit)
	} else {
		period = c.DefaultQuery("period", "month")
		now := s.Clock.Now().In(s.Calendar.Location())
		since := ""
		switch period {
		case "month":
			since = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).Format(library.DateLayout)
		case "year":
			since = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, now.Location()).Format(library.DateLayout)
		case "all":
		default:
			return nil, nil, "", badParam("period", "why.period")
		}
		rows, err = s.DB.TopLoans(c.Request.Context(), since, limit)
	}
	if err != nil {
		return nil, nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.RecordID
	}
	hits, err := s.Catalog.Hits(c.Request.Context(), ids)
	if err != nil {
		return nil, nil, "", err
	}
	byID := map[int64]library.Hit{}
	for _, h := range hits {
		byID[h.Record.ID] = h
	}
	out := []Rank{}
	var kept []library.Hit
	rank := 0
	for i, r := range rows {
		h, ok := byID[r.RecordID]
		if !ok {
			continue
		}
		// Equal counts share a rank (1, 2, 2, 4).
		if i == 0 || rows[i-1].Count != r.Count {
			rank = len(out) + 1
		}
		out = append(out, Rank{Rank: rank, RecordID: r.RecordID, Title: h.Record.Title, Author: JoinAuthors(h.Record.Authors, false), Count: r.Count})
		kept = append(kept, h)
	}
	return out, kept, period, nil
}

// CalendarMonth reads ?branch=&month= and returns that month's days.
func (s *Server) CalendarMonth(c *gin.Context) (store.Branch, time.Time, []library.Day, error) {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return store.Branch{}, time.Time{}, nil, err
	}
	if len(bs) == 0 {
		return store.Branch{}, time.Time{}, nil, NotFound(CodeNotFound)
	}
	b := bs[0]
	if code := c.Query("branch"); code != "" {
		found := false
		for _, x := range bs {
			if x.Code == code {
				b, found = x, true
			}
		}
		if !found {
			return b, time.Time{}, nil, &Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownBranch, Msg: "err.unknown_branch"}
		}
	}
	loc := s.Calendar.Location()
	now := s.Clock.Now().In(loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if v := c.Query("month"); v != "" {
		m, err := time.ParseInLocation("2006-01", v, loc)
		if err != nil || m.Year() < 1900 || m.Year() > 2200 {
			return b, month, nil, badParam("month", "why.month")
		}
		month = m
	}
	days, err := s.Calendar.Month(c.Request.Context(), b.Code, month.Year(), month.Month())
	return b, month, days, err
}

// Covers returns the cover address of each hit's record (R83), for a
// page that shows them; none in lite mode, which saves the bytes. A
// failure to find them is logged, and the page goes without.
func (s *Server) Covers(c *gin.Context, hits []library.Hit) map[int64]string {
	if isLite(c) || len(hits) == 0 {
		return nil
	}
	recs := make([]*store.Record, len(hits))
	for i, h := range hits {
		recs[i] = h.Record
	}
	urls, err := s.Catalog.CoverURLs(c.Request.Context(), recs)
	if err != nil {
		s.Log.Error("covers", "err", err)
		return nil
	}
	return urls
}
