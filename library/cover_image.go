package library

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/jpeg"
	_ "image/png" // covers may come as PNG
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // or WebP
)

// Limits on a cover image (R83): what staff upload or an import folder
// brings is decoded only within them, then re-encoded as a JPEG no
// larger than coverMaxWidth × coverMaxHeight, so that no byte of the
// original (its EXIF: camera, place, time) reaches a patron.
const (
	// MaxCoverBytes is the largest file taken.
	MaxCoverBytes = 10 << 20
	// maxCoverSide and maxCoverPixels bound the image before it is
	// decoded: a small file can claim a huge image.
	maxCoverSide   = 12000
	maxCoverPixels = 50_000_000
	coverMaxWidth  = 400
	coverMaxHeight = 600
	coverQuality   = 85
)

// coverFormats are the formats a cover may come in.
var coverFormats = map[string]bool{"jpeg": true, "png": true, "webp": true}

// processedCover is an image made ready to serve as a cover.
type processedCover struct {
	jpeg          []byte
	width, height int
	hash          string // of jpeg
	sourceHash    string // of the file it was made from
}

// processCover decodes a JPEG, PNG or WebP file, turns it upright as its
// EXIF orientation says, lays it on white (a transparent PNG), scales it
// down to fit the cover size and encodes it as a JPEG, which carries no
// metadata. It refuses a file too large (CoverTooLarge) or not an image
// of those formats (CoverUnreadable).
func processCover(data []byte) (*processedCover, error) {
	if len(data) > MaxCoverBytes {
		return nil, refuse(CoverTooLarge)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || !coverFormats[format] {
		return nil, refuse(CoverUnreadable)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxCoverSide || cfg.Height > maxCoverSide ||
		cfg.Width*cfg.Height > maxCoverPixels {
		return nil, refuse(CoverTooLarge)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, refuse(CoverUnreadable)
	}
	if format == "jpeg" {
		src = orient(src, exifOrientation(data))
	}
	b := src.Bounds()
	w, h := fitInside(b.Dx(), b.Dy(), coverMaxWidth, coverMaxHeight)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	stddraw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, stddraw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: coverQuality}); err != nil {
		return nil, err
	}
	return &processedCover{jpeg: out.Bytes(), width: w, height: h, hash: contentHash(out.Bytes()), sourceHash: contentHash(data)}, nil
}

// contentHash names bytes: the first 16 hex digits of their SHA-256.
func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// fitInside scales w × h down (never up) to fit maxW × maxH, keeping
// its proportions.
func fitInside(w, h, maxW, maxH int) (int, int) {
	if w <= maxW && h <= maxH {
		return w, h
	}
	if w*maxH > h*maxW { // wider than the box
		return maxW, max(1, h*maxW/w)
	}
	return max(1, w*maxH/h), maxH
}

// exifOrientation reads the orientation (1–8) a JPEG's EXIF gives, 1
// when it gives none or cannot be read.
func exifOrientation(data []byte) int {
	r := bytes.NewReader(data)
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return 1
	}
	for {
		var m [4]byte
		if _, err := io.ReadFull(r, m[:]); err != nil || m[0] != 0xFF {
			return 1
		}
		marker, size := m[1], int(binary.BigEndian.Uint16(m[2:]))-2
		if marker == 0xDA || size < 0 { // the image data: no EXIF before it
			return 1
		}
		seg := make([]byte, size)
		if _, err := io.ReadFull(r, seg); err != nil {
			return 1
		}
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
	}
}

// tiffOrientation reads the orientation tag of IFD0 of a TIFF header.
func tiffOrientation(t []byte) int {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int(bo.Uint32(t[4:8]))
	if ifd+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for i := 0; i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns img as EXIF orientation o says it was taken: 6 is turned
// a quarter clockwise, 8 anticlockwise, 3 half a turn, and 2, 4, 5, 7
// mirrored as well.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			dst.Set(x, y, img.At(b.Min.X+sx, b.Min.Y+sy))
		}
	}
	return dst
}
