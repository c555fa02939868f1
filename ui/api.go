package ui

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// apiHit is a record in a result list, as API.md fixes it.
type apiHit struct {
	ID           int64          `json:"id"`
	Title        string         `json:"title"`
	TitleYomi    string         `json:"title_yomi"`
	Subtitle     string         `json:"subtitle,omitempty"`
	Author       string         `json:"author"`
	AuthorYomi   string         `json:"author_yomi"`
	Authors      []store.Author `json:"authors"`
	Publisher    string         `json:"publisher"`
	Year         *int           `json:"year"`
	ISBN         string         `json:"isbn"`
	NDC          string         `json:"ndc"`
	MaterialType string         `json:"material_type"`
	Available    bool           `json:"available"`
	HoldsWaiting int            `json:"holds_waiting"`
	Branches     []apiAvail     `json:"branches"`
	AcquiredOn   string         `json:"acquired_on,omitempty"`
	URL          string         `json:"url"`
}

// apiAvail is the availability of a record at one branch.
type apiAvail struct {
	Code      string `json:"code"`
	Copies    int    `json:"copies"`
	Available int    `json:"available"`
}

type apiRecord struct {
	apiHit
	SubtitleYomi  string    `json:"subtitle_yomi,omitempty"`
	Series        string    `json:"series"`
	Volume        string    `json:"volume,omitempty"`
	Subjects      []string  `json:"subjects"`
	Description   string    `json:"description"`
	Language      string    `json:"language"`
	YomiGenerated bool      `json:"yomi_generated"`
	Items         []apiItem `json:"items"`
}

type apiItem struct {
	Barcode    string  `json:"barcode"`
	Branch     string  `json:"branch"`
	Location   string  `json:"location"`
	CallNumber string  `json:"call_number"`
	Status     string  `json:"status"`
	DueDate    *string `json:"due_date"`
}

func JoinAuthors(as []store.Author, yomi bool) string {
	var parts []string
	for _, a := range as {
		v := a.Name
		if yomi {
			v = a.Yomi
		}
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " / ")
}

func toAPIHit(h library.Hit) apiHit {
	r := h.Record
	out := apiHit{
		ID: r.ID, Title: r.Title, TitleYomi: r.TitleYomi, Subtitle: r.Subtitle,
		Author: JoinAuthors(r.Authors, false), AuthorYomi: JoinAuthors(r.Authors, true), Authors: r.Authors,
		Publisher: r.Publisher, ISBN: r.ISBN, NDC: r.NDC, MaterialType: r.MaterialType,
		Available: h.Available, HoldsWaiting: h.HoldsWaiting, Branches: []apiAvail{},
		URL: "/records/" + strconv.FormatInt(r.ID, 10),
	}
	if out.Authors == nil {
		out.Authors = []store.Author{}
	}
	if r.Year > 0 {
		y := r.Year
		out.Year = &y
	}
	idx := map[string]int{}
	for _, c := range h.Copies {
		i, ok := idx[c.Branch]
		if !ok {
			i = len(out.Branches)
			idx[c.Branch] = i
			out.Branches = append(out.Branches, apiAvail{Code: c.Branch})
		}
		out.Branches[i].Copies++
		if c.Status == store.CopyOnShelf {
			out.Branches[i].Available++
		}
		if c.AcquiredOn > out.AcquiredOn {
			out.AcquiredOn = c.AcquiredOn
		}
	}
	return out
}

func toAPIHits(hits []library.Hit) []apiHit {
	out := make([]apiHit, len(hits))
	for i, h := range hits {
		out[i] = toAPIHit(h)
	}
	return out
}

func countsOrEmpty(c []search.Count) []search.Count {
	if c == nil {
		return []search.Count{}
	}
	return c
}

func (s *Server) apiBranches(c *gin.Context) error {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	type branch struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		NameEn  string `json:"name_en"`
		Address string `json:"address"`
		Phone   string `json:"phone"`
		Fax     string `json:"fax,omitempty"`
	}
	out := make([]branch, len(bs))
	for i, b := range bs {
		out[i] = branch{b.Code, b.Name, b.NameEn, b.Address, b.Phone, b.Fax}
	}
	c.JSON(http.StatusOK, gin.H{"branches": out})
	return nil
}

func (s *Server) apiSearch(c *gin.Context) error {
	q, page, err := s.SearchParams(c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(q.Text) == "" && !HasFilter(q) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: library.QueryRequired, Msg: "err.query_required"}
	}
	res, err := s.Catalog.Search(c.Request.Context(), q)
	if err != nil {
		return err
	}
	sugg := make([]gin.H, 0, len(res.Suggestions))
	for _, sg := range res.Suggestions {
		sugg = append(sugg, gin.H{"q": sg.Text, "total": sg.Total})
	}
	c.JSON(http.StatusOK, gin.H{
		"total": res.Total, "page": page, "per_page": q.Limit,
		"hits": toAPIHits(res.Hits),
		"facets": gin.H{
			"ndc":           countsOrEmpty(res.Facets.NDC),
			"ndc3":          countsOrEmpty(res.Facets.NDC3),
			"material_type": countsOrEmpty(res.Facets.MaterialType),
			"branch":        countsOrEmpty(res.Facets.Branch),
			"available":     countsOrEmpty(res.Facets.Available),
			"year":          countsOrEmpty(res.Facets.Year),
		},
		"facets_approximate": res.FacetsApproximate,
		"suggestions":        sugg,
	})
	return nil
}

func RecordID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound(library.RecordNotFound)
	}
	return id, nil
}

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

func (s *Server) apiRecord(c *gin.Context) error {
	h, err := s.LoadRecord(c)
	if err != nil {
		return err
	}
	r := h.Record
	out := apiRecord{apiHit: toAPIHit(*h), SubtitleYomi: r.SubtitleYomi, Series: r.Series, Volume: r.Volume,
		Subjects: r.Subjects, Description: r.Description, Language: r.Language, YomiGenerated: r.YomiGenerated, Items: []apiItem{}}
	if out.Subjects == nil {
		out.Subjects = []string{}
	}
	for _, cp := range h.Copies {
		it := apiItem{Barcode: cp.Barcode, Branch: cp.Branch, Location: cp.Location, CallNumber: cp.CallNumber, Status: cp.Status}
		if cp.Status == store.CopyOnLoan && cp.DueDate != "" {
			d := cp.DueDate
			it.DueDate = &d
		}
		out.Items = append(out.Items, it)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// NewArrivals runs the new-arrivals search shared by the page and the API.
func (s *Server) NewArrivals(c *gin.Context) (*library.SearchResult, search.Query, int, int, error) {
	maxDays := 365
	days, err := IntParam(c, "days", s.Site.NewArrivalsDays, 1, maxDays, func() *Error { return BadParam("days", "why.days", maxDays) })
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

func (s *Server) apiNewArrivals(c *gin.Context) error {
	res, q, page, days, err := s.NewArrivals(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"total": res.Total, "page": page, "per_page": q.Limit, "days": days, "hits": toAPIHits(res.Hits),
		"facets": gin.H{"ndc": countsOrEmpty(res.Facets.NDC)}})
	return nil
}

type Rank struct {
	Rank     int    `json:"rank"`
	RecordID int64  `json:"record_id"`
	Title    string `json:"title"`
	Author   string `json:"author"`
	Count    int    `json:"count"`
}

// Ranking loads one of the two rankings for the page and the API.
func (s *Server) Ranking(c *gin.Context, holds bool) ([]Rank, []library.Hit, string, error) {
	limit, err := IntParam(c, "limit", 20, 1, 100, func() *Error { return BadParam("limit", "why.limit", 100) })
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
			return nil, nil, "", BadParam("period", "why.period")
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

func (s *Server) apiLoanRanking(c *gin.Context) error {
	r, _, period, err := s.Ranking(c, false)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"period": period, "ranking": r})
	return nil
}

func (s *Server) apiHoldRanking(c *gin.Context) error {
	r, _, _, err := s.Ranking(c, true)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"ranking": r})
	return nil
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
			return b, month, nil, BadParam("month", "why.month")
		}
		month = m
	}
	days, err := s.Calendar.Month(c.Request.Context(), b.Code, month.Year(), month.Month())
	return b, month, days, err
}

func (s *Server) apiCalendar(c *gin.Context) error {
	b, month, days, err := s.CalendarMonth(c)
	if err != nil {
		return err
	}
	type day struct {
		Date     string  `json:"date"`
		Open     bool    `json:"open"`
		OpensAt  *string `json:"opens_at"`
		ClosesAt *string `json:"closes_at"`
		Note     string  `json:"note"`
	}
	out := make([]day, len(days))
	for i, d := range days {
		out[i] = day{Date: d.Date, Open: d.Open, Note: d.Note}
		if d.Open {
			o, cl := d.OpensAt, d.ClosesAt
			out[i].OpensAt, out[i].ClosesAt = &o, &cl
		}
	}
	c.JSON(http.StatusOK, gin.H{"branch": b.Code, "month": month.Format("2006-01"), "days": out})
	return nil
}

func (s *Server) apiNews(c *gin.Context) error {
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	type news struct {
		ID    int64  `json:"id"`
		Date  string `json:"date"`
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	out := make([]news, len(items))
	for i, n := range items {
		out[i] = news{n.ID, n.Day, n.Title, n.Body}
	}
	c.JSON(http.StatusOK, gin.H{"news": out})
	return nil
}

// readJSON decodes a small JSON body into v: malformed JSON is a 400,
// unknown fields are ignored.
func readJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, 1<<20+1))
	if err != nil {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Msg: "err.bad_request"}
	}
	if len(body) > 1<<20 {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Msg: "err.too_large"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Msg: "err.bad_request"}
	}
	return nil
}

// apiTestClock moves the test clock: {"advance":"30m"} or {"set":RFC3339}.
func (s *Server) apiTestClock(c *gin.Context) error {
	tc, ok := s.Clock.(*library.TestClock)
	if !ok {
		return NotFound(CodeNotFound)
	}
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	bad := func(why string) error {
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidClock, Msg: "err.test_clock", Args: []any{why}}
	}
	var now time.Time
	switch {
	case req.Advance != "" && req.Set != "":
		return bad("advance or set, not both")
	case req.Advance != "":
		d, err := parseDuration(req.Advance)
		if err != nil || d < 0 {
			return bad("advance: a positive duration such as 30m, 2h or 7d")
		}
		now = tc.Advance(d)
	case req.Set != "":
		t, err := time.Parse(time.RFC3339, req.Set)
		if err != nil {
			return bad("set: an RFC 3339 time such as 2026-12-01T10:00:00+09:00")
		}
		now = tc.Set(t)
	default:
		now = tc.Now()
	}
	s.Log.Info("test clock moved", "now", now)
	// Rules that run by themselves see the new time at once.
	if s.Circulation != nil {
		if err := s.Circulation.Tick(c.Request.Context()); err != nil {
			return err
		}
		s.pokeMailer()
	}
	c.JSON(http.StatusOK, gin.H{"now": now.In(s.Calendar.Location()).Format(time.RFC3339)})
	return nil
}

// parseDuration reads Go durations plus whole days ("7d").
func parseDuration(v string) (time.Duration, error) {
	if strings.HasSuffix(v, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err != nil || n > 36500 {
			return 0, errors.New("bad days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d > 100*365*24*time.Hour {
		return 0, errors.New("bad duration")
	}
	return d, nil
}
