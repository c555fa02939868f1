package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"hondana/store"
)

// Covers (R83): every record has one. Staff upload an image for a record
// (SetCover), or put files named by ISBN in the import folder
// (ImportCovers); a record with neither gets a drawn cover (DrawnCover).
// Each is served under an address with its hash (CoverURL), so a browser
// keeps it until it changes.

// CoverImportDir is the folder ImportCovers reads: covers-import in the
// data directory.
func (c *Catalog) CoverImportDir() string { return filepath.Join(c.dir, "covers-import") }

// SetCover makes data (a JPEG, PNG or WebP file) the cover of a record,
// for staff member staffID. It refuses a record that does not exist, a
// file too large and one that is not such an image.
func (c *Catalog) SetCover(ctx context.Context, staffID, recordID int64, data []byte) error {
	pc, err := processCover(data)
	if err != nil {
		return err
	}
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if ok, err := store.RecordExists(ctx, tx, recordID); err != nil {
			return err
		} else if !ok {
			return refuse(RecordNotFound)
		}
		cv := &store.Cover{RecordID: recordID, Hash: pc.hash, SourceHash: pc.sourceHash, Source: store.CoverUpload,
			Width: pc.width, Height: pc.height, Image: pc.jpeg}
		if err := store.SaveCover(ctx, tx, cv, c.clock.Now()); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "cover.upload", "record "+strconv.FormatInt(recordID, 10), c.clock.Now())
	})
}

// RemoveCover removes a record's cover, so that it is drawn again.
func (c *Catalog) RemoveCover(ctx context.Context, staffID, recordID int64) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.DeleteCover(ctx, tx, recordID); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "cover.remove", "record "+strconv.FormatInt(recordID, 10), c.clock.Now())
	})
}

// CoverImport says what ImportCovers did with the files of the folder.
type CoverImport struct {
	Imported  int      // covers set (a file gives every record of its ISBN one)
	Unchanged int      // files already taken as they are
	Kept      int      // records whose cover staff uploaded: an import does not replace it
	NoRecord  []string // files whose ISBN no record has
	Rejected  []string // files not named by an ISBN, or not an image taken (with why)
}

// ImportCovers reads the import folder: every file named by an ISBN
// (9784101010014.jpg, 4-10-101001-4.png, .jpeg, .webp) becomes the cover
// of the records with that ISBN, unless staff uploaded theirs. A file
// read before and unchanged is skipped, so the folder can be read again
// and again. A missing folder is no error: there is nothing to import.
func (c *Catalog) ImportCovers(ctx context.Context, staffID int64) (*CoverImport, error) {
	dir := c.CoverImportDir()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return &CoverImport{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("library: cover import: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	out := &CoverImport{}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		n, ok := ISBNQuery(strings.TrimSuffix(name, filepath.Ext(name)))
		switch {
		case ext != ".jpg" && ext != ".jpeg" && ext != ".png" && ext != ".webp":
			out.Rejected = append(out.Rejected, name+": not .jpg, .png or .webp")
			continue
		case !ok:
			out.Rejected = append(out.Rejected, name+": not named by an ISBN")
			continue
		}
		ids, err := c.db.RecordsByISBN(ctx, n)
		if err != nil {
			return out, err
		}
		if len(ids) == 0 {
			out.NoRecord = append(out.NoRecord, name)
			continue
		}
		data, err := readCoverFile(filepath.Join(dir, name))
		if err != nil {
			out.Rejected = append(out.Rejected, name+": "+err.Error())
			continue
		}
		if err := c.importCover(ctx, staffID, ids, data, out); err != nil {
			var r *Refusal
			if errors.As(err, &r) {
				out.Rejected = append(out.Rejected, name+": "+r.Code)
				continue
			}
			return out, err
		}
	}
	return out, nil
}

// readCoverFile reads a file of the import folder, refusing one larger
// than a cover may be before reading it all.
func readCoverFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCoverBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxCoverBytes {
		return nil, refuse(CoverTooLarge)
	}
	return data, nil
}

// importCover makes data the cover of the records ids, where staff did
// not upload one and the file is not the one already taken.
func (c *Catalog) importCover(ctx context.Context, staffID int64, ids []int64, data []byte, out *CoverImport) error {
	sourceHash := contentHash(data)
	var pc *processedCover
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			source, was, err := store.CoverSource(ctx, tx, id)
			switch {
			case err == nil && source == store.CoverUpload:
				out.Kept++
				continue
			case err == nil && was == sourceHash:
				out.Unchanged++
				continue
			case err != nil && !errors.Is(err, store.ErrNotFound):
				return err
			}
			if pc == nil {
				if pc, err = processCover(data); err != nil {
					return err
				}
			}
			cv := &store.Cover{RecordID: id, Hash: pc.hash, SourceHash: pc.sourceHash, Source: store.CoverImport,
				Width: pc.width, Height: pc.height, Image: pc.jpeg}
			if err := store.SaveCover(ctx, tx, cv, c.clock.Now()); err != nil {
				return err
			}
			out.Imported++
		}
		return store.Audit(ctx, tx, staffID, "cover.import", fmt.Sprintf("%d records", len(ids)), c.clock.Now())
	})
}

// Cover is a cover as served: its bytes, their type and hash.
type Cover struct {
	Body        []byte
	ContentType string
	Hash        string
	Drawn       bool
}

// CoverOf returns the cover of a record: the image it has, or its drawn
// cover. store.ErrNotFound when there is no such record.
func (c *Catalog) CoverOf(ctx context.Context, recordID int64) (*Cover, error) {
	cv, err := c.db.Cover(ctx, recordID)
	if err == nil {
		return &Cover{Body: cv.Image, ContentType: "image/jpeg", Hash: cv.Hash}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	r, err := c.db.Record(ctx, recordID)
	if err != nil {
		return nil, err
	}
	svg, hash := DrawnCover(r)
	return &Cover{Body: svg, ContentType: "image/svg+xml", Hash: hash, Drawn: true}, nil
}

// CoverURLs returns the address of the cover of each of records, with
// the hash of what it shows in it: /covers/ID/HASH.jpg for an image,
// /covers/ID/HASH.svg for a drawn cover.
func (c *Catalog) CoverURLs(ctx context.Context, records []*store.Record) (map[int64]string, error) {
	ids := make([]int64, len(records))
	for i, r := range records {
		ids[i] = r.ID
	}
	hashes, err := c.db.CoverHashes(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(records))
	for _, r := range records {
		if h, ok := hashes[r.ID]; ok {
			out[r.ID] = CoverURL(r.ID, h, false)
			continue
		}
		_, h := DrawnCover(r)
		out[r.ID] = CoverURL(r.ID, h, true)
	}
	return out, nil
}

// CoverURL is the address of a record's cover of the given hash.
func CoverURL(recordID int64, hash string, drawn bool) string {
	ext := ".jpg"
	if drawn {
		ext = ".svg"
	}
	return "/covers/" + strconv.FormatInt(recordID, 10) + "/" + hash + ext
}
