package library

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"math/big"
	"net/mail"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"hondana/store"
)

// AccountPolicy holds the configurable values of logins and sessions.
type AccountPolicy struct {
	TempPasswordDelay time.Duration // a temporary password works this long after it was issued (R12)
	TempPasswordTries int           // wrong tries that void a temporary password
	TempPasswordTTL   time.Duration // an unused temporary password expires after this
	SessionIdle       time.Duration // web and API sessions end after this much inactivity
	KioskIdle         time.Duration // kiosk sessions end sooner (R42)
	SessionMax        time.Duration // every session ends this long after login
	// AddressFailures is how many different cards may fail from one
	// client address per AddressWindow before its logins are slowed
	// (a password sprayed over card numbers): each then waits
	// AddressDelay, doubling with every further AddressFailures cards
	// up to 8 times as long, and they pass one at a time.
	AddressFailures int
	AddressWindow   time.Duration
	AddressDelay    time.Duration
	// SharedTerminals are the addresses many patrons log in from (the
	// kiosks): the address limit does not count them.
	SharedTerminals []netip.Prefix
	HashConcurrency int // password hashes computed at once; each takes 19 MiB
	// CardValidYears is how long a new or renewed card is valid: its
	// expiry is that many years after the day (0: cards do not expire).
	// An expired card borrows and reserves nothing until staff renew it,
	// having checked the patron's address (see RenewCard).
	CardValidYears int
}

// DefaultAccountPolicy is the seed's rules with our hardening.
func DefaultAccountPolicy() AccountPolicy {
	return AccountPolicy{
		TempPasswordDelay: 30 * time.Minute,
		TempPasswordTries: 5,
		TempPasswordTTL:   14 * 24 * time.Hour,
		SessionIdle:       30 * time.Minute,
		KioskIdle:         2 * time.Minute,
		SessionMax:        12 * time.Hour,
		AddressFailures:   30,
		AddressWindow:     10 * time.Minute,
		AddressDelay:      time.Second,
		HashConcurrency:   2,
	}
}

// Session kinds.
const (
	SessionWeb   = "web"
	SessionKiosk = "kiosk"
	SessionAPI   = "api"
)

// Staff roles.
const (
	RoleAdmin     = "admin"
	RoleLibrarian = "librarian"
)

// Accounts is logins, passwords and sessions of patrons and staff.
type Accounts struct {
	db      *store.DB
	clock   Clock
	pepper  []byte
	p       AccountPolicy
	hashing *hashQueue
	dummy   string // a hash to check unknown cards against, so they take as long
	cats    []Category
	loc     *time.Location

	mu       sync.Mutex
	inflight map[string]bool   // cards and usernames being verified now
	byAddr   *memo[*addrState] // what each client address did lately
	unknown  *memo[failures]   // failures of cards no patron has
	staffBy  *memo[failures]   // failures of staff names, by name and address
	pending  *memo[*halfLogin] // staff logins waiting for their second factor
	cardKey  maphash.Seed      // how an address's failed cards are kept
	stats    struct{ verifications, slowed atomic.Int64 }

	letters *Letters
	mailed  func()
}

// AccountsOptions are the account service's rules and its notices.
type AccountsOptions struct {
	Policy AccountPolicy // zero: DefaultAccountPolicy
	// Letters, when set, writes the notices of a new or changed e-mail
	// address; Mailed is called after a change that wrote one.
	Letters *Letters
	Mailed  func()
	// Categories are the patron categories a patron may be given (nil:
	// DefaultCategories).
	Categories []Category
	// Location is the library's time zone, whose days cards expire by
	// (nil: time.Local).
	Location *time.Location
}

// NewAccounts returns the account service.
func NewAccounts(db *store.DB, clock Clock, pepper []byte, o AccountsOptions) (*Accounts, error) {
	p := o.Policy
	if p.SessionMax == 0 { // the zero policy
		p = DefaultAccountPolicy()
	}
	if p.HashConcurrency < 1 {
		p.HashConcurrency = 1
	}
	dummy, err := HashPassword(randomToken(), pepper)
	if err != nil {
		return nil, err
	}
	a := &Accounts{db: db, clock: clock, pepper: pepper, p: p, hashing: newHashQueue(p.HashConcurrency),
		dummy: dummy, inflight: map[string]bool{}, byAddr: newMemo[*addrState](clientAddresses),
		unknown: newMemo[failures](unknownCards), staffBy: newMemo[failures](staffTries),
		pending: newMemo[*halfLogin](1000), cardKey: maphash.MakeSeed(), letters: o.Letters, mailed: o.Mailed, cats: o.Categories,
		loc: o.Location}
	if a.loc == nil {
		a.loc = time.Local
	}
	if len(a.cats) == 0 {
		a.cats = DefaultCategories()
	}
	if a.mailed == nil {
		a.mailed = func() {}
	}
	return a, nil
}

// addressNotices writes the notices of an address change, when letters
// are set up.
func (a *Accounts) addressNotices(ctx context.Context, tx *sql.Tx, patronID int64, old, new string) error {
	if a.letters == nil {
		return nil
	}
	return a.letters.AddressNotices(ctx, tx, patronID, old, new, a.clock.Now())
}

// Policy returns the policy in force.
func (a *Accounts) Policy() AccountPolicy { return a.p }

// verify checks a password against a hash ("": against a dummy, for as
// long), at most HashConcurrency at once so that a flood of logins
// cannot exhaust memory, and with the sources that wait served in turn
// (see hashQueue).
func (a *Accounts) verify(ctx context.Context, source, hash, password string) (bool, error) {
	if err := a.hashing.acquire(ctx, source); err != nil {
		return false, err
	}
	defer a.hashing.release()
	a.stats.verifications.Add(1)
	if hash == "" {
		CheckPassword(a.dummy, password, a.pepper)
		return false, nil
	}
	return CheckPassword(hash, password, a.pepper), nil
}

// hash hashes a new password.
func (a *Accounts) hash(ctx context.Context, password string) (string, error) {
	if err := a.hashing.acquire(ctx, "new password"); err != nil {
		return "", err
	}
	defer a.hashing.release()
	return HashPassword(password, a.pepper)
}

// claim marks key as being verified; false when another attempt for it is
// under way (that one answers first).
func (a *Accounts) claim(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inflight[key] {
		return false
	}
	a.inflight[key] = true
	return true
}

func (a *Accounts) release(key string) {
	a.mu.Lock()
	delete(a.inflight, key)
	a.mu.Unlock()
}

// LoginResult is a successful login.
type LoginResult struct {
	Token      string // the session id or bearer token; shown once
	PatronID   int64
	StaffID    int64
	Card       string
	Name       string
	Role       string
	MustChange bool // a temporary password: only a change is allowed
	// SecondFactor, instead of Token, when the staff account has a
	// second factor: the password was right, and StaffLoginCode with
	// this and a code completes the login.
	SecondFactor string
}

// Login checks a patron's card and password and opens a session of kind.
func (a *Accounts) Login(ctx context.Context, cardInput, password, addr, kind string) (*LoginResult, error) {
	now := a.clock.Now()
	card, ok := FoldCard(cardInput)
	if !ok {
		return nil, &Refusal{Code: InvalidCard, Field: "card"}
	}
	if !a.claim("card:" + card) {
		return nil, &Refusal{Code: TooManyAttempts, RetryAfter: time.Second}
	}
	defer a.release("card:" + card)

	var cred *store.Credentials
	err := a.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		cred, err = store.PatronCredentials(ctx, tx, card)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		// Unknown cards answer like wrong passwords, after as long, and
		// are delayed and locked alike (from failures kept in memory):
		// otherwise the first 429 would tell a real card from a made-up
		// one.
		f := a.failures(a.unknown, card)
		if f.n >= LockAfter {
			return nil, refuse(AccountLocked)
		}
		if wait := f.last.Add(LoginDelay(f.n)).Sub(now); wait > 0 {
			return nil, &Refusal{Code: TooManyAttempts, RetryAfter: wait}
		}
		if _, err := a.checkPassword(ctx, addr, card, "", password, now); err != nil {
			return nil, err
		}
		a.fail(a.unknown, card, now)
		return nil, refuse(InvalidCredentials)
	}
	if err != nil {
		return nil, err
	}
	if cred.Locked || cred.Failures >= LockAfter {
		return nil, refuse(AccountLocked)
	}
	if wait := cred.LastFailedAt.Add(LoginDelay(cred.Failures)).Sub(now); wait > 0 {
		// Even the right password waits: otherwise the delay would not slow
		// a guesser down.
		return nil, &Refusal{Code: TooManyAttempts, RetryAfter: wait}
	}
	if cred.Temporary && cred.TempFailures >= a.p.TempPasswordTries {
		return nil, refuse(TemporaryPasswordVoid)
	}
	good, err := a.checkPassword(ctx, addr, card, cred.PasswordHash, password, now)
	if err != nil {
		return nil, err
	}
	if !good {
		err := a.db.Tx(ctx, func(tx *sql.Tx) error {
			return store.RecordLoginFailure(ctx, tx, cred.PatronID, cred.Temporary, cred.Failures+1 >= LockAfter, now)
		})
		if err != nil {
			return nil, err
		}
		return nil, refuse(InvalidCredentials)
	}
	if cred.Temporary {
		if active := cred.IssuedAt.Add(a.p.TempPasswordDelay); now.Before(active) {
			return nil, &Refusal{Code: TemporaryPasswordNotActive, At: active}
		}
		if now.After(cred.IssuedAt.Add(a.p.TempPasswordTTL)) {
			return nil, refuse(TemporaryPasswordExpired)
		}
	}
	rehash := ""
	if NeedsRehash(cred.PasswordHash) {
		rehash, _ = a.hash(ctx, password)
	}
	token := randomToken()
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.RecordLoginSuccess(ctx, tx, cred.PatronID, rehash); err != nil {
			return err
		}
		return store.AddSession(ctx, tx, store.Session{IDHash: tokenHash(token), PatronID: cred.PatronID, Kind: kind, CreatedAt: now, LastSeenAt: now})
	})
	if err != nil {
		return nil, err
	}
	return &LoginResult{Token: token, PatronID: cred.PatronID, Card: cred.Card, Name: cred.Name, MustChange: cred.Temporary}, nil
}

// Who is the holder of a valid session.
type Who struct {
	TokenHash  string
	Kind       string
	PatronID   int64
	Card       string
	Name       string
	MustChange bool
	StaffID    int64
	Username   string
	Role       string
}

// Session returns who holds token, if the session is alive, and records
// the activity. Sessions end after SessionIdle (KioskIdle on kiosks)
// without a request, and SessionMax after login, whatever happens.
func (a *Accounts) Session(ctx context.Context, token string) (*Who, error) {
	if token == "" || len(token) > 200 {
		return nil, refuse(Unauthorized)
	}
	now := a.clock.Now()
	h := tokenHash(token)
	s, err := a.db.SessionWithHolder(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(Unauthorized)
	}
	if err != nil {
		return nil, err
	}
	idle := a.p.SessionIdle
	if s.Kind == SessionKiosk {
		idle = a.p.KioskIdle
	}
	if now.Sub(s.LastSeenAt) > idle || now.Sub(s.CreatedAt) > a.p.SessionMax || s.Disabled {
		a.db.DeleteSession(ctx, h)
		return nil, refuse(Unauthorized)
	}
	w := &Who{TokenHash: h, Kind: s.Kind, PatronID: s.PatronID, StaffID: s.StaffID, Name: s.Name}
	if s.PatronID != 0 {
		w.Card, w.MustChange = s.Card, s.Temporary
	}
	if s.StaffID != 0 {
		w.Username, w.Role = s.Username, s.Role
	}
	// Writing on every request would serialise readers behind the writer:
	// a minute's precision is enough for timeouts of minutes. On a disk
	// that takes no writes the session serves all the same, so that its
	// holder can still read (a storage failure is not a logout).
	if now.Sub(s.LastSeenAt) > time.Minute/2 || s.Kind == SessionKiosk {
		if err := a.db.TouchSession(ctx, h, now); err != nil && !errors.Is(err, store.ErrStorage) {
			return nil, err
		}
	}
	return w, nil
}

// Sweep deletes sessions that can no longer be used.
func (a *Accounts) Sweep(ctx context.Context) error {
	now := a.clock.Now()
	idle := max(a.p.SessionIdle, a.p.KioskIdle)
	return a.db.DeleteSessionsBefore(ctx, now.Add(-idle), now.Add(-a.p.SessionMax))
}

// Run sweeps ended sessions every interval until ctx ends.
func (a *Accounts) Run(ctx context.Context, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := a.Sweep(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
	}
}

// Logout ends a session.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return a.db.DeleteSession(ctx, tokenHash(token))
}

// ChangePassword replaces a patron's password (temporary or not) after
// checking the old one; every other session of the patron ends.
func (a *Accounts) ChangePassword(ctx context.Context, w *Who, old, pw, confirm string) error {
	now := a.clock.Now()
	p, err := a.db.PatronByID(ctx, w.PatronID)
	if err != nil {
		return err
	}
	if r := CheckNewPassword(pw, confirm, p.Card, p.BirthDate); r != nil {
		return r
	}
	if !a.claim("card:" + p.Card) {
		return &Refusal{Code: TooManyAttempts, RetryAfter: time.Second}
	}
	defer a.release("card:" + p.Card)
	var cred *store.Credentials
	if err := a.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		cred, err = store.PatronCredentials(ctx, tx, p.Card)
		return err
	}); err != nil {
		return err
	}
	if wait := cred.LastFailedAt.Add(LoginDelay(cred.Failures)).Sub(now); wait > 0 {
		return &Refusal{Code: TooManyAttempts, RetryAfter: wait}
	}
	good, err := a.verify(ctx, "patron "+p.Card, cred.PasswordHash, old)
	if err != nil {
		return err
	}
	if !good {
		err := a.db.Tx(ctx, func(tx *sql.Tx) error {
			return store.RecordLoginFailure(ctx, tx, cred.PatronID, cred.Temporary, cred.Failures+1 >= LockAfter, now)
		})
		if err != nil {
			return err
		}
		return &Refusal{Code: WrongPassword, Field: "old_password"}
	}
	hash, err := a.hash(ctx, pw)
	if err != nil {
		return err
	}
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SetPatronPassword(ctx, tx, cred.PatronID, hash, false, now); err != nil {
			return err
		}
		if err := store.RecordLoginSuccess(ctx, tx, cred.PatronID, ""); err != nil {
			return err
		}
		return store.DeletePatronSessions(ctx, tx, cred.PatronID, w.TokenHash)
	})
}

// CheckEmail validates an e-mail address as patrons type it ("" removes
// the address).
func CheckEmail(s string) (string, *Refusal) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := &Refusal{Code: InvalidEmail, Field: "email"}
	if len(s) > 254 || !utf8.ValidString(s) {
		return "", bad
	}
	for _, r := range s {
		if r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", bad
		}
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", bad
	}
	return s, nil
}

// SetEmail registers or changes a patron's e-mail address (R21).
func (a *Accounts) SetEmail(ctx context.Context, patronID int64, email string) error {
	email, r := CheckEmail(email)
	if r != nil {
		return r
	}
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := store.RecipientOf(ctx, tx, patronID)
		if err != nil {
			return err
		}
		if err := store.SetPatronEmail(ctx, tx, patronID, email); err != nil {
			return err
		}
		return a.addressNotices(ctx, tx, patronID, old.Email, email)
	})
	if err == nil {
		a.mailed()
	}
	return err
}

// SetDueReminders turns a patron's due-date reminders on or off.
func (a *Accounts) SetDueReminders(ctx context.Context, patronID int64, on bool) error {
	return a.db.Tx(ctx, func(tx *sql.Tx) error { return store.SetDueReminders(ctx, tx, patronID, on) })
}

// PatronForm is what staff fill in at registration (R35).
type PatronForm struct {
	Name       string
	NameYomi   string
	BirthDate  string
	Address    string
	Phone      string
	Mobile     string
	Email      string
	HomeBranch string
	// Category is the patron's category for the loan rules (R54): one
	// of the configuration's codes, "" for the first.
	Category string
}

// Registered is the answer to a registration or reissue: never the
// password itself, only when it becomes usable.
type Registered struct {
	Card     string
	ActiveAt time.Time
}

// checkForm validates a registration form, naming the first bad field.
func (a *Accounts) checkForm(f *PatronForm) *Refusal {
	bad := func(field string) *Refusal { return &Refusal{Code: InvalidField, Field: field} }
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	for _, s := range []*string{&f.Name, &f.NameYomi, &f.BirthDate, &f.Address, &f.Phone, &f.Mobile, &f.Email, &f.HomeBranch, &f.Category} {
		trim(s)
	}
	if f.Category != "" && !slices.ContainsFunc(a.cats, func(c Category) bool { return c.Code == f.Category }) {
		return bad("category")
	}
	text := func(s string, max int) bool {
		return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max && !strings.ContainsFunc(s, unicode.IsControl)
	}
	if f.Name == "" || !text(f.Name, 100) {
		return bad("name")
	}
	if f.NameYomi == "" || !text(f.NameYomi, 100) || !isKana(f.NameYomi) {
		return bad("name_yomi")
	}
	f.NameYomi = toKatakana(f.NameYomi)
	b, err := time.Parse(DateLayout, f.BirthDate)
	if err != nil || b.Year() < 1900 || b.After(a.clock.Now()) {
		return bad("birth_date")
	}
	if !text(f.Address, 200) {
		return bad("address")
	}
	for _, ph := range []struct{ name, v string }{{"phone", f.Phone}, {"mobile", f.Mobile}} {
		digits := strings.Count(ph.v, "0") + len(strings.Map(func(r rune) rune {
			if r >= '1' && r <= '9' {
				return r
			}
			return -1
		}, ph.v))
		if ph.v != "" && (len(ph.v) > 20 || strings.Trim(ph.v, "0123456789-+() ") != "" || digits < 6) {
			return bad(ph.name)
		}
	}
	email, r := CheckEmail(f.Email)
	if r != nil {
		return bad("email")
	}
	f.Email = email
	return nil
}

func isKana(s string) bool {
	for _, r := range s {
		if !(unicode.In(r, unicode.Hiragana, unicode.Katakana) || r == 'ー' || r == ' ' || r == '　' || r == '・') {
			return false
		}
	}
	return true
}

func toKatakana(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ぁ' && r <= 'ゖ' {
			return r + 0x60
		}
		if r == '　' {
			return ' '
		}
		return r
	}, s)
}

// RegisterPatron registers a patron with a new card number and a
// temporary password, their birthday as MMDD (R11, R12, R35).
func (a *Accounts) RegisterPatron(ctx context.Context, f PatronForm) (*Registered, error) {
	if r := a.checkForm(&f); r != nil {
		return nil, r
	}
	now := a.clock.Now()
	hash, err := a.hash(ctx, TemporaryPassword(f.BirthDate))
	if err != nil {
		return nil, err
	}
	for try := 0; try < 20; try++ {
		p := store.Patron{Card: newCard(), Name: f.Name, NameYomi: f.NameYomi, BirthDate: f.BirthDate, Address: f.Address,
			Phone: f.Phone, Mobile: f.Mobile, Email: f.Email, HomeBranch: f.HomeBranch, Category: f.Category, Expiry: a.cardExpiry()}
		err = a.db.Tx(ctx, func(tx *sql.Tx) error {
			if err := store.AddPatron(ctx, tx, &p, now); err != nil {
				return err
			}
			if err := store.SetPatronPassword(ctx, tx, p.ID, hash, true, now); err != nil {
				return err
			}
			return a.addressNotices(ctx, tx, p.ID, "", p.Email)
		})
		if errors.Is(err, store.ErrConflict) {
			continue // that card number was taken: draw another
		}
		if errors.Is(err, store.ErrReference) {
			return nil, &Refusal{Code: InvalidField, Field: "home_branch"}
		}
		if err != nil {
			return nil, err
		}
		a.mailed()
		return &Registered{Card: p.Card, ActiveAt: now.Add(a.p.TempPasswordDelay)}, nil
	}
	return nil, fmt.Errorf("library: no free card number after 20 draws")
}

// ReissueTemporary issues a new temporary password (the birthday again)
// for a patron who forgot theirs, clears the lock and ends their
// sessions (R14, R36).
func (a *Accounts) ReissueTemporary(ctx context.Context, card string) (*Registered, error) {
	p, err := a.db.PatronByCard(ctx, card)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(PatronNotFound)
	}
	if err != nil {
		return nil, err
	}
	hash, err := a.hash(ctx, TemporaryPassword(p.BirthDate))
	if err != nil {
		return nil, err
	}
	now := a.clock.Now()
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SetPatronPassword(ctx, tx, p.ID, hash, true, now); err != nil {
			return err
		}
		return store.DeletePatronSessions(ctx, tx, p.ID, "")
	})
	if err != nil {
		return nil, err
	}
	return &Registered{Card: p.Card, ActiveAt: now.Add(a.p.TempPasswordDelay)}, nil
}

// Unlock clears a card's login lock after 20 failures.
func (a *Accounts) Unlock(ctx context.Context, card string) error {
	err := a.db.Tx(ctx, func(tx *sql.Tx) error { return store.UnlockPatron(ctx, tx, card) })
	if errors.Is(err, store.ErrNotFound) {
		return refuse(PatronNotFound)
	}
	return err
}

// SetPassword gives a patron a real password directly (the demo patron).
func (a *Accounts) SetPassword(ctx context.Context, patronID int64, pw string) error {
	hash, err := a.hash(ctx, pw)
	if err != nil {
		return err
	}
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		return store.SetPatronPassword(ctx, tx, patronID, hash, false, a.clock.Now())
	})
}

// newCard draws a card number: eight random digits, the first not zero,
// and a check digit.
func newCard() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(90000000))
	eight := fmt.Sprintf("%08d", n.Int64()+10000000)
	return eight + string(CardCheckDigit(eight))
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("library: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what the database keeps of a session id: a stolen copy
// of the database holds no usable session.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// UpdatePatron changes a patron's details at the counter, with the same
// checks as registration.
func (a *Accounts) UpdatePatron(ctx context.Context, staffID int64, card string, f PatronForm) error {
	if r := a.checkForm(&f); r != nil {
		return r
	}
	p, err := a.db.PatronByCard(ctx, card)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(PatronNotFound)
	}
	if err != nil {
		return err
	}
	oldEmail := p.Email
	p.Name, p.NameYomi, p.BirthDate, p.Address = f.Name, f.NameYomi, f.BirthDate, f.Address
	p.Phone, p.Mobile, p.Email, p.HomeBranch, p.Category = f.Phone, f.Mobile, f.Email, f.HomeBranch, f.Category
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.UpdatePatron(ctx, tx, p); err != nil {
			return err
		}
		if err := a.addressNotices(ctx, tx, p.ID, oldEmail, p.Email); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "patron.update", "card "+maskCard(card), a.clock.Now())
	})
	if err == nil {
		a.mailed()
	}
	if errors.Is(err, store.ErrReference) {
		return &Refusal{Code: InvalidField, Field: "home_branch"}
	}
	return err
}

// SetNotes keeps staff's notes on a patron (R52), in the staff log
// without them: a note is what the counter should know of the patron,
// never a title (R40).
func (a *Accounts) SetNotes(ctx context.Context, staffID int64, card, notes string) error {
	notes = strings.TrimSpace(notes)
	if !utf8.ValidString(notes) || utf8.RuneCountInString(notes) > 1000 {
		return &Refusal{Code: InvalidField, Field: "notes"}
	}
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SetPatronNotes(ctx, tx, card, notes); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "patron.notes", "card "+maskCard(card), a.clock.Now())
	})
	if errors.Is(err, store.ErrNotFound) {
		return refuse(PatronNotFound)
	}
	return err
}

// cardExpiry is the expiry of a card issued or renewed today: the same
// day CardValidYears on, in the library's time zone; "" when cards do
// not expire.
func (a *Accounts) cardExpiry() string {
	if a.p.CardValidYears <= 0 {
		return ""
	}
	return dayStart(a.clock.Now(), a.loc).AddDate(a.p.CardValidYears, 0, 0).Format(DateLayout)
}

// RenewCard renews a patron's card for CardValidYears from today, once
// staff have checked the patron's address and contacts (the usual
// reason cards expire), and returns the new expiry ("" when cards do
// not expire, which lifts an expiry a move-in brought over).
func (a *Accounts) RenewCard(ctx context.Context, staffID int64, card string) (string, error) {
	expiry := a.cardExpiry()
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SetPatronExpiry(ctx, tx, card, expiry); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "patron.renew_card", "card "+maskCard(card)+" → "+expiry, a.clock.Now())
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", refuse(PatronNotFound)
	}
	return expiry, err
}

// cardSoonDays is how near its expiry a card is shown as expiring soon,
// so the counter renews it at the patron's visit before it stops them.
const cardSoonDays = 30

// CardValidity is how a patron's card stands: its last valid day ("" for
// none), whether it has expired, and how many days it has left.
type CardValidity struct {
	Expiry   string
	Expired  bool
	Soon     bool // expires within cardSoonDays
	DaysLeft int
	// Renews is the expiry a renewal today would give ("" for none).
	Renews string
}

// Validity is how a card with that expiry stands today.
func (a *Accounts) Validity(expiry string) CardValidity {
	today := dayStart(a.clock.Now(), a.loc)
	v := CardValidity{Expiry: expiry, Renews: a.cardExpiry()}
	if expiry == "" {
		return v
	}
	v.Expired = CardPastExpiry(expiry, today.Format(DateLayout))
	if end, err := time.ParseInLocation(DateLayout, expiry, a.loc); err == nil && !v.Expired {
		v.DaysLeft = daysBetween(today, end)
		v.Soon = v.DaysLeft <= cardSoonDays
	}
	return v
}

// CardPastExpiry reports whether a card whose last valid day is expiry
// (YYYY-MM-DD, "" for none) has expired by today (YYYY-MM-DD).
func CardPastExpiry(expiry, today string) bool {
	return expiry != "" && expiry < today
}

// Block stops loans to a patron with a reason staff give (reason ""
// lifts the block).
func (a *Accounts) Block(ctx context.Context, staffID int64, card, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 200 {
		return &Refusal{Code: InvalidField, Field: "reason"}
	}
	action := "patron.block"
	if reason == "" {
		action = "patron.unblock"
	}
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SetPatronBlock(ctx, tx, card, reason); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, action, "card "+maskCard(card), a.clock.Now())
	})
	if errors.Is(err, store.ErrNotFound) {
		return refuse(PatronNotFound)
	}
	return err
}

// maskCard keeps a card number out of logs but for its last digits.
func maskCard(card string) string {
	if len(card) <= 3 {
		return card
	}
	return strings.Repeat("*", len(card)-3) + card[len(card)-3:]
}

// CheckStaffPassword applies the staff password rule: at least 10
// characters, any characters.
func CheckStaffPassword(pw string) *Refusal {
	if utf8.RuneCountInString(pw) < 10 || len(pw) > 200 {
		return &Refusal{Code: StaffPasswordShort, Field: "password"}
	}
	return nil
}

// AddStaff creates a staff account (admins only).
func (a *Accounts) AddStaff(ctx context.Context, byStaff int64, username, role, pw string) error {
	username = strings.TrimSpace(username)
	if username == "" || len(username) > 64 || strings.ContainsAny(username, " \t\r\n") {
		return &Refusal{Code: InvalidField, Field: "username"}
	}
	if role != RoleAdmin && role != RoleLibrarian {
		return &Refusal{Code: InvalidField, Field: "role"}
	}
	if r := CheckStaffPassword(pw); r != nil {
		return r
	}
	hash, err := a.hash(ctx, pw)
	if err != nil {
		return err
	}
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.AddStaff(ctx, tx, &store.Staff{Username: username, Role: role, PasswordHash: hash}, a.clock.Now()); err != nil {
			return err
		}
		return store.Audit(ctx, tx, byStaff, "staff.add", username+" ("+role+")", a.clock.Now())
	})
	if errors.Is(err, store.ErrConflict) {
		return &Refusal{Code: StaffExists, Field: "username"}
	}
	return err
}

// UpdateStaff changes a staff account's role, disables or enables it,
// and resets its password when pw is not empty.
func (a *Accounts) UpdateStaff(ctx context.Context, byStaff int64, username, role string, disabled bool, pw string) error {
	if role != RoleAdmin && role != RoleLibrarian {
		return &Refusal{Code: InvalidField, Field: "role"}
	}
	hash := ""
	if pw != "" {
		if r := CheckStaffPassword(pw); r != nil {
			return r
		}
		var err error
		if hash, err = a.hash(ctx, pw); err != nil {
			return err
		}
	}
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		if role != RoleAdmin || disabled {
			// Someone must stay able to manage staff accounts from the
			// browser: otherwise only the command line could recover.
			isAdmin, others, err := store.EnabledAdmins(ctx, tx, username)
			if err != nil {
				return err
			}
			if isAdmin && others == 0 {
				return refuse(LastAdmin)
			}
		}
		if err := store.UpdateStaff(ctx, tx, username, role, disabled, hash); err != nil {
			return err
		}
		what := fmt.Sprintf("%s role=%s disabled=%t password_reset=%t", username, role, disabled, hash != "")
		return store.Audit(ctx, tx, byStaff, "staff.update", what, a.clock.Now())
	})
	if errors.Is(err, store.ErrNotFound) {
		return &Refusal{Code: InvalidField, Field: "username"}
	}
	return err
}
