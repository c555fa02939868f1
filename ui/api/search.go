package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/search"
	"hondana/store"
	"hondana/ui/web"
)

// apiHit is a record in a result list, as API.md fixes it.
type apiHit struct {
	ID           int64          `json:"id"`
	Title        string         `json:"title"`
	TitleYomi    string         `json:"title_yomi"`
	Subtitle     string         `json:"subtitle,omitempty"`
	SubtitleYomi string         `json:"subtitle_yomi,omitempty"`
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
	// CoverURL is the record's cover (R83): an image, or a drawn SVG.
	CoverURL string `json:"cover_url"`
}

// apiAvail is the availability of a record at one branch.
type apiAvail struct {
	Code      string `json:"code"`
	Copies    int    `json:"copies"`
	Available int    `json:"available"`
}

type apiItem struct {
	Barcode    string  `json:"barcode"`
	Branch     string  `json:"branch"`
	Location   string  `json:"location"`
	CallNumber string  `json:"call_number"`
	Status     string  `json:"status"`
	DueDate    *string `json:"due_date"`
}

func (s *Server) toAPIHit(h library.Hit, covers map[int64]string) apiHit {
	r := h.Record
	out := apiHit{
		ID: r.ID, Title: r.Title, TitleYomi: r.TitleYomi, Subtitle: r.Subtitle, SubtitleYomi: r.SubtitleYomi,
		Author: web.JoinAuthors(r.Authors, false), AuthorYomi: web.JoinAuthors(r.Authors, true), Authors: r.Authors,
		Publisher: r.Publisher, ISBN: r.ISBN, NDC: r.NDC, MaterialType: r.MaterialType,
		Available: h.Available, HoldsWaiting: h.HoldsWaiting, Branches: []apiAvail{},
		URL: "/records/" + strconv.FormatInt(r.ID, 10), CoverURL: covers[r.ID],
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

func (s *Server) toAPIHits(c *gin.Context, hits []library.Hit) []apiHit {
	covers := s.Covers(c, hits)
	out := make([]apiHit, len(hits))
	for i, h := range hits {
		out[i] = s.toAPIHit(h, covers)
	}
	return out
}

func countsOrEmpty(c []search.Count) []search.Count {
	if c == nil {
		return []search.Count{}
	}
	return c
}

func (s *Server) apiSearch(c *gin.Context) error {
	q, page, err := s.SearchParams(c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(q.Text) == "" && !web.HasFilter(q) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.QueryRequired, Msg: "err.query_required"}
	}
	res, err := s.Catalog.Search(c.Request.Context(), q)
	if err != nil {
		return err
	}
	sugg := make([]gin.H, 0, len(res.Suggestions))
	for _, sg := range res.Suggestions {
		sugg = append(sugg, gin.H{"q": sg.Text, "total": sg.Total})
	}
	total, hits, facets, approx := res.Total, res.Hits, res.Facets, res.FacetsApproximate
	if r := res.Relaxed; r != nil {
		// Nothing matched q: the hits are those of its nearest relaxed
		// form, which relaxed_from and relaxed_q say.
		total, hits, facets, approx = r.Total, r.Hits, r.Facets, r.FacetsApproximate
	}
	out := gin.H{
		"total": total, "page": page, "per_page": q.Limit,
		"hits": s.toAPIHits(c, hits),
		"facets": gin.H{
			"ndc":           countsOrEmpty(facets.NDC),
			"ndc3":          countsOrEmpty(facets.NDC3),
			"material_type": countsOrEmpty(facets.MaterialType),
			"branch":        countsOrEmpty(facets.Branch),
			"available":     countsOrEmpty(facets.Available),
			"year":          countsOrEmpty(facets.Year),
		},
		"facets_approximate": approx,
		"suggestions":        sugg,
	}
	if r := res.Relaxed; r != nil {
		out["relaxed_from"] = r.From
		out["relaxed_q"] = r.Text
		out["relaxed_kind"] = r.Kind
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiNewArrivals(c *gin.Context) error {
	res, q, page, days, err := s.NewArrivals(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"total": res.Total, "page": page, "per_page": q.Limit, "days": days, "hits": s.toAPIHits(c, res.Hits),
		"facets": gin.H{"ndc": countsOrEmpty(res.Facets.NDC)}})
	return nil
}
