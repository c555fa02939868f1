package staff

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// maxCoverForm bounds a cover upload's form: the largest image taken
// and room for the rest of the form. A larger file is refused for its
// size by the library, not cut off by the form's limit.
const maxCoverForm = library.MaxCoverBytes + 1<<20

// coverRecordID is the record_id of a cover form.
func coverRecordID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.PostForm("record_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, web.NotFound(library.RecordNotFound)
	}
	return id, nil
}

// coverUploadPost makes the uploaded image the record's cover (R83): it
// is re-encoded, scaled down and stripped of its metadata on the way.
func (s *Server) coverUploadPost(c *gin.Context) error {
	id, err := coverRecordID(c)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.CoverUnreadable, Msg: "err.cover_unreadable"}
	}
	if fh.Size > library.MaxCoverBytes {
		return &web.Error{Status: http.StatusRequestEntityTooLarge, Code: library.CoverTooLarge, Msg: "err.cover_too_large"}
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, library.MaxCoverBytes+1))
	if err != nil {
		return err
	}
	if err := s.Catalog.SetCover(c.Request.Context(), s.Who(c).StaffID, id, data); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/records/%d?done=cover", id))
	return nil
}

// coverRemovePost takes the record's cover away: it is drawn again.
func (s *Server) coverRemovePost(c *gin.Context) error {
	id, err := coverRecordID(c)
	if err != nil {
		return err
	}
	if err := s.Catalog.RemoveCover(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/records/%d?done=cover", id))
	return nil
}

// coversPage shows the import folder of covers and, after an import,
// what it did.
func (s *Server) coversPage(c *gin.Context) error {
	s.Render(c, http.StatusOK, "staff/covers", web.T(web.Lang(c), "covers.title"), gin.H{"Dir": s.Catalog.CoverImportDir()})
	return nil
}

// coversImportPost reads the import folder: every file named by an ISBN
// becomes the cover of the records with that ISBN.
func (s *Server) coversImportPost(c *gin.Context) error {
	rep, err := s.Catalog.ImportCovers(c.Request.Context(), s.Who(c).StaffID)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/covers", web.T(web.Lang(c), "covers.title"), gin.H{"Dir": s.Catalog.CoverImportDir(),
		"Report": rep, "Problems": strings.Join(append(append([]string{}, rep.Rejected...), rep.NoRecord...), "\n")})
	return nil
}
