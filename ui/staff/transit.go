package staff

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// transitPage lists, for the desk's library, what leaves it (title,
// barcode, where to, why) and what is on its way in (R55). Receiving a
// copy takes it off both lists.
func (s *Server) transitPage(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	out, in, err := s.Circulation.Transit(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	names := s.BranchNames(web.Lang(c), bs)
	data := gin.H{"Branch": branch, "Out": out, "In": in, "Names": names}
	if last, _ := strconv.ParseInt(c.Query("last"), 10, 64); last != 0 {
		if line, err := s.Circulation.ScanOf(c.Request.Context(), s.Who(c).TokenHash, last); err == nil {
			data["Answer"] = s.answerOf(c, line, names)
		}
	}
	s.Render(c, http.StatusOK, "staff/transit", web.T(web.Lang(c), "transit.title"), data)
	return nil
}
