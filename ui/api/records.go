package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

type apiRecord struct {
	apiHit
	Series        string    `json:"series"`
	Volume        string    `json:"volume,omitempty"`
	Subjects      []string  `json:"subjects"`
	Description   string    `json:"description"`
	Extent        string    `json:"extent,omitempty"` // pages, size ("269p ; 22cm")
	Language      string    `json:"language"`
	YomiGenerated bool      `json:"yomi_generated"`
	Items         []apiItem `json:"items"`
}

func (s *Server) apiRecord(c *gin.Context) error {
	h, err := s.LoadRecord(c)
	if err != nil {
		return err
	}
	r := h.Record
	out := apiRecord{apiHit: s.toAPIHit(*h, s.Covers(c, []library.Hit{*h})), Series: r.Series, Volume: r.Volume,
		Subjects: r.Subjects, Description: r.Description, Extent: r.Extent, Language: r.Language, YomiGenerated: r.YomiGenerated, Items: []apiItem{}}
	if out.Subjects == nil {
		out.Subjects = []string{}
	}
	for _, cp := range h.Copies {
		it := apiItem{Barcode: cp.Barcode, Branch: cp.Branch, Location: cp.Location, CallNumber: cp.CallNumber, Status: cp.Status}
		if cp.Status == store.CopyOnLoan && cp.DueDate != "" {
			d := cp.DueDate
			it.DueDate = &d
		}
		out.Items = append(out.Items, it)
	}
	c.JSON(http.StatusOK, out)
	return nil
}
