package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// reindexCmd rebuilds the search index from the database; the server
// must be stopped (it holds the index), or reindex from the staff pages.
func reindexCmd(args []string) error {
	fs := commonFlags("reindex")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openData(fs)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := context.Background()
	start := time.Now()
	cat, err := d.OpenCatalog(ctx)
	if err != nil {
		if strings.Contains(err.Error(), "in use by another process") {
			return errors.New("reindex: the server is running and holds the index; stop it first, or reindex from the staff screens")
		}
		return err
	}
	defer cat.Close()
	if err := cat.Rebuild(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "index rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
