// Package barcode draws the one-dimensional barcodes library cards carry,
// Codabar (NW-7) and Code 39, as SVG, so a patron's phone can show the
// card at the counter. It imports nothing of Hondana's.
package barcode

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Symbologies.
const (
	Codabar = "codabar" // NW-7, the usual one of Japanese library cards
	Code39  = "code39"
)

// The element widths, in modules: a wide element is three narrow ones
// (both symbologies allow 2–3; 3 reads best from a phone's screen), and
// characters are parted by one narrow space.
const (
	narrow = 1
	wide   = 3
	// QuietZone is the blank margin on each side, in modules.
	QuietZone = 10
)

// ErrUnencodable: a character the symbology has no bars for.
var ErrUnencodable = errors.New("barcode: character not encodable")

// Patterns from the symbologies' tables (as in ZXing's readers): bit i
// from the top is element i, bars and spaces alternating from a bar; 1
// is wide.
const codabarAlphabet = "0123456789-$:/.+ABCD"

var codabarPatterns = [...]int{
	0x003, 0x006, 0x009, 0x060, 0x012, 0x042, 0x021, 0x024, 0x030, 0x048,
	0x00c, 0x018, 0x045, 0x051, 0x054, 0x015, 0x01A, 0x029, 0x00B, 0x00E,
}

const code39Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. *$/+%"

var code39Patterns = [...]int{
	0x034, 0x121, 0x061, 0x160, 0x031, 0x130, 0x070, 0x025, 0x124, 0x064,
	0x109, 0x049, 0x148, 0x019, 0x118, 0x058, 0x00D, 0x10C, 0x04C, 0x01C,
	0x103, 0x043, 0x142, 0x013, 0x112, 0x052, 0x007, 0x106, 0x046, 0x016,
	0x181, 0x0C1, 0x1C0, 0x091, 0x190, 0x0D0, 0x085, 0x184, 0x0C4, 0x094,
	0x0A8, 0x0A2, 0x08A, 0x02A,
}

// Widths encodes data as the widths, in modules, of alternating bars
// and spaces, from the first bar to the last (no quiet zone). Codabar
// gets the start and stop character A unless data begins and ends with
// one of A–D; Code 39 gets its * on each side.
func Widths(symbology, data string) ([]int, error) {
	var alphabet string
	var patterns []int
	var bits int
	switch symbology {
	case Codabar:
		alphabet, patterns, bits = codabarAlphabet, codabarPatterns[:], 7
		data = strings.ToUpper(data)
		if len(data) < 2 || !strings.ContainsRune("ABCD", rune(data[0])) || !strings.ContainsRune("ABCD", rune(data[len(data)-1])) {
			data = "A" + data + "A"
		}
		if strings.ContainsAny(data[1:len(data)-1], "ABCD") {
			return nil, fmt.Errorf("%w: A–D inside Codabar data", ErrUnencodable)
		}
	case Code39:
		alphabet, patterns, bits = code39Alphabet, code39Patterns[:], 9
		data = "*" + strings.ToUpper(data) + "*"
		if strings.Contains(data[1:len(data)-1], "*") {
			return nil, fmt.Errorf("%w: * in Code 39 data", ErrUnencodable)
		}
	default:
		return nil, fmt.Errorf("barcode: unknown symbology %q", symbology)
	}
	var out []int
	for i, r := range data {
		k := strings.IndexRune(alphabet, r)
		if k < 0 || r > 127 {
			return nil, fmt.Errorf("%w: %q", ErrUnencodable, r)
		}
		if i > 0 {
			out = append(out, narrow) // the gap between characters
		}
		for b := bits - 1; b >= 0; b-- {
			if patterns[k]&(1<<b) != 0 {
				out = append(out, wide)
			} else {
				out = append(out, narrow)
			}
		}
	}
	return out, nil
}

// SVG draws data as an SVG image, label is its accessible name. The
// image scales to its container's width (viewBox in modules), keeping
// its quiet zones; height is the bars' height in modules.
func SVG(symbology, data, label string, height int) (string, error) {
	ws, err := Widths(symbology, data)
	if err != nil {
		return "", err
	}
	total := 2 * QuietZone
	for _, w := range ws {
		total += w
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" preserveAspectRatio="none" shape-rendering="crispEdges" role="img" aria-label="%s">`,
		total, height, escape(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`, total, height)
	x := QuietZone
	for i, w := range ws {
		if i%2 == 0 {
			fmt.Fprintf(&b, `<rect x="%d" width="%d" height="%d" fill="#000"/>`, x, w, height)
		}
		x += w
	}
	b.WriteString(`</svg>`)
	return b.String(), nil
}

func escape(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;").Replace(s)
}

// Decode reads alternating bar and space widths (as Widths gives them,
// or as measured from an image: any two widths, the larger wide) back
// into the data, without Codabar's start and stop characters or Code
// 39's asterisks. It is the check that the bars say what they should.
func Decode(symbology string, widths []int) (string, error) {
	var alphabet string
	var patterns []int
	var bits int
	switch symbology {
	case Codabar:
		alphabet, patterns, bits = codabarAlphabet, codabarPatterns[:], 7
	case Code39:
		alphabet, patterns, bits = code39Alphabet, code39Patterns[:], 9
	default:
		return "", fmt.Errorf("barcode: unknown symbology %q", symbology)
	}
	lo, hi := widths[0], widths[0]
	for _, w := range widths {
		lo, hi = min(lo, w), max(hi, w)
	}
	threshold := (lo + hi) / 2
	var out strings.Builder
	for i := 0; i < len(widths); i += bits + 1 {
		if i+bits > len(widths) {
			return "", errors.New("barcode: widths end inside a character")
		}
		p := 0
		for _, w := range widths[i : i+bits] {
			p <<= 1
			if w > threshold {
				p |= 1
			}
		}
		k := -1
		for j, q := range patterns {
			if q == p {
				k = j
				break
			}
		}
		if k < 0 {
			return "", fmt.Errorf("barcode: no character has the pattern %#x", p)
		}
		out.WriteByte(alphabet[k])
	}
	s := out.String()
	switch {
	case symbology == Codabar && len(s) >= 2 && strings.ContainsRune("ABCD", rune(s[0])) && strings.ContainsRune("ABCD", rune(s[len(s)-1])):
		return s[1 : len(s)-1], nil
	case symbology == Code39 && len(s) >= 2 && s[0] == '*' && s[len(s)-1] == '*':
		return s[1 : len(s)-1], nil
	}
	return "", fmt.Errorf("barcode: %q lacks its start and stop characters", s)
}

var barRect = regexp.MustCompile(`<rect x="(\d+)" width="(\d+)" height="\d+" fill="#000"\s*/?>`)

// MeasureSVG reads the bar and space widths back from an SVG drawn by SVG
// (within a page or alone, as drawn or as a browser serialises it), as a
// scanner sees a row of it: the black rectangles are the bars, the gaps
// between them the spaces.
func MeasureSVG(svg string) ([]int, error) {
	var out []int
	end := -1
	for _, m := range barRect.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		if end >= 0 {
			out = append(out, x-end)
		}
		out = append(out, w)
		end = x + w
	}
	if len(out) == 0 {
		return nil, errors.New("barcode: no bars")
	}
	return out, nil
}
