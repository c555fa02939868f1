package staff

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// staffLogPage shows the latest staff actions (admins only).
func (s *Server) staffLogPage(c *gin.Context) error {
	entries, err := s.DB.AuditLog(c.Request.Context(), 200)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/log", web.T(web.Lang(c), "log.title"), gin.H{"Entries": entries})
	return nil
}
