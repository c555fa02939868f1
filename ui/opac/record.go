package opac

import (
	"errors"
	"net/http"
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
	names := s.BranchNames(web.Lang(c), branches)
	data := gin.H{"Hit": h, "BranchNames": names, "Cover": s.Covers(c, []library.Hit{*h})[h.Record.ID]}
	if err := s.recordExtras(c, h, branches, names, data); err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/record", h.Record.Title, data)
	return nil
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
