package library

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"hondana/store"
)

var jst = time.FixedZone("JST", 9*3600)

func newAccountsT(t *testing.T) (*Accounts, *TestClock, *store.DB) {
	t.Helper()
	return newAccountsWith(t, AccountPolicy{})
}

func newAccountsWith(t *testing.T, p AccountPolicy) (*Accounts, *TestClock, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &TestClock{}
	clock.Set(time.Date(2026, 11, 27, 10, 0, 0, 0, jst))
	a, err := NewAccounts(db, clock, []byte("pepper"), AccountsOptions{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	return a, clock, db
}

func register(t *testing.T, a *Accounts, birth string) string {
	t.Helper()
	r, err := a.RegisterPatron(context.Background(), PatronForm{Name: "佐藤 花子", NameYomi: "さとう はなこ", BirthDate: birth, Phone: "0893-24-0000"})
	if err != nil {
		t.Fatal(err)
	}
	return r.Card
}

func code(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

func TestCheckNewPassword(t *testing.T) {
	t.Parallel()
	const card, birth = "123456789", "1990-04-01"
	tests := []struct {
		pw, confirm, want string
	}{
		{"abc1", "abc1", ""},
		{"Ab3dE6gH", "Ab3dE6gH", ""},
		{"ABCD", "ABCD", ""},
		{"", "", PasswordEmpty},
		{"ab1", "ab1", PasswordTooShort},
		{"abcdefghi", "abcdefghi", PasswordTooLong},
		{"abc12345678", "abc12345678", PasswordTooLong}, // never cut to 8
		{"ab c1", "ab c1", PasswordSymbol},
		{"abc!1", "abc!1", PasswordSymbol},
		{"abc_", "abc_", PasswordSymbol},
		{"ａｂｃ１", "ａｂｃ１", PasswordNonASCII},
		{"あいうえ", "あいうえ", PasswordNonASCII},
		{"abcé", "abcé", PasswordNonASCII},
		{"0401", "0401", PasswordGuessable}, // the birthday MMDD
		{"3456", "3456", PasswordGuessable}, // digits of the card
		{"12345678", "12345678", PasswordGuessable},
		{"abc1", "ABC1", PasswordMismatch}, // case matters
		{"abc1", "abc12", PasswordMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			got := ""
			if r := CheckNewPassword(tt.pw, tt.confirm, card, birth); r != nil {
				got = r.Code
			}
			if got != tt.want {
				t.Errorf("CheckNewPassword(%q, %q) = %q, want %q", tt.pw, tt.confirm, got, tt.want)
			}
		})
	}
}

func TestFoldCardAndCheckDigit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"123456789": "123456789", "１２３４５６７８９": "123456789", "1234-5678 9": "123456789"} {
		if got, ok := FoldCard(in); !ok || got != want {
			t.Errorf("FoldCard(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"12345678", "1234567890", "12345678a", "' OR 1=1", "", "１２３"} {
		if _, ok := FoldCard(in); ok {
			t.Errorf("FoldCard(%q) accepted", in)
		}
	}
	if d := CardCheckDigit("7992739871"[:8]); d < '0' || d > '9' {
		t.Errorf("check digit %c", d)
	}
	// Luhn: 7992739871 + 3.
	if d := CardCheckDigit("7992739871"); d != '3' {
		t.Errorf("Luhn check digit of 7992739871 = %c, want 3", d)
	}
}

// TestTemporaryPassword: usable 30 minutes after issue, only for a change,
// voided by five wrong tries, expired after 14 days (R12).
func TestTemporaryPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock, _ := newAccountsT(t)
	issued := clock.Now()
	card := register(t, a, "1990-04-01")
	if len(card) != 9 || CardCheckDigit(card[:8]) != card[8] {
		t.Fatalf("card %q", card)
	}

	clock.Set(issued.Add(29 * time.Minute))
	_, err := a.Login(ctx, card, "0401", "10.0.0.1", SessionWeb)
	var r *Refusal
	if !errors.As(err, &r) || r.Code != TemporaryPasswordNotActive || r.At.Sub(issued.Add(30*time.Minute)).Abs() > time.Second {
		t.Fatalf("at 29 min: %v", err)
	}
	clock.Set(issued.Add(31 * time.Minute))
	res, err := a.Login(ctx, card, "0401", "10.0.0.1", SessionWeb)
	if err != nil || !res.MustChange || res.Card != card {
		t.Fatalf("at 31 min: %+v %v", res, err)
	}
	who, err := a.Session(ctx, res.Token)
	if err != nil || !who.MustChange {
		t.Fatalf("session: %+v %v", who, err)
	}
	if err := a.ChangePassword(ctx, who, "0401", "Hana77", "Hana77"); err != nil {
		t.Fatal(err)
	}
	who, _ = a.Session(ctx, res.Token)
	if who == nil || who.MustChange {
		t.Fatalf("after change: %+v", who)
	}
	if _, err := a.Login(ctx, card, "0401", "10.0.0.1", SessionWeb); code(err) != InvalidCredentials {
		t.Errorf("old temporary password after change: %v", err)
	}
	if _, err := a.Login(ctx, card, "Hana77", "10.0.0.1", SessionWeb); err != nil {
		t.Errorf("new password: %v", err)
	}

	// Expiry after 14 days, unused.
	card2 := register(t, a, "1985-12-24")
	clock.Set(clock.Now().Add(14*24*time.Hour + time.Minute))
	if _, err := a.Login(ctx, card2, "1224", "10.0.0.2", SessionWeb); code(err) != TemporaryPasswordExpired {
		t.Errorf("after 14 days: %v", err)
	}

	// Five wrong tries void it, even for the right one afterwards.
	card3 := register(t, a, "2001-07-07")
	clock.Set(clock.Now().Add(time.Hour))
	for i := 0; i < 5; i++ {
		if _, err := a.Login(ctx, card3, fmt.Sprintf("99%02d", i), "10.0.0.3", SessionWeb); code(err) != InvalidCredentials {
			t.Fatalf("wrong try %d: %v", i, err)
		}
	}
	clock.Set(clock.Now().Add(2 * time.Hour))
	if _, err := a.Login(ctx, card3, "0707", "10.0.0.3", SessionWeb); code(err) != TemporaryPasswordVoid {
		t.Errorf("after five wrong tries: %v", err)
	}
	// Staff reissue it: usable again 30 minutes later.
	if _, err := a.ReissueTemporary(ctx, card3); err != nil {
		t.Fatal(err)
	}
	clock.Set(clock.Now().Add(31 * time.Minute))
	if _, err := a.Login(ctx, card3, "0707", "10.0.0.3", SessionWeb); err != nil {
		t.Errorf("reissued: %v", err)
	}
}

// TestThrottling: 1,000 wrong tries on one card verify at most 20
// passwords, and another patron logs in meanwhile.
func TestThrottling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock, db := newAccountsT(t)
	victim := register(t, a, "1970-01-15")
	other := register(t, a, "1975-03-03")
	clock.Set(clock.Now().Add(time.Hour))
	for _, c := range []string{victim, other} {
		p, _ := db.PatronByCard(ctx, c)
		if err := a.SetPassword(ctx, p.ID, "Secret9"); err != nil {
			t.Fatal(err)
		}
	}
	before := a.Stats().Verifications
	tooMany, locked := 0, 0
	for i := 0; i < 1000; i++ {
		_, err := a.Login(ctx, victim, fmt.Sprintf("g%04d", i), fmt.Sprintf("198.51.100.%d", i%250), SessionWeb)
		switch code(err) {
		case TooManyAttempts:
			tooMany++
			var r *Refusal
			errors.As(err, &r)
			if r.RetryAfter <= 0 {
				t.Fatal("429 without Retry-After")
			}
		case AccountLocked:
			locked++
		case InvalidCredentials:
		default:
			t.Fatalf("try %d: %v", i, err)
		}
		clock.Advance(7 * time.Minute) // a patient attacker
		if i == 500 {
			if _, err := a.Login(ctx, other, "Secret9", "203.0.113.9", SessionWeb); err != nil {
				t.Fatalf("another patron during the attack: %v", err)
			}
		}
	}
	verified := a.Stats().Verifications - before - 1 // the other patron's login
	if verified > LockAfter {
		t.Errorf("%d password verifications for 1,000 tries, want at most %d", verified, LockAfter)
	}
	if locked == 0 || tooMany == 0 {
		t.Errorf("locked %d, throttled %d", locked, tooMany)
	}
	// Even the right password is refused now, until staff unlock.
	if _, err := a.Login(ctx, victim, "Secret9", "192.0.2.1", SessionWeb); code(err) != AccountLocked {
		t.Errorf("right password on a locked card: %v", err)
	}
	if err := a.Unlock(ctx, victim); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Login(ctx, victim, "Secret9", "192.0.2.1", SessionWeb); err != nil {
		t.Errorf("after unlock: %v", err)
	}

	// The right password waits out the delay too.
	for i := 0; i < 6; i++ {
		a.Login(ctx, other, "wrong1", "203.0.113.10", SessionWeb)
	}
	if _, err := a.Login(ctx, other, "Secret9", "203.0.113.10", SessionWeb); code(err) != TooManyAttempts {
		t.Errorf("right password during the delay: %v", err)
	}
}

// TestAddressLimitOnlySlows: an address that fails for many different
// cards is slowed, never refused: a patron behind it still logs in with
// the right password, a staff member is not even slowed, one patron's
// repeated mistakes do not count, and the kiosks are not counted at all.
func TestAddressLimitOnlySlows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := DefaultAccountPolicy()
	p.AddressFailures, p.AddressDelay = 5, time.Millisecond
	p.SharedTerminals = []netip.Prefix{netip.MustParsePrefix("192.0.2.200/32")}
	a, clock, db := newAccountsWith(t, p)
	patron := func(birth string) string {
		card := register(t, a, birth)
		pr, _ := db.PatronByCard(ctx, card)
		if err := a.SetPassword(ctx, pr.ID, "Right1"); err != nil {
			t.Fatal(err)
		}
		return card
	}
	good, mistyper := patron("1950-05-05"), patron("1951-05-05")
	if err := a.AddStaff(ctx, 0, "desk", RoleLibrarian, "desk-password-1"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	// spray fails one try each on n made-up cards from addr, returning
	// how many of them were slowed; every one is a 401, never a 429.
	spray := func(addr func(i int) string, first, n int) int64 {
		t.Helper()
		before := a.Stats().Slowed
		for i := first; i < first+n; i++ {
			if _, err := a.Login(ctx, fmt.Sprintf("5%08d", i), "1234", addr(i), SessionWeb); code(err) != InvalidCredentials {
				t.Fatalf("spraying, card %d from %s: %v", i, addr(i), err)
			}
		}
		return a.Stats().Slowed - before
	}
	one := func(ip string) func(int) string { return func(int) string { return ip } }
	if slowed := spray(one("203.0.113.66"), 0, 12); slowed != 7 {
		t.Errorf("%d of 12 sprayed logins slowed, want the 7 past the limit", slowed)
	}
	slowed := a.Stats().Slowed
	if _, err := a.Login(ctx, good, "Right1", "203.0.113.66", SessionWeb); err != nil {
		t.Errorf("the right password from the spraying address: %v", err)
	}
	if a.Stats().Slowed != slowed+1 {
		t.Error("the right password from the spraying address was not slowed")
	}
	if _, err := a.StaffLogin(ctx, "desk", "desk-password-1", "203.0.113.66", SessionWeb); err != nil || a.Stats().Slowed != slowed+1 {
		t.Errorf("staff from the spraying address: %v, slowed %d", err, a.Stats().Slowed-slowed-1)
	}
	// Twenty failures over four cards, five each: only four cards count.
	for i := 0; i < 20; i++ {
		card := []string{mistyper, "500000901", "500000902", "500000903"}[i%4]
		if _, err := a.Login(ctx, card, fmt.Sprintf("bad%d", i), "198.51.100.5", SessionWeb); code(err) != InvalidCredentials {
			t.Fatalf("mistake %d: %v", i, err)
		}
	}
	if slowed := spray(one("198.51.100.5"), 100, 1); slowed != 0 {
		t.Error("repeated failures of the same cards slowed their address")
	}
	// The kiosks are not counted; an IPv6 /64 is one address.
	if slowed := spray(one("192.0.2.200"), 200, 12); slowed != 0 {
		t.Errorf("%d logins at a kiosk slowed", slowed)
	}
	if slowed := spray(func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i) }, 300, 6); slowed != 1 {
		t.Errorf("%d of 6 logins from one /64 slowed, want 1", slowed)
	}
	// A new window starts clean.
	clock.Advance(p.AddressWindow)
	if slowed := spray(one("203.0.113.66"), 400, 5); slowed != 0 {
		t.Errorf("%d slowed in a new window", slowed)
	}
	if _, err := a.Login(ctx, "12345", "1234", "203.0.113.67", SessionWeb); code(err) != InvalidCard {
		t.Errorf("short card: %v", err)
	}
}

// TestConcurrentLogins (issue 14, finding 4): 300 bad logins at once
// from one address get the limit's 30 checked without delay, not 300;
// the others wait, one at a time. A good login from another address in
// the middle of the burst does not wait behind the burst's hashing: the
// hashes are served by source in turn.
func TestConcurrentLogins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := DefaultAccountPolicy()
	p.AddressDelay = time.Hour // the slowed wait until the burst is called off
	a, clock, db := newAccountsWith(t, p)
	card := register(t, a, "1977-07-07")
	pr, _ := db.PatronByCard(ctx, card)
	if err := a.SetPassword(ctx, pr.ID, "Good77"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	burst, stop := context.WithCancel(ctx)
	defer stop()
	codes := make(chan string, 300)
	var wg sync.WaitGroup
	fire := func(from, to int) {
		for i := from; i < to; i++ {
			wg.Go(func() {
				_, err := a.Login(burst, fmt.Sprintf("6%08d", i), "guess1", "203.0.113.99", SessionAPI)
				codes <- code(err)
			})
		}
	}
	fire(0, 150)
	waitFor(t, "the burst to queue for hashing", func() bool { return a.Stats().Waiting >= 10 })
	before := a.Stats().Verifications
	if _, err := a.Login(ctx, card, "Good77", "198.51.100.1", SessionAPI); err != nil {
		t.Fatalf("the good login during the burst: %v", err)
	}
	during := a.Stats().Verifications - before
	fire(150, 300)
	limit := int64(p.AddressFailures)
	waitFor(t, "the burst to be admitted", func() bool { return a.Stats().Slowed == 300-limit })
	waitFor(t, "the admitted logins to be checked", func() bool { return a.Stats().Verifications == limit+1 })
	stop()
	wg.Wait()
	close(codes)
	got := map[string]int{}
	for c := range codes {
		got[c]++
	}
	t.Logf("checks during the good login: %d; burst: %v", during, got)
	// The good login waited for at most one check of the burst, the
	// only other source waiting, however many of them were queued.
	if b := a.Stats().WaitedBehind; b > 1 {
		t.Errorf("a check waited behind %d of another source's", b)
	}
	if got[InvalidCredentials] != int(limit) || got["error: "+context.Canceled.Error()] != 300-int(limit) {
		t.Errorf("burst answers %v, want %d wrong passwords and the rest still waiting", got, limit)
	}
	if v := a.Stats().Verifications; v != limit+1 {
		t.Errorf("%d passwords checked, want the %d admitted and the good one", v, limit)
	}
}

// waitFor waits until cond holds, or fails the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("waited a minute for %s", what)
		}
	}
}

// TestUnknownCardsAnswerAlike: a card no patron has is delayed after 5
// failures and locked after 20 exactly like a real one, so the answers
// do not tell which card numbers exist.
func TestUnknownCardsAnswerAlike(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock, db := newAccountsT(t)
	real := register(t, a, "1966-06-06")
	p, _ := db.PatronByCard(ctx, real)
	if err := a.SetPassword(ctx, p.ID, "Real66"); err != nil {
		t.Fatal(err)
	}
	unknown := "123456782"
	if _, err := db.PatronByCard(ctx, unknown); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("card %s exists", unknown)
	}
	answer := func(card string, i int) string {
		_, err := a.Login(ctx, card, fmt.Sprintf("w%03d", i), fmt.Sprintf("192.0.2.%d", i), SessionWeb)
		var r *Refusal
		if errors.As(err, &r) {
			return fmt.Sprintf("%s %v", r.Code, r.RetryAfter.Round(time.Minute))
		}
		return fmt.Sprint(err)
	}
	var seen []string
	for i := 0; i < 30; i++ {
		if i > 5 {
			clock.Advance(2 * time.Hour) // past every delay
		}
		r, u := answer(real, i), answer(unknown, i)
		if r != u {
			t.Fatalf("try %d: real card %q, unknown card %q", i+1, r, u)
		}
		seen = append(seen, r)
	}
	// Five failures, a 429 at once, fifteen spaced failures, the lock.
	want := TooManyAttempts + " 1m0s"
	if seen[4] != InvalidCredentials+" 0s" || seen[5] != want || seen[20] != InvalidCredentials+" 0s" || seen[21] != AccountLocked+" 0s" {
		t.Errorf("answers: %q", seen)
	}
}

// TestMemoForgetsLeastRecent: what logins remember in memory is bounded;
// the entries forgotten first are those least recently used.
func TestMemoForgetsLeastRecent(t *testing.T) {
	t.Parallel()
	m := newMemo[int](3)
	for i, k := range []string{"a", "b", "c"} {
		m.put(k, i)
	}
	m.get("a")
	m.put("d", 3)
	if _, ok := m.get("b"); ok {
		t.Error("b, the least recently used, is still there")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := m.get(k); !ok {
			t.Errorf("%s forgotten", k)
		}
	}
	if len(m.items) != 3 || m.order.Len() != 3 {
		t.Errorf("%d items, %d in order", len(m.items), m.order.Len())
	}
}

func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock, db := newAccountsT(t)
	card := register(t, a, "1990-04-01")
	p, _ := db.PatronByCard(ctx, card)
	if err := a.SetPassword(ctx, p.ID, "Abc123"); err != nil {
		t.Fatal(err)
	}
	login := func(kind string) string {
		r, err := a.Login(ctx, card, "Abc123", "10.1.1.1", kind)
		if err != nil {
			t.Fatal(err)
		}
		return r.Token
	}
	web, kiosk := login(SessionWeb), login(SessionKiosk)
	clock.Advance(29 * time.Minute)
	if _, err := a.Session(ctx, web); err != nil {
		t.Errorf("web after 29 min: %v", err)
	}
	if _, err := a.Session(ctx, kiosk); code(err) != Unauthorized {
		t.Errorf("kiosk after 29 min idle: %v", err)
	}
	clock.Advance(31 * time.Minute)
	if _, err := a.Session(ctx, web); code(err) != Unauthorized {
		t.Errorf("web after 31 min idle: %v", err)
	}
	// Busy, but never longer than 12 hours.
	tok := login(SessionWeb)
	for i := 0; i < 12*3-1; i++ {
		clock.Advance(20 * time.Minute)
		if _, err := a.Session(ctx, tok); err != nil {
			t.Fatalf("after %d min of use: %v", (i+1)*20, err)
		}
	}
	clock.Advance(25 * time.Minute)
	if _, err := a.Session(ctx, tok); code(err) != Unauthorized {
		t.Errorf("after 12 h 5 min: %v", err)
	}
	// Logout ends the session on the server.
	tok = login(SessionAPI)
	if err := a.Logout(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(ctx, tok); code(err) != Unauthorized {
		t.Errorf("after logout: %v", err)
	}
	// Nothing usable is stored: the database holds hashes of tokens.
	var n int
	db.Reader().QueryRow("SELECT count(*) FROM sessions WHERE id_hash = ?", tok).Scan(&n)
	if n != 0 {
		t.Error("raw token stored")
	}
}

func TestRegistrationFields(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _, db := newAccountsT(t)
	ok := PatronForm{Name: "山田 太郎", NameYomi: "ヤマダ タロウ", BirthDate: "1980-02-29", Email: "taro@example.jp"}
	tests := []struct {
		field string
		edit  func(*PatronForm)
	}{
		{"name", func(f *PatronForm) { f.Name = "  " }},
		{"name_yomi", func(f *PatronForm) { f.NameYomi = "Yamada" }},
		{"birth_date", func(f *PatronForm) { f.BirthDate = "1980-02-30" }},
		{"birth_date", func(f *PatronForm) { f.BirthDate = "2999-01-01" }},
		{"phone", func(f *PatronForm) { f.Phone = "call me" }},
		{"email", func(f *PatronForm) { f.Email = "taro@" }},
		{"email", func(f *PatronForm) { f.Email = "太郎@example.jp" }},
	}
	for _, tt := range tests {
		f := ok
		tt.edit(&f)
		_, err := a.RegisterPatron(ctx, f)
		var r *Refusal
		if !errors.As(err, &r) || r.Code != "invalid_field" || r.Field != tt.field {
			t.Errorf("%s: %v", tt.field, err)
		}
	}
	reg, err := a.RegisterPatron(ctx, ok)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.PatronByCard(ctx, reg.Card)
	if err != nil || p.NameYomi != "ヤマダ タロウ" {
		t.Fatalf("%+v %v", p, err)
	}
	// Only a hash is stored, never the MMDD.
	var hash string
	db.Reader().QueryRow("SELECT password_hash FROM patrons WHERE id = ?", p.ID).Scan(&hash)
	if hash == "" || hash == "0229" || !CheckPassword(hash, "0229", []byte("pepper")) || CheckPassword(hash, "0229", []byte("other pepper")) {
		t.Errorf("stored hash %q", hash)
	}
}
