package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"hondana/search/internal/fast"
)

// Build writes a new index from the documents feed yields beside the
// index in dir, which it leaves alone: the index in use goes on answering
// searches until Install puts the new one in its place. seq is the change
// sequence number the documents reflect. add keeps the documents it is
// given, to index them on other goroutines: the feed must not change them.
//
// The index is built by the fast path (package fast). Should that fail, or
// its index not hold every document fed (Bleve's layout having changed
// under it), the failure is logged and feed is called again to build the
// index with Bleve's public API alone.
func Build(dir string, seq int64, feed func(add func([]Doc) error) error, opts Options) (*Built, error) {
	return build(dir, func(add func([]Doc) error) (int64, error) {
		return seq, feed(add)
	}, true, opts)
}

// BuildStream is Build for a feed that learns the sequence number its
// documents reflect only at its end: a bulk load writing to the store
// while the index is built. Such a feed cannot be called again: should
// the fast path fail, BuildStream returns the error, and the caller builds
// the index with Build instead.
func BuildStream(dir string, feed func(add func([]Doc) error) (seq int64, err error), opts Options) (*Built, error) {
	return build(dir, feed, false, opts)
}

// streamFeed yields the documents of a build and the sequence number they
// reflect.
type streamFeed = func(add func([]Doc) error) (seq int64, err error)

// build builds the index of feed's documents in DirName+".new" in dir,
// the fast way unless opts.Plain, the plain way when the fast way fails
// and again allows calling feed a second time. Either way an offline
// builder writes segments straight to disk: several times faster than
// batches through a live index, which wait on its persister.
func build(dir string, feed streamFeed, again bool, opts Options) (*Built, error) {
	tmp := filepath.Join(dir, DirName) + ".new"
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if opts.AroundBuild != nil {
		defer opts.AroundBuild()()
	}
	built := &Built{dir: dir, opts: opts}
	if !opts.Plain {
		err := buildFast(tmp, m, feed, opts)
		var fe feedError
		switch {
		case err == nil:
			return built, nil
		case errors.As(err, &fe):
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("search: build: %w", fe.err)
		case !again:
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("search: build: the fast path failed: %w", err)
		}
		opts.log().Warn("search: the fast build failed; building again with Bleve's public API alone", "err", err)
	}
	if err := buildPlain(tmp, m, feed); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("search: build: %w", err)
	}
	return built, nil
}

// feedError is an error of the feed itself, not of the builder it feeds:
// building another way would meet it again.
type feedError struct{ err error }

func (e feedError) Error() string { return e.err.Error() }

// buildFast builds the index at path with the fast path's builder, then
// checks that the index holds every document fed: the builder writes
// Bleve's files itself, and a Bleve that reads them otherwise would find
// fewer (or none).
func buildFast(path string, m *mapping.IndexMappingImpl, feed streamFeed, opts Options) error {
	if err := os.RemoveAll(path); err != nil {
		return err
	}
	b, err := fast.NewBuilder(path, m, opts.fast)
	if err != nil {
		return err
	}
	fed := 0
	var addErr error
	seq, err := feed(func(docs []Doc) error {
		fed += len(docs)
		addErr = b.Add(len(docs), func(i int) (string, map[string]interface{}) {
			return strconv.FormatInt(docs[i].ID, 10), docs[i].fields()
		})
		return addErr
	})
	if err != nil && addErr == nil {
		b.Close(false)
		return feedError{err}
	}
	if cerr := b.Close(err == nil && fed > 0); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if fed == 0 {
		return emptyIndex(path, m, seq)
	}
	if opts.afterFastBuild != nil {
		opts.afterFastBuild(path)
	}
	n, err := stamp(path, seq)
	if err != nil {
		return err
	}
	if n != uint64(fed) {
		return fmt.Errorf("the built index holds %d documents of the %d fed", n, fed)
	}
	return nil
}

// buildPlain builds the index at path with Bleve's offline builder,
// through Bleve's public API alone: the analysis on the feed's goroutine,
// one merge at the end.
func buildPlain(path string, m *mapping.IndexMappingImpl, feed streamFeed) error {
	segs := path + ".segments"
	for _, p := range []string{path, segs} {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(segs, 0o700); err != nil {
		return err
	}
	defer os.RemoveAll(segs)
	// Interim segments go next to the index, not to /tmp.
	b, err := bleve.NewBuilder(path, m, map[string]interface{}{"buildPathPrefix": segs})
	if err != nil {
		return err
	}
	fed := 0
	seq, err := feed(func(docs []Doc) error {
		for i := range docs {
			if err := b.Index(strconv.FormatInt(docs[i].ID, 10), docs[i].fields()); err != nil {
				return fmt.Errorf("index %d: %w", docs[i].ID, err)
			}
		}
		fed += len(docs)
		return nil
	})
	switch {
	case err != nil:
		return err
	case fed == 0:
		// Bleve's builder cannot finish an empty index.
		return emptyIndex(path, m, seq)
	}
	if err := b.Close(); err != nil {
		return err
	}
	_, err = stamp(path, seq)
	return err
}

// stamp records the mapping version and sequence number in a built index
// (a builder has no way to write them) and returns its number of
// documents.
func stamp(path string, seq int64) (docs uint64, err error) {
	bi, err := bleve.OpenUsing(path, runtimeConfig(false))
	if err != nil {
		return 0, err
	}
	err = errors.Join(bi.SetInternal(keyVersion, []byte(strconv.Itoa(MappingVersion))),
		bi.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10))))
	if err == nil {
		docs, err = bi.DocCount()
	}
	return docs, errors.Join(err, bi.Close())
}

// emptyIndex makes an empty index at path: what an empty catalogue gets.
func emptyIndex(path string, m *mapping.IndexMappingImpl, seq int64) error {
	if err := os.RemoveAll(path); err != nil {
		return err
	}
	bi, err := bleve.NewUsing(path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, runtimeConfig(false))
	if err != nil {
		return err
	}
	err = errors.Join(bi.SetInternal(keyVersion, []byte(strconv.Itoa(MappingVersion))),
		bi.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10))))
	return errors.Join(err, bi.Close())
}
