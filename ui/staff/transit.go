package staff

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/store"
	"hondana/ui/web"
)

func (s *Server) transitPage(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	copies, err := s.DB.InTransit(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	var to, from []store.Copy
	for _, cp := range copies {
		if cp.TransitTo == branch {
			to = append(to, cp)
		} else {
			from = append(from, cp)
		}
	}
	s.Render(c, http.StatusOK, "staff/transit", web.T(web.Lang(c), "transit.title"), gin.H{"Branch": branch, "Branches": bs, "To": to, "From": from, "Names": s.BranchNames(web.Lang(c), bs)})
	return nil
}
