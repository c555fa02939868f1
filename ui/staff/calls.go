package staff

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// callItem is a call-list row with what to tell the patron.
type callItem struct {
	library.ContactView
	Say string
}

func (s *Server) callListPage(c *gin.Context) error {
	ctx := c.Request.Context()
	holds, err := s.Circulation.CallList(ctx)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(ctx)
	if err != nil {
		return err
	}
	names := s.BranchNames(web.Lang(c), bs)
	items := make([]callItem, len(holds))
	for i, h := range holds {
		items[i] = callItem{ContactView: h}
		// What to say: the deadline a 連絡済み now would give.
		d, err := s.Circulation.PickupDeadline(ctx, h.PickupBranch, s.Clock.Now())
		if err != nil {
			return err
		}
		items[i].Say = web.T(web.Lang(c), "calls.say", s.Site.Name, h.Title, names[h.PickupBranch], web.FmtDate(web.Lang(c), d))
	}
	s.Render(c, http.StatusOK, "staff/calls", web.T(web.Lang(c), "calls.title"), gin.H{"Holds": items, "Names": names, "Done": c.Query("done")})
	return nil
}

// staffCancelHoldPost cancels a hold for the library (a flagged hold).
func (s *Server) staffCancelHoldPost(c *gin.Context) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.StaffCancelHold(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/calls?done=cancelled")
	return nil
}

func (s *Server) contactedPost(c *gin.Context) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	result := c.PostForm("result")
	if _, err := s.Circulation.Contacted(c.Request.Context(), id, s.Who(c).StaffID, result); err != nil {
		return err
	}
	s.Audit(c, "hold.contacted", fmt.Sprintf("hold %d: %s", id, result))
	c.Redirect(http.StatusSeeOther, "/staff/calls?done="+url.QueryEscape(result))
	return nil
}
