package ui

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"hondana/isbn"
	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// branchToday is one line of the home page's opening status.
type branchToday struct {
	Branch store.Branch
	Day    library.Day
}

func (s *Server) today(c *gin.Context) ([]branchToday, error) {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := make([]branchToday, 0, len(bs))
	for _, b := range bs {
		d, err := s.Calendar.Day(c.Request.Context(), b.Code, now)
		if err != nil {
			return nil, err
		}
		out = append(out, branchToday{Branch: b, Day: d})
	}
	return out, nil
}

func (s *Server) home(c *gin.Context) error {
	today, err := s.today(c)
	if err != nil {
		return err
	}
	news, err := s.DB.News(c.Request.Context(), 5)
	if err != nil {
		return err
	}
	q := search.Query{Sort: search.SortAcquired, Limit: 6,
		AcquiredFrom: s.Clock.Now().In(s.Calendar.Location()).AddDate(0, 0, -s.Site.NewArrivalsDays).Format(library.DateLayout)}
	res, err := s.Catalog.Search(c.Request.Context(), q)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "home", "", gin.H{"Today": today, "News": news, "New": res.Hits})
	return nil
}

// facetLink is one clickable facet value.
type facetLink struct {
	Label    string
	Count    int
	URL      string
	Selected bool
	Sub      bool // a subdivision of the value before it
}

type facetGroup struct {
	Title string
	Links []facetLink
	Clear string // URL without this facet, when it is selected
}

// withParam returns the current URL with one parameter set (or removed
// when value is "") and the page reset.
func withParam(u *url.URL, key, value string) string {
	q := u.Query()
	q.Del("page")
	q.Del("lang")
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	return u.Path + "?" + q.Encode()
}

func (s *Server) facetGroups(c *gin.Context, f search.Facets, q search.Query, branches []store.Branch) []facetGroup {
	l := Lang(c)
	u := c.Request.URL
	group := func(title, key, selected string, counts []search.Count, label func(string) string) facetGroup {
		g := facetGroup{Title: T(l, title)}
		if selected != "" {
			g.Clear = withParam(u, key, "")
		}
		for _, ct := range counts {
			g.Links = append(g.Links, facetLink{Label: label(ct.Value), Count: ct.Count, URL: withParam(u, key, ct.Value), Selected: ct.Value == selected})
		}
		return g
	}
	var out []facetGroup
	ndcGroup := group("facet.ndc", "ndc", q.NDC, f.NDC, func(v string) string { return NDCLabel(l, v) })
	if q.NDC != "" {
		// Once a class is chosen, show it with its divisions under it.
		class := q.NDC[:1]
		ndcGroup.Links = nil
		for _, ct := range f.NDC {
			if ct.Value == class {
				ndcGroup.Links = append(ndcGroup.Links, facetLink{Label: NDCLabel(l, class), Count: ct.Count, URL: withParam(u, "ndc", class), Selected: q.NDC == class})
			}
		}
		for _, ct := range f.NDC3 {
			if strings.HasPrefix(ct.Value, class) {
				ndcGroup.Links = append(ndcGroup.Links, facetLink{Label: ct.Value, Count: ct.Count, URL: withParam(u, "ndc", ct.Value), Selected: q.NDC == ct.Value, Sub: true})
			}
		}
	}
	out = append(out, ndcGroup)
	out = append(out, group("facet.material_type", "material_type", q.MaterialType, f.MaterialType, func(v string) string { return T(l, "mt."+v) }))
	names := map[string]string{}
	for _, b := range branches {
		names[b.Code] = BranchName(l, b)
	}
	out = append(out, group("facet.branch", "branch", q.Branch, f.Branch, func(v string) string {
		if n, ok := names[v]; ok {
			return n
		}
		return v
	}))
	avail := ""
	if q.Available {
		avail = "true"
	}
	var availCounts []search.Count
	for _, ct := range f.Available {
		if ct.Value == "true" {
			availCounts = append(availCounts, ct)
		}
	}
	out = append(out, group("facet.available", "available", avail, availCounts, func(v string) string { return T(l, "facet.available."+v) }))
	yg := facetGroup{Title: T(l, "facet.year")}
	if q.YearFrom > 0 || q.YearTo > 0 {
		qq := u.Query()
		qq.Del("year_from")
		qq.Del("year_to")
		qq.Del("page")
		yg.Clear = u.Path + "?" + qq.Encode()
	}
	for i := len(f.Year) - 1; i >= 0; i-- {
		ct := f.Year[i]
		d, _ := strconv.Atoi(ct.Value)
		qq := u.Query()
		qq.Del("page")
		qq.Set("year_from", ct.Value)
		qq.Set("year_to", strconv.Itoa(d+9))
		yg.Links = append(yg.Links, facetLink{Label: T(l, "facet.decade", ct.Value), Count: ct.Count, URL: u.Path + "?" + qq.Encode(),
			Selected: q.YearFrom == d && q.YearTo == d+9})
	}
	out = append(out, yg)
	return out
}

func BranchName(l string, b store.Branch) string {
	if l == LangEN && b.NameEn != "" {
		return b.NameEn
	}
	return b.Name
}

// Pager is the numbers a result page shows.
type Pager struct {
	Page, Pages int
	Prev, Next  string
}

func MakePager(u *url.URL, page, perPage, total int) Pager {
	pages := (total + perPage - 1) / perPage
	if max := search.MaxOffset / perPage; pages > max {
		pages = max
	}
	p := Pager{Page: page, Pages: pages}
	link := func(n int) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		q.Del("lang")
		return u.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}

func (s *Server) searchPage(c *gin.Context) error {
	q, page, err := s.SearchParams(c)
	if err != nil {
		return err
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	data := gin.H{"Q": q, "Branches": branches, "Sort": q.Sort, "Names": s.BranchNames(Lang(c), branches)}
	if strings.TrimSpace(q.Text) == "" && !HasFilter(q) {
		s.Render(c, http.StatusOK, "search", T(Lang(c), "menu.search"), data)
		return nil
	}
	res, err := s.Catalog.Search(c.Request.Context(), q)
	if err != nil {
		return err
	}
	data["Result"] = res
	data["Searched"] = true
	data["Facets"] = s.facetGroups(c, res.Facets, q, branches)
	data["Pager"] = MakePager(c.Request.URL, page, q.Limit, res.Total)
	data["Offset"] = q.Offset
	sorts := []facetLink{}
	for _, v := range []string{search.SortRelevance, search.SortNewest, search.SortTitle} {
		cur := q.Sort
		if cur == "" {
			cur = search.SortRelevance
		}
		sorts = append(sorts, facetLink{Label: T(Lang(c), "sort."+v), URL: withParam(c.Request.URL, "sort", v), Selected: cur == v})
	}
	data["Sorts"] = sorts
	title := T(Lang(c), "menu.search")
	if q.Text != "" {
		title = q.Text + " - " + title
	}
	s.Render(c, http.StatusOK, "search", title, data)
	return nil
}

func (s *Server) recordPage(c *gin.Context) error {
	h, err := s.LoadRecord(c)
	if err != nil {
		return err
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "record", h.Record.Title, gin.H{"Hit": h, "BranchNames": s.BranchNames(Lang(c), branches)})
	return nil
}

// isbnRedirect is the stable ISBN → record URL other sites may link to.
func (s *Server) isbnRedirect(c *gin.Context) error {
	n, ok := isbn.Normalize(c.Param("isbn"))
	if !ok {
		return NotFound(library.RecordNotFound)
	}
	r, err := s.DB.RecordByISBN(c.Request.Context(), n)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound(library.RecordNotFound)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusFound, "/records/"+strconv.FormatInt(r.ID, 10))
	return nil
}

func (s *Server) newArrivalsPage(c *gin.Context) error {
	res, q, page, days, err := s.NewArrivals(c)
	if err != nil {
		return err
	}
	l := Lang(c)
	classes := []facetLink{{Label: T(l, "new.all"), URL: withParam(c.Request.URL, "ndc", ""), Selected: q.NDC == ""}}
	// The class counts without the class filter, so every tab shows its size.
	all := q
	all.NDC, all.Offset, all.Limit = "", 0, 1
	if r, err := s.Catalog.Search(c.Request.Context(), all); err == nil {
		for _, ct := range r.Facets.NDC {
			classes = append(classes, facetLink{Label: NDCLabel(l, ct.Value), Count: ct.Count, URL: withParam(c.Request.URL, "ndc", ct.Value), Selected: q.NDC == ct.Value})
		}
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "new", T(l, "menu.new"), gin.H{"Result": res, "Days": days, "Classes": classes, "Names": s.BranchNames(l, branches),
		"Pager": MakePager(c.Request.URL, page, q.Limit, res.Total), "Offset": q.Offset})
	return nil
}

// calDay is a cell of the month grid.
type calDay struct {
	library.Day
	Num     int
	Weekday int
	Today   bool
}

func (s *Server) calendarPage(c *gin.Context) error {
	b, month, days, err := s.CalendarMonth(c)
	if err != nil {
		return err
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	today := s.Clock.Now().In(s.Calendar.Location()).Format(library.DateLayout)
	var weeks [][]*calDay
	week := make([]*calDay, 7)
	for i, d := range days {
		wd := int(month.AddDate(0, 0, i).Weekday())
		week[wd] = &calDay{Day: d, Num: i + 1, Weekday: wd, Today: d.Date == today}
		if wd == 6 || i == len(days)-1 {
			weeks = append(weeks, week)
			week = make([]*calDay, 7)
		}
	}
	link := func(m time.Time) string {
		return "/calendar?branch=" + url.QueryEscape(b.Code) + "&month=" + m.Format("2006-01")
	}
	l := Lang(c)
	s.Render(c, http.StatusOK, "calendar", T(l, "menu.calendar"), gin.H{
		"Branch": b, "BranchName": BranchName(l, b), "Branches": branches, "Month": month, "Weeks": weeks, "Days": days,
		"Prev": link(month.AddDate(0, -1, 0)), "Next": link(month.AddDate(0, 1, 0)), "MonthValue": month.Format("2006-01"),
	})
	return nil
}

func (s *Server) newsPage(c *gin.Context) error {
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "news", T(Lang(c), "menu.news"), gin.H{"News": items})
	return nil
}

func (s *Server) newsItemPage(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return NotFound(CodeNotFound)
	}
	n, err := s.DB.NewsByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "newsitem", n.Title, gin.H{"Item": n, "Body": s.Markdown(n.Body)})
	return nil
}

func (s *Server) branchesPage(c *gin.Context) error {
	today, err := s.today(c)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "branches", T(Lang(c), "menu.branches"), gin.H{"Today": today})
	return nil
}

func (s *Server) contentPage(c *gin.Context) error {
	p, err := s.DB.PageBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	title := p.Title
	if Lang(c) == LangEN && p.TitleEn != "" {
		title = p.TitleEn
	}
	data := gin.H{"Page": p, "Body": s.Markdown(p.Body)}
	if p.Slug == "mobile" {
		data["Mobile"] = s.mobileLinks(c)
	}
	s.Render(c, http.StatusOK, "content", title, data)
	return nil
}

func (s *Server) loanRankingPage(c *gin.Context) error {
	ranks, hits, period, err := s.Ranking(c, false)
	if err != nil {
		return err
	}
	l := Lang(c)
	var periods []facetLink
	for _, p := range []string{"month", "year", "all"} {
		periods = append(periods, facetLink{Label: T(l, "rank."+p), URL: "/ranking/loans?period=" + p, Selected: p == period})
	}
	s.Render(c, http.StatusOK, "ranking", T(l, "rank.loans"), gin.H{"Ranks": ranks, "Hits": hits, "Periods": periods, "Unit": "rank.count"})
	return nil
}

func (s *Server) holdRankingPage(c *gin.Context) error {
	ranks, hits, _, err := s.Ranking(c, true)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "ranking", T(Lang(c), "rank.holds"), gin.H{"Ranks": ranks, "Hits": hits, "Unit": "rank.holds_count"})
	return nil
}

// Markdown renders staff-written Markdown; raw HTML in it is dropped.
func (s *Server) Markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := s.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String())
}

// NDCLabel names an NDC class ("9" → "9 文学").
func NDCLabel(l, v string) string {
	names := ndcClassesJA
	if l == LangEN {
		names = ndcClassesEN
	}
	if len(v) == 1 && v[0] >= '0' && v[0] <= '9' {
		return v + " " + names[v[0]-'0']
	}
	return v
}

var ndcClassesJA = [10]string{"総記", "哲学", "歴史", "社会科学", "自然科学", "技術", "産業", "芸術", "言語", "文学"}
var ndcClassesEN = [10]string{"General works", "Philosophy", "History", "Social sciences", "Natural sciences", "Technology", "Industry", "Arts", "Language", "Literature"}

func (s *Server) BranchNames(l string, branches []store.Branch) map[string]string {
	names := make(map[string]string, len(branches))
	for _, b := range branches {
		names[b.Code] = BranchName(l, b)
	}
	return names
}

// mobileLink is an address of the site for phones, with its QR code.
type mobileLink struct {
	Label string
	URL   string
	QR    template.URL // a data: URL of a PNG
}

// mobileLinks are the site's addresses for phones (R7), with QR codes
// made here: the full site and its lite mode.
func (s *Server) mobileLinks(c *gin.Context) []mobileLink {
	base := strings.TrimSuffix(s.Site.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if c.Request.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + c.Request.Host
	}
	l := Lang(c)
	var out []mobileLink
	for _, m := range []struct{ label, path string }{{"mobile.full", "/"}, {"mobile.lite", "/m/"}} {
		u := base + m.path
		link := mobileLink{Label: T(l, m.label), URL: u}
		if png, err := qrcode.Encode(u, qrcode.Medium, 200); err == nil {
			link.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		}
		out = append(out, link)
	}
	return out
}
