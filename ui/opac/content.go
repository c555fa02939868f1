package opac

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

func (s *Server) contentPage(c *gin.Context) error {
	p, err := s.DB.PageBySlug(c.Request.Context(), c.Param("slug"))
	if errors.Is(err, store.ErrNotFound) && c.Param("slug") == "privacy" {
		// The reading history's page links here: the built-in text
		// until staff write their own.
		def := library.PrivacyPage()
		p, err = &def, nil
	}
	if err != nil {
		return err
	}
	title := p.Title
	if web.Lang(c) == web.LangEN && p.TitleEn != "" {
		title = p.TitleEn
	}
	data := gin.H{"Page": p, "Body": s.Markdown(p.Body)}
	if p.Slug == "mobile" {
		data["Mobile"] = s.mobileLinks(c)
	}
	s.Render(c, http.StatusOK, "opac/content", title, data)
	return nil
}
