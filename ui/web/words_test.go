package web

import (
	"html/template"
	"testing"
)

// TestWordsByLanguage: the small formatting rules of issue 18's words
// (plural, list separator, calendar notes, birth dates, lang="ja").
func TestWordsByLanguage(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"one hold", T(LangEN, "holds.waiting", 1), "1 hold"},
		{"two holds", T(LangEN, "holds.waiting", 2), "2 holds"},
		{"one hold in Japanese", T(LangJA, "holds.waiting", 1), "予約1件"},
		{"one result", T(LangEN, "search.results_nq", 1), "1 result"},
		{"placed, indexed args", T(LangEN, "reserve.summary_all", 1, 0), "1 hold placed."},
		{"some placed", T(LangJA, "reserve.summary_some", 2, 1), "2件の予約を受け付けました。1件は予約できませんでした。理由は下にあります。"},
		{"none placed", T(LangEN, "reserve.summary_none", 0, 3), "None of the 3 titles could be reserved (why is below)."},
		{"English list", JoinList(LangEN, []string{"Ozu Library", "Kawabe Library"}), "Ozu Library, Kawabe Library"},
		{"Japanese list", JoinList(LangJA, []string{"大洲図書館", "河辺図書館"}), "大洲図書館、河辺図書館"},
		{"closed day", DayNote(LangEN, "休館日"), "regular closing day"},
		{"holiday", DayNote(LangEN, "元日（休館）"), "public holiday"},
		{"staff's note", DayNote(LangEN, "蔵書点検"), "蔵書点検"},
		{"note in Japanese", DayNote(LangJA, "休館日"), "休館日"},
		{"birth date", FmtBirthDate(LangJA, "1985-04-15"), "1985年4月15日"},
		{"birth date in English", FmtBirthDate(LangEN, "1985-04-15"), "15 April 1985"},
		{"hours", T(LangJA, "home.open", "09:00", "19:00") + " " + T(LangEN, "home.open", "09:00", "19:00"), "開館 09:00〜19:00 Open 09:00–19:00"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q; want %q", tc.name, tc.got, tc.want)
		}
	}
	for _, tc := range []struct {
		lang string
		text []string
		want template.HTMLAttr
	}{
		{LangEN, []string{"こころ"}, ` lang="ja"`},
		{LangEN, []string{"", "夏目漱石"}, ` lang="ja"`},
		{LangEN, []string{"Moby-Dick"}, ""},
		{LangJA, []string{"こころ"}, ""},
	} {
		if got := jaAttr(tc.lang, tc.text...); got != tc.want {
			t.Errorf("jaAttr(%s, %q) = %q; want %q", tc.lang, tc.text, got, tc.want)
		}
	}
}
