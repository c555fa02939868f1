package opac

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"hondana/isbn"
	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

func (s *Server) recordPage(c *gin.Context) error {
	h, err := s.LoadRecord(c)
	if err != nil {
		return err
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	volumes, more, err := s.seriesVolumes(c, h.Record)
	if err != nil {
		return err
	}
	names := s.BranchNames(web.Lang(c), branches)
	data := gin.H{"Hit": h, "BranchNames": names, "Cover": s.Covers(c, []library.Hit{*h})[h.Record.ID],
		"ISBN": isbn.Hyphenate(h.Record.ISBN), "NDCLink": web.NDCPrefix(h.Record.NDC), "Volumes": volumes, "MoreVolumes": more}
	if err := s.recordExtras(c, h, branches, names, data); err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/record", h.Record.Title, data)
	return nil
}

// A record page lists up to maxVolumes records of its series, around
// its own, from the first seriesRead records of the series.
const (
	maxVolumes = 30
	seriesRead = 500
)

// seriesVolumes lists records of r's series in volume order, r among
// them; more reports that the series has records the page leaves out. A
// series of r alone lists nothing.
func (s *Server) seriesVolumes(c *gin.Context, r *store.Record) (vols []*store.Record, more bool, err error) {
	vols, err = s.DB.RecordsInSeries(c.Request.Context(), r.Series, seriesRead)
	if err != nil || len(vols) < 2 {
		return nil, false, err
	}
	if !slices.ContainsFunc(vols, func(v *store.Record) bool { return v.ID == r.ID }) {
		vols = append(vols, r)
	}
	library.SortVolumes(vols)
	more = len(vols) >= seriesRead
	if len(vols) > maxVolumes {
		i := slices.IndexFunc(vols, func(v *store.Record) bool { return v.ID == r.ID })
		lo := min(max(0, i-maxVolumes/2), len(vols)-maxVolumes)
		vols, more = vols[lo:lo+maxVolumes], true
	}
	return vols, more, nil
}

// isbnRedirect is the stable ISBN → record URL other sites may link to.
func (s *Server) isbnRedirect(c *gin.Context) error {
	n, ok := isbn.Normalize(c.Param("isbn"))
	if !ok {
		return web.NotFound(library.RecordNotFound)
	}
	r, err := s.DB.RecordByISBN(c.Request.Context(), n)
	if errors.Is(err, store.ErrNotFound) {
		return web.NotFound(library.RecordNotFound)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusFound, "/records/"+strconv.FormatInt(r.ID, 10))
	return nil
}
