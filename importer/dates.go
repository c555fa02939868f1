package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"
)

// eras are the Japanese eras a vendor file may date in, with the year
// before their first (令和1年 is 2019) and their first day.
var eras = []struct {
	names []string
	base  int
	from  string
}{
	{[]string{"令和", "R", "㋿"}, 2018, "2019-05-01"},
	{[]string{"平成", "H", "㍻"}, 1988, "1989-01-08"},
	{[]string{"昭和", "S", "㍼"}, 1925, "1926-12-25"},
	{[]string{"大正", "T", "㍽"}, 1911, "1912-07-30"},
}

// ParseDate reads a day as vendor files write it — 2026-04-01,
// 2026/4/1, 2026.4.1, 20260401, 2026年4月1日, 令和8年4月1日 (平成, 昭和,
// 大正 too, 元年 for the first year, or R8.4.1) — in full- or half-width
// digits, and returns it as YYYY-MM-DD. A time after the day
// ("2026/4/1 10:00") is ignored. A day that does not exist, or a year
// an era did not reach, is an error.
func ParseDate(s string) (string, error) {
	orig := s
	s = width.Fold.String(strings.TrimSpace(s))
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	bad := fmt.Errorf("not a date: %q (write 2026-04-01, 2026/4/1 or 令和8年4月1日)", orig)
	if s == "" {
		return "", fmt.Errorf("no date")
	}
	base, from := 0, ""
	for _, e := range eras {
		for _, n := range e.names {
			if rest, ok := strings.CutPrefix(s, n); ok {
				base, from, s = e.base, e.from, rest
				break
			}
		}
		if base != 0 {
			break
		}
	}
	s = strings.Replace(s, "元年", "1年", 1)
	var parts []string
	if len(s) == 8 && base == 0 && strings.Trim(s, "0123456789") == "" {
		parts = []string{s[:4], s[4:6], s[6:]}
	} else {
		s = strings.TrimSuffix(s, "日")
		parts = strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("-/.年月", r) })
	}
	if len(parts) != 3 {
		return "", bad
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return "", bad
		}
		n[i] = v
	}
	y := n[0]
	if base != 0 {
		if y < 1 || y > 99 {
			return "", bad
		}
		y += base
	} else if y < 1000 {
		return "", bad
	}
	t := time.Date(y, time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != n[1] || t.Day() != n[2] {
		return "", fmt.Errorf("no such day: %q", orig)
	}
	day := t.Format("2006-01-02")
	if from != "" && day < from {
		return "", fmt.Errorf("no such day: %q (the era began on %s)", orig, from)
	}
	return day, nil
}
