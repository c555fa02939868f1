package opac

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"hondana/library"
	"hondana/search"
	"hondana/store"
	"hondana/ui/web"
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
	s.Render(c, http.StatusOK, "opac/home", "", gin.H{"Today": today, "News": news, "New": res.Hits, "Covers": s.Covers(c, res.Hits)})
	return nil
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
	l := web.Lang(c)
	var out []mobileLink
	for _, m := range []struct{ label, path string }{{"mobile.full", "/"}, {"mobile.lite", "/m/"}} {
		u := base + m.path
		link := mobileLink{Label: web.T(l, m.label), URL: u}
		if png, err := qrcode.Encode(u, qrcode.Medium, 200); err == nil {
			link.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		}
		out = append(out, link)
	}
	return out
}
