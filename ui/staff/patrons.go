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
	return s.renderPatron(c, http.StatusOK, "")
}

// renderPatron shows the patron screen (R52): contacts, notes, loans
// and holds, what staff may do for the patron; refused, what the rule
// said ("" when nothing was).
func (s *Server) renderPatron(c *gin.Context, status int, refused string) error {
	p, st, locked, err := s.StaffPatron(c)
	if err != nil {
		return err
	}
	notice := ""
	switch d := c.Query("done"); d {
	case "unlock":
		notice = web.T(web.Lang(c), "staff.unlocked")
	case "saved":
		notice = web.T(web.Lang(c), "staff.saved")
	case "block":
		notice = web.T(web.Lang(c), "staff.blocked_done")
	case "card":
		notice = web.T(web.Lang(c), "card.renewed_done")
	case "renewed", "held", "cancelled", "changed", "notes":
		notice = web.T(web.Lang(c), "patron.done_"+d)
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
	loans, holds, err := s.MyLists(c, p.ID)
	if err != nil {
		return err
	}
	notes, err := s.DB.PatronNotes(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	limits, err := s.Circulation.Limits(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	branch, _, err := s.desk(c)
	if err != nil {
		return err
	}
	s.Render(c, status, "staff/patron", p.Name, gin.H{"Patron": p, "Login": st, "Block": block, "Branches": bs, "Issued": issued, "Locked": locked,
		"Categories": s.Circulation.Categories(), "Category": s.Circulation.CategoryOf(p.Category),
		"TempActiveAt": st.IssuedAt.Add(s.Accounts.Policy().TempPasswordDelay).In(s.Calendar.Location()), "Notice": notice,
		"Refused": refused, "Loans": loans, "Holds": holds, "Notes": notes, "Limits": limits, "Names": s.BranchNames(web.Lang(c), bs),
		"Today": s.Circulation.Today().Format(library.DateLayout), "Desk": branch, "Item": c.Query("item"),
		"Contacts": []string{library.ContactPhone, library.ContactMobile, library.ContactEmail}, "Card": s.Accounts.Validity(p.Expiry)})
	return nil
}

// forPatron runs what staff do for a patron (R52) with the rules the
// patron's own pages follow: done, back to the patron screen saying so;
// refused, the screen with the refusal in the patron web's words.
func (s *Server) forPatron(c *gin.Context, action, done string, do func(patronID int64) error) error {
	p, _, _, err := s.StaffPatron(c)
	if err != nil {
		return err
	}
	if err := do(p.ID); err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		return s.renderPatron(c, status, msg)
	}
	s.Audit(c, action, "card "+p.Card) // the patron, never the title (R40)
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(p.Card)+"?done="+done)
	return nil
}

// patronRenewPost renews a loan for the patron (R30–R33, R52).
func (s *Server) patronRenewPost(c *gin.Context) error {
	id, err := web.PathID(c, library.LoanNotFound)
	if err != nil {
		return err
	}
	return s.forPatron(c, "loan.renew", "renewed", func(patronID int64) error {
		_, err := s.Circulation.Renew(c.Request.Context(), patronID, id)
		return err
	})
}

// patronHoldPost places a hold for the patron (R20–R28, R52) on the
// title of a barcode, an ISBN or a record id.
func (s *Server) patronHoldPost(c *gin.Context) error {
	return s.forPatron(c, "hold.place", "held", func(patronID int64) error {
		rec, err := s.Circulation.RecordFor(c.Request.Context(), c.PostForm("item"))
		if err != nil {
			return err
		}
		_, err = s.Circulation.PlaceHold(c.Request.Context(), patronID, rec, c.PostForm("pickup_branch"), c.PostForm("contact"))
		return err
	})
}

// patronHoldCancelPost cancels a hold for the patron (R26, R52).
func (s *Server) patronHoldCancelPost(c *gin.Context) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	return s.forPatron(c, "hold.cancel", "cancelled", func(patronID int64) error {
		return s.Circulation.CancelHold(c.Request.Context(), patronID, id)
	})
}

// patronHoldChangePost changes a hold's pickup library or contact for
// the patron (R27, R52).
func (s *Server) patronHoldChangePost(c *gin.Context) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	return s.forPatron(c, "hold.change", "changed", func(patronID int64) error {
		_, err := s.Circulation.ChangeHold(c.Request.Context(), patronID, id, c.PostForm("pickup_branch"), c.PostForm("contact"))
		return err
	})
}

// patronNotesPost keeps staff's notes on the patron.
func (s *Server) patronNotesPost(c *gin.Context) error {
	card := c.Param("card")
	if err := s.Accounts.SetNotes(c.Request.Context(), s.Who(c).StaffID, card, c.PostForm("notes")); err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok || status == http.StatusNotFound {
			return err
		}
		return s.renderPatron(c, status, msg)
	}
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=notes")
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

// patronRenewCardPost renews the patron's card from today (see
// Accounts.RenewCard).
func (s *Server) patronRenewCardPost(c *gin.Context) error {
	card := c.Param("card")
	if _, err := s.Accounts.RenewCard(c.Request.Context(), s.Who(c).StaffID, card); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=card")
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
