package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) branchesPage(c *gin.Context) error {
	today, err := s.today(c)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/branches", web.T(web.Lang(c), "menu.branches"), gin.H{"Today": today})
	return nil
}
