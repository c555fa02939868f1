package ui

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/isbn"
	"hondana/library"
	"hondana/store"
)

// apiHold is a hold as API.md fixes it.
type apiHold struct {
	ID             int64   `json:"id"`
	RecordID       int64   `json:"record_id"`
	Title          string  `json:"title"`
	PickupBranch   string  `json:"pickup_branch"`
	Contact        string  `json:"contact"`
	Status         string  `json:"status"`
	Position       *int    `json:"position"`
	PlacedAt       string  `json:"placed_at"`
	PickupDeadline *string `json:"pickup_deadline"`
}

func (s *Server) toAPIHold(h store.Hold, title string, position int) apiHold {
	out := apiHold{ID: h.ID, RecordID: h.RecordID, Title: title, PickupBranch: h.PickupBranch, Contact: h.Contact,
		Status: h.Status, PlacedAt: h.PlacedAt.In(s.Calendar.Location()).Format(time.RFC3339)}
	if h.Status == store.HoldWaiting && position > 0 {
		p := position
		out.Position = &p
	}
	if h.PickupDeadline != "" {
		d := h.PickupDeadline
		out.PickupDeadline = &d
	}
	return out
}

// holdJSON reloads a hold as its patron sees it, with its position.
func (s *Server) holdJSON(c *gin.Context, patronID, holdID int64) (apiHold, error) {
	holds, err := s.Circulation.Holds(c.Request.Context(), patronID)
	if err != nil {
		return apiHold{}, err
	}
	for _, h := range holds {
		if h.ID == holdID {
			return s.toAPIHold(h.Hold, h.Title, h.Position), nil
		}
	}
	return apiHold{}, NotFound(library.HoldNotFound)
}

func PathID(c *gin.Context, code string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound(code)
	}
	return id, nil
}

func (s *Server) apiMyLoans(c *gin.Context) error {
	loans, err := s.Circulation.Loans(c.Request.Context(), s.Who(c).PatronID)
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

func (s *Server) apiRenew(c *gin.Context) error {
	id, err := PathID(c, library.LoanNotFound)
	if err != nil {
		return err
	}
	due, err := s.Circulation.Renew(c.Request.Context(), s.Who(c).PatronID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"due_date": due.Format(library.DateLayout)})
	return nil
}

func (s *Server) apiMyHolds(c *gin.Context) error {
	holds, err := s.Circulation.Holds(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	out := make([]apiHold, len(holds))
	for i, h := range holds {
		out[i] = s.toAPIHold(h.Hold, h.Title, h.Position)
	}
	c.JSON(http.StatusOK, gin.H{"holds": out})
	return nil
}

func (s *Server) apiPlaceHold(c *gin.Context) error {
	var req struct {
		RecordID     json64 `json:"record_id"`
		PickupBranch string `json:"pickup_branch"`
		Contact      string `json:"contact"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	w := s.Who(c)
	h, err := s.Circulation.PlaceHold(c.Request.Context(), w.PatronID, int64(req.RecordID), req.PickupBranch, req.Contact)
	if err != nil {
		return err
	}
	pos, err := s.Circulation.Position(c.Request.Context(), h)
	if err != nil {
		return err
	}
	r, err := s.DB.Record(c.Request.Context(), h.RecordID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, s.toAPIHold(*h, r.Title, pos))
	return nil
}

// json64 accepts a record id as a JSON number or a string of digits.
type json64 int64

func (j *json64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		*j = 0 // an id that no record has
		return nil
	}
	*j = json64(n)
	return nil
}

func (s *Server) apiChangeHold(c *gin.Context) error {
	id, err := PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	var req struct {
		PickupBranch string `json:"pickup_branch"`
		Contact      string `json:"contact"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	w := s.Who(c)
	if _, err := s.Circulation.ChangeHold(c.Request.Context(), w.PatronID, id, req.PickupBranch, req.Contact); err != nil {
		return err
	}
	out, err := s.holdJSON(c, w.PatronID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiCancelHold(c *gin.Context) error {
	id, err := PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.CancelHold(c.Request.Context(), s.Who(c).PatronID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiCheckout(c *gin.Context) error {
	var req struct {
		Card    string `json:"card"`
		Barcode string `json:"barcode"`
		Branch  string `json:"branch"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	card, ok := library.FoldCard(req.Card)
	if !ok {
		return &library.Refusal{Code: library.PatronNotFound}
	}
	l, err := s.Circulation.Checkout(c.Request.Context(), card, strings.TrimSpace(req.Barcode), req.Branch)
	if err != nil {
		return err
	}
	s.Audit(c, "checkout", "item "+req.Barcode)
	c.JSON(http.StatusCreated, gin.H{"loan_id": l.ID, "due_date": l.DueDate})
	return nil
}

func placementJSON(p library.Placement) gin.H {
	out := gin.H{"action": p.Action, "hold_id": nil, "to_branch": nil}
	if p.HoldID != 0 {
		out["hold_id"] = p.HoldID
	}
	if p.ToBranch != "" {
		out["to_branch"] = p.ToBranch
	}
	return out
}

func (s *Server) apiCheckin(c *gin.Context) error {
	var req struct {
		Barcode string `json:"barcode"`
		Branch  string `json:"branch"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Circulation.Checkin(c.Request.Context(), strings.TrimSpace(req.Barcode), req.Branch)
	if err != nil {
		return err
	}
	s.Audit(c, "checkin", "item "+req.Barcode)
	c.JSON(http.StatusOK, placementJSON(p))
	return nil
}

func (s *Server) apiReceive(c *gin.Context) error {
	var req struct {
		Barcode string `json:"barcode"`
		Branch  string `json:"branch"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Circulation.ReceiveTransit(c.Request.Context(), strings.TrimSpace(req.Barcode), req.Branch)
	if err != nil {
		return err
	}
	s.Audit(c, "transit.receive", "item "+req.Barcode)
	c.JSON(http.StatusOK, placementJSON(p))
	return nil
}

// staffBranch reads ?branch= and checks it.
func (s *Server) staffBranch(c *gin.Context) (string, error) {
	b := c.Query("branch")
	ok, err := s.BranchExists(c.Request.Context(), b)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", &Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownBranch, Msg: "err.unknown_branch", Field: "branch"}
	}
	return b, nil
}

func (s *Server) apiHoldShelf(c *gin.Context) error {
	branch, err := s.staffBranch(c)
	if err != nil {
		return err
	}
	holds, err := s.Circulation.ReadyHolds(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	today := s.Circulation.Today().Format(library.DateLayout)
	type item struct {
		ID             int64   `json:"id"`
		RecordID       int64   `json:"record_id"`
		Title          string  `json:"title"`
		Barcode        string  `json:"barcode"`
		CallNumber     string  `json:"call_number"`
		Contact        string  `json:"contact"`
		ReadyAt        string  `json:"ready_at"`
		PickupDeadline *string `json:"pickup_deadline"`
		EndsToday      bool    `json:"ends_today"`
		Attempts       []gin.H `json:"attempts"`
	}
	ready, expired := []item{}, []item{}
	for _, h := range holds {
		it := item{ID: h.ID, RecordID: h.RecordID, Title: h.Title, Barcode: h.Barcode, CallNumber: h.CallNumber, Contact: h.Contact,
			ReadyAt: h.ReadyAt.In(s.Calendar.Location()).Format(time.RFC3339), Attempts: s.attemptsJSON(h.Attempts)}
		if h.PickupDeadline != "" {
			d := h.PickupDeadline
			it.PickupDeadline = &d
			it.EndsToday = d == today
		}
		if h.PickupDeadline != "" && h.PickupDeadline < today {
			expired = append(expired, it)
		} else {
			ready = append(ready, it)
		}
	}
	c.JSON(http.StatusOK, gin.H{"branch": branch, "ready": ready, "expired": expired})
	return nil
}

func (s *Server) apiPickList(c *gin.Context) error {
	branch, err := s.staffBranch(c)
	if err != nil {
		return err
	}
	items, err := s.Circulation.PickList(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	out := make([]gin.H, len(items))
	for i, p := range items {
		out[i] = gin.H{"hold_id": p.HoldID, "record_id": p.RecordID, "title": p.Title, "pickup_branch": p.PickupBranch,
			"placed_at": p.PlacedAt.In(s.Calendar.Location()).Format(time.RFC3339), "barcode": p.Barcode, "location": p.Location, "call_number": p.CallNumber}
	}
	c.JSON(http.StatusOK, gin.H{"branch": branch, "holds": out})
	return nil
}

func (s *Server) apiContacted(c *gin.Context) error {
	id, err := PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	var req struct {
		Result string `json:"result"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	h, err := s.Circulation.Contacted(c.Request.Context(), id, s.Who(c).StaffID, req.Result)
	if err != nil {
		return err
	}
	s.Audit(c, "hold.contacted", fmt.Sprintf("hold %d: %s", id, req.Result))
	r, err := s.DB.Record(c.Request.Context(), h.RecordID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.toAPIHold(*h, r.Title, 0))
	return nil
}

// apiAddRecord catalogues a record with its copies (R38).
func (s *Server) apiAddRecord(c *gin.Context) error {
	var req struct {
		Title        string         `json:"title"`
		TitleYomi    string         `json:"title_yomi"`
		Subtitle     string         `json:"subtitle"`
		Author       string         `json:"author"`
		AuthorYomi   string         `json:"author_yomi"`
		Authors      []store.Author `json:"authors"`
		Publisher    string         `json:"publisher"`
		Year         int            `json:"year"`
		ISBN         string         `json:"isbn"`
		NDC          string         `json:"ndc"`
		MaterialType string         `json:"material_type"`
		Series       string         `json:"series"`
		Subjects     []string       `json:"subjects"`
		Description  string         `json:"description"`
		Items        []struct {
			Barcode    string `json:"barcode"`
			Branch     string `json:"branch"`
			Location   string `json:"location"`
			CallNumber string `json:"call_number"`
		} `json:"items"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	field := func(name string) error {
		return &Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: name, Args: []any{name}}
	}
	if strings.TrimSpace(req.Title) == "" || len(req.Title) > 1000 {
		return field("title")
	}
	if req.MaterialType == "" {
		req.MaterialType = store.MaterialBook
	}
	if !Contains(MaterialTypes, req.MaterialType) {
		return field("material_type")
	}
	if req.Year < 0 || req.Year > 9999 {
		return field("year")
	}
	if req.NDC != "" && strings.Trim(req.NDC, "0123456789.") != "" {
		return field("ndc")
	}
	r := &store.Record{Title: strings.TrimSpace(req.Title), TitleYomi: req.TitleYomi, Subtitle: req.Subtitle, Authors: req.Authors,
		Publisher: req.Publisher, Year: req.Year, NDC: req.NDC, MaterialType: req.MaterialType, Series: req.Series,
		Subjects: req.Subjects, Description: req.Description, Language: "jpn"}
	if req.Author != "" {
		r.Authors = append([]store.Author{{Name: req.Author, Yomi: req.AuthorYomi, Role: store.RoleAuthor}}, r.Authors...)
	}
	if req.ISBN != "" {
		n, ok := isbn.Normalize(req.ISBN)
		if !ok {
			return field("isbn")
		}
		r.ISBN = n
	}
	b := make([]byte, 8)
	rand.Read(b)
	r.Source = "local:" + hex.EncodeToString(b)
	today := s.Circulation.Today().Format(library.DateLayout)
	var copies []store.Copy
	for _, it := range req.Items {
		if strings.TrimSpace(it.Barcode) == "" {
			return field("items.barcode")
		}
		if ok, err := s.BranchExists(c.Request.Context(), it.Branch); err != nil {
			return err
		} else if !ok {
			return &Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownBranch, Msg: "err.unknown_branch", Field: "items.branch"}
		}
		copies = append(copies, store.Copy{Barcode: strings.TrimSpace(it.Barcode), Branch: it.Branch, Location: it.Location,
			CallNumber: it.CallNumber, Status: store.CopyOnShelf, AcquiredOn: today, ShelvedOn: today})
	}
	err := s.Catalog.SaveRecords(c.Request.Context(), []*store.Record{r}, [][]store.Copy{copies})
	if errors.Is(err, store.ErrConflict) {
		return &Error{Status: http.StatusConflict, Code: library.DuplicateBarcode, Msg: "err.duplicate_barcode", Field: "items.barcode"}
	}
	if err != nil {
		return err
	}
	s.Audit(c, "record.add", fmt.Sprintf("record %d", r.ID))
	c.JSON(http.StatusCreated, gin.H{"id": r.ID})
	return nil
}
