package staff

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/isbn"
	"hondana/library"
	"hondana/search"
	"hondana/store"
	"hondana/ui/web"
)

// findLimit is how many titles the staff search lists.
const findLimit = 50

// findPage is the staff search (R57): by a copy's barcode, a call
// number, an ISBN, a card number, or words of the title. A card opens
// its patron, a barcode its record; with ?card= the hits offer to
// reserve for that patron.
func (s *Server) findPage(c *gin.Context) error {
	ctx := c.Request.Context()
	q, err := web.TextParam(c, "q", 200)
	if err != nil {
		return err
	}
	q = strings.TrimSpace(q)
	card, _ := library.FoldCard(c.Query("card"))
	var patron *store.Patron
	if card != "" {
		if patron, err = s.DB.PatronByCard(ctx, card); errors.Is(err, store.ErrNotFound) {
			patron = nil
		} else if err != nil {
			return err
		}
	}
	data := gin.H{"Q": q, "Patron": patron}
	if q != "" {
		if c2, ok := library.FoldCard(q); ok {
			if _, err := s.DB.PatronByCard(ctx, c2); err == nil {
				c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(c2))
				return nil
			}
		}
		if id, err := s.DB.RecordOfBarcode(ctx, q); err == nil {
			c.Redirect(http.StatusSeeOther, "/staff/records/"+strconv.FormatInt(id, 10)+"?barcode="+url.QueryEscape(q)+cardParam(patron))
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var ids []int64
		by := "words"
		if n, ok := isbn.Normalize(q); ok {
			by = "isbn"
			if ids, err = s.DB.RecordsByISBN(ctx, n); err != nil {
				return err
			}
		}
		if len(ids) == 0 && by == "words" {
			if ids, err = s.DB.RecordsByCallNumber(ctx, q, findLimit); err != nil {
				return err
			}
			if len(ids) > 0 {
				by = "call_number"
			}
		}
		var hits []library.Hit
		total := len(ids)
		if len(ids) > 0 {
			if hits, err = s.Catalog.Hits(ctx, ids); err != nil {
				return err
			}
		} else if by == "words" {
			res, err := s.Catalog.Search(ctx, search.Query{Text: q, Limit: findLimit})
			if err != nil {
				return err
			}
			hits, total = res.Hits, res.Total
		}
		data["Hits"], data["Total"], data["By"] = hits, total, by
	}
	_, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	data["Names"] = s.BranchNames(web.Lang(c), bs)
	s.Render(c, http.StatusOK, "staff/find", web.T(web.Lang(c), "ssearch.title"), data)
	return nil
}

func cardParam(p *store.Patron) string {
	if p == nil {
		return ""
	}
	return "&card=" + url.QueryEscape(p.Card)
}

// holdForPage goes from a record to the patron screen's hold form, the
// title filled in (R52): staff then choose the pickup library and how
// the patron is told.
func (s *Server) holdForPage(c *gin.Context) error {
	card, ok := library.FoldCard(c.Query("card"))
	if !ok {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidCard, Msg: "err.invalid_card"}
	}
	if _, err := s.DB.PatronByCard(c.Request.Context(), card); err != nil {
		return web.NotFound(library.PatronNotFound)
	}
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?item="+url.QueryEscape(c.Query("item"))+"#hold-h")
	return nil
}
