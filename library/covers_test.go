package library

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hondana/store"
)

// jpegWithExif is a JPEG of w × h, left half red and right half blue,
// with an EXIF segment saying orientation o and holding a GPS note that
// must not survive.
func jpegWithExif(t *testing.T, w, h, o int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	// TIFF, little-endian: IFD0 with the orientation and a note.
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	tiff = binary.LittleEndian.AppendUint16(tiff, 1) // one entry
	tiff = binary.LittleEndian.AppendUint16(tiff, 0x0112)
	tiff = binary.LittleEndian.AppendUint16(tiff, 3) // SHORT
	tiff = binary.LittleEndian.AppendUint32(tiff, 1)
	tiff = binary.LittleEndian.AppendUint16(tiff, uint16(o))
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)
	tiff = append(tiff, "GPS 33.5N 132.5E secret-camera"...)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(app1)+2))
	seg = append(seg, app1...)
	b := plain.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func TestProcessCover(t *testing.T) {
	t.Parallel()
	// A phone picture, taken on its side (orientation 6), too large.
	src := jpegWithExif(t, 1600, 1200, 6)
	if exifOrientation(src) != 6 {
		t.Fatalf("the test image's orientation reads %d", exifOrientation(src))
	}
	pc, err := processCover(src)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(pc.jpeg, []byte("Exif")) || bytes.Contains(pc.jpeg, []byte("secret-camera")) {
		t.Error("the EXIF data survived")
	}
	img, format, err := image.Decode(bytes.NewReader(pc.jpeg))
	if err != nil || format != "jpeg" {
		t.Fatalf("the cover is not a JPEG: %v %s", err, format)
	}
	// Turned upright: 1200 × 1600 scaled into 400 × 600 is 400 × 533,
	// red (the left) now on top.
	if b := img.Bounds(); b.Dx() != 400 || b.Dy() != 533 || pc.width != 400 || pc.height != 533 {
		t.Errorf("cover %v (%d × %d), want 400 × 533", b, pc.width, pc.height)
	}
	if r, _, bl, _ := img.At(200, 50).RGBA(); r < bl {
		t.Error("the top is not red: the picture was not turned upright")
	}
	if r, _, bl, _ := img.At(200, 480).RGBA(); bl < r {
		t.Error("the bottom is not blue")
	}

	// A transparent PNG lies on white; a small one is not scaled up.
	small := image.NewNRGBA(image.Rect(0, 0, 30, 40))
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, small); err != nil {
		t.Fatal(err)
	}
	pc, err = processCover(pngBuf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	img, _, _ = image.Decode(bytes.NewReader(pc.jpeg))
	if b := img.Bounds(); b.Dx() != 30 || b.Dy() != 40 {
		t.Errorf("small PNG became %v", b)
	}
	if r, g, bl, _ := img.At(15, 20).RGBA(); r < 0xF000 || g < 0xF000 || bl < 0xF000 {
		t.Error("transparency did not become white")
	}

	// WebP is read.
	webp, err := os.ReadFile("testdata/cover.webp")
	if err != nil {
		t.Fatal(err)
	}
	if pc, err = processCover(webp); err != nil || pc.width == 0 {
		t.Errorf("WebP: %v", err)
	}

	// Refusals.
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, small, nil); err != nil {
		t.Fatal(err)
	}
	// A PNG header claiming 20000 × 20000 pixels.
	var huge bytes.Buffer
	if err := png.Encode(&huge, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	bomb := huge.Bytes()
	binary.BigEndian.PutUint32(bomb[16:], 20000)
	binary.BigEndian.PutUint32(bomb[20:], 20000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	for name, tc := range map[string]struct {
		data []byte
		code string
	}{
		"not an image":    {[]byte("<html>not an image</html>"), CoverUnreadable},
		"GIF":             {gifBuf.Bytes(), CoverUnreadable},
		"too many bytes":  {append(append([]byte{}, src...), make([]byte, MaxCoverBytes)...), CoverTooLarge},
		"too many pixels": {bomb, CoverTooLarge},
		"empty":           {nil, CoverUnreadable},
	} {
		_, err := processCover(tc.data)
		var r *Refusal
		if !errors.As(err, &r) || r.Code != tc.code {
			t.Errorf("%s: %v, want refusal %s", name, err, tc.code)
		}
	}
}

func TestDrawnCover(t *testing.T) {
	t.Parallel()
	r := &store.Record{ID: 1, Title: "銀河鉄道の夜", NDC: "913", Authors: []store.Author{{Name: "宮沢賢治"}}}
	svg, hash := DrawnCover(r)
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("not XML: %v\n%s", err, svg)
	}
	for _, want := range []string{"銀河鉄道の夜", "宮沢賢治", "vertical-rl", ndcColours[9][0], `viewBox="0 0 200 300"`} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the cover lacks %q:\n%s", want, svg)
		}
	}
	// Escaped, cut into columns, the rest left out.
	long := &store.Record{ID: 2, Title: `<script>&"` + strings.Repeat("長", 60), NDC: "0"}
	svg2, hash2 := DrawnCover(long)
	if strings.Contains(string(svg2), "<script>") || strings.Count(string(svg2), "<text") != 4 || !strings.Contains(string(svg2), "…") {
		t.Errorf("long title:\n%s", svg2)
	}
	if err := xml.Unmarshal(svg2, new(struct{})); err != nil {
		t.Errorf("long title, not XML: %v", err)
	}
	if hash == hash2 || len(hash) != 16 {
		t.Errorf("hashes %q %q", hash, hash2)
	}
	if _, again := DrawnCover(r); again != hash {
		t.Error("the same record drew another cover")
	}
}

func TestCovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	defer db.Close()
	defer cat.Close()
	ctx := context.Background()
	now := time.Now()
	withISBN := &store.Record{Source: "t:1", Title: "表紙のある本", TitleYomi: "ヒョウシ", ISBN: "9784794970756", MaterialType: "book"}
	plain := &store.Record{Source: "t:2", Title: "表紙のない本", TitleYomi: "ヒョウシ", NDC: "913", MaterialType: "book"}
	saveRecord(t, db, now, withISBN)
	saveRecord(t, db, now, plain)

	// Drawn until given one.
	urls, err := cat.CoverURLs(ctx, []*store.Record{withISBN, plain})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(urls[withISBN.ID], ".svg") || !strings.HasSuffix(urls[plain.ID], ".svg") {
		t.Errorf("urls %v, want drawn covers", urls)
	}
	cv, err := cat.CoverOf(ctx, plain.ID)
	if err != nil || !cv.Drawn || cv.ContentType != "image/svg+xml" {
		t.Errorf("CoverOf %+v, %v", cv, err)
	}

	// The import folder: a file by ISBN-10 with hyphens, another of the
	// same ISBN that is no image, one of no record, one not named by an
	// ISBN, one not an image's name.
	in := cat.CoverImportDir()
	if rep, err := cat.ImportCovers(ctx, 0); err != nil || rep.Imported != 0 {
		t.Fatalf("no folder: %+v %v", rep, err)
	}
	if err := os.MkdirAll(in, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"4-7949-7075-7.jpg":      jpegWithExif(t, 300, 450, 1),
		"978-4-7949-7075-6.webp": []byte("not a webp"),
		"9784101010014.png":      jpegWithExif(t, 30, 30, 1),
		"cover.jpg":              jpegWithExif(t, 30, 30, 1),
		"notes.txt":              []byte("x"),
	} {
		if err := os.WriteFile(filepath.Join(in, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := cat.ImportCovers(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || len(rep.NoRecord) != 1 || len(rep.Rejected) != 3 {
		t.Errorf("import: %+v", rep)
	}
	cv, err = cat.CoverOf(ctx, withISBN.ID)
	if err != nil || cv.Drawn || cv.ContentType != "image/jpeg" {
		t.Fatalf("after import: %+v %v", cv, err)
	}
	imported := cv.Hash
	// Read again: unchanged.
	if rep, err = cat.ImportCovers(ctx, 0); err != nil || rep.Imported != 0 || rep.Unchanged != 1 {
		t.Errorf("again: %+v %v", rep, err)
	}
	// Staff upload one: it replaces the import, and an import keeps it.
	if err := cat.SetCover(ctx, 0, withISBN.ID, jpegWithExif(t, 200, 300, 1)); err != nil {
		t.Fatal(err)
	}
	cv, _ = cat.CoverOf(ctx, withISBN.ID)
	if cv.Hash == imported {
		t.Error("the upload did not replace the imported cover")
	}
	if rep, err = cat.ImportCovers(ctx, 0); err != nil || rep.Kept != 2 || rep.Imported != 0 { // both files of its ISBN
		t.Errorf("import over an upload: %+v %v", rep, err)
	}
	urls, _ = cat.CoverURLs(ctx, []*store.Record{withISBN})
	if urls[withISBN.ID] != CoverURL(withISBN.ID, cv.Hash, false) {
		t.Errorf("url %s, want %s", urls[withISBN.ID], CoverURL(withISBN.ID, cv.Hash, false))
	}
	// Refusals.
	var r *Refusal
	if err := cat.SetCover(ctx, 0, 999999, jpegWithExif(t, 20, 20, 1)); !errors.As(err, &r) || r.Code != RecordNotFound {
		t.Errorf("unknown record: %v", err)
	}
	if err := cat.SetCover(ctx, 0, plain.ID, []byte("nope")); !errors.As(err, &r) || r.Code != CoverUnreadable {
		t.Errorf("not an image: %v", err)
	}
	// Removed: drawn again.
	if err := cat.RemoveCover(ctx, 0, withISBN.ID); err != nil {
		t.Fatal(err)
	}
	if cv, _ = cat.CoverOf(ctx, withISBN.ID); !cv.Drawn {
		t.Error("still an image after removal")
	}
	if _, err := cat.CoverOf(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown record: %v", err)
	}
}
