package ui

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

func (s *Server) apiLogin(c *gin.Context) error {
	var req struct {
		Card     string `json:"card"`
		Password string `json:"password"`
		Kiosk    bool   `json:"kiosk"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	kind := library.SessionAPI
	if req.Kiosk {
		kind = library.SessionKiosk
	}
	res, err := s.Accounts.Login(c.Request.Context(), req.Card, req.Password, c.ClientIP(), kind)
	if err != nil {
		return err
	}
	NoStore(c)
	c.JSON(http.StatusOK, gin.H{"token": res.Token, "must_change_password": res.MustChange,
		"patron": gin.H{"card": res.Card, "name": res.Name}})
	return nil
}

func (s *Server) apiLogout(c *gin.Context) error {
	w := s.Who(c)
	if w == nil {
		return &Error{Status: http.StatusUnauthorized, Code: library.Unauthorized, Msg: "err.unauthorized"}
	}
	if err := s.Accounts.Logout(c.Request.Context(), s.Token(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiMe(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	on, err := s.DB.DueRemindersOn(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"card": p.Card, "name": p.Name, "email": p.Email, "phone": p.Phone, "mobile": p.Mobile, "due_reminders": on})
	return nil
}

func (s *Server) apiSetEmail(c *gin.Context) error {
	var req struct {
		Email string `json:"email"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	w := s.Who(c)
	if err := s.Accounts.SetEmail(c.Request.Context(), w.PatronID, req.Email); err != nil {
		return err
	}
	p, err := s.DB.PatronByID(c.Request.Context(), w.PatronID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"email": p.Email, "sender_domain": s.Site.MailDomain})
	return nil
}

func (s *Server) apiChangePassword(c *gin.Context) error {
	var req struct {
		Old     string `json:"old_password"`
		New     string `json:"new_password"`
		Confirm string `json:"new_password_confirm"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if err := s.Accounts.ChangePassword(c.Request.Context(), s.Who(c), req.Old, req.New, req.Confirm); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiStaffLogin(c *gin.Context) error {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	res, err := s.Accounts.StaffLogin(c.Request.Context(), req.Username, req.Password, c.ClientIP(), library.SessionAPI)
	if err != nil {
		return err
	}
	NoStore(c)
	c.JSON(http.StatusOK, gin.H{"token": res.Token, "staff": gin.H{"username": req.Username, "role": res.Role}})
	return nil
}

// PatronForm reads the registration fields shared by the API and the page.
type PatronForm struct {
	Name       string `json:"name" form:"name"`
	NameYomi   string `json:"name_yomi" form:"name_yomi"`
	BirthDate  string `json:"birth_date" form:"birth_date"`
	Address    string `json:"address" form:"address"`
	Phone      string `json:"phone" form:"phone"`
	Mobile     string `json:"mobile" form:"mobile"`
	Email      string `json:"email" form:"email"`
	HomeBranch string `json:"home_branch" form:"home_branch"`
}

func (f PatronForm) Patron() library.PatronForm {
	return library.PatronForm{Name: f.Name, NameYomi: f.NameYomi, BirthDate: f.BirthDate, Address: f.Address,
		Phone: f.Phone, Mobile: f.Mobile, Email: f.Email, HomeBranch: f.HomeBranch}
}

func (s *Server) apiRegisterPatron(c *gin.Context) error {
	var f PatronForm
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
		"address": p.Address, "phone": p.Phone, "mobile": p.Mobile, "email": p.Email,
		"login": gin.H{"temporary_password": st.Temporary, "locked": locked, "failed_logins": st.Failures}})
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

// StaffPatron reads the patron of the :card path parameter with their
// login state, and whether web login is stopped for the card.
func (s *Server) StaffPatron(c *gin.Context) (*store.Patron, store.PatronLoginState, bool, error) {
	p, err := s.DB.PatronByCard(c.Request.Context(), c.Param("card"))
	if err != nil {
		return nil, store.PatronLoginState{}, false, &Error{Status: http.StatusNotFound, Code: library.PatronNotFound, Msg: "err.patron_not_found"}
	}
	st, err := s.DB.LoginState(c.Request.Context(), p.ID)
	if err != nil {
		return nil, st, false, err
	}
	return p, st, st.Locked || st.Failures >= library.LockAfter, nil
}
