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
	s.Render(c, http.StatusOK, "opac/record", h.Record.Title, gin.H{"Hit": h, "BranchNames": s.BranchNames(web.Lang(c), branches),
		"Cover": s.Covers(c, []library.Hit{*h})[h.Record.ID]})
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
