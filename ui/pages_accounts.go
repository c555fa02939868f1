package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// formError renders a form page again with the refusal next to its field.
type FormState struct {
	Values  map[string]string
	Errors  map[string]string // field → message
	Message string            // a message for the whole form
	Notice  string
}

func (s *Server) RefusalText(c *gin.Context, err error) (field, msg string, status int, ok bool) {
	var r *library.Refusal
	if !errors.As(err, &r) {
		return "", "", 0, false
	}
	e := refusalError(r, s.Calendar.Location())
	return r.Field, s.Message(c, e), e.Status, true
}

func (s *Server) loginPage(c *gin.Context) error {
	NoStore(c)
	next := SafeNext(c.Query("next"))
	if w := s.Who(c); w != nil && w.PatronID != 0 {
		if next == "" {
			next = "/account"
		}
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.Render(c, http.StatusOK, "login", T(Lang(c), "login.title"), gin.H{"Next": next, "Form": FormState{}, "Kiosk": IsKiosk(c)})
	return nil
}

func (s *Server) loginPost(c *gin.Context) error {
	NoStore(c)
	next := SafeNext(c.PostForm("next"))
	card := c.PostForm("card")
	kind := library.SessionWeb
	if IsKiosk(c) {
		kind = library.SessionKiosk
	}
	res, err := s.Accounts.Login(c.Request.Context(), card, c.PostForm("password"), c.ClientIP(), kind)
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		s.Render(c, status, "login", T(Lang(c), "login.title"), gin.H{"Next": next, "Kiosk": IsKiosk(c),
			"Form": FormState{Values: map[string]string{"card": card}, Message: msg}})
		return nil
	}
	// A new id at every login; the old session, if any, ends.
	if old := s.Token(c); old != "" {
		s.Accounts.Logout(c.Request.Context(), old)
	}
	s.SetSession(c, res.Token)
	switch {
	case res.MustChange:
		next = "/account/password"
	case next == "":
		next = "/account"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// KioskCookie marks a browser as an in-branch kiosk (R42): logins there
// end after two idle minutes, and pages of a logged-in patron go back to
// the start by themselves.
const KioskCookie = "hondana_kiosk"

func IsKiosk(c *gin.Context) bool {
	v, err := c.Cookie(KioskCookie)
	return err == nil && v == "1"
}

// kioskPage turns kiosk mode on or off for this browser (staff set up a
// terminal once by opening /kiosk?on=1).
func (s *Server) kioskPage(c *gin.Context) error {
	on := c.Query("on") != "0"
	v, age := "1", 10*365*24*3600
	if !on {
		v, age = "", -1
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: KioskCookie, Value: v, Path: "/", MaxAge: age, HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

func (s *Server) logoutPost(c *gin.Context) error {
	if tok := s.Token(c); tok != "" {
		if err := s.Accounts.Logout(c.Request.Context(), tok); err != nil {
			return err
		}
	}
	s.ClearSession(c)
	if IsKiosk(c) {
		s.ForgetPatron(c)
	}
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

func (s *Server) accountPage(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	notice := ""
	switch c.Query("done") {
	case "password":
		notice = T(Lang(c), "account.password_changed")
	case "email":
		notice = T(Lang(c), "account.email_saved")
	}
	loans, holds, err := s.MyLists(c, p.ID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "account", T(Lang(c), "menu.account"), gin.H{"Patron": p, "Notice": notice, "Loans": loans, "Holds": holds, "Names": s.BranchNames(Lang(c), bs)})
	return nil
}

func (s *Server) passwordPage(c *gin.Context) error {
	s.Render(c, http.StatusOK, "password", T(Lang(c), "password.title"), gin.H{"MustChange": s.Who(c).MustChange, "Form": FormState{}})
	return nil
}

func (s *Server) passwordPost(c *gin.Context) error {
	w := s.Who(c)
	err := s.Accounts.ChangePassword(c.Request.Context(), w, c.PostForm("old_password"), c.PostForm("new_password"), c.PostForm("new_password_confirm"))
	if err != nil {
		field, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		f := FormState{Errors: map[string]string{}}
		if field != "" {
			f.Errors[field] = msg
		} else {
			f.Message = msg
		}
		s.Render(c, status, "password", T(Lang(c), "password.title"), gin.H{"MustChange": w.MustChange, "Form": f})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/account?done=password")
	return nil
}

func (s *Server) emailPage(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	on, err := s.DB.DueRemindersOn(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "email", T(Lang(c), "email.title"), gin.H{"Form": FormState{Values: map[string]string{"email": p.Email}},
		"DueReminders": on, "DueDays": s.Circulation.MailPolicy().DueReminderDays})
	return nil
}

func (s *Server) emailPost(c *gin.Context) error {
	email := c.PostForm("email")
	on := c.PostForm("due_reminders") == "1"
	if err := s.Accounts.SetEmail(c.Request.Context(), s.Who(c).PatronID, email); err != nil {
		field, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		s.Render(c, status, "email", T(Lang(c), "email.title"), gin.H{"Form": FormState{Values: map[string]string{"email": email}, Errors: map[string]string{field: msg}},
			"DueReminders": on, "DueDays": s.Circulation.MailPolicy().DueReminderDays})
		return nil
	}
	if err := s.Accounts.SetDueReminders(c.Request.Context(), s.Who(c).PatronID, on); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account?done=email")
	return nil
}

func (s *Server) staffLoginPage(c *gin.Context) error {
	NoStore(c)
	next := SafeNext(c.Query("next"))
	if w := s.Who(c); w != nil && w.StaffID != 0 {
		if next == "" {
			next = "/staff"
		}
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.Render(c, http.StatusOK, "staff_login", T(Lang(c), "staff.login"), gin.H{"Next": next, "Form": FormState{}})
	return nil
}

func (s *Server) staffLoginPost(c *gin.Context) error {
	NoStore(c)
	next := SafeNext(c.PostForm("next"))
	user := c.PostForm("username")
	res, err := s.Accounts.StaffLogin(c.Request.Context(), user, c.PostForm("password"), c.ClientIP(), library.SessionWeb)
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		s.Render(c, status, "staff_login", T(Lang(c), "staff.login"), gin.H{"Next": next,
			"Form": FormState{Values: map[string]string{"username": user}, Message: msg}})
		return nil
	}
	if old := s.Token(c); old != "" {
		s.Accounts.Logout(c.Request.Context(), old)
	}
	s.SetSession(c, res.Token)
	if next == "" || !strings.HasPrefix(next, "/staff") {
		next = "/staff"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// figureRow is one branch's daily figures on the staff home.
type figureRow struct {
	Branch       string
	Today, Month map[string]int
}

func (s *Server) staffHome(c *gin.Context) error {
	today := s.Circulation.Today()
	day, err := s.DB.Figures(c.Request.Context(), today.Format(library.DateLayout))
	if err != nil {
		return err
	}
	month, err := s.DB.Figures(c.Request.Context(), time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location()).Format(library.DateLayout))
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	var rows []figureRow
	for _, b := range bs {
		rows = append(rows, figureRow{Branch: BranchName(Lang(c), b), Today: day[b.Code], Month: month[b.Code]})
	}
	sum, err := s.Circulation.Summary(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff_home", T(Lang(c), "staff.home"), gin.H{"Figures": rows, "Kinds": figureKinds, "Mail": sum})
	return nil
}

var figureKinds = []string{store.CountLoan, store.CountReturn, store.CountHoldPlaced, store.CountHoldFilled, store.CountHoldExpired,
	store.CountMailSent, store.CountMailFailed}

func (s *Server) staffPatrons(c *gin.Context) error {
	q, err := TextParam(c, "q", 100)
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
	s.Render(c, http.StatusOK, "staff_patrons", T(Lang(c), "staff.patrons"), gin.H{"Q": q, "Found": found, "Searched": q != ""})
	return nil
}

func (s *Server) staffRegisterPage(c *gin.Context) error {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff_register", T(Lang(c), "staff.register"), gin.H{"Branches": bs, "Form": FormState{Values: map[string]string{}}})
	return nil
}

func (s *Server) staffRegisterPost(c *gin.Context) error {
	var f PatronForm
	if err := c.ShouldBind(&f); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Msg: "err.bad_request"}
	}
	reg, err := s.Accounts.RegisterPatron(c.Request.Context(), f.Patron())
	if err != nil {
		field, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		bs, _ := s.DB.Branches(c.Request.Context())
		values := map[string]string{"name": f.Name, "name_yomi": f.NameYomi, "birth_date": f.BirthDate, "address": f.Address,
			"phone": f.Phone, "mobile": f.Mobile, "email": f.Email, "home_branch": f.HomeBranch}
		s.Render(c, status, "staff_register", T(Lang(c), "staff.register"), gin.H{"Branches": bs, "Form": FormState{Values: values, Errors: map[string]string{field: msg}}})
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
		notice = T(Lang(c), "staff.unlocked")
	case "saved":
		notice = T(Lang(c), "staff.saved")
	case "block":
		notice = T(Lang(c), "staff.blocked_done")
	}
	// Just registered or reissued: the card and when the temporary
	// password works, to tell the patron (never the password).
	issued := ""
	switch c.Query("done") {
	case "registered":
		issued = T(Lang(c), "staff.registered")
	case "reissued":
		issued = T(Lang(c), "staff.reissued")
	}
	block, err := s.DB.PatronBlock(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff_patron", p.Name, gin.H{"Patron": p, "Login": st, "Block": block, "Branches": bs, "Issued": issued, "Locked": locked,
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
