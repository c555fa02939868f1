package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) apiMyLoans(c *gin.Context) error { return s.loansJSON(c, s.Who(c).PatronID) }

// loansJSON answers a patron's loans, for the patron or for staff (R52).
func (s *Server) loansJSON(c *gin.Context, patronID int64) error {
	loans, err := s.Circulation.Loans(c.Request.Context(), patronID)
	if err != nil {
		return err
	}
	type loan struct {
		ID        int64    `json:"id"`
		RecordID  int64    `json:"record_id"`
		Title     string   `json:"title"`
		Barcode   string   `json:"barcode"`
		Branch    string   `json:"branch"`
		LoanedOn  string   `json:"loaned_on"`
		DueDate   string   `json:"due_date"`
		Renewals  int      `json:"renewals"`
		Renewable bool     `json:"renewable"`
		Notes     []string `json:"notes"`
	}
	out := make([]loan, len(loans))
	for i, l := range loans {
		out[i] = loan{l.ID, l.RecordID, l.Title, l.Barcode, l.Branch, l.LoanedOn, l.DueDate, l.Renewals, l.Renewable, l.Notes}
	}
	c.JSON(http.StatusOK, gin.H{"loans": out})
	return nil
}

func (s *Server) apiRenew(c *gin.Context) error { return s.renewJSON(c, s.Who(c).PatronID) }

// renewJSON renews a patron's loan, for the patron or for staff (R52).
func (s *Server) renewJSON(c *gin.Context, patronID int64) error {
	id, err := web.PathID(c, library.LoanNotFound)
	if err != nil {
		return err
	}
	due, err := s.Circulation.Renew(c.Request.Context(), patronID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"due_date": due.Format(library.DateLayout)})
	return nil
}
