package web

import (
	"strings"

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

// CSVCell keeps a spreadsheet from reading a cell as a formula: a title
// beginning with =, +, -, @ (or a tab or carriage return) gets a leading
// apostrophe, as OWASP's advice on CSV injection has it.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
