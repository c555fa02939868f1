// Package isbn normalises and checks International Standard Book Numbers.
//
// Catalogue data writes ISBNs in many ways: with or without hyphens, in
// full-width digits, with a price or binding note after them
// ("4101010013 : ¥400", "978-4-7949-7075-6 (pbk.)"). Hondana stores every
// ISBN as a hyphenless ISBN-13.
package isbn

import (
	"strings"
	"unicode"
)

// Normalize finds the first ISBN-10 or ISBN-13 at the start of s (after
// any leading text that is not a digit) and returns it as a hyphenless
// ISBN-13. It reports false when no ISBN with a valid check digit is found.
func Normalize(s string) (string, bool) {
	digits := candidate(s)
	switch len(digits) {
	case 10:
		if !valid10(digits) {
			return "", false
		}
		isbn13 := "978" + digits[:9]
		return isbn13 + string(check13(isbn13)), true
	case 13:
		if !valid13(digits) {
			return "", false
		}
		return digits, true
	}
	return "", false
}

// candidate extracts the first run of digits (with hyphens, spaces and a
// final X allowed inside) from s, folded to ASCII and without separators.
func candidate(s string) string {
	var b strings.Builder
	started := false
	for _, r := range s {
		r = fold(r)
		switch {
		case r >= '0' && r <= '9':
			started = true
			b.WriteRune(r)
		case started && (r == 'X' || r == 'x') && b.Len() == 9:
			b.WriteByte('X')
			return b.String()
		case started && (r == '-' || r == ' '):
			// separator inside the number
		case started:
			return b.String()
		}
		if b.Len() > 13 {
			return ""
		}
	}
	return b.String()
}

// fold maps full-width digits, X and hyphen-like characters to ASCII.
func fold(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return r - '０' + '0'
	case r == 'Ｘ' || r == 'ｘ':
		return 'X'
	case r == '－' || r == '‐' || r == '‑' || r == '‒' || r == '–' || r == '—' || r == 'ー' || r == '−':
		return '-'
	case r == '\u3000' || r == '\u00a0' || r == '\t':
		return ' '
	}
	return r
}

func valid10(d string) bool {
	if len(d) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		var v int
		switch c := d[i]; {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c == 'X' && i == 9:
			v = 10
		default:
			return false
		}
		sum += v * (10 - i)
	}
	return sum%11 == 0
}

func valid13(d string) bool {
	if len(d) != 13 || !allDigits(d) {
		return false
	}
	if !strings.HasPrefix(d, "978") && !strings.HasPrefix(d, "979") {
		return false
	}
	return check13(d[:12]) == d[12]
}

// check13 computes the ISBN-13 check digit of the first 12 digits.
func check13(d string) byte {
	sum := 0
	for i := 0; i < 12; i++ {
		v := int(d[i] - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Looks reports whether a search query looks like an ISBN: 10 or 13
// digits (an ISBN-10 may end in X) once hyphens and spaces are removed.
// The check digit is not verified, so a mistyped ISBN still goes to the
// ISBN search and finds nothing rather than matching titles by chance.
func Looks(s string) bool {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		r = fold(r)
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'X' || r == 'x':
			b.WriteByte('X')
		case r == '-' || unicode.IsSpace(r):
		default:
			return false
		}
	}
	d := b.String()
	switch len(d) {
	case 10:
		return allDigits(d[:9]) && (d[9] == 'X' || allDigits(d[9:]))
	case 13:
		return allDigits(d)
	}
	return false
}

// japan is the registrant ranges of the group 978-4 (Japan) in the
// International ISBN Agency's range message: a registrant element
// beginning with the first seven digits after the group up to to has
// length digits.
var japan = []struct {
	to     int
	length int
}{
	{1999999, 2}, {6999999, 3}, {8499999, 4}, {8999999, 5}, {9499999, 6}, {9999999, 7},
}

// Hyphenate writes an ISBN-13 (digits only, as Normalize gives it) with
// its hyphens: prefix, group, registrant, publication, check digit
// ("978-4-7949-7075-6"). The ranges are known for Japan's group (978-4)
// only, which nearly all of a Japanese library's ISBNs are in; others
// get a hyphen after the prefix alone ("978-0306406157"), which hides
// nothing and claims no split the range message does not give.
func Hyphenate(isbn13 string) string {
	if len(isbn13) != 13 || !allDigits(isbn13) {
		return isbn13
	}
	if !strings.HasPrefix(isbn13, "9784") {
		return isbn13[:3] + "-" + isbn13[3:]
	}
	n := 0
	for _, d := range isbn13[4:11] {
		n = n*10 + int(d-'0')
	}
	for _, r := range japan {
		if n <= r.to {
			reg := isbn13[4 : 4+r.length]
			return "978-4-" + reg + "-" + isbn13[4+r.length:12] + "-" + isbn13[12:]
		}
	}
	return isbn13
}
