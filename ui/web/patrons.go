package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

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
	Category   string `json:"category" form:"category"`
}

// Patron is the form as the rules take it.
func (f PatronForm) Patron() library.PatronForm {
	return library.PatronForm{Name: f.Name, NameYomi: f.NameYomi, BirthDate: f.BirthDate, Address: f.Address,
		Phone: f.Phone, Mobile: f.Mobile, Email: f.Email, HomeBranch: f.HomeBranch, Category: f.Category}
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

// loanLine and holdLine are the rows of My library's two lists (R25).
func (s *Server) MyLists(c *gin.Context, patronID int64) ([]library.LoanView, []store.PatronHold, error) {
	loans, err := s.Circulation.Loans(c.Request.Context(), patronID)
	if err != nil {
		return nil, nil, err
	}
	holds, err := s.Circulation.Holds(c.Request.Context(), patronID)
	return loans, holds, err
}
