package opac

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// cardPage shows the patron's card number as a barcode, big enough to
// scan from a phone's screen at the counter (accounts.card_barcode:
// Codabar/NW-7 or Code 39).
func (s *Server) cardPage(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	l := web.Lang(c)
	svg, sym, err := s.CardBarcodeSVG(c, p.Card)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/card", web.T(l, "card.title"), gin.H{"Patron": p,
		"SVG": template.HTML(svg), "Symbology": web.T(l, "card.sym_"+sym)}) // #nosec: drawn by barcode.SVG from digits
	return nil
}
