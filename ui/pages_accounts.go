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
type formState struct {
	Values  map[string]string
	Errors  map[string]string // field → message
	Message string            // a message for the whole form
	Notice  string
}

func (s *Server) refusalText(c *gin.Context, err error) (field, msg string, status int, ok bool) {
	var r *library.Refusal
	if !errors.As(err, &r) {
		return "", "", 0, false
	}
	e := refusalError(r, s.Calendar.Location())
	return r.Field, s.message(c, e), e.Status, true
}

func (s *Server) loginPage(c *gin.Context) error {
	noStore(c)
	next := safeNext(c.Query("next"))
	if w := s.who(c); w != nil && w.PatronID != 0 {
		if next == "" {
			next = "/account"
		}
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.render(c, http.StatusOK, "login", T(lang(c), "login.title"), gin.H{"Next": next, "Form": formState{}, "Kiosk": isKiosk(c)})
	return nil
}

func (s *Server) loginPost(c *gin.Context) error {
	noStore(c)
	next := safeNext(c.PostForm("next"))
	card := c.PostForm("card")
	kind := library.SessionWeb
	if isKiosk(c) {
		kind = library.SessionKiosk
	}
	res, err := s.Accounts.Login(c.Request.Context(), card, c.PostForm("password"), c.ClientIP(), kind)
	if err != nil {
		_, msg, status, ok := s.refusalText(c, err)
		if !ok {
			return err
		}
		s.render(c, status, "login", T(lang(c), "login.title"), gin.H{"Next": next, "Kiosk": isKiosk(c),
			"Form": formState{Values: map[string]string{"card": card}, Message: msg}})
		return nil
	}
	// A new id at every login; the old session, if any, ends.
	if old := s.token(c); old != "" {
		s.Accounts.Logout(c.Request.Context(), old)
	}
	s.setSession(c, res.Token)
	switch {
	case res.MustChange:
		next = "/account/password"
	case next == "":
		next = "/account"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// kioskCookie marks a browser as an in-branch kiosk (R42): logins there
// end after two idle minutes, and pages of a logged-in patron go back to
// the start by themselves.
const kioskCookie = "hondana_kiosk"

func isKiosk(c *gin.Context) bool {
	v, err := c.Cookie(kioskCookie)
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
	http.SetCookie(c.Writer, &http.Cookie{Name: kioskCookie, Value: v, Path: "/", MaxAge: age, HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

func (s *Server) logoutPost(c *gin.Context) error {
	if tok := s.token(c); tok != "" {
		if err := s.Accounts.Logout(c.Request.Context(), tok); err != nil {
			return err
		}
	}
	s.clearSession(c)
	if isKiosk(c) {
		s.forgetPatron(c)
	}
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

func (s *Server) accountPage(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.who(c).PatronID)
	if err != nil {
		return err
	}
	notice := ""
	switch c.Query("done") {
	case "password":
		notice = T(lang(c), "account.password_changed")
	case "email":
		notice = T(lang(c), "account.email_saved")
	}
	loans, holds, err := s.myLists(c, p.ID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "account", T(lang(c), "menu.account"), gin.H{"Patron": p, "Notice": notice, "Loans": loans, "Holds": holds, "Names": s.branchNames(lang(c), bs)})
	return nil
}

func (s *Server) passwordPage(c *gin.Context) error {
	s.render(c, http.StatusOK, "password", T(lang(c), "password.title"), gin.H{"MustChange": s.who(c).MustChange, "Form": formState{}})
	return nil
}

func (s *Server) passwordPost(c *gin.Context) error {
	w := s.who(c)
	err := s.Accounts.ChangePassword(c.Request.Context(), w, c.PostForm("old_password"), c.PostForm("new_password"), c.PostForm("new_password_confirm"))
	if err != nil {
		field, msg, status, ok := s.refusalText(c, err)
		if !ok {
			return err
		}
		f := formState{Errors: map[string]string{}}
		if field != "" {
			f.Errors[field] = msg
		} else {
			f.Message = msg
		}
		s.render(c, status, "password", T(lang(c), "password.title"), gin.H{"MustChange": w.MustChange, "Form": f})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/account?done=password")
	return nil
}

func (s *Server) emailPage(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.who(c).PatronID)
	if err != nil {
		return err
	}
	on, err := s.DB.DueRemindersOn(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "email", T(lang(c), "email.title"), gin.H{"Form": formState{Values: map[string]string{"email": p.Email}},
		"DueReminders": on, "DueDays": s.Circulation.MailPolicy().DueReminderDays})
	return nil
}

func (s *Server) emailPost(c *gin.Context) error {
	email := c.PostForm("email")
	on := c.PostForm("due_reminders") == "1"
	if err := s.Accounts.SetEmail(c.Request.Context(), s.who(c).PatronID, email); err != nil {
		field, msg, status, ok := s.refusalText(c, err)
		if !ok {
			return err
		}
		s.render(c, status, "email", T(lang(c), "email.title"), gin.H{"Form": formState{Values: map[string]string{"email": email}, Errors: map[string]string{field: msg}},
			"DueReminders": on, "DueDays": s.Circulation.MailPolicy().DueReminderDays})
		return nil
	}
	if err := s.Accounts.SetDueReminders(c.Request.Context(), s.who(c).PatronID, on); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account?done=email")
	return nil
}

func (s *Server) staffLoginPage(c *gin.Context) error {
	noStore(c)
	next := safeNext(c.Query("next"))
	if w := s.who(c); w != nil && w.StaffID != 0 {
		if next == "" {
			next = "/staff"
		}
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.render(c, http.StatusOK, "staff_login", T(lang(c), "staff.login"), gin.H{"Next": next, "Form": formState{}})
	return nil
}

func (s *Server) staffLoginPost(c *gin.Context) error {
	noStore(c)
	next := safeNext(c.PostForm("next"))
	user := c.PostForm("username")
	res, err := s.Accounts.StaffLogin(c.Request.Context(), user, c.PostForm("password"), c.ClientIP(), library.SessionWeb)
	if err != nil {
		_, msg, status, ok := s.refusalText(c, err)
		if !ok {
			return err
		}
		s.render(c, status, "staff_login", T(lang(c), "staff.login"), gin.H{"Next": next,
			"Form": formState{Values: map[string]string{"username": user}, Message: msg}})
		return nil
	}
	if old := s.token(c); old != "" {
		s.Accounts.Logout(c.Request.Context(), old)
	}
	s.setSession(c, res.Token)
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
		rows = append(rows, figureRow{Branch: branchName(lang(c), b), Today: day[b.Code], Month: month[b.Code]})
	}
	sum, err := s.Circulation.Summary(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "staff_home", T(lang(c), "staff.home"), gin.H{"Figures": rows, "Kinds": figureKinds, "Mail": sum})
	return nil
}

var figureKinds = []string{store.CountLoan, store.CountReturn, store.CountHoldPlaced, store.CountHoldFilled, store.CountHoldExpired,
	store.CountMailSent, store.CountMailFailed}

func (s *Server) staffPatrons(c *gin.Context) error {
	q, err := textParam(c, "q", 100)
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
	s.render(c, http.StatusOK, "staff_patrons", T(lang(c), "staff.patrons"), gin.H{"Q": q, "Found": found, "Searched": q != ""})
	return nil
}

func (s *Server) staffRegisterPage(c *gin.Context) error {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "staff_register", T(lang(c), "staff.register"), gin.H{"Branches": bs, "Form": formState{Values: map[string]string{}}})
	return nil
}

func (s *Server) staffRegisterPost(c *gin.Context) error {
	var f patronForm
	if err := c.ShouldBind(&f); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: codeBadRequest, Msg: "err.bad_request"}
	}
	reg, err := s.Accounts.RegisterPatron(c.Request.Context(), f.library())
	if err != nil {
		field, msg, status, ok := s.refusalText(c, err)
		if !ok {
			return err
		}
		bs, _ := s.DB.Branches(c.Request.Context())
		values := map[string]string{"name": f.Name, "name_yomi": f.NameYomi, "birth_date": f.BirthDate, "address": f.Address,
			"phone": f.Phone, "mobile": f.Mobile, "email": f.Email, "home_branch": f.HomeBranch}
		s.render(c, status, "staff_register", T(lang(c), "staff.register"), gin.H{"Branches": bs, "Form": formState{Values: values, Errors: map[string]string{field: msg}}})
		return nil
	}
	s.audit(c, "patron.register", "card "+reg.Card)
	// Post, then redirect: reloading the result must not register twice.
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(reg.Card)+"?done=registered")
	return nil
}

func (s *Server) staffPatronPage(c *gin.Context) error {
	p, st, locked, err := s.staffPatron(c)
	if err != nil {
		return err
	}
	notice := ""
	switch c.Query("done") {
	case "unlock":
		notice = T(lang(c), "staff.unlocked")
	case "saved":
		notice = T(lang(c), "staff.saved")
	case "block":
		notice = T(lang(c), "staff.blocked_done")
	}
	// Just registered or reissued: the card and when the temporary
	// password works, to tell the patron (never the password).
	issued := ""
	switch c.Query("done") {
	case "registered":
		issued = T(lang(c), "staff.registered")
	case "reissued":
		issued = T(lang(c), "staff.reissued")
	}
	block, err := s.DB.PatronBlock(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "staff_patron", p.Name, gin.H{"Patron": p, "Login": st, "Block": block, "Branches": bs, "Issued": issued, "Locked": locked,
		"TempActiveAt": st.IssuedAt.Add(s.Accounts.Policy().TempPasswordDelay).In(s.Calendar.Location()), "Notice": notice})
	return nil
}

func (s *Server) staffReissuePost(c *gin.Context) error {
	reg, err := s.Accounts.ReissueTemporary(c.Request.Context(), c.Param("card"))
	if err != nil {
		return err
	}
	s.audit(c, "patron.reissue", "card "+reg.Card)
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(reg.Card)+"?done=reissued")
	return nil
}

func (s *Server) staffUnlockPost(c *gin.Context) error {
	card := c.Param("card")
	if err := s.Accounts.Unlock(c.Request.Context(), card); err != nil {
		return err
	}
	s.audit(c, "patron.unlock", "card "+card)
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=unlock")
	return nil
}
