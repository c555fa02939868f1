package library

import "time"

// Holiday returns the name of the Japanese national holiday on the given
// day ("" for none), following the Act on National Holidays as amended up
// to 2020, including substitute holidays (振替休日) and sandwiched days
// (国民の休日). The equinox formula holds for 1980–2099.
func Holiday(y int, m time.Month, d int) string {
	if name := fixedHoliday(y, m, d); name != "" {
		return name
	}
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	// 振替休日: the first non-holiday after a holiday falling on a Sunday.
	for back := 1; back < 7; back++ {
		prev := day.AddDate(0, 0, -back)
		if fixedHoliday(prev.Year(), prev.Month(), prev.Day()) == "" {
			break
		}
		if prev.Weekday() == time.Sunday {
			return "振替休日"
		}
	}
	// 国民の休日: a weekday between two holidays.
	if day.Weekday() != time.Sunday {
		p, n := day.AddDate(0, 0, -1), day.AddDate(0, 0, 1)
		if fixedHoliday(p.Year(), p.Month(), p.Day()) != "" && fixedHoliday(n.Year(), n.Month(), n.Day()) != "" {
			return "国民の休日"
		}
	}
	return ""
}

func nthMonday(y int, m time.Month, n int) int {
	first := time.Date(y, m, 1, 12, 0, 0, 0, time.UTC).Weekday()
	off := (int(time.Monday) - int(first) + 7) % 7
	return 1 + off + 7*(n-1)
}

func equinox(y int, base float64) int {
	return int(base + 0.242194*float64(y-1980) - float64((y-1980)/4))
}

func fixedHoliday(y int, m time.Month, d int) string {
	switch m {
	case time.January:
		if d == 1 {
			return "元日"
		}
		if d == nthMonday(y, m, 2) {
			return "成人の日"
		}
	case time.February:
		if d == 11 {
			return "建国記念の日"
		}
		if d == 23 && y >= 2020 {
			return "天皇誕生日"
		}
	case time.March:
		if d == equinox(y, 20.8431) {
			return "春分の日"
		}
	case time.April:
		if d == 29 {
			return "昭和の日"
		}
	case time.May:
		switch d {
		case 3:
			return "憲法記念日"
		case 4:
			return "みどりの日"
		case 5:
			return "こどもの日"
		}
	case time.July:
		switch {
		case y == 2020 && d == 23, y == 2021 && d == 22, y != 2020 && y != 2021 && d == nthMonday(y, m, 3):
			return "海の日"
		case y == 2020 && d == 24, y == 2021 && d == 23:
			return "スポーツの日"
		}
	case time.August:
		switch {
		case y == 2020 && d == 10, y == 2021 && d == 8, y != 2020 && y != 2021 && d == 11:
			return "山の日"
		}
	case time.September:
		if d == nthMonday(y, m, 3) {
			return "敬老の日"
		}
		if d == equinox(y, 23.2488) {
			return "秋分の日"
		}
	case time.October:
		if y != 2020 && y != 2021 && d == nthMonday(y, m, 2) {
			return "スポーツの日"
		}
	case time.November:
		if d == 3 {
			return "文化の日"
		}
		if d == 23 {
			return "勤労感謝の日"
		}
	}
	return ""
}
