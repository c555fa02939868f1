package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) newArrivalsPage(c *gin.Context) error {
	res, q, page, days, err := s.NewArrivals(c)
	if err != nil {
		return err
	}
	l := web.Lang(c)
	classes := []facetLink{{Label: web.T(l, "new.all"), URL: withParam(c.Request.URL, "ndc", ""), Selected: q.NDC == ""}}
	// The class counts without the class filter, so every tab shows its size.
	all := q
	all.NDC, all.Offset, all.Limit = "", 0, 1
	if r, err := s.Catalog.Search(c.Request.Context(), all); err == nil {
		for _, ct := range r.Facets.NDC {
			classes = append(classes, facetLink{Label: web.NDCLabel(l, ct.Value), Count: ct.Count, URL: withParam(c.Request.URL, "ndc", ct.Value), Selected: q.NDC == ct.Value})
		}
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/new", web.T(l, "menu.new"), gin.H{"Result": res, "Days": days, "Classes": classes, "Names": s.BranchNames(l, branches),
		"Covers": s.Covers(c, res.Hits),
		"Pager":  web.MakePager(c.Request.URL, page, q.Limit, res.Total), "Offset": q.Offset})
	return nil
}
