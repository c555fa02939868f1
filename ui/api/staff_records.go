package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/isbn"
	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

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
		Volume       string         `json:"volume"`
		Extent       string         `json:"extent"`
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
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: name, Args: []any{name}}
	}
	if strings.TrimSpace(req.Title) == "" || len(req.Title) > 1000 {
		return field("title")
	}
	if req.MaterialType == "" {
		req.MaterialType = store.MaterialBook
	}
	if !slices.Contains(web.MaterialTypes, req.MaterialType) {
		return field("material_type")
	}
	if req.Year < 0 || req.Year > 9999 {
		return field("year")
	}
	if req.NDC != "" && strings.Trim(req.NDC, "0123456789.") != "" {
		return field("ndc")
	}
	if len(req.Volume) > 200 {
		return field("volume")
	}
	if len(req.Extent) > 200 {
		return field("extent")
	}
	r := &store.Record{Title: strings.TrimSpace(req.Title), TitleYomi: req.TitleYomi, Subtitle: req.Subtitle, Authors: req.Authors,
		Publisher: req.Publisher, Year: req.Year, NDC: req.NDC, MaterialType: req.MaterialType, Series: req.Series,
		Volume: req.Volume, Subjects: req.Subjects, Description: req.Description, Extent: req.Extent, Language: "jpn"}
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
			return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownBranch, Msg: "err.unknown_branch", Field: "items.branch"}
		}
		copies = append(copies, store.Copy{Barcode: strings.TrimSpace(it.Barcode), Branch: it.Branch, Location: it.Location,
			CallNumber: it.CallNumber, Status: store.CopyOnShelf, AcquiredOn: today, ShelvedOn: today})
	}
	err := s.Catalog.SaveRecords(c.Request.Context(), []*store.Record{r}, [][]store.Copy{copies})
	if errors.Is(err, store.ErrConflict) {
		return &web.Error{Status: http.StatusConflict, Code: library.DuplicateBarcode, Msg: "err.duplicate_barcode", Field: "items.barcode"}
	}
	if err != nil {
		return err
	}
	s.Audit(c, "record.add", fmt.Sprintf("record %d", r.ID))
	c.JSON(http.StatusCreated, gin.H{"id": r.ID})
	return nil
}
