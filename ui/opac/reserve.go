package opac

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// reserveForm is the pickup and contact choice for the titles in the cart.
func (s *Server) reservePage(c *gin.Context) error {
	hits, err := s.cartHits(c)
	if err != nil || hits == nil {
		return err
	}
	data, err := s.reserveData(c, hitRecords(hits))
	if err != nil {
		return err
	}
	data["Hits"] = hits
	s.Render(c, http.StatusOK, "opac/reserve", web.T(web.Lang(c), "reserve.title"), data)
	return nil
}

// reserveData is what a reserve form for recs offers: the pickup
// libraries (the patron's own first), the contact most likely wanted,
// the hold options and each title's estimated wait.
func (s *Server) reserveData(c *gin.Context, recs []*store.Record) (gin.H, error) {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return nil, err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return nil, err
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
	data := gin.H{"Patron": p, "Branches": bs, "Contact": contact}
	return data, s.addHoldOptions(c, data, bs, recs)
}

// reserveResult is one title's outcome on the 予約受付完了 page.
type reserveResult struct {
	Title   string
	ID      int64
	OK      bool
	Message string
}

// reservePost places a hold on each title in the cart. The page says
// what happened (all placed, some, none); every refused title stays in
// the cart with its reason, so that nothing the patron chose is lost.
func (s *Server) reservePost(c *gin.Context) error {
	hits, err := s.cartHits(c)
	if err != nil || hits == nil {
		return err
	}
	w := s.Who(c)
	o, ok, err := s.holdOptionsPosted(c, func(data gin.H) error {
		p, err := s.DB.PatronByID(c.Request.Context(), w.PatronID)
		if err != nil {
			return err
		}
		data["Hits"], data["Patron"], data["Contact"] = hits, p, c.PostForm("contact")
		s.Render(c, http.StatusUnprocessableEntity, "opac/reserve", web.T(web.Lang(c), "reserve.title"), data)
		return nil
	}, hitRecords(hits))
	if !ok {
		return err
	}
	var results []reserveResult
	var left []int64
	why := map[int64]*library.Refusal{}
	placed := 0
	for _, h := range hits {
		r := reserveResult{Title: h.Record.Title, ID: h.Record.ID}
		if _, err := s.Circulation.PlaceHoldWith(c.Request.Context(), w.PatronID, h.Record.ID, o); err != nil {
			_, msg, _, ok := s.RefusalText(c, err)
			if !ok {
				return err
			}
			r.Message = msg
			left = append(left, h.Record.ID)
			var ref *library.Refusal
			if errors.As(err, &ref) {
				why[h.Record.ID] = ref
			}
		} else {
			r.OK = true
			placed++
		}
		results = append(results, r)
	}
	s.WriteCart(c, left)
	s.WriteCartReasons(c, why)
	outcome, title := "all", "reserve.done_all"
	switch {
	case placed == 0:
		outcome, title = "none", "reserve.done_none"
	case len(left) > 0:
		outcome, title = "some", "reserve.done_some"
	}
	s.Render(c, http.StatusOK, "opac/reserved", web.T(web.Lang(c), title),
		gin.H{"Results": results, "Outcome": outcome, "Placed": placed, "Refused": len(left)})
	return nil
}
