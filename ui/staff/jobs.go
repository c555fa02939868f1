package staff

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"hondana/importer"
	"hondana/library"
)

// A job's state in the upload directory, as the staff see it.
const (
	jobRunning     = "running"
	jobDone        = "done"
	jobFailed      = "failed"
	jobInterrupted = "interrupted" // the server stopped (or died) under it
)

// jobRecord is what a job leaves in the upload directory, beside the
// upload it imports: enough to list it after a restart, and to tell the
// staff that the restart cut it short.
type jobRecord struct {
	ID      string
	Kind    string
	File    string
	Format  importer.Format
	Started time.Time
	State   string
	Saved   int
	Errors  int
	Took    time.Duration
	Err     string
	// A move in's kind, whether it was a dry run, and its report: its
	// page reads the same after a restart.
	MoveKind string                `json:",omitempty"`
	DryRun   bool                  `json:",omitempty"`
	Report   *library.MoveInReport `json:",omitempty"`
	Omitted  int                   `json:",omitempty"`
}

// keepJobs is how many finished jobs the import page lists.
const keepJobs = 20

// open reads the jobs of the upload directory dir (made 0700 when
// missing): a job a stop or a crash left running is marked interrupted,
// and uploads no running job reads (those of interrupted jobs) are
// deleted, so none lies about in the data directory.
func (js *jobs) open(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	js.dir = dir
	if js.byID == nil {
		js.byID = map[string]*job{}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var records []jobRecord
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		if !strings.HasSuffix(name, ".json") {
			// An upload: no job runs yet, so none reads it.
			if err := os.Remove(path); err != nil {
				log.Warn("removing an old upload", "file", path, "err", err)
			}
			continue
		}
		var r jobRecord
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil || r.ID+".json" != name {
			log.Warn("removing an unreadable job record", "file", path, "err", err)
			os.Remove(path)
			continue
		}
		if r.State == jobRunning {
			r.State = jobInterrupted
			log.Warn("an import or reindex was cut short by the last stop", "job", r.ID, "file", r.File, "saved", r.Saved)
			js.write(r)
		}
		records = append(records, r)
	}
	slices.SortFunc(records, func(a, b jobRecord) int { return b.Started.Compare(a.Started) })
	for i, r := range records {
		if i >= keepJobs {
			os.Remove(filepath.Join(dir, r.ID+".json"))
			continue
		}
		js.byID[r.ID] = jobOf(r)
	}
	return nil
}

// jobOf is a finished job as its record tells it.
func jobOf(r jobRecord) *job {
	j := &job{ID: r.ID, Kind: r.Kind, File: r.File, Format: r.Format, Started: r.Started, Done: true, Took: r.Took, Err: r.Err,
		Interrupted: r.State == jobInterrupted, MoveKind: r.MoveKind, DryRun: r.DryRun, Omitted: r.Omitted}
	j.Stats.Saved, j.Stats.Errors = r.Saved, r.Errors
	if r.Report != nil {
		j.Report = *r.Report
	}
	return j
}

// record is j's state as the upload directory keeps it; call it with j's
// lock held.
func (j *job) record() jobRecord {
	state := jobRunning
	switch {
	case j.Interrupted:
		state = jobInterrupted
	case j.Done && j.Err != "":
		state = jobFailed
	case j.Done:
		state = jobDone
	}
	r := jobRecord{ID: j.ID, Kind: j.Kind, File: j.File, Format: j.Format, Started: j.Started, State: state,
		Saved: j.Stats.Saved, Errors: j.Stats.Errors, Took: j.Took, Err: j.Err, MoveKind: j.MoveKind, DryRun: j.DryRun, Omitted: j.Omitted}
	if j.Kind == "movein" {
		rep := j.Report // its Problems are replaced, never changed in place
		r.Report = &rep
	}
	return r
}

// save writes j's state to the upload directory (when there is one).
func (js *jobs) save(j *job) {
	j.mu.Lock()
	r := j.record()
	j.mu.Unlock()
	js.mu.Lock()
	defer js.mu.Unlock()
	js.write(r)
}

// write writes r whole (a temporary file renamed), with js.mu held.
func (js *jobs) write(r jobRecord) {
	if js.dir == "" {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	path := filepath.Join(js.dir, r.ID+".json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
	}
}

// upload makes the file a job's upload is kept in while it runs: in the
// upload directory, or (without one) the system's temporary directory.
func (js *jobs) upload(id string) (*os.File, error) {
	js.mu.Lock()
	dir := js.dir
	js.mu.Unlock()
	if dir == "" {
		return os.CreateTemp("", "hondana-import-*")
	}
	return os.OpenFile(filepath.Join(dir, id+".upload"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
}

// remove forgets a job that never started.
func (js *jobs) remove(id string) {
	js.mu.Lock()
	defer js.mu.Unlock()
	delete(js.byID, id)
}

// recent lists the jobs of the kinds a page shows (those for which
// shown holds), newest first, at most n.
func (js *jobs) recent(n int, shown func(*job) bool) []jobView {
	js.mu.Lock()
	all := make([]*job, 0, len(js.byID))
	for _, j := range js.byID {
		if shown(j) { // Kind is set before a job is added, and kept
			all = append(all, j)
		}
	}
	js.mu.Unlock()
	slices.SortFunc(all, func(a, b *job) int { return b.Started.Compare(a.Started) })
	var out []jobView
	for _, j := range all[:min(n, len(all))] {
		out = append(out, j.view())
	}
	return out
}
