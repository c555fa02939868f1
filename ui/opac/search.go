package opac

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/search"
	"hondana/store"
	"hondana/ui/web"
)

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
	l := web.Lang(c)
	u := c.Request.URL
	group := func(title, key, selected string, counts []search.Count, label func(string) string) facetGroup {
		g := facetGroup{Title: web.T(l, title)}
		if selected != "" {
			g.Clear = withParam(u, key, "")
		}
		for _, ct := range counts {
			g.Links = append(g.Links, facetLink{Label: label(ct.Value), Count: ct.Count, URL: withParam(u, key, ct.Value), Selected: ct.Value == selected})
		}
		return g
	}
	var out []facetGroup
	ndcGroup := group("facet.ndc", "ndc", q.NDC, f.NDC, func(v string) string { return web.NDCLabel(l, v) })
	if q.NDC != "" {
		// Once a class is chosen, show it with its divisions under it.
		class := q.NDC[:1]
		ndcGroup.Links = nil
		for _, ct := range f.NDC {
			if ct.Value == class {
				ndcGroup.Links = append(ndcGroup.Links, facetLink{Label: web.NDCLabel(l, class), Count: ct.Count, URL: withParam(u, "ndc", class), Selected: q.NDC == class})
			}
		}
		for _, ct := range f.NDC3 {
			if strings.HasPrefix(ct.Value, class) {
				ndcGroup.Links = append(ndcGroup.Links, facetLink{Label: ct.Value, Count: ct.Count, URL: withParam(u, "ndc", ct.Value), Selected: q.NDC == ct.Value, Sub: true})
			}
		}
	}
	out = append(out, ndcGroup)
	out = append(out, group("facet.material_type", "material_type", q.MaterialType, f.MaterialType, func(v string) string { return web.T(l, "mt."+v) }))
	names := map[string]string{}
	for _, b := range branches {
		names[b.Code] = web.BranchName(l, b)
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
	out = append(out, group("facet.available", "available", avail, availCounts, func(v string) string { return web.T(l, "facet.available."+v) }))
	yg := facetGroup{Title: web.T(l, "facet.year")}
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
		yg.Links = append(yg.Links, facetLink{Label: web.T(l, "facet.decade", ct.Value), Count: ct.Count, URL: u.Path + "?" + qq.Encode(),
			Selected: q.YearFrom == d && q.YearTo == d+9})
	}
	out = append(out, yg)
	return out
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
	data := gin.H{"Q": q, "Branches": branches, "Sort": q.Sort, "Names": s.BranchNames(web.Lang(c), branches)}
	data["Conditions"], data["ChangeURL"] = conditions(c, q)
	if strings.TrimSpace(q.Text) == "" && !web.HasFilter(q) {
		s.Render(c, http.StatusOK, "opac/search", web.T(web.Lang(c), "menu.search"), data)
		return nil
	}
	res, err := s.Catalog.Search(c.Request.Context(), q)
	if err != nil {
		return err
	}
	if r := res.Relaxed; r != nil {
		// Nothing matched: show the nearest relaxed form's hits, saying
		// so (R80), with its facets and pages.
		res = &library.SearchResult{Total: r.Total, Hits: r.Hits, Facets: r.Facets, FacetsApproximate: r.FacetsApproximate,
			Suggestions: res.Suggestions, Relaxed: r}
	}
	data["Result"] = res
	data["Covers"] = s.Covers(c, res.Hits)
	data["Searched"] = true
	data["Facets"] = s.facetGroups(c, res.Facets, q, branches)
	data["Pager"] = web.MakePager(c.Request.URL, page, q.Limit, res.Total)
	data["Offset"] = q.Offset
	sorts := []facetLink{}
	for _, v := range []string{search.SortRelevance, search.SortNewest, search.SortTitle} {
		cur := q.Sort
		if cur == "" {
			cur = search.SortRelevance
		}
		sorts = append(sorts, facetLink{Label: web.T(web.Lang(c), "sort."+v), URL: withParam(c.Request.URL, "sort", v), Selected: cur == v})
	}
	data["Sorts"] = sorts
	title := web.T(web.Lang(c), "menu.search")
	if q.Text != "" {
		title = q.Text + " - " + title
	}
	s.Render(c, http.StatusOK, "opac/search", title, data)
	return nil
}
