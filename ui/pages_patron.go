package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// The cart (R20) lives in a cookie: it works before login and survives it,
// and the server keeps nothing of it.
const (
	cartCookie = "hondana_cart"
	CartMax    = 20
)

func ReadCart(c *gin.Context) []int64 {
	v, err := c.Cookie(cartCookie)
	if err != nil {
		return nil
	}
	var out []int64
	for _, f := range strings.Split(v, ".") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 && !containsID(out, id) && len(out) < CartMax {
			out = append(out, id)
		}
	}
	return out
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (s *Server) WriteCart(c *gin.Context, ids []int64) {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	ck := &http.Cookie{Name: cartCookie, Value: strings.Join(parts, "."), Path: "/", HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode}
	if len(ids) == 0 {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}

func formID(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(c.PostForm(name), 10, 64)
	return id
}

func (s *Server) cartAdd(c *gin.Context) error {
	id := formID(c, "record_id")
	if _, err := s.DB.Record(c.Request.Context(), id); err != nil {
		return NotFound(library.RecordNotFound)
	}
	cart := ReadCart(c)
	if !containsID(cart, id) {
		if len(cart) >= CartMax {
			return &Error{Status: http.StatusUnprocessableEntity, Code: CodeCartFull, Msg: "err.cart_full", Args: []any{CartMax}}
		}
		cart = append(cart, id)
	}
	s.WriteCart(c, cart)
	c.Redirect(http.StatusSeeOther, "/cart?added="+strconv.FormatInt(id, 10))
	return nil
}

func (s *Server) cartRemove(c *gin.Context) error {
	id := formID(c, "record_id")
	var keep []int64
	for _, x := range ReadCart(c) {
		if x != id {
			keep = append(keep, x)
		}
	}
	s.WriteCart(c, keep)
	c.Redirect(http.StatusSeeOther, "/cart")
	return nil
}

func (s *Server) cartClear(c *gin.Context) error {
	s.WriteCart(c, nil)
	c.Redirect(http.StatusSeeOther, "/cart")
	return nil
}

func (s *Server) cartPage(c *gin.Context) error {
	NoStore(c)
	hits, err := s.Catalog.Hits(c.Request.Context(), ReadCart(c))
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "cart", T(Lang(c), "cart.title"), gin.H{"Hits": hits, "Names": s.BranchNames(Lang(c), bs), "Added": c.Query("added") != ""})
	return nil
}

// cartHits loads the titles in the cart; with an empty cart it sends the
// browser to the cart page and returns nil.
func (s *Server) cartHits(c *gin.Context) ([]library.Hit, error) {
	ids := ReadCart(c)
	if len(ids) == 0 {
		c.Redirect(http.StatusSeeOther, "/cart")
		return nil, nil
	}
	hits, err := s.Catalog.Hits(c.Request.Context(), ids)
	if err == nil && hits == nil {
		hits = []library.Hit{} // records gone since: show an empty list
	}
	return hits, err
}

// reserveForm is the pickup and contact choice for the titles in the cart.
func (s *Server) reservePage(c *gin.Context) error {
	hits, err := s.cartHits(c)
	if err != nil || hits == nil {
		return err
	}
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	// The patron's usual library first (R20).
	for i, b := range bs {
		if b.Code == p.HomeBranch && i > 0 {
			bs = append([]store.Branch{b}, append(bs[:i:i], bs[i+1:]...)...)
			break
		}
	}
	contact := library.ContactPhone
	if p.Mobile != "" {
		contact = library.ContactMobile
	}
	s.Render(c, http.StatusOK, "reserve", T(Lang(c), "reserve.title"), gin.H{"Hits": hits, "Patron": p, "Branches": bs, "Contact": contact})
	return nil
}

// reserveResult is one title's outcome on the 予約受付完了 page.
type reserveResult struct {
	Title   string
	ID      int64
	OK      bool
	Message string
}

func (s *Server) reservePost(c *gin.Context) error {
	hits, err := s.cartHits(c)
	if err != nil || hits == nil {
		return err
	}
	w := s.Who(c)
	pickup, contact := c.PostForm("pickup_branch"), c.PostForm("contact")
	var results []reserveResult
	var left []int64
	for _, h := range hits {
		r := reserveResult{Title: h.Record.Title, ID: h.Record.ID}
		if _, err := s.Circulation.PlaceHold(c.Request.Context(), w.PatronID, h.Record.ID, pickup, contact); err != nil {
			_, msg, _, ok := s.RefusalText(c, err)
			if !ok {
				return err
			}
			r.Message = msg
			var ref *library.Refusal
			// A title refused for a reason of the whole form stays in the cart.
			if errors.As(err, &ref) && (ref.Code == library.UnknownBranch || ref.Code == library.InvalidContact || ref.Code == library.EmailNotRegistered) {
				left = append(left, h.Record.ID)
			}
		} else {
			r.OK = true
		}
		results = append(results, r)
	}
	s.WriteCart(c, left)
	s.Render(c, http.StatusOK, "reserved", T(Lang(c), "reserve.done"), gin.H{"Results": results})
	return nil
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

func (s *Server) renewPage(c *gin.Context) error {
	id, err := PathID(c, library.LoanNotFound)
	if err != nil {
		return err
	}
	l, due, err := s.Circulation.RenewalPreview(c.Request.Context(), s.Who(c).PatronID, id)
	if l == nil {
		return err
	}
	msg := ""
	if err != nil {
		_, msg, _, _ = s.RefusalText(c, err)
	}
	s.Render(c, http.StatusOK, "renew", T(Lang(c), "renew.title"), gin.H{"Loan": l, "NewDue": due, "Refusal": msg})
	return nil
}

func (s *Server) renewPost(c *gin.Context) error {
	id, err := PathID(c, library.LoanNotFound)
	if err != nil {
		return err
	}
	due, err := s.Circulation.Renew(c.Request.Context(), s.Who(c).PatronID, id)
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		s.Render(c, status, "renew", T(Lang(c), "renew.title"), gin.H{"Refusal": msg})
		return nil
	}
	s.Render(c, http.StatusOK, "done", T(Lang(c), "renew.done"), gin.H{"Message": T(Lang(c), "renew.done_msg", FmtDate(Lang(c), due))})
	return nil
}

func (s *Server) myHold(c *gin.Context) (*store.PatronHold, error) {
	id, err := PathID(c, library.HoldNotFound)
	if err != nil {
		return nil, err
	}
	holds, err := s.Circulation.Holds(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return nil, err
	}
	for i := range holds {
		if holds[i].ID == id {
			return &holds[i], nil
		}
	}
	return nil, NotFound(library.HoldNotFound)
}

func (s *Server) cancelPage(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "cancel", T(Lang(c), "cancel.title"), gin.H{"Hold": h})
	return nil
}

func (s *Server) cancelPost(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	if err := s.Circulation.CancelHold(c.Request.Context(), s.Who(c).PatronID, h.ID); err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "done", T(Lang(c), "cancel.done"), gin.H{"Message": T(Lang(c), "cancel.done_msg", h.Title)})
	return nil
}

func (s *Server) changePage(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "change", T(Lang(c), "change.title"), gin.H{"Hold": h, "Patron": p, "Branches": bs})
	return nil
}

func (s *Server) changePost(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	if _, err := s.Circulation.ChangeHold(c.Request.Context(), s.Who(c).PatronID, h.ID, c.PostForm("pickup_branch"), c.PostForm("contact")); err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		p, _ := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
		bs, _ := s.DB.Branches(c.Request.Context())
		s.Render(c, status, "change", T(Lang(c), "change.title"), gin.H{"Hold": h, "Patron": p, "Branches": bs, "Refusal": msg})
		return nil
	}
	s.Render(c, http.StatusOK, "done", T(Lang(c), "change.done"), gin.H{"Message": T(Lang(c), "change.done_msg", h.Title)})
	return nil
}

// LiteCookie switches the site to its lite mode: minimal HTML, no
// stylesheet, no scripts, for low-end phones and slow connections (R7).
const LiteCookie = "hondana_lite"

func IsLite(c *gin.Context) bool {
	if v, ok := c.Get("lite"); ok {
		return v.(bool)
	}
	v, err := c.Cookie(LiteCookie)
	return err == nil && v == "1"
}

// litePage turns lite mode on (/m/) or off (/m/?off=1) and shows the home page.
func (s *Server) litePage(c *gin.Context) error {
	on := c.Query("off") == ""
	v, age := "1", 365*24*3600
	if !on {
		v, age = "", -1
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: LiteCookie, Value: v, Path: "/", MaxAge: age, HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	c.Set("lite", on)
	if !on {
		c.Redirect(http.StatusSeeOther, "/")
		return nil
	}
	return s.home(c)
}
