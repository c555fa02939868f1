package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
)

// TestLoanRuleWords: each loan rule's refusal says its rule in words,
// with the number and the material type it names, in Japanese and in
// English ("貸出上限（10冊）に達しています").
func TestLoanRuleWords(t *testing.T) {
	s := &Server{Options: Options{Calendar: library.NewCalendar(nil, library.CalendarRules{}, time.UTC)}}
	words := func(lang string, r *library.Refusal) string {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/", nil)
		c.Request.Header.Set("Accept-Language", lang)
		_, msg, _, _ := s.RefusalText(c, r)
		return msg
	}
	for _, tt := range []struct {
		r      library.Refusal
		ja, en string
	}{
		{library.Refusal{Code: library.LoanLimitReached, Limit: 10}, "貸出上限（10冊）に達しています。", "The loan limit (10 items) is reached."},
		{library.Refusal{Code: library.HoldLimitReached, Limit: 5}, "予約できる件数の上限（5件）に達しています。", "limit of holds (5)"},
		{library.Refusal{Code: library.TypeLoanLimitReached, Limit: 2, Material: "video"}, "映像資料の貸出上限（2点）に達しています。", "The loan limit for Video (2) is reached."},
		{library.Refusal{Code: library.TypeHoldLimitReached, Limit: 3, Material: "audio"}, "録音資料の予約上限（3件）に達しています。", "The hold limit for Audio (3)"},
		{library.Refusal{Code: library.ReferenceOnly, Material: "map"}, "地図は館内利用のみの資料です", "Map: for use in the library only"},
		{library.Refusal{Code: library.NotHoldable, Material: "magazine"}, "雑誌は予約できない資料です。", "Magazine cannot be reserved."},
		{library.Refusal{Code: library.OverdueBlocked, Limit: 30}, "返却期限日を30日より長く過ぎた資料があるため", "more than 30 days overdue"},
		{library.Refusal{Code: library.NotRenewable}, "延長できない資料です。", "cannot be renewed"},
		{library.Refusal{Code: library.NotForLoan}, "禁帯出の資料です", "Not for loan"},
		{library.Refusal{Code: library.CopyInRepair}, "修理中の資料です。", "being repaired"},
		{library.Refusal{Code: library.CopyLost}, "紛失扱いの資料です。", "recorded as lost"},
		{library.Refusal{Code: library.CopyMissing}, "調査中（所在不明）の資料です。", "missing"},
		{library.Refusal{Code: library.NoCopyToLend}, "貸出できる所蔵がないため、予約できません。", "cannot be reserved"},
		{library.Refusal{Code: library.CopyWithdrawn}, "除籍された資料です。", "withdrawn"},
		{library.Refusal{Code: library.LapsedHoldCopy}, "予約の取置期限が切れた資料です。", "hold lapsed"},
	} {
		t.Run(tt.r.Code, func(t *testing.T) {
			r := tt.r
			ja, en := words("ja", &r), words("en", &r)
			if !strings.Contains(ja, tt.ja) || strings.Contains(ja, "%!") {
				t.Errorf("ja: %q; want %q", ja, tt.ja)
			}
			if !strings.Contains(en, tt.en) || strings.Contains(en, "%!") {
				t.Errorf("en: %q; want %q", en, tt.en)
			}
		})
	}
}
