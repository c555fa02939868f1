package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
)

// buildDate may be set at build time, when the build has no VCS stamp
// to date it: go build -ldflags "-X main.buildDate=$(date -u +%FT%TZ)".
var buildDate string

// versionCmd prints the version, commit and build date of the binary.
func versionCmd(args []string) error {
	fmt.Fprintln(os.Stdout, versionLine())
	return nil
}

// versionLine says which Hondana this is: the module's version, the
// commit it was built from (and whether the tree had changes), when, and
// with which Go; from what the Go toolchain wrote into the binary.
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "hondana (no build information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var commit, when, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+changes"
			}
		}
	}
	if buildDate != "" {
		when = buildDate
	}
	parts := []string{"hondana " + version}
	if commit != "" {
		parts = append(parts, "commit "+commit+modified)
	} else {
		parts = append(parts, "commit unknown (built without VCS information)")
	}
	if when != "" {
		parts = append(parts, "built "+when)
	}
	parts = append(parts, info.GoVersion)
	return strings.Join(parts, ", ")
}
