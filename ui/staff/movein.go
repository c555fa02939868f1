package staff

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// The move-in and move-out page (R60, R61), for admins: vendor files of
// patrons, loans and holds are checked (a dry run) or imported in the
// background with the job page's progress and a report of every bad
// row; the catalogue, patrons, loans and holds are exported as files.

// moveInKinds are what the page imports, in the order shown.
var moveInKinds = []string{library.MoveInPatrons, library.MoveInLoans, library.MoveInHolds}

// maxMoveInProblems bounds the rows a job page lists (a vendor file
// whose every card has another check digit would list them all); the
// counts are always whole, and the command line lists every row.
const maxMoveInProblems = 2000

func (s *Server) moveInPage(c *gin.Context) error {
	jobs := s.jobs.recent(keepJobs, func(j *job) bool { return j.Kind == "movein" })
	s.Render(c, http.StatusOK, "staff/movein", web.T(web.Lang(c), "movein.title"), gin.H{
		"Kinds": moveInKinds, "Columns": library.MoveOutColumns, "Jobs": jobs})
	return nil
}

// moveInPost saves the upload and checks or imports it in the
// background, with the same service as the command line.
func (s *Server) moveInPost(c *gin.Context) error {
	kind := c.PostForm("kind")
	if _, ok := library.MoveInColumns[kind]; !ok {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "kind", Args: []any{web.Why{ID: "movein.kind"}}}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "file", Args: []any{web.Why{ID: "movein.file"}}}
	}
	dry := c.PostForm("dry_run") != ""
	j := &job{Kind: "movein", File: fh.Filename, Size: fh.Size, MoveKind: kind, DryRun: dry}
	tmp, drop, err := s.keepUpload(j, fh)
	if err != nil {
		return err
	}
	s.jobs.save(j)
	err = s.Background(func(ctx context.Context) {
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		tmp.Seek(0, io.SeekStart)
		keep := func(r *library.MoveInReport) {
			j.Report = *r
			// A copy: the import goes on appending to its report, and
			// sorts it at the end, while the job's page reads this one.
			j.Report.Problems = slices.Clone(r.Problems[:min(len(r.Problems), maxMoveInProblems)])
			j.Omitted = len(r.Problems) - len(j.Report.Problems)
			j.Stats = library.ImportStats{Read: r.Rows, Saved: r.Good(), Added: r.Added, Errors: r.Bad}
		}
		rep, err := s.MoveIn.Import(ctx, kind, countingReader{tmp, &j.read}, dry, func(p library.MoveInProgress) {
			j.mu.Lock()
			keep(p.Report)
			j.mu.Unlock()
		})
		if !dry && kind != library.MoveInPatrons {
			s.Catalog.Changed() // copies went on loan, or to holds
		}
		s.finish(ctx, j, func() {
			if rep != nil {
				keep(rep)
			}
		}, err)
	})
	if err != nil {
		drop()
		return web.ErrShuttingDown
	}
	action := "movein." + kind
	if dry {
		action += ".dry_run"
	}
	s.Audit(c, action, fh.Filename)
	c.Redirect(http.StatusSeeOther, "/staff/jobs/"+j.ID)
	return nil
}

// exportGet sends an export as a download, written as it is read from
// the database. Patrons, loans and holds go in the staff log.
func (s *Server) exportGet(c *gin.Context) error {
	what, format := c.Query("what"), c.DefaultQuery("format", "csv")
	if what == "" { // the address alone: the page that offers the exports
		c.Redirect(http.StatusSeeOther, "/staff/movein#out")
		return nil
	}
	if !library.ExportAllowed(what, format) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "format", Args: []any{web.Why{ID: "movein.export_format"}}}
	}
	w := s.Who(c)
	name := library.ExportFileName(what, format, s.Clock.Now())
	ctype := "text/csv; charset=utf-8"
	switch format {
	case "marc21":
		ctype = "application/marc"
	case "marcxml":
		ctype = "application/marcxml+xml"
	}
	c.Header("Content-Type", ctype)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	n, err := s.Exporter.Export(c.Request.Context(), w.StaffID, what, format, c.Writer)
	if err != nil {
		// The headers are gone: the download ends short, and the log
		// says why.
		s.Log.Error("export", "what", what, "format", format, "written", n, "err", err)
	}
	return nil
}
