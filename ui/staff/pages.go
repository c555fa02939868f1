package staff

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

func (s *Server) pageEditPage(c *gin.Context) error {
	pages, err := s.DB.Pages(c.Request.Context())
	if err != nil {
		return err
	}
	var p *store.Page
	if slug := c.Param("slug"); slug != "" {
		if p, err = s.DB.PageBySlug(c.Request.Context(), slug); err != nil {
			return err
		}
	}
	s.Render(c, http.StatusOK, "staff/pages", web.T(web.Lang(c), "pages.edit"), gin.H{"Pages": pages, "Page": p})
	return nil
}

func (s *Server) pageSavePost(c *gin.Context) error {
	p, err := s.DB.PageBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	p.Title = strings.TrimSpace(c.PostForm("title"))
	p.TitleEn = strings.TrimSpace(c.PostForm("title_en"))
	p.Body = c.PostForm("body")
	pages, _ := s.DB.Pages(c.Request.Context())
	data := gin.H{"Pages": pages, "Page": p}
	bad := len(library.CheckPage(*p)) > 0
	if bad || c.PostForm("preview") != "" {
		data["Preview"] = s.Markdown(p.Body)
		status := http.StatusOK
		if bad {
			status = http.StatusUnprocessableEntity
			data["Error"] = web.T(web.Lang(c), "err.invalid_field", web.T(web.Lang(c), "news.title_field"))
		}
		s.Render(c, status, "staff/pages", web.T(web.Lang(c), "pages.edit"), data)
		return nil
	}
	if err := s.Content.SavePage(c.Request.Context(), s.Who(c).StaffID, *p); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/pages/"+p.Slug)
	return nil
}
