package app

import (
	"bytes"
	"regexp"
	"testing"
	"time"
)

// TestLogInLibraryTime: log lines carry the library's time (and offset),
// not the system's, and lines below the level are left out.
func TestLogInLibraryTime(t *testing.T) {
	t.Parallel()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := NewLog(&buf, "warn", tokyo)
	log.Info("left out")
	log.Warn("kept")
	if !regexp.MustCompile(`^time=\S+\+09:00 level=WARN msg=kept\n$`).Match(buf.Bytes()) {
		t.Errorf("log: %q", buf.String())
	}
}
