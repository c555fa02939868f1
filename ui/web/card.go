package web

import (
	"github.com/gin-gonic/gin"

	"hondana/barcode"
)

// CardBarcodeSVG draws a patron's card number as the barcode the
// counter's scanners read (Options.CardBarcode), labelled in the
// reader's language; it returns the symbology drawn too.
func (s *Server) CardBarcodeSVG(c *gin.Context, card string) (svg, symbology string, err error) {
	symbology = s.CardBarcode
	if symbology == "" {
		symbology = barcode.Codabar
	}
	svg, err = barcode.SVG(symbology, card, T(Lang(c), "card.barcode_label", card), 60)
	return svg, symbology, err
}
