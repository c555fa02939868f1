package barcode

import (
	"errors"
	"testing"
)

func TestSVGDecodesBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		symbology, data string
	}{
		{Codabar, "100001000"},
		{Codabar, "0123456789"},
		{Codabar, "-$:/.+"},
		{Code39, "100001000"},
		{Code39, "HONDANA-2026 $/+%."},
	}
	for _, tt := range tests {
		t.Run(tt.symbology+" "+tt.data, func(t *testing.T) {
			svg, err := SVG(tt.symbology, tt.data, "利用カード "+tt.data, 60)
			if err != nil {
				t.Fatal(err)
			}
			widths, err := MeasureSVG(svg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(tt.symbology, widths)
			if err != nil || got != tt.data {
				t.Errorf("decoded %q, %v; want %q", got, err, tt.data)
			}
		})
	}
}

// TestWidths pins the first characters against the symbologies' own
// descriptions, so a table and its decoder cannot agree on a mistake.
func TestWidths(t *testing.T) {
	t.Parallel()
	ws, err := Widths(Codabar, "1")
	if err != nil {
		t.Fatal(err)
	}
	// A = n n w w n w n; 1 = n n n n w w n (per the NW-7 table), gaps narrow.
	want := []int{1, 1, 3, 3, 1, 3, 1, 1, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 3, 3, 1, 3, 1}
	if !equal(ws, want) {
		t.Errorf("Codabar A1A widths %v; want %v", ws, want)
	}
	ws, err = Widths(Code39, "0")
	if err != nil {
		t.Fatal(err)
	}
	// * = n w n n w n w n n; 0 = n n n w w n w n n.
	want = []int{1, 3, 1, 1, 3, 1, 3, 1, 1, 1, 1, 1, 1, 3, 3, 1, 3, 1, 1, 1, 1, 3, 1, 1, 3, 1, 3, 1, 1}
	if !equal(ws, want) {
		t.Errorf("Code 39 *0* widths %v; want %v", ws, want)
	}
	// Each Code 39 character has three wide elements of nine.
	for i, p := range code39Patterns {
		n := 0
		for b := 0; b < 9; b++ {
			n += p >> b & 1
		}
		if n != 3 {
			t.Errorf("Code 39 %q has %d wide elements", code39Alphabet[i], n)
		}
	}
}

func TestUnencodable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ symbology, data string }{{Codabar, "12a3"}, {Codabar, "１２"}, {Code39, "a*b"}, {Code39, "カード"}, {"qr", "1"}} {
		if _, err := SVG(tt.symbology, tt.data, "", 10); err == nil {
			t.Errorf("SVG(%s, %q) drew something", tt.symbology, tt.data)
		} else if tt.symbology != "qr" && !errors.Is(err, ErrUnencodable) {
			t.Errorf("SVG(%s, %q): %v; want ErrUnencodable", tt.symbology, tt.data, err)
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
