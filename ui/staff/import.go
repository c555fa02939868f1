package staff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/importer"
	"hondana/library"
	"hondana/ui/web"
)

// job is an import or reindex running in the background; its page shows
// the progress and refreshes itself (no JavaScript needed) until done.
type job struct {
	ID       string
	Kind     string // "import" or "reindex"
	File     string
	Format   importer.Format
	Size     int64
	read     atomic.Int64
	Started  time.Time
	mu       sync.Mutex
	Stats    library.ImportStats
	Problems []string
	Done     bool
	Took     time.Duration
	Err      string
	// Interrupted: the server stopped (or died) before the job ended.
	Interrupted bool
	// A move in (Kind "movein"): what it brings in, whether it only
	// checks, and its report so far.
	MoveKind string
	DryRun   bool
	Report   library.MoveInReport
	Omitted  int // bad rows and warnings the report leaves out
}

// jobView is a copy of a job's state for the page, taken under its lock.
type jobView struct {
	ID, Kind, File, Err string
	Format              importer.Format
	Stats               library.ImportStats
	Problems            []string
	Done, Interrupted   bool
	Started             time.Time
	Took, Elapsed       time.Duration
	Read                int64
	Percent             int
	MoveKind            string
	DryRun              bool
	Report              library.MoveInReport
	Omitted             int
}

func (j *job) view() jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := jobView{ID: j.ID, Kind: j.Kind, File: j.File, Err: j.Err, Format: j.Format, Stats: j.Stats,
		Problems: append([]string(nil), j.Problems...), Done: j.Done, Interrupted: j.Interrupted, Started: j.Started, Took: j.Took,
		Read: j.read.Load(), Elapsed: time.Since(j.Started).Round(time.Second), MoveKind: j.MoveKind, DryRun: j.DryRun, Report: j.Report,
		Omitted: j.Omitted}
	v.Report.Problems = append([]library.RowProblem(nil), j.Report.Problems...)
	if j.Size > 0 {
		v.Percent = int(v.Read * 100 / j.Size)
	}
	if j.Done {
		v.Percent = 100
	}
	return v
}

// jobs are the jobs of this run, and those of earlier runs the upload
// directory remembers (see open).
type jobs struct {
	mu   sync.Mutex
	byID map[string]*job
	dir  string // where uploads and job records are kept ("": nowhere)
}

func (js *jobs) add(j *job) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.byID == nil {
		js.byID = map[string]*job{}
	}
	b := make([]byte, 8)
	rand.Read(b)
	j.ID = hex.EncodeToString(b)
	j.Started = time.Now()
	js.byID[j.ID] = j
}

func (js *jobs) get(id string) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.byID[id]
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// importPost saves the upload and imports it in the background, with the
// same importer as the command line.
func (s *Server) importPost(c *gin.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "file", Args: []any{web.Why{ID: "import.file"}}}
	}
	j := &job{Kind: "import", File: fh.Filename, Size: fh.Size}
	tmp, drop, err := s.keepUpload(j, fh)
	if err != nil {
		return err
	}
	head := make([]byte, 4096)
	n, _ := tmp.ReadAt(head, 0)
	format := importer.Format(c.PostForm("format"))
	if format == "" {
		if format, err = importer.DetectFormat(fh.Filename, head[:n]); err != nil {
			drop()
			if errors.Is(err, importer.ErrJSON) {
				return &library.Refusal{Code: library.UnsupportedFormat}
			}
			return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownFormat, Msg: "err.unknown_format"}
		}
	}
	j.Format = format
	s.jobs.save(j)
	err = s.Background(func(ctx context.Context) {
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		tmp.Seek(0, io.SeekStart)
		imp := library.NewImporter(s.DB, s.Clock)
		imp.Limits = s.ImportLimits
		st, err := imp.Import(ctx, countingReader{tmp, &j.read}, format, func(p library.ImportProgress) {
			j.mu.Lock()
			j.Stats = p.ImportStats
			if p.Err != nil && len(j.Problems) < 200 {
				j.Problems = append(j.Problems, p.Err.Error())
			}
			j.mu.Unlock()
		})
		s.Catalog.Changed()
		s.finish(ctx, j, func() { j.Stats = st }, err)
	})
	if err != nil {
		drop()
		return web.ErrShuttingDown
	}
	s.Audit(c, "import.start", fh.Filename)
	c.Redirect(http.StatusSeeOther, "/staff/jobs/"+j.ID)
	return nil
}

// keepUpload adds job j and copies its upload to the upload directory,
// where it stays while the job runs, so that one a crash cuts short is
// found (and deleted) at the next start. drop removes both, for a job
// that does not start.
func (s *Server) keepUpload(j *job, fh *multipart.FileHeader) (tmp *os.File, drop func(), err error) {
	src, err := fh.Open()
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	s.jobs.add(j)
	if tmp, err = s.jobs.upload(j.ID); err != nil {
		s.jobs.remove(j.ID)
		return nil, nil, err
	}
	drop = func() {
		tmp.Close()
		os.Remove(tmp.Name())
		s.jobs.remove(j.ID)
	}
	if _, err := io.Copy(tmp, src); err != nil {
		drop()
		return nil, nil, err
	}
	return tmp, drop, nil
}

func (s *Server) reindexPost(c *gin.Context) error {
	j := &job{Kind: "reindex"}
	s.jobs.add(j)
	s.jobs.save(j)
	err := s.Background(func(ctx context.Context) {
		s.finish(ctx, j, func() {}, s.Catalog.Rebuild(ctx))
	})
	if err != nil {
		s.jobs.remove(j.ID)
		return web.ErrShuttingDown
	}
	s.Audit(c, "reindex", "")
	c.Redirect(http.StatusSeeOther, "/staff/jobs/"+j.ID)
	return nil
}

// finish records a job's end: done, failed, or (its context ended by a
// stop) interrupted. update sets what the job's kind reports.
func (s *Server) finish(ctx context.Context, j *job, update func(), err error) {
	j.mu.Lock()
	update()
	j.Done, j.Took = true, time.Since(j.Started).Round(time.Millisecond)
	switch {
	case ctx.Err() != nil:
		j.Interrupted = true
	case err != nil:
		j.Err = err.Error()
	}
	j.mu.Unlock()
	s.jobs.save(j)
}

// jobPage shows a job's progress; until it is done the page refreshes
// itself every second.
func (s *Server) jobPage(c *gin.Context) error {
	j := s.jobs.get(c.Param("id"))
	if j == nil {
		return web.NotFound(web.CodeNotFound)
	}
	v := j.view()
	if !v.Done {
		c.Header("Refresh", "1")
	}
	// A move in is headed as the page it was started from, not as the
	// catalogue import.
	title := "import.title"
	if v.Kind == "movein" {
		title = "movein.title"
	}
	s.Render(c, http.StatusOK, "staff/job", web.T(web.Lang(c), title), gin.H{"Job": v})
	return nil
}

// importPage takes a catalogue file from the browser and imports it with
// the same importer as the command line, then reports per record.
func (s *Server) importPage(c *gin.Context) error {
	// Move-ins are listed on their own page, in their own words: here a
	// dry run's rows would read as saved records.
	jobs := s.jobs.recent(keepJobs, func(j *job) bool { return j.Kind != "movein" })
	s.Render(c, http.StatusOK, "staff/import", web.T(web.Lang(c), "import.title"), gin.H{"Jobs": jobs})
	return nil
}

const maxImportBytes = 64 << 20
