package library

import (
	"testing"
	"time"
)

func TestHoliday(t *testing.T) {
	t.Parallel()
	tests := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2026, time.January, 1, "元日"},
		{2026, time.January, 12, "成人の日"},
		{2026, time.March, 20, "春分の日"},
		{2026, time.May, 6, "振替休日"}, // 5/3 is a Sunday
		{2026, time.September, 21, "敬老の日"},
		{2026, time.September, 22, "国民の休日"},
		{2026, time.September, 23, "秋分の日"},
		{2026, time.October, 12, "スポーツの日"},
		{2026, time.November, 23, "勤労感謝の日"},
		{2026, time.November, 24, ""},
		{2027, time.March, 21, "春分の日"},
		{2027, time.March, 22, "振替休日"},
		{2021, time.July, 23, "スポーツの日"},
		{2021, time.August, 9, "振替休日"},
		{2025, time.February, 24, "振替休日"},
		{2026, time.December, 24, ""},
	}
	for _, tt := range tests {
		if got := Holiday(tt.y, tt.m, tt.d); got != tt.want {
			t.Errorf("Holiday(%d-%02d-%02d) = %q, want %q", tt.y, tt.m, tt.d, got, tt.want)
		}
	}
}
