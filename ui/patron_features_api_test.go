package ui_test

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestPatronFeaturesAPI walks the API routes of the patron features
// beyond the seed (README's API section): hold options and estimates,
// series-order holds, the reading history, favourites and the card.
func TestPatronFeaturesAPI(t *testing.T) {
	e := accountsEnv(t)
	u := e.URL + "/api/v1"
	aCard, aTok := patronLoggedIn(t, e, "青木 一", "1980-01-01", "")
	_, bTok := patronLoggedIn(t, e, "馬場 二", "1981-02-02", "")
	_, _, body := call(t, "POST", u+"/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	A, B, S := bearer(aTok), bearer(bTok), bearer(tokenOf(t, body))

	type step = apiStep
	r := &apiRunner{t: t, base: u}
	run, field := r.run, r.field
	var ids []string
	for i, v := range []string{"上", "下"} {
		run(step{"add volume " + v, "POST", "/staff/records", fmt.Sprintf(`{"title":"峠","volume":%q,"ndc":"913","items":[{"barcode":"V-%d","branch":"ozu"}]}`, v, i), S, 201, nil})
		ids = append(ids, field("id"))
	}
	run(
		step{"the series in reading order", "GET", "/series?name=" + "%E5%B3%A0", "", nil, 200, []string{`"volume":"上"`, `"volume":"下"`}},
		step{"an unknown series", "GET", "/series?name=x", "", nil, 404, []string{`"code":"record_not_found"`}},
		// Someone has volume 1 out: a hold waits, with an estimate.
		step{"lend volume 1 to B", "POST", "/staff/checkout", `{"card":"` + patronCard(t, e, bTok) + `","barcode":"V-0","branch":"ozu"}`, S, 201, nil},
		step{"wait before reserving", "GET", "/records/" + ids[0] + "/wait?pickup_branch=nagahama", "", nil, 200, []string{`"estimate":{"min_weeks":`, `"faster_branch":"ozu"`}},
		step{"wait for an unknown library", "GET", "/records/" + ids[0] + "/wait?pickup_branch=nowhere", "", nil, 422, []string{`"code":"unknown_branch"`}},
		step{"a series hold with a bad end date", "POST", "/me/holds/series", `{"record_ids":[` + ids[1] + `,` + ids[0] + `],"pickup_branch":"ozu","contact":"phone","not_after":"2001-01-01"}`, A, 422, []string{`"code":"invalid_not_after"`}},
		step{"a series hold with no volume", "POST", "/me/holds/series", `{"record_ids":[],"pickup_branch":"ozu","contact":"phone"}`, A, 422, []string{`"code":"no_volumes"`}},
		step{"a series hold", "POST", "/me/holds/series", `{"record_ids":[` + ids[1] + `,` + ids[0] + `],"pickup_branch":"ozu","contact":"phone"}`, A, 201, []string{`"series_group":`, `"volume":"上"`}},
	)
	group := field("series_group")
	run(
		step{"holds: volume 1 with an estimate, volume 2 without", "GET", "/me/holds", "", A, 200, []string{`"series_group":` + group, `"estimate":{"min_weeks"`, `"estimate":null`}},
		step{"another patron's group", "DELETE", "/me/hold-groups/" + group, "", B, 404, []string{`"code":"hold_not_found"`}},
		step{"cancel the group", "DELETE", "/me/hold-groups/" + group, "", A, 204, nil},
		step{"no holds left", "GET", "/me/holds", "", A, 200, []string{`"holds":[]`}},
		step{"a hold with options", "POST", "/me/holds", `{"record_id":` + ids[0] + `,"pickup_branch":"ozu","contact":"phone","not_after":"2099-01-01"}`, A, 422, []string{`"code":"invalid_not_after"`}},
	)
	end := e.Server.Circulation.Today().AddDate(0, 1, 0).Format("2006-01-02")
	run(step{"a suspended hold with an end date", "POST", "/me/holds", `{"record_id":` + ids[0] + `,"pickup_branch":"ozu","contact":"phone","not_after":"` + end + `","suspended":true}`, A, 201,
		[]string{`"not_after":"` + end + `"`, `"suspended":true`}})
	hold := field("id")
	run(
		step{"resume, end date kept", "PATCH", "/me/holds/" + hold, `{"suspended":false}`, A, 200, []string{`"suspended":false`, `"not_after":"` + end + `"`}},
		step{"remove the end date", "PATCH", "/me/holds/" + hold, `{"not_after":null}`, A, 200, []string{`"not_after":null`}},
		step{"a bad end date", "PATCH", "/me/holds/" + hold, `{"not_after":"tomorrow"}`, A, 422, []string{`"code":"invalid_not_after"`, `"message":"「この日以降は不要」`}},

		step{"reading history off by default", "GET", "/me/reading-history", "", A, 200, []string{`"enabled":false`, `"entries":[]`}},
		step{"turn it on", "PUT", "/me/reading-history", `{"enabled":true}`, A, 200, []string{`"enabled":true`}},
		step{"enabled missing", "PUT", "/me/reading-history", `{}`, A, 422, []string{`"code":"invalid_field"`}},
		step{"lend volume 2 to A", "POST", "/staff/checkout", `{"card":"` + aCard + `","barcode":"V-1","branch":"ozu"}`, S, 201, nil},
		step{"return it", "POST", "/staff/checkin", `{"barcode":"V-1","branch":"ozu"}`, S, 200, nil},
		step{"the return is in A's history", "GET", "/me/reading-history", "", A, 200, []string{`"title":"峠"`, `"returned_on":"`}},
		step{"and not in B's", "GET", "/me/reading-history", "", B, 200, []string{`"entries":[]`}},
		step{"as CSV", "GET", "/me/reading-history?format=csv", "", A, 200, []string{"returned_on,loaned_on,title,author,record_id", ",峠,"}},
	)
	var h struct{ Entries []struct{ ID int64 } }
	_, _, hb := call(t, "GET", u+"/me/reading-history", "", A...)
	json.Unmarshal([]byte(hb), &h)
	if len(h.Entries) != 1 {
		t.Fatalf("entries: %s", hb)
	}
	entry := fmt.Sprint(h.Entries[0].ID)
	run(
		step{"B cannot delete A's entry", "DELETE", "/me/reading-history/" + entry, "", B, 404, []string{`"code":"reading_not_found"`}},
		step{"delete it", "DELETE", "/me/reading-history/" + entry, "", A, 204, nil},
		step{"clear", "DELETE", "/me/reading-history", "", A, 204, nil},
		step{"turn it off", "PUT", "/me/reading-history", `{"enabled":false}`, A, 200, []string{`"enabled":false`}},

		step{"add a favourite", "PUT", "/me/favourites/" + ids[0], "", A, 204, nil},
		step{"again: no change", "PUT", "/me/favourites/" + ids[0], "", A, 204, nil},
		step{"a favourite of no record", "PUT", "/me/favourites/999999", "", A, 404, []string{`"code":"record_not_found"`}},
		step{"the list", "GET", "/me/favourites", "", A, 200, []string{`"record_id":` + ids[0], `"title":"峠"`}},
		step{"B's list is empty", "GET", "/me/favourites", "", B, 200, []string{`"favourites":[]`}},
		step{"remove it", "DELETE", "/me/favourites/" + ids[0], "", A, 204, nil},
		step{"remove it again", "DELETE", "/me/favourites/" + ids[0], "", A, 404, []string{`"code":"favourite_not_found"`}},

		step{"the card", "GET", "/me/card", "", A, 200, []string{`"card":"` + aCard + `"`, `"symbology":"codabar"`, `"svg":"\u003csvg`}},
		step{"the card without login", "GET", "/me/card", "", nil, 401, []string{`"code":"unauthorized"`}},
	)
}

// patronCard is the card of the patron a token belongs to.
func patronCard(t *testing.T, e *testEnv, tok string) string {
	t.Helper()
	_, _, b := call(t, "GET", e.URL+"/api/v1/me", "", bearer(tok)...)
	var m struct{ Card string }
	if err := json.Unmarshal([]byte(b), &m); err != nil || m.Card == "" {
		t.Fatalf("me: %s", b)
	}
	return m.Card
}
