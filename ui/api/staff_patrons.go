package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) apiRegisterPatron(c *gin.Context) error {
	var f web.PatronForm
	if err := readJSON(c, &f); err != nil {
		return err
	}
	reg, err := s.Accounts.RegisterPatron(c.Request.Context(), f.Patron())
	if err != nil {
		return err
	}
	s.Audit(c, "patron.register", "card "+reg.Card)
	c.JSON(http.StatusCreated, gin.H{"card": reg.Card, "temporary_password_active_at": reg.ActiveAt.In(s.Calendar.Location()).Format(time.RFC3339)})
	return nil
}

func (s *Server) apiStaffPatron(c *gin.Context) error {
	p, st, locked, err := s.StaffPatron(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"card": p.Card, "name": p.Name, "name_yomi": p.NameYomi, "birth_date": p.BirthDate,
		"address": p.Address, "phone": p.Phone, "mobile": p.Mobile, "email": p.Email, "category": s.Circulation.CategoryOf(p.Category),
		"login":       gin.H{"temporary_password": st.Temporary, "locked": locked, "failed_logins": st.Failures},
		"card_expiry": nullable(p.Expiry), "card_expired": s.Accounts.Validity(p.Expiry).Expired})
	return nil
}

// apiRenewCard renews the patron's card from today, after staff have
// checked the address: `200 {"card_expiry"}`, null when cards do not
// expire.
func (s *Server) apiRenewCard(c *gin.Context) error {
	expiry, err := s.Accounts.RenewCard(c.Request.Context(), s.Who(c).StaffID, c.Param("card"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"card_expiry": nullable(expiry)})
	return nil
}

func (s *Server) apiReissue(c *gin.Context) error {
	reg, err := s.Accounts.ReissueTemporary(c.Request.Context(), c.Param("card"))
	if err != nil {
		return err
	}
	s.Audit(c, "patron.reissue", "card "+reg.Card)
	c.JSON(http.StatusOK, gin.H{"temporary_password_active_at": reg.ActiveAt.In(s.Calendar.Location()).Format(time.RFC3339)})
	return nil
}

func (s *Server) apiUnlock(c *gin.Context) error {
	if err := s.Accounts.Unlock(c.Request.Context(), c.Param("card")); err != nil {
		return err
	}
	s.Audit(c, "patron.unlock", "card "+c.Param("card"))
	c.Status(http.StatusNoContent)
	return nil
}

// forPatron runs an API call staff make for the patron of the path's
// :card (R52) with the patron's own rules and refusals, and logs a
// change with the card masked, never the title (R40).
func (s *Server) forPatron(action string, h func(c *gin.Context, patronID int64) error) func(*gin.Context) error {
	return func(c *gin.Context) error {
		p, _, _, err := s.StaffPatron(c)
		if err != nil {
			return err
		}
		if err := h(c, p.ID); err != nil {
			return err
		}
		if action != "" {
			s.Audit(c, action, "card "+p.Card)
		}
		return nil
	}
}
