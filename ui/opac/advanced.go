package opac

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"hondana/search"
	"hondana/ui/web"
)

// advancedField is one text field of the 詳細検索 form, with how it
// matches.
type advancedField struct {
	Name  string // the parameter: title, author …
	Label string
	Value string
	Match string // contains, prefix or exact
}

// advancedForm is what the 詳細検索 form shows: the search of the query
// string, to change it.
type advancedForm struct {
	Q         search.Query
	Fields    []advancedField
	Matches   []string
	Materials []string
	ISBN      string // as typed
	PerPage   int
}

// advancedPage is the 詳細検索 (R82) form: keywords, a field per kind of
// name with 含む, 前方一致 or 完全一致, NDC, ISBN, years, material type,
// library and sort. It sends a plain GET to /search, so it works without
// JavaScript; with it, empty fields stay out of the address.
func (s *Server) advancedPage(c *gin.Context) error {
	q, _, err := s.SearchParams(c)
	if err != nil {
		return err
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	l := web.Lang(c)
	f := advancedForm{Q: q, Matches: []string{search.MatchContains, search.MatchPrefix, search.MatchExact},
		Materials: web.MaterialTypes, ISBN: c.Query("isbn"), PerPage: q.Limit}
	for _, name := range web.SearchFields {
		af := advancedField{Name: name, Label: web.T(l, "adv.field."+name), Match: search.MatchContains}
		for _, fq := range q.Fields {
			if fq.Field == name {
				af.Value, af.Match = fq.Text, fq.Match
			}
		}
		f.Fields = append(f.Fields, af)
	}
	s.Render(c, http.StatusOK, "opac/advanced", web.T(l, "adv.title"), gin.H{"Form": f, "Branches": branches})
	return nil
}

// condition is one condition of a field search as the result page lists
// it.
type condition struct {
	Label, Text, Match string
}

// conditions are the conditions of q's field search, and the address of
// the 詳細検索 form that changes them.
func conditions(c *gin.Context, q search.Query) ([]condition, string) {
	if len(q.Fields) == 0 && q.ISBN == "" && c.Query("isbn") == "" {
		return nil, ""
	}
	l := web.Lang(c)
	var out []condition
	for _, fq := range q.Fields {
		out = append(out, condition{Label: web.T(l, "adv.field."+fq.Field), Text: fq.Text, Match: web.T(l, "adv.match."+fq.Match)})
	}
	if v := c.Query("isbn"); v != "" {
		out = append(out, condition{Label: "ISBN", Text: v})
	}
	u := url.URL{Path: "/search/advanced", RawQuery: c.Request.URL.RawQuery}
	return out, u.String()
}
