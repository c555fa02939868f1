package staff

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) holdShelfPage(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	holds, err := s.Circulation.ReadyHolds(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	today := s.Circulation.Today().Format(library.DateLayout)
	var ready, expired []library.ContactView
	for _, h := range holds {
		if h.PickupDeadline != "" && h.PickupDeadline < today {
			expired = append(expired, h)
		} else {
			ready = append(ready, h)
		}
	}
	picks, err := s.Circulation.PickList(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	lapsed, err := s.Circulation.LapsedCopies(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/holdshelf", web.T(web.Lang(c), "shelf.title"), gin.H{"Branch": branch, "Branches": bs,
		"Ready": ready, "Expired": expired, "Lapsed": lapsed, "Picks": picks, "Today": today, "Names": s.BranchNames(web.Lang(c), bs)})
	return nil
}
