package staff

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

func (s *Server) staffPatrons(c *gin.Context) error {
	q, err := web.TextParam(c, "q", 100)
	if err != nil {
		return err
	}
	q = strings.TrimSpace(q)
	var found []store.Patron
	if q != "" {
		if card, ok := library.FoldCard(q); ok {
			q = card
		}
		if found, err = s.DB.FindPatrons(c.Request.Context(), q, 50); err != nil {
			return err
		}
	}
	s.Render(c, http.StatusOK, "staff/patrons", web.T(web.Lang(c), "staff.patrons"), gin.H{"Q": q, "Found": found, "Searched": q != ""})
	return nil
}

func (s *Server) staffRegisterPage(c *gin.Context) error {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/register", web.T(web.Lang(c), "staff.register"), gin.H{"Branches": bs, "Categories": s.Circulation.Categories(),
		"Form": web.FormState{Values: map[string]string{}}})
	return nil
}

func (s *Server) staffRegisterPost(c *gin.Context) error {
	var f web.PatronForm
	if err := c.ShouldBind(&f); err != nil {
		return &web.Error{Status: http.StatusBadRequest, Code: web.CodeBadRequest, Msg: "err.bad_request"}
	}
	reg, err := s.Accounts.RegisterPatron(c.Request.Context(), f.Patron())
	if err != nil {
		field, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		bs, _ := s.DB.Branches(c.Request.Context())
		values := map[string]string{"name": f.Name, "name_yomi": f.NameYomi, "birth_date": f.BirthDate, "address": f.Address,
			"phone": f.Phone, "mobile": f.Mobile, "email": f.Email, "home_branch": f.HomeBranch, "category": f.Category}
		form := web.FormState{Values: values}
		form.Refused(field, msg)
		s.Render(c, status, "staff/register", web.T(web.Lang(c), "staff.register"), gin.H{"Branches": bs, "Categories": s.Circulation.Categories(),
			"Form": form})
		return nil
	}
	s.Audit(c, "patron.register", "card "+reg.Card)
	// Post, then redirect: reloading the result must not register twice.
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(reg.Card)+"?done=registered")
	return nil
}

func (s *Server) staffPatronPage(c *gin.Context) error {
	p, st, locked, err := s.StaffPatron(c)
	if err != nil {
		return err
	}
	notice := ""
	switch c.Query("done") {
	case "unlock":
		notice = web.T(web.Lang(c), "staff.unlocked")
	case "saved":
		notice = web.T(web.Lang(c), "staff.saved")
	case "block":
		notice = web.T(web.Lang(c), "staff.blocked_done")
	}
	// Just registered or reissued: the card and when the temporary
	// password works, to tell the patron (never the password).
	issued := ""
	switch c.Query("done") {
	case "registered":
		issued = web.T(web.Lang(c), "staff.registered")
	case "reissued":
		issued = web.T(web.Lang(c), "staff.reissued")
	}
	block, err := s.DB.PatronBlock(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/patron", p.Name, gin.H{"Patron": p, "Login": st, "Block": block, "Branches": bs, "Issued": issued, "Locked": locked,
		"Categories": s.Circulation.Categories(), "Category": s.Circulation.CategoryOf(p.Category),
		"TempActiveAt": st.IssuedAt.Add(s.Accounts.Policy().TempPasswordDelay).In(s.Calendar.Location()), "Notice": notice})
	return nil
}

func (s *Server) staffReissuePost(c *gin.Context) error {
	reg, err := s.Accounts.ReissueTemporary(c.Request.Context(), c.Param("card"))
	if err != nil {
		return err
	}
	s.Audit(c, "patron.reissue", "card "+reg.Card)
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(reg.Card)+"?done=reissued")
	return nil
}

func (s *Server) staffUnlockPost(c *gin.Context) error {
	card := c.Param("card")
	if err := s.Accounts.Unlock(c.Request.Context(), card); err != nil {
		return err
	}
	s.Audit(c, "patron.unlock", "card "+card)
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=unlock")
	return nil
}

// patronEditPost saves a patron's details from the staff patron page.
func (s *Server) patronEditPost(c *gin.Context) error {
	var f web.PatronForm
	if err := c.ShouldBind(&f); err != nil {
		return &web.Error{Status: http.StatusBadRequest, Code: web.CodeBadRequest, Msg: "err.bad_request"}
	}
	card := c.Param("card")
	if err := s.Accounts.UpdatePatron(c.Request.Context(), s.Who(c).StaffID, card, f.Patron()); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=saved")
	return nil
}

// patronBlockPost stops or resumes loans to a patron, with a reason.
func (s *Server) patronBlockPost(c *gin.Context) error {
	card := c.Param("card")
	reason := c.PostForm("reason")
	if c.PostForm("unblock") != "" {
		reason = ""
	} else if strings.TrimSpace(reason) == "" {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "reason", Args: []any{web.Why{ID: "field.reason"}}}
	}
	if err := s.Accounts.Block(c.Request.Context(), s.Who(c).StaffID, card, reason); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=block")
	return nil
}
