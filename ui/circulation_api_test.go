package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"hondana/library"
	"hondana/store"
)

// TestCirculationAPI walks the Patron and Staff circulation routes of
// API.md through every status and error code.
func TestCirculationAPI(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	u := e.URL + "/api/v1"
	// Two patrons with real passwords, one with an e-mail address.
	aCard, aTok := patronLoggedIn(t, e, "青木 一", "1980-01-01", "aoki@example.jp")
	bCard, bTok := patronLoggedIn(t, e, "馬場 二", "1981-02-02", "")
	_, _, body := call(t, "POST", u+"/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	sTok := tokenOf(t, body)
	A, B, S := bearer(aTok), bearer(bTok), bearer(sTok)

	type step = apiStep
	r := &apiRunner{t: t, base: u}
	run, idFrom := r.run, r.field
	run(step{"add a record", "POST", "/staff/records", `{"title":"注文の多い料理店","title_yomi":"チュウモン ノ オオイ リョウリテン","author":"宮沢賢治","author_yomi":"ミヤザワ ケンジ","ndc":"913","year":1924,"isbn":"4-7949-7075-7","items":[{"barcode":"T-1","branch":"ozu","location":"児童書架","call_number":"913/ミ"}]}`, S, 201, []string{`"id":`}})
	rec := idFrom("id")
	run(
		step{"duplicate barcode", "POST", "/staff/records", `{"title":"x","items":[{"barcode":"T-1","branch":"ozu"}]}`, S, 409, []string{`"code":"duplicate_barcode"`}},
		step{"record without title", "POST", "/staff/records", `{"title":" "}`, S, 422, []string{`"code":"invalid_field"`, `"field":"title"`}},
		step{"record by patron", "POST", "/staff/records", `{"title":"x"}`, A, 403, []string{`"code":"forbidden"`}},
		step{"checkout unknown card", "POST", "/staff/checkout", `{"card":"999999999","barcode":"T-1","branch":"ozu"}`, S, 404, []string{`"code":"patron_not_found"`}},
		step{"checkout unknown item", "POST", "/staff/checkout", `{"card":"` + aCard + `","barcode":"NOPE","branch":"ozu"}`, S, 404, []string{`"code":"item_not_found"`}},
		step{"checkout", "POST", "/staff/checkout", `{"card":"` + aCard + `","barcode":"T-1","branch":"ozu"}`, S, 201, []string{`"loan_id":`, `"due_date":"2026-12-11"`}},
		step{"checkout again", "POST", "/staff/checkout", `{"card":"` + bCard + `","barcode":"T-1","branch":"ozu"}`, S, 409, []string{`"code":"item_on_loan"`, "貸出中"}},
		step{"loans", "GET", "/me/loans", "", A, 200, []string{`"record_id":` + rec, `"title":"注文の多い料理店"`, `"barcode":"T-1"`, `"branch":"ozu"`, `"loaned_on":"2026-11-27"`, `"due_date":"2026-12-11"`, `"renewals":0`, `"renewable":true`, `"notes":[]`}},
		step{"hold on own loan", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"ozu","contact":"email"}`, A, 409, []string{`"code":"already_on_loan"`}},
		step{"hold: unknown record", "POST", "/me/holds", `{"record_id":999999,"pickup_branch":"ozu","contact":"phone"}`, B, 404, []string{`"code":"record_not_found"`}},
		step{"hold: unknown branch", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"mars","contact":"phone"}`, B, 422, []string{`"code":"unknown_branch"`}},
		step{"hold: invalid contact", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"ozu","contact":"fax"}`, B, 422, []string{`"code":"invalid_contact"`}},
		step{"hold: e-mail not registered", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"ozu","contact":"email"}`, B, 422, []string{`"code":"email_not_registered"`}},
		step{"hold: bad JSON", "POST", "/me/holds", `{"record_id":`, B, 400, []string{`"code":"bad_request"`}},
		step{"hold", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"nagahama","contact":"phone"}`, B, 201, []string{`"status":"waiting"`, `"position":1`, `"pickup_deadline":null`, `"pickup_branch":"nagahama"`, `"placed_at":"2026-11-27T`}},
	)
	hold := idFrom("id")
	run(
		step{"hold twice", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"ozu","contact":"phone"}`, B, 409, []string{`"code":"already_reserved"`}},
		step{"holds", "GET", "/me/holds", "", B, 200, []string{`"holds":[{"id":` + hold, `"title":"注文の多い料理店"`, `"contact":"phone"`, `"position":1`}},
		step{"change hold", "PATCH", "/me/holds/" + hold, `{"contact":"mobile"}`, B, 200, []string{`"contact":"mobile"`, `"pickup_branch":"nagahama"`}},
		step{"change another's hold", "PATCH", "/me/holds/" + hold, `{"contact":"phone"}`, A, 404, []string{`"code":"hold_not_found"`}},
		step{"renew while reserved", "POST", "/me/loans/" + idLoan(t, e, aCard) + "/renew", "", A, 409, []string{`"code":"reserved_by_others"`, "他の利用者が予約しています"}},
		step{"renew another's loan", "POST", "/me/loans/" + idLoan(t, e, aCard) + "/renew", "", B, 404, []string{`"code":"loan_not_found"`}},
		step{"loans with the note", "GET", "/me/loans", "", A, 200, []string{`"renewable":false`, `"notes":["reserved_by_others"]`}},
		step{"checkin: to transit", "POST", "/staff/checkin", `{"barcode":"T-1","branch":"ozu"}`, S, 200, []string{`"action":"transit"`, `"hold_id":` + hold, `"to_branch":"nagahama"`}},
		step{"hold in transit", "GET", "/me/holds", "", B, 200, []string{`"status":"in_transit"`, `"position":null`}},
		step{"change in transit", "PATCH", "/me/holds/" + hold, `{"contact":"phone"}`, B, 409, []string{`"code":"hold_not_changeable"`}},
		step{"checkout held for another", "POST", "/staff/checkout", `{"card":"` + aCard + `","barcode":"T-1","branch":"nagahama"}`, S, 409, []string{`"code":"held_for_another"`}},
		step{"contacted before ready", "POST", "/staff/holds/" + hold + "/contacted", `{"result":"reached"}`, S, 409, []string{`"code":"hold_not_ready"`}},
		step{"receive", "POST", "/staff/transit/receive", `{"barcode":"T-1","branch":"nagahama"}`, S, 200, []string{`"action":"hold_shelf"`, `"hold_id":` + hold}},
		step{"receive again", "POST", "/staff/transit/receive", `{"barcode":"T-1","branch":"nagahama"}`, S, 409, []string{`"code":"not_in_transit"`}},
		step{"call list", "GET", "/staff/call-list", "", S, 200, []string{`"id":` + hold, `"patron_name":"馬場 二"`, `"contact":"mobile"`, `"pickup_branch":"nagahama"`, `"ready_at":"2026-11-27T`}},
		step{"hold shelf", "GET", "/staff/hold-shelf?branch=nagahama", "", S, 200, []string{`"ready":[{"id":` + hold, `"barcode":"T-1"`, `"pickup_deadline":null`, `"expired":[]`}},
		step{"hold shelf, bad branch", "GET", "/staff/hold-shelf?branch=x", "", S, 422, []string{`"code":"unknown_branch"`}},
		step{"contacted: bad result", "POST", "/staff/holds/" + hold + "/contacted", `{"result":"maybe"}`, S, 422, []string{`"code":"invalid_result"`}},
		step{"unreachable", "POST", "/staff/holds/" + hold + "/contacted", `{"result":"unreachable"}`, S, 200, []string{`"status":"ready"`, `"pickup_deadline":null`}},
		step{"reached", "POST", "/staff/holds/" + hold + "/contacted", `{"result":"reached"}`, S, 200, []string{`"pickup_deadline":"2026-12-04"`}},
		step{"off the call list", "GET", "/staff/call-list", "", S, 200, []string{`"holds":[]`}},
		step{"hold ready", "GET", "/me/holds", "", B, 200, []string{`"status":"ready"`, `"pickup_deadline":"2026-12-04"`}},
		step{"pick list", "GET", "/staff/pick-list?branch=ozu", "", S, 200, []string{`"holds":[]`}},
	)
	// The deadline passes: the hold lapses by itself; the copy waits on
	// Nagahama's hold shelf until staff scan it, and then goes home.
	run(
		step{"clock past the deadline", "POST", "/test/clock", `{"set":"2026-12-05T09:00:00+09:00"}`, nil, 200, nil},
		step{"hold gone", "GET", "/me/holds", "", nil, 401, nil},
	)
	_, _, body = call(t, "POST", u+"/login", `{"card":"`+bCard+`","password":"Pass99"}`)
	B = bearer(tokenOf(t, body))
	_, _, body = call(t, "POST", u+"/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	S = bearer(tokenOf(t, body))
	_, _, body = call(t, "POST", u+"/login", `{"card":"`+aCard+`","password":"Pass99"}`)
	A = bearer(tokenOf(t, body))
	run(
		step{"lapsed hold gone", "GET", "/me/holds", "", B, 200, []string{`"holds":[]`}},
		step{"copy on the lapsed list", "GET", "/staff/hold-shelf?branch=nagahama", "", S, 200, []string{`"lapsed":[{"barcode":"T-1"`, `"next":{"action":"transit","hold_id":null,"to_branch":"ozu"}`}},
		step{"lent before the scan", "POST", "/staff/checkout", `{"card":"` + aCard + `","barcode":"T-1","branch":"nagahama"}`, S, 409, []string{`"code":"lapsed_hold_copy"`}},
		step{"scanned off the hold shelf", "POST", "/staff/checkin", `{"barcode":"T-1","branch":"nagahama"}`, S, 200, []string{`"action":"transit"`, `"to_branch":"ozu"`}},
		step{"copy travels home", "POST", "/staff/transit/receive", `{"barcode":"T-1","branch":"ozu"}`, S, 200, []string{`"action":"shelve"`}},
		step{"hold on the shelf copy", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"ozu","contact":"email"}`, A, 201, []string{`"status":"waiting"`}},
	)
	hold2 := idFrom("id")
	run(
		step{"pick list shows it", "GET", "/staff/pick-list?branch=ozu", "", S, 200, []string{`"hold_id":` + hold2, `"barcode":"T-1"`, `"call_number":"913/ミ"`, `"location":"児童書架"`}},
		step{"pulled and checked in: ready, e-mail written", "POST", "/staff/checkin", `{"barcode":"T-1","branch":"ozu"}`, S, 200, []string{`"action":"hold_shelf"`, `"hold_id":` + hold2, `"to_branch":null`}},
		step{"no deadline before the e-mail went", "GET", "/me/holds", "", A, 200, []string{`"status":"ready"`, `"pickup_deadline":null`}},
		step{"in the outbox", "GET", "/staff/outbox?status=pending", "", S, 200, []string{`"kind":"hold_ready"`, `"hold_id":` + hold2, `"status":"pending"`, `"subject":"【大洲市立図書館】ご予約の資料をご用意しました"`}},
		step{"outbox: bad status", "GET", "/staff/outbox?status=all%27", "", S, 422, []string{`"field":"status"`}},
	)
	if sent, _, err := e.Mailer.SendDue(context.Background()); err != nil || sent == 0 {
		t.Fatalf("sending: %d %v", sent, err)
	}
	run(
		step{"deadline once the e-mail was accepted", "GET", "/me/holds", "", A, 200, []string{`"status":"ready"`, `"pickup_deadline":"2026-12-12"`}},
		// The test clock runs on from where it was set: the attempt falls
		// in the minute, its second depends on the machine's load.
		step{"the attempt on the hold shelf", "GET", "/staff/hold-shelf?branch=ozu", "", S, 200, []string{`"attempts":[{"at":"2026-12-05T09:00:`, `+09:00","channel":"email","result":"sent"}]`}},
		step{"cancel unknown", "DELETE", "/me/holds/999999", "", A, 404, []string{`"code":"hold_not_found"`}},
		step{"cancel ready", "DELETE", "/me/holds/" + hold2, "", A, 204, nil},
		step{"taken off the hold shelf", "POST", "/staff/checkin", `{"barcode":"T-1","branch":"ozu"}`, S, 200, []string{`"action":"shelve"`}},
		step{"copy back on the shelf", "POST", "/staff/checkout", `{"card":"` + bCard + `","barcode":"T-1","branch":"ozu"}`, S, 201, []string{`"due_date":"2026-12-19"`}},
	)
	run(
		step{"renew", "POST", "/me/loans/" + idLoan(t, e, bCard) + "/renew", "", B, 200, []string{`"due_date":"2026-12-19"`}},
		step{"renew twice", "POST", "/me/loans/" + idLoan(t, e, bCard) + "/renew", "", B, 409, []string{`"code":"already_renewed"`}},
		step{"clock past due", "POST", "/test/clock", `{"set":"2026-12-20T10:00:00+09:00"}`, nil, 200, nil},
	)
	_, _, body = call(t, "POST", u+"/login", `{"card":"`+bCard+`","password":"Pass99"}`)
	B = bearer(tokenOf(t, body))
	run(
		step{"overdue first", "GET", "/me/loans", "", B, 200, []string{`"notes":["overdue","already_renewed"]`}},
		step{"renew overdue", "POST", "/me/loans/" + idLoan(t, e, bCard) + "/renew", "", B, 409, []string{`"code":"overdue"`}},
		step{"loan missing", "POST", "/me/loans/999999/renew", "", B, 404, []string{`"code":"loan_not_found"`}},
	)
	// Returned late: always accepted, and the patron is forgotten.
	_, _, body = call(t, "POST", u+"/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	S = bearer(tokenOf(t, body))
	run(step{"late return", "POST", "/staff/checkin", `{"barcode":"T-1","branch":"nagahama"}`, S, 200, []string{`"action":"transit"`, `"to_branch":"ozu"`}})
	var n int
	e.DB.Reader().QueryRow(`SELECT count(*) FROM loans`).Scan(&n)
	if n != 0 {
		t.Errorf("%d loans remain after return", n)
	}
	// The anonymous count feeds the ranking.
	run(step{"ranking", "GET", "/rankings/loans?period=all", "", nil, 200, []string{`"title":"注文の多い料理店"`, `"count":2`}})

	// The hold limit.
	for i := 0; i < 10; i++ {
		r := store.Record{Source: fmt.Sprintf("lim:%d", i), Title: fmt.Sprintf("本%d", i)}
		if err := e.Cat.SaveRecords(ctx, []*store.Record{&r}, nil); err != nil {
			t.Fatal(err)
		}
		run(step{"hold " + fmt.Sprint(i), "POST", "/me/holds", fmt.Sprintf(`{"record_id":%d,"pickup_branch":"ozu","contact":"phone"}`, r.ID), B, 201, nil})
	}
	run(step{"hold limit", "POST", "/me/holds", `{"record_id":` + rec + `,"pickup_branch":"ozu","contact":"phone"}`, B, 409, []string{`"code":"hold_limit_reached"`}})
}

// idLoan finds the id of a patron's only loan.
// patronLoggedIn registers a patron with the password Pass99 and logs
// them in to the API: their card and token.
func patronLoggedIn(t *testing.T, e *testEnv, name, birth, email string) (card, token string) {
	t.Helper()
	ctx := context.Background()
	reg, err := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: name, NameYomi: "テスト", BirthDate: birth, Email: email})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	if err := e.Server.Accounts.SetPassword(ctx, p.ID, "Pass99"); err != nil {
		t.Fatal(err)
	}
	_, _, body := call(t, "POST", e.URL+"/api/v1/login", `{"card":"`+reg.Card+`","password":"Pass99"}`)
	return reg.Card, tokenOf(t, body)
}

func idLoan(t *testing.T, e *testEnv, card string) string {
	t.Helper()
	var id int64
	e.DB.Reader().QueryRow(`SELECT l.id FROM loans l JOIN patrons p ON p.id = l.patron_id WHERE p.card = ?`, card).Scan(&id)
	return fmt.Sprint(id)
}

// TestHoldsNeedARealPassword: a temporary password cannot place holds.
func TestHoldsNeedARealPassword(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	reg, err := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "仮 太郎", NameYomi: "カリ タロウ", BirthDate: "1999-09-09"})
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(31 * time.Minute)
	_, _, body := call(t, "POST", e.URL+"/api/v1/login", `{"card":"`+reg.Card+`","password":"0909"}`)
	tok := tokenOf(t, body)
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/v1/me/holds", `{"record_id":1,"pickup_branch":"ozu","contact":"phone"}`},
		{"GET", "/api/v1/me/loans", ""},
		{"GET", "/api/v1/me/holds", ""},
	} {
		status, _, b := call(t, r.method, e.URL+r.path, r.body, bearer(tok)...)
		if status != 403 || !strings.Contains(b, `"code":"password_change_required"`) {
			t.Errorf("%s %s: %d %s", r.method, r.path, status, b)
		}
	}
}

// TestRetriedCancelFindsNoNewerHold: a patron cancels a hold, places
// another, and the first cancel is retried (a flaky connection). Hold ids
// used to come back: the new hold got the cancelled one's id, and the
// retry cancelled it. Now the new hold has an id of its own, the retry
// answers 404 hold_not_found and the new hold stays.
func TestRetriedCancelFindsNoNewerHold(t *testing.T) {
	e := accountsEnv(t)
	u := e.URL + "/api/v1"
	_, tok := patronLoggedIn(t, e, "再送 三郎", "1970-03-03", "")
	P := bearer(tok)
	_, _, body := call(t, "POST", u+"/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	S := bearer(tokenOf(t, body))
	_, _, body = call(t, "POST", u+"/staff/records", `{"title":"オツベルと象","items":[{"barcode":"R-1","branch":"ozu"}]}`, S...)
	var rec struct{ ID int64 }
	json.Unmarshal([]byte(body), &rec)

	place := func() string {
		t.Helper()
		status, _, b := call(t, "POST", u+"/me/holds", fmt.Sprintf(`{"record_id":%d,"pickup_branch":"ozu","contact":"phone"}`, rec.ID), P...)
		if status != 201 {
			t.Fatalf("place a hold: %d %s", status, b)
		}
		var h struct{ ID int64 }
		json.Unmarshal([]byte(b), &h)
		return fmt.Sprint(h.ID)
	}
	first := place()
	if status, _, b := call(t, "DELETE", u+"/me/holds/"+first, "", P...); status != 204 {
		t.Fatalf("cancel: %d %s", status, b)
	}
	second := place()
	if second == first {
		t.Errorf("the new hold got the cancelled hold's id %s", first)
	}
	if status, _, b := call(t, "DELETE", u+"/me/holds/"+first, "", P...); status != 404 || !strings.Contains(b, `"code":"hold_not_found"`) {
		t.Errorf("the retried cancel: %d %s, want 404 hold_not_found", status, b)
	}
	if _, _, b := call(t, "GET", u+"/me/holds", "", P...); !strings.Contains(b, `"id":`+second) {
		t.Errorf("the new hold is gone: %s", b)
	}
}
