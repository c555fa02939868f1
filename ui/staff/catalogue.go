package staff

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"hondana/isbn"
	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// recordForm reads and checks the catalogue form: readings are required
// (patrons search by them), NDC must be a class number, ISBNs must check.
func (s *Server) recordForm(c *gin.Context, r *store.Record) map[string]string {
	l := web.Lang(c)
	errs := map[string]string{}
	bad := func(field, label string) { errs[field] = web.T(l, "err.invalid_field", web.T(l, label)) }
	r.Title = strings.TrimSpace(c.PostForm("title"))
	r.TitleYomi = strings.TrimSpace(c.PostForm("title_yomi"))
	r.Publisher = strings.TrimSpace(c.PostForm("publisher"))
	r.Series = strings.TrimSpace(c.PostForm("series"))
	r.NDC = strings.TrimSpace(c.PostForm("ndc"))
	r.MaterialType = c.PostForm("material_type")
	r.Description = strings.TrimSpace(c.PostForm("description"))
	r.Extent = strings.TrimSpace(c.PostForm("extent"))
	if utf8.RuneCountInString(r.Extent) > 200 {
		bad("extent", "rec.extent")
	}
	if r.Title == "" || utf8.RuneCountInString(r.Title) > 500 {
		bad("title", "cat.title")
	}
	if r.TitleYomi == "" || utf8.RuneCountInString(r.TitleYomi) > 500 {
		bad("title_yomi", "cat.title_yomi")
	}
	if name := strings.TrimSpace(c.PostForm("author")); name != "" {
		yomi := strings.TrimSpace(c.PostForm("author_yomi"))
		if yomi == "" {
			bad("author_yomi", "cat.author_yomi")
		}
		r.Authors = []store.Author{{Name: name, Yomi: yomi, Role: store.RoleAuthor}}
	} else {
		r.Authors = nil
	}
	if y := strings.TrimSpace(c.PostForm("year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1000 || n > 2200 {
			bad("year", "cat.year")
		}
		r.Year = n
	} else {
		r.Year = 0
	}
	if r.NDC != "" {
		if len(r.NDC) < 3 || strings.Trim(r.NDC, "0123456789.") != "" || r.NDC[0] == '.' {
			bad("ndc", "cat.ndc")
		}
	}
	r.ISBN = ""
	if v := strings.TrimSpace(c.PostForm("isbn")); v != "" {
		n, ok := isbn.Normalize(v)
		if !ok {
			bad("isbn", "cat.isbn")
		}
		r.ISBN = n
	}
	if r.MaterialType == "" {
		r.MaterialType = store.MaterialBook
	}
	if !slices.Contains(web.MaterialTypes, r.MaterialType) {
		bad("material_type", "rec.material_type")
	}
	r.Subjects = nil
	for _, sub := range strings.Split(c.PostForm("subjects"), ";") {
		if sub = strings.TrimSpace(sub); sub != "" {
			r.Subjects = append(r.Subjects, sub)
		}
	}
	return errs
}

func (s *Server) catalogueNewPage(c *gin.Context) error {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/record", web.T(web.Lang(c), "cat.new"), gin.H{"Record": &store.Record{MaterialType: store.MaterialBook}, "Branches": bs, "MaterialTypes": web.MaterialTypes})
	return nil
}

func (s *Server) catalogueEditPage(c *gin.Context) error {
	id, err := web.RecordID(c)
	if err != nil {
		return err
	}
	h, err := s.Catalog.Record(c.Request.Context(), id)
	if err != nil {
		return web.NotFound(library.RecordNotFound)
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	queue, err := s.DB.HoldQueue(c.Request.Context(), id)
	if err != nil {
		return err
	}
	for i := range queue {
		queue[i].PlacedAt = queue[i].PlacedAt.In(s.Calendar.Location())
	}
	card, _ := library.FoldCard(c.Query("card"))
	cover := s.Covers(c, []library.Hit{*h})[h.Record.ID]
	s.Render(c, http.StatusOK, "staff/record", h.Record.Title, gin.H{"Record": h.Record, "Copies": h.Copies, "Branches": bs,
		"MaterialTypes": web.MaterialTypes, "Names": s.BranchNames(web.Lang(c), bs), "Done": c.Query("done"),
		"Queue": queue, "Card": card, "Barcode": c.Query("barcode"),
		"Cover": cover, "CoverImage": strings.HasSuffix(cover, ".jpg"), "MaxCoverMB": library.MaxCoverBytes >> 20})
	return nil
}

// catalogueSavePost adds a record (with its first copy) or saves one.
func (s *Server) catalogueSavePost(c *gin.Context) error {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	r := &store.Record{}
	var copies []store.Copy
	if id, err := web.RecordID(c); err == nil && c.Param("id") != "" {
		old, err := s.DB.Record(c.Request.Context(), id)
		if err != nil {
			return web.NotFound(library.RecordNotFound)
		}
		r = old
	} else {
		r.Source = "local:" + strconv.FormatInt(time.Now().UnixNano(), 36)
		r.Language = "jpn"
	}
	errs := s.recordForm(c, r)
	if r.ID == 0 {
		if bc := strings.TrimSpace(c.PostForm("barcode")); bc != "" {
			today := s.Circulation.Today().Format(library.DateLayout)
			copies = append(copies, store.Copy{Barcode: bc, Branch: c.PostForm("branch"), Location: strings.TrimSpace(c.PostForm("location")),
				CallNumber: strings.TrimSpace(c.PostForm("call_number")), AcquiredOn: today, ShelvedOn: today})
		}
	}
	render := func(status int) error {
		s.Render(c, status, "staff/record", web.T(web.Lang(c), "cat.new"), gin.H{"Record": r, "Branches": bs, "MaterialTypes": web.MaterialTypes, "Errors": errs})
		return nil
	}
	if len(errs) > 0 {
		return render(http.StatusUnprocessableEntity)
	}
	isNew := r.ID == 0
	err = s.Catalog.SaveRecords(c.Request.Context(), []*store.Record{r}, [][]store.Copy{copies})
	if err != nil && isNew {
		r.ID = 0 // the transaction that gave it an id was rolled back
	}
	if errors.Is(err, store.ErrConflict) {
		errs["barcode"] = web.T(web.Lang(c), "err.duplicate_barcode")
		return render(http.StatusConflict)
	}
	if errors.Is(err, store.ErrReference) {
		errs["branch"] = web.T(web.Lang(c), "err.unknown_branch")
		return render(http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	s.Audit(c, "record.save", fmt.Sprintf("record %d", r.ID))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/records/%d?done=saved", r.ID))
	return nil
}

func (s *Server) copyAddPost(c *gin.Context) error {
	id, err := web.RecordID(c)
	if err != nil {
		return err
	}
	r, err := s.DB.Record(c.Request.Context(), id)
	if err != nil {
		return web.NotFound(library.RecordNotFound)
	}
	bc := strings.TrimSpace(c.PostForm("barcode"))
	if bc == "" || len(bc) > 40 {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "barcode", Args: []any{web.Why{ID: "copy.barcode"}}}
	}
	today := s.Circulation.Today().Format(library.DateLayout)
	cp := store.Copy{Barcode: bc, Branch: c.PostForm("branch"), Location: strings.TrimSpace(c.PostForm("location")),
		CallNumber: strings.TrimSpace(c.PostForm("call_number")), AcquiredOn: today, ShelvedOn: today}
	// Saving the record again with the copy keeps the index in step.
	err = s.Catalog.SaveRecords(c.Request.Context(), []*store.Record{r}, [][]store.Copy{{cp}})
	if errors.Is(err, store.ErrConflict) {
		return &web.Error{Status: http.StatusConflict, Code: library.DuplicateBarcode, Msg: "err.duplicate_barcode", Field: "barcode"}
	}
	if errors.Is(err, store.ErrReference) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownBranch, Msg: "err.unknown_branch", Field: "branch"}
	}
	if err != nil {
		return err
	}
	s.Audit(c, "copy.add", "item "+bc)
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/records/%d?done=copy", id))
	return nil
}

func (s *Server) copyWithdrawPost(c *gin.Context) error {
	id, err := web.RecordID(c)
	if err != nil {
		return err
	}
	if err := s.Catalog.WithdrawCopy(c.Request.Context(), s.Who(c).StaffID, c.PostForm("barcode")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/records/%d?done=withdrawn", id))
	return nil
}

// copyStatePost sets a copy's status (on the shelf, 修理中, 紛失, 調査中)
// and its flag 禁帯出 (R54).
func (s *Server) copyStatePost(c *gin.Context) error {
	id, err := web.RecordID(c)
	if err != nil {
		return err
	}
	err = s.Circulation.SetCopyState(c.Request.Context(), s.Who(c).StaffID, c.PostForm("barcode"), c.PostForm("status"), c.PostForm("not_for_loan") == "1")
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/records/%d?done=state", id))
	return nil
}
