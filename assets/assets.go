// Package assets embeds the site's CSS, JavaScript and images and serves
// them under content-hashed URLs, so browsers may cache them for a year.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/assets/"

type file struct {
	body  []byte
	ctype string
}

var (
	byHashed = map[string]file{}   // "app.1a2b3c4d.css" → file
	hashed   = map[string]string{} // "app.css" → "/assets/app.1a2b3c4d.css"
)

func init() {
	_ = fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		h := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		byHashed[h] = file{body: b, ctype: mime.TypeByExtension(ext)}
		hashed[name] = Prefix + h
		return nil
	})
}

// URL returns the hashed URL of an asset ("app.css" → "/assets/app.1a2b3c4d.css").
func URL(name string) string {
	if u, ok := hashed[name]; ok {
		return u
	}
	return Prefix + name
}

// Handler serves the assets.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := byHashed[strings.TrimPrefix(r.URL.Path, Prefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.ctype)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(f.body)
	})
}
