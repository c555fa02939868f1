package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) contentPage(c *gin.Context) error {
	p, err := s.DB.PageBySlug(c.Request.Context(), c.Param("slug"))
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
