package opac

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// coverImage serves a record's cover (R83) at /covers/ID/HASH.jpg (an
// image) or .svg (drawn): for a year, as the address changes with the
// cover. An address of another hash (a cover since replaced) is sent on
// to the current one.
func (s *Server) coverImage(c *gin.Context) error {
	id, err := web.RecordID(c)
	if err != nil {
		return err
	}
	cv, err := s.Catalog.CoverOf(c.Request.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return web.NotFound(library.RecordNotFound)
	}
	if err != nil {
		return err
	}
	want := library.CoverURL(id, cv.Hash, cv.Drawn)
	if !strings.HasSuffix(want, "/"+c.Param("file")) {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, want)
		return nil
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Header("X-Content-Type-Options", "nosniff")
	if cv.Drawn {
		// Opened on its own, the SVG runs nothing and loads nothing.
		c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	c.Data(http.StatusOK, cv.ContentType, cv.Body)
	return nil
}
