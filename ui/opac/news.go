package opac

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) newsPage(c *gin.Context) error {
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/news", web.T(web.Lang(c), "menu.news"), gin.H{"News": items})
	return nil
}

func (s *Server) newsItemPage(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return web.NotFound(web.CodeNotFound)
	}
	n, err := s.DB.NewsByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/newsitem", n.Title, gin.H{"Item": n, "Body": s.Markdown(n.Body)})
	return nil
}
