package importer

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MARC-8 character sets, by their final byte in an escape sequence.
const (
	setBasicLatin = 'B'
	setANSEL      = 'E'
	setCJK        = '1' // EACC: three bytes per character
	setSubscript  = 'b'
	setSuperscr   = 'p'
	setGreekSym   = 'g'
)

// decodeMARC8 converts a MARC-8 string to UTF-8. It knows ASCII, ANSEL
// (with its combining diacritics, which MARC-8 writes before the base
// letter and Unicode after it) and the sub/superscript sets; characters of
// other sets (CJK, Hebrew, Cyrillic, Arabic, Greek) become U+FFFD. Escape
// sequences switch sets and never reach the output.
func decodeMARC8(b []byte) string {
	g0, g1 := byte(setBasicLatin), byte(setANSEL)
	var out strings.Builder
	var marks []rune // combining marks waiting for their base letter
	put := func(r rune) {
		out.WriteRune(r)
		for _, m := range marks {
			out.WriteRune(m)
		}
		marks = marks[:0]
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == 0x1b {
			i = escape(b, i, &g0, &g1)
			continue
		}
		switch {
		case c < 0x20:
			continue // control characters carry nothing for a catalogue
		case c == 0x20:
			put(' ')
		case c < 0x7f:
			if g0 == setCJK {
				// EACC is three bytes per character.
				i += 2
				put('\uFFFD')
				continue
			}
			if g0 == setANSEL {
				c |= 0x80
			} else {
				put(g0Rune(g0, c))
				continue
			}
			fallthrough
		case c >= 0xa1 && c <= 0xfe:
			set := g1
			if b[i]&0x80 == 0 {
				set = setANSEL
			}
			if set == setCJK {
				i += 2
			}
			if set != setANSEL {
				put('\uFFFD')
				continue
			}
			if m, ok := anselCombining[c]; ok {
				marks = append(marks, m)
				continue
			}
			if r, ok := anselSpacing[c]; ok {
				put(r)
				continue
			}
			put('\uFFFD')
		case c == 0x8d:
			put('\u200d')
		case c == 0x8e:
			put('\u200c')
		case c == 0x88, c == 0x89, c == 0x7f:
			// non-sort markers and DEL
		default:
			put('\uFFFD')
		}
	}
	// Marks with no base letter after them stay, attached to what is there.
	for _, m := range marks {
		out.WriteRune(m)
	}
	s := out.String()
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return norm.NFC.String(s)
}

// escape reads the escape sequence starting at b[i] (ESC), updates the
// working sets and returns the index of its last byte.
func escape(b []byte, i int, g0, g1 *byte) int {
	if i+1 >= len(b) {
		return i
	}
	switch c := b[i+1]; c {
	case setSubscript, setSuperscr, setGreekSym:
		*g0 = c
		return i + 1
	case 's':
		*g0 = setBasicLatin
		return i + 1
	case '(', ',':
		if i+2 < len(b) {
			*g0 = b[i+2]
			return i + 2
		}
	case ')', '-':
		if i+2 < len(b) {
			*g1 = b[i+2]
			return i + 2
		}
	case '$':
		// Multibyte sets: ESC $ F, ESC $ , F (G0) or ESC $ ) F, ESC $ - F (G1).
		if i+2 >= len(b) {
			return i + 1
		}
		switch b[i+2] {
		case ',', '(':
			if i+3 < len(b) {
				*g0 = b[i+3]
				return i + 3
			}
			return i + 2
		case ')', '-':
			if i+3 < len(b) {
				*g1 = b[i+3]
				return i + 3
			}
			return i + 2
		}
		*g0 = b[i+2]
		return i + 2
	}
	// An incomplete or unknown sequence: drop the ESC alone.
	return i
}

// g0Rune maps a byte 0x21–0x7E in working set g0 to a rune.
func g0Rune(set, c byte) rune {
	switch set {
	case setBasicLatin, 's':
		return rune(c)
	case setSubscript:
		if r, ok := subscripts[c]; ok {
			return r
		}
		return rune(c)
	case setSuperscr:
		if r, ok := superscripts[c]; ok {
			return r
		}
		return rune(c)
	case setGreekSym:
		switch c {
		case 0x61:
			return 'α'
		case 0x62:
			return 'β'
		case 0x63:
			return 'γ'
		}
	}
	return '\uFFFD'
}

var anselSpacing = map[byte]rune{
	0xa1: 'Ł', 0xa2: 'Ø', 0xa3: 'Đ', 0xa4: 'Þ', 0xa5: 'Æ', 0xa6: 'Œ', 0xa7: 'ʹ',
	0xa8: '·', 0xa9: '♭', 0xaa: '®', 0xab: '±', 0xac: 'Ơ', 0xad: 'Ư', 0xae: 'ʼ',
	0xb0: 'ʻ', 0xb1: 'ł', 0xb2: 'ø', 0xb3: 'đ', 0xb4: 'þ', 0xb5: 'æ', 0xb6: 'œ',
	0xb7: 'ʺ', 0xb8: 'ı', 0xb9: '£', 0xba: 'ð', 0xbc: 'ơ', 0xbd: 'ư',
	0xc0: '°', 0xc1: 'ℓ', 0xc2: '℗', 0xc3: '©', 0xc4: '♯', 0xc5: '¿', 0xc6: '¡',
	0xc7: 'ß', 0xc8: '€',
}

var anselCombining = map[byte]rune{
	0xe0: '\u0309', 0xe1: '\u0300', 0xe2: '\u0301', 0xe3: '\u0302', 0xe4: '\u0303',
	0xe5: '\u0304', 0xe6: '\u0306', 0xe7: '\u0307', 0xe8: '\u0308', 0xe9: '\u030c',
	0xea: '\u030a', 0xeb: '\ufe20', 0xec: '\ufe21', 0xed: '\u0315', 0xee: '\u030b',
	0xef: '\u0310', 0xf0: '\u0327', 0xf1: '\u0328', 0xf2: '\u0323', 0xf3: '\u0324',
	0xf4: '\u0325', 0xf5: '\u0333', 0xf6: '\u0332', 0xf7: '\u0326', 0xf8: '\u031c',
	0xf9: '\u032e', 0xfa: '\ufe22', 0xfb: '\ufe23', 0xfe: '\u0313',
}

var subscripts = map[byte]rune{
	'0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇',
	'8': '₈', '9': '₉', '+': '₊', '-': '₋', '(': '₍', ')': '₎',
}

var superscripts = map[byte]rune{
	'0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷',
	'8': '⁸', '9': '⁹', '+': '⁺', '-': '⁻', '(': '⁽', ')': '⁾',
}
