package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"hondana/internal/app"
)

// serveCmd runs the web server until SIGINT or SIGTERM, then shuts down
// in order (see app.Run) and closes the index and the database.
func serveCmd(args []string) error {
	fs := commonFlags("serve")
	fs.String("addr", "", "address to listen on (default localhost:8080)")
	fs.Bool("demo", false, "load the demo library into an empty data directory")
	fs.Bool("test-clock", false, "let POST /api/v1/test/clock move the clock (for tests only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, app.Options{Version: versionLine()})
	if err != nil {
		return err
	}
	return errors.Join(a.Run(ctx), a.Close())
}
