package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// RecordID is the record id of the path (:id); a bad one is a 404.
func RecordID(c *gin.Context) (int64, error) { return PathID(c, library.RecordNotFound) }

// PathID is the number of the path's :id; a bad one is a 404 with code.
func PathID(c *gin.Context, code string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound(code)
	}
	return id, nil
}

// MailStatus reports whether s filters the outbox ("" for all).
func MailStatus(s string) bool {
	switch s {
	case "", store.MailPending, store.MailSent, store.MailFailed:
		return true
	}
	return false
}

// MaterialTypes are the material types a search may filter by.
var MaterialTypes = store.MaterialTypes

// intParam reads an optional whole-number parameter within [min, max].
func intParam(c *gin.Context, name string, def, min, max int, why func() *Error) (int, error) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, why()
	}
	return n, nil
}

// TextParam reads a parameter as valid, bounded text.
func TextParam(c *gin.Context, name string, max int) (string, error) {
	v := c.Query(name)
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		v = search.CleanText(v)
	}
	if utf8.RuneCountInString(v) > max {
		return "", badParam(name, "why.text", max)
	}
	return v, nil
}

// SearchParams reads a search from the query string, as the API and the
// search page share it. Facet filters with unknown values are refused
// with a 422 naming the parameter.
func (s *Server) SearchParams(c *gin.Context) (search.Query, int, error) {
	var q search.Query
	var err error
	if q.Text, err = TextParam(c, "q", search.MaxQueryRunes); err != nil {
		return q, 0, err
	}
	perPage, err := intParam(c, "per_page", 20, 1, search.MaxPerPage, func() *Error { return badParam("per_page", "why.per_page", search.MaxPerPage) })
	if err != nil {
		return q, 0, err
	}
	page, err := intParam(c, "page", 1, 1, 1<<30, func() *Error { return badParam("page", "why.page") })
	if err != nil {
		return q, 0, err
	}
	if (page-1)*perPage >= search.MaxOffset {
		return q, 0, badParam("page", "why.page_too_far", search.MaxOffset)
	}
	q.Limit, q.Offset = perPage, (page-1)*perPage
	if q.YearFrom, err = intParam(c, "year_from", 0, 0, 9999, func() *Error { return badParam("year_from", "why.year") }); err != nil {
		return q, 0, err
	}
	if q.YearTo, err = intParam(c, "year_to", 0, 0, 9999, func() *Error { return badParam("year_to", "why.year") }); err != nil {
		return q, 0, err
	}
	if q.YearFrom > 0 && q.YearTo > 0 && q.YearFrom > q.YearTo {
		return q, 0, badParam("year_to", "why.year_range")
	}
	if q.Fields, err = fieldParams(c); err != nil {
		return q, 0, err
	}
	if v := strings.TrimSpace(c.Query("isbn")); v != "" {
		n, ok := library.ISBNQuery(v)
		if !ok {
			return q, 0, badParam("isbn", "why.isbn")
		}
		q.ISBN = n
	}
	switch v := c.Query("sort"); v {
	case "", search.SortRelevance, search.SortNewest, search.SortTitle:
		q.Sort = v
	default:
		return q, 0, badParam("sort", "why.sort")
	}
	if v := strings.TrimSpace(c.Query("ndc")); v != "" {
		if !ndcPrefix(v) {
			return q, 0, badParam("ndc", "why.ndc")
		}
		q.NDC = v
	}
	if v := c.Query("material_type"); v != "" {
		if !slices.Contains(MaterialTypes, v) {
			return q, 0, badParam("material_type", "why.material_type")
		}
		q.MaterialType = v
	}
	if v := c.Query("branch"); v != "" {
		if ok, err := s.BranchExists(c.Request.Context(), v); err != nil {
			return q, 0, err
		} else if !ok {
			return q, 0, &Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownBranch, Msg: "err.unknown_branch"}
		}
		q.Branch = v
	}
	switch v := c.Query("available"); v {
	case "", "false", "0":
	case "true", "1", "on":
		q.Available = true
	default:
		return q, 0, badParam("available", "why.bool")
	}
	return q, page, nil
}

// SearchFields are the fields of a field search (詳細検索), in the order
// of its form: each is a parameter of its own, its way of matching the
// parameter of that name and "_match".
var SearchFields = []string{search.FieldTitle, search.FieldAuthor, search.FieldPublisher, search.FieldSubject, search.FieldSeries}

// fieldParams reads the conditions of a field search: title=, author=,
// publisher=, subject=, series=, each with an optional *_match of
// contains (the default), prefix or exact.
func fieldParams(c *gin.Context) ([]search.FieldQuery, error) {
	var out []search.FieldQuery
	for _, f := range SearchFields {
		v, err := TextParam(c, f, search.MaxQueryRunes)
		if err != nil {
			return nil, err
		}
		match := c.Query(f + "_match")
		switch match {
		case "":
			match = search.MatchContains
		case search.MatchContains, search.MatchPrefix, search.MatchExact:
		default:
			return nil, badParam(f+"_match", "why.match")
		}
		if v = strings.TrimSpace(search.CleanText(v)); v != "" {
			out = append(out, search.FieldQuery{Field: f, Text: v, Match: match})
		}
	}
	return out, nil
}

// NDCPrefix is ndc when a search may filter by it (a record's class, for
// a link to the records of that exact class), or "".
func NDCPrefix(ndc string) string {
	if ndcPrefix(ndc) {
		return ndc
	}
	return ""
}

// ndcPrefix reports whether v is the beginning of an NDC number: one to
// ten digits, with the dot after the third when there are more ("913",
// "913.6").
func ndcPrefix(v string) bool {
	digits, rest, dot := strings.Cut(v, ".")
	if len(digits) == 0 || len(digits) > 3 || strings.Trim(digits, "0123456789") != "" {
		return false
	}
	if !dot {
		return true
	}
	return len(digits) == 3 && len(rest) > 0 && len(rest) <= 7 && strings.Trim(rest, "0123456789") == ""
}

// BranchExists reports whether code names a branch.
func (s *Server) BranchExists(ctx context.Context, code string) (bool, error) {
	bs, err := s.DB.Branches(ctx)
	if err != nil {
		return false, err
	}
	for _, b := range bs {
		if b.Code == code {
			return true, nil
		}
	}
	return false, nil
}

// HasFilter reports whether q narrows the catalogue by anything but text:
// a facet, a field of a field search, an ISBN.
func HasFilter(q search.Query) bool {
	return q.NDC != "" || q.MaterialType != "" || q.Branch != "" || q.Available || q.YearFrom > 0 || q.YearTo > 0 ||
		len(q.Fields) > 0 || q.ISBN != ""
}
