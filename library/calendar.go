package library

import (
	"fmt"
	"strings"
	"time"
)

// DateLayout is how days are written everywhere: in the library's zone.
const DateLayout = "2006-01-02"

// Hours are one day's opening hours, "09:00" to "19:00".
type Hours struct {
	Opens  string
	Closes string
}

// BranchCalendar is the regular pattern of one branch's opening days.
type BranchCalendar struct {
	// ClosedWeekdays are the weekly closing days (休館日).
	ClosedWeekdays []time.Weekday
	Weekday        Hours // Monday to Friday
	Weekend        Hours // Saturday, Sunday and holidays the branch is open
}

// CalendarRules are the library-wide rules every branch follows.
type CalendarRules struct {
	// ClosedOnHolidays closes every branch on national holidays.
	ClosedOnHolidays bool
	// MonthEndCleaning closes every branch on the last day of the month
	// (月末整理日), unless that day is a Saturday or Sunday.
	MonthEndCleaning bool
	// NewYearFrom and NewYearTo ("12-29", "01-03") bound the New Year
	// closure (年末年始休館).
	NewYearFrom string
	NewYearTo   string
	Branches    map[string]BranchCalendar
}

// Day is one branch's opening on one date.
type Day struct {
	Date     string // YYYY-MM-DD
	Open     bool
	OpensAt  string
	ClosesAt string
	Note     string
}

// RegularDay applies the rules to one date of one branch; staff-entered
// exceptions (臨時休館, special openings) override it.
func (r CalendarRules) RegularDay(branch string, date time.Time) Day {
	y, m, d := date.Date()
	day := Day{Date: date.Format(DateLayout)}
	bc, ok := r.Branches[branch]
	if !ok {
		day.Note = "休館日"
		return day
	}
	md := fmt.Sprintf("%02d-%02d", m, d)
	if r.NewYearFrom != "" && r.NewYearTo != "" && inWrappedRange(md, r.NewYearFrom, r.NewYearTo) {
		day.Note = "年末年始休館"
		return day
	}
	if r.ClosedOnHolidays {
		if h := Holiday(y, m, d); h != "" {
			day.Note = h + "（休館）"
			return day
		}
	}
	wd := date.Weekday()
	for _, c := range bc.ClosedWeekdays {
		if c == wd {
			day.Note = "休館日"
			return day
		}
	}
	if r.MonthEndCleaning && date.AddDate(0, 0, 1).Day() == 1 && wd != time.Saturday && wd != time.Sunday {
		day.Note = "月末整理日（休館）"
		return day
	}
	h := bc.Weekday
	if wd == time.Saturday || wd == time.Sunday {
		h = bc.Weekend
	}
	day.Open, day.OpensAt, day.ClosesAt = true, h.Opens, h.Closes
	return day
}

// inWrappedRange reports whether "MM-DD" md lies in [from, to], where the
// range may wrap the year end ("12-29" to "01-03").
func inWrappedRange(md, from, to string) bool {
	if from <= to {
		return md >= from && md <= to
	}
	return md >= from || md <= to
}

// ParseWeekdays reads weekday names ("mon", "月", "monday") into weekdays.
func ParseWeekdays(names []string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, n := range names {
		switch strings.ToLower(strings.TrimSpace(n)) {
		case "sun", "sunday", "日":
			out = append(out, time.Sunday)
		case "mon", "monday", "月":
			out = append(out, time.Monday)
		case "tue", "tuesday", "火":
			out = append(out, time.Tuesday)
		case "wed", "wednesday", "水":
			out = append(out, time.Wednesday)
		case "thu", "thursday", "木":
			out = append(out, time.Thursday)
		case "fri", "friday", "金":
			out = append(out, time.Friday)
		case "sat", "saturday", "土":
			out = append(out, time.Saturday)
		default:
			return nil, fmt.Errorf("unknown weekday %q", n)
		}
	}
	return out, nil
}
