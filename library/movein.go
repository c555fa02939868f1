package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"hondana/importer"
	"hondana/isbn"
	"hondana/store"
)

// What a move in brings over from a vendor system (R60).
const (
	MoveInPatrons = "patrons"
	MoveInLoans   = "loans"
	MoveInHolds   = "holds"
)

// MoveInColumns are the columns of each kind of file, by canonical name,
// with the header names (Japanese or English) a file may give them. The
// export writes the first name of each (see MoveOutColumns).
var MoveInColumns = map[string]map[string][]string{
	MoveInPatrons: {
		"card":        {"card", "利用者番号", "cardnumber", "利用者ID", "利用券番号", "カード番号"},
		"name":        {"name", "氏名", "名前"},
		"name_yomi":   {"name_yomi", "ヨミ", "氏名ヨミ", "フリガナ", "カナ", "よみ", "namekana", "reading"},
		"birth_date":  {"birth_date", "生年月日", "birthday", "dateofbirth"},
		"address":     {"address", "住所"},
		"phone":       {"phone", "電話", "電話番号", "tel"},
		"mobile":      {"mobile", "携帯", "携帯電話", "携帯番号"},
		"email":       {"email", "メール", "メールアドレス", "e-mail", "mail"},
		"category":    {"category", "利用者区分", "区分"},
		"expiry":      {"expiry", "有効期限", "expires", "expirydate"},
		"home_branch": {"home_branch", "登録館", "homebranch"},
	},
	MoveInLoans: {
		"card":      {"card", "利用者番号", "cardnumber", "利用者ID"},
		"barcode":   {"barcode", "資料番号", "資料ID", "itembarcode"},
		"loan_date": {"loan_date", "貸出日", "loaned", "loanedon"},
		"due_date":  {"due_date", "返却期限日", "返却期限", "due", "duedate"},
	},
	MoveInHolds: {
		"card":        {"card", "利用者番号", "cardnumber", "利用者ID"},
		"record_id":   {"record_id", "書誌ID", "書誌番号", "source", "recordid"},
		"isbn":        {"isbn", "ISBN"},
		"placed_date": {"placed_date", "予約日", "placed", "placedon", "予約受付日"},
		"pickup":      {"pickup", "受取館", "受取場所", "pickupbranch", "pickuplibrary"},
		"contact":     {"contact", "連絡方法"},
		// A hold the vendor had already given a copy: on the hold shelf
		// (取置中) or on its way there (回送中), with that copy and,
		// once the patron was told, the last day to collect it.
		"status":          {"status", "状態", "予約状態", "ステータス", "holdstatus"},
		"barcode":         {"barcode", "資料番号", "資料ID", "itembarcode", "確保資料"},
		"pickup_deadline": {"pickup_deadline", "取置期限", "取置期限日", "受取期限", "受取期限日", "expirationdate"},
		"from":            {"from", "発送館", "回送元", "送付元", "送り元", "fromlibrary"}, // where a copy in transit left from
	},
}

// MoveOutColumns are the columns an export of each kind writes, in
// order; their names are the first of MoveInColumns, so an export reads
// back as an import.
var MoveOutColumns = map[string][]string{
	MoveInPatrons: {"card", "name", "name_yomi", "birth_date", "address", "phone", "mobile", "email", "category", "expiry", "home_branch"},
	MoveInLoans:   {"card", "barcode", "loan_date", "due_date"},
	MoveInHolds:   {"card", "record_id", "isbn", "placed_date", "pickup", "contact", "status", "barcode", "pickup_deadline", "from"},
}

// required are the columns a file of each kind cannot do without.
var required = map[string][]string{
	MoveInPatrons: {"card", "name", "birth_date"},
	MoveInLoans:   {"card", "barcode", "due_date"},
	MoveInHolds:   {"card", "placed_date"},
}

// Why a row of a move-in file was not taken, or taken with a remark.
const (
	RowUnreadable      = "unreadable"       // not a row of the file's shape (a broken quote)
	RowMissing         = "missing"          // a required field is empty
	RowInvalid         = "invalid"          // a field's value is not acceptable
	RowBadDate         = "bad_date"         // a date that cannot be read, or no such day
	RowDuplicate       = "duplicate"        // the same card (patron), copy (loan) or patron and title (hold) earlier in the file
	RowCheckDigit      = "check_digit"      // a warning: the card's last digit is not Hondana's check digit
	RowNoPatron        = "no_patron"        // no patron has the card
	RowNoCopy          = "no_copy"          // no copy has the barcode
	RowCopyUnavailable = "copy_unavailable" // the copy is lent to another patron, or not on the shelf
	RowNoRecord        = "no_record"        // no title has the record id or ISBN
	RowNoBranch        = "no_branch"        // no library has the name or code
	RowOnLoan          = "on_loan"          // the patron has the title on loan: no hold (R22)
	RowRefused         = "refused"          // the database refused the row
)

// RowProblem is a bad row of a move-in file, or a remark on a row that
// was taken (Warning).
type RowProblem struct {
	Line  int    // the line the row starts on (the header is line 1)
	Code  string // Row…
	Field string // the column at fault, canonical name
	Value string // what the file had there
	// Detail says more: a code of Details (the copy's state, why a
	// value is refused), or for RowRefused the database's error.
	Detail  string
	First   int // for a duplicate, the line of the first
	Warning bool
}

// Error says what is wrong in English, for the command line.
func (p RowProblem) Error() string {
	var what string
	switch p.Code {
	case RowUnreadable:
		what = "the row cannot be read"
	case RowMissing:
		what = p.Field + " is missing"
	case RowInvalid:
		what = fmt.Sprintf("%s %q is not valid", p.Field, p.Value)
	case RowBadDate:
		what = fmt.Sprintf("%s %q is not a date", p.Field, p.Value)
	case RowDuplicate:
		what = fmt.Sprintf("%s %q is in the file already, on line %d", p.Field, p.Value, p.First)
	case RowCheckDigit:
		what = fmt.Sprintf("card %s: the last digit is not Hondana's check digit (imported as it is)", p.Value)
	case RowNoPatron:
		what = fmt.Sprintf("no patron has card %s", p.Value)
	case RowNoCopy:
		what = fmt.Sprintf("no copy has barcode %s", p.Value)
	case RowCopyUnavailable:
		what = fmt.Sprintf("copy %s cannot be lent", p.Value)
	case RowNoRecord:
		what = fmt.Sprintf("no title has %s %q", p.Field, p.Value)
	case RowNoBranch:
		what = fmt.Sprintf("no library is called %q", p.Value)
	case RowOnLoan:
		what = "the patron has this title on loan: a hold is not allowed"
	default:
		what = "refused"
	}
	if d, ok := Details[p.Detail]; ok {
		what += " (" + d + ")"
	} else if p.Detail != "" {
		what += " (" + p.Detail + ")"
	}
	kind := "error"
	if p.Warning {
		kind = "warning"
	}
	return fmt.Sprintf("line %d: %s: %s", p.Line, kind, what)
}

// Details are the codes of RowProblem.Detail, in English for the
// command line (the staff page has them in its own words).
var Details = map[string]string{
	"nine_digits":   "a card number has 9 digits",
	"no_category":   "not a category of the configuration",
	"before_loan":   "before the loan date",
	"no_email":      "the patron has no e-mail address",
	"lent":          "lent to another patron",
	"held":          "kept for a hold",
	"not_for_loan":  "not for loan",
	"in_transit":    "in transit",
	"on_hold_shelf": "on a hold shelf",
	"missing":       "missing",
	"repair":        "being repaired",
	"lost":          "lost",
	"withdrawn":     "withdrawn",
	"other_title":   "a copy of another title",
	"no_copy_given": "a hold on the hold shelf or in transit names its copy",
}

// MoveInReport is what a move in did, or (DryRun) would do.
type MoveInReport struct {
	Kind     string
	DryRun   bool
	Encoding string   // UTF-8 or Shift_JIS
	Columns  []string // the columns the header named
	Unknown  []string // header names no column has: ignored
	Rows     int      // rows read
	// Added, Updated and Unchanged count the good rows: new, changed and
	// already there as the file says (a second run changes nothing).
	Added, Updated, Unchanged int
	Bad                       int // rows not taken
	Warnings                  int
	// Problems are every bad row and every warning, in file order.
	Problems []RowProblem
}

// Good is the number of rows taken (or, in a dry run, that would be).
func (r *MoveInReport) Good() int { return r.Added + r.Updated + r.Unchanged }

// problem reports a row not taken for p (or, for a warning, a remark).
func (r *MoveInReport) problem(p RowProblem) {
	r.note(p)
	if !p.Warning {
		r.Bad++
	}
}

// note lists p without counting a bad row: a row with several errors is
// one row not taken.
func (r *MoveInReport) note(p RowProblem) {
	if p.Warning {
		r.Warnings++
	}
	r.Problems = append(r.Problems, p)
}

// MoveIn brings patrons, open loans and holds over from a vendor system
// (R60): a dry run reports every bad row and writes nothing; a
// real run writes a batch of rows per transaction, so that a crash
// leaves each batch whole or absent, and running it again completes it.
type MoveIn struct {
	db       *store.DB
	clock    Clock
	accounts *Accounts
	circ     *Circulation // tells the patrons of holds that come in ready
	loc      *time.Location
	// BatchSize is how many rows one transaction writes.
	BatchSize int
	// Limits bound what a file may make the import read.
	Limits importer.Limits

	mu         sync.Mutex        // guards tempHashes: staff may run two imports at once
	tempHashes map[string]string // temporary password hash by MMDD
}

// NewMoveIn returns the move-in service; accounts checks patrons as
// registration does and hashes their temporary passwords; circ tells
// the patron of a hold that comes in on the hold shelf, as a copy
// trapped here would; loc is the library's zone, in which the file's
// days are.
func NewMoveIn(db *store.DB, clock Clock, accounts *Accounts, circ *Circulation, loc *time.Location) *MoveIn {
	return &MoveIn{db: db, clock: clock, accounts: accounts, circ: circ, loc: loc, BatchSize: 500, tempHashes: map[string]string{}}
}

// MoveInProgress is reported after every batch.
type MoveInProgress struct {
	Report *MoveInReport // the report so far; read it only in the callback
}

// moveRow is a row checked on its own, ready for the database.
type moveRow struct {
	line   int
	patron *store.Patron // patrons
	card   string        // loans, holds
	// loans
	barcode, loanedOn, due string
	// holds
	recordKey, isbn13, pickup, contact string
	placed                             time.Time
	status, deadline                   string // store.Hold…; the pickup deadline, "" when not given
	from                               string // the library a copy in transit left from; "" when not given
}

// Import reads a file of kind (MoveInPatrons, MoveInLoans, MoveInHolds)
// and brings its good rows in, unless dryRun. A bad row is reported and
// skipped; an error is returned only for a file unusable as a whole, a
// cancelled ctx, or the database failing.
func (m *MoveIn) Import(ctx context.Context, kind string, r io.Reader, dryRun bool, progress func(MoveInProgress)) (*MoveInReport, error) {
	cols, ok := MoveInColumns[kind]
	if !ok {
		return nil, fmt.Errorf("library: move in: unknown kind %q", kind)
	}
	if progress == nil {
		progress = func(MoveInProgress) {}
	}
	rep := &MoveInReport{Kind: kind, DryRun: dryRun}
	sheet, err := importer.OpenSheet(r, m.Limits, cols)
	if err != nil {
		return rep, err
	}
	rep.Encoding, rep.Columns, rep.Unknown = sheet.Encoding, sheet.Columns, sheet.Unknown
	var missing []string
	for _, c := range required[kind] {
		if !sheet.Has(c) {
			missing = append(missing, c+" ("+strings.Join(cols[c][:2], ", ")+")")
		}
	}
	if kind == MoveInHolds && !sheet.Has("record_id") && !sheet.Has("isbn") {
		missing = append(missing, "record_id or isbn (書誌ID, ISBN)")
	}
	if len(missing) > 0 {
		return rep, fmt.Errorf("the header has no column for %s", strings.Join(missing, ", "))
	}
	branches, err := m.branchNames(ctx)
	if err != nil {
		return rep, err
	}
	var prefixes []string
	if kind == MoveInHolds {
		if prefixes, err = m.db.MARCSourcePrefixes(ctx); err != nil {
			return rep, err
		}
	}
	seen := map[string]int{} // key → line, for duplicates in the file
	batch := make([]moveRow, 0, m.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := m.writeBatch(ctx, kind, batch, dryRun, rep, prefixes)
		batch = batch[:0]
		progress(MoveInProgress{Report: rep})
		return err
	}
	for {
		row, err := sheet.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, err
		}
		rep.Rows++
		if row.Err != nil {
			rep.problem(RowProblem{Line: row.Line, Code: RowUnreadable, Detail: row.Err.Error()})
			continue
		}
		var mr moveRow
		var probs []RowProblem
		switch kind {
		case MoveInPatrons:
			mr, probs = m.checkPatron(row, branches)
		case MoveInLoans:
			mr, probs = m.checkLoan(row)
		case MoveInHolds:
			mr, probs = m.checkHold(row, branches)
		}
		bad := false
		for _, p := range probs {
			p.Line = row.Line
			rep.note(p)
			bad = bad || !p.Warning
		}
		if bad {
			rep.Bad++
			continue
		}
		key, field, value := mr.key(kind)
		if first, dup := seen[key]; dup {
			rep.problem(RowProblem{Line: row.Line, Code: RowDuplicate, Field: field, Value: value, First: first})
			continue
		}
		seen[key] = row.Line
		if kind == MoveInHolds && mr.barcode != "" {
			// One copy is kept for one hold.
			if first, dup := seen["\x01"+mr.barcode]; dup {
				rep.problem(RowProblem{Line: row.Line, Code: RowDuplicate, Field: "barcode", Value: mr.barcode, First: first})
				continue
			}
			seen["\x01"+mr.barcode] = row.Line
		}
		batch = append(batch, mr)
		if len(batch) >= m.BatchSize {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	err = flush()
	// Rows the database refused were reported with their batch, after
	// the rows of the file's shape read since: back to the file's order.
	slices.SortStableFunc(rep.Problems, func(a, b RowProblem) int { return a.Line - b.Line })
	return rep, err
}

// key is what makes two rows of a file the same: one patron per card,
// one loan per copy, one hold per patron and title.
func (r moveRow) key(kind string) (key, field, value string) {
	switch kind {
	case MoveInPatrons:
		return r.patron.Card, "card", r.patron.Card
	case MoveInLoans:
		return r.barcode, "barcode", r.barcode
	}
	if r.recordKey != "" {
		return r.card + "\x00" + r.recordKey, "record_id", r.recordKey
	}
	return r.card + "\x00isbn" + r.isbn13, "isbn", r.isbn13
}

// branchNames maps each library's code, name and English name to its
// code.
func (m *MoveIn) branchNames(ctx context.Context) (map[string]string, error) {
	bs, err := m.db.Branches(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, b := range bs {
		for _, n := range []string{b.Code, b.Name, b.NameEn} {
			if n != "" {
				out[strings.ToLower(n)] = b.Code
			}
		}
	}
	return out, nil
}

// fold narrows full-width letters and digits and widens half-width
// katakana, as vendor files mix them.
func fold(s string) string { return strings.TrimSpace(width.Fold.String(s)) }

func (m *MoveIn) card(row importer.SheetRow) (string, []RowProblem) {
	v := row.Get("card")
	if v == "" {
		return "", []RowProblem{{Code: RowMissing, Field: "card"}}
	}
	card, ok := FoldCard(v)
	if !ok {
		return "", []RowProblem{{Code: RowInvalid, Field: "card", Value: v, Detail: "nine_digits"}}
	}
	return card, nil
}

func date(row importer.SheetRow, field string, required bool) (string, *RowProblem) {
	v := row.Get(field)
	if v == "" {
		if required {
			return "", &RowProblem{Code: RowMissing, Field: field}
		}
		return "", nil
	}
	d, err := importer.ParseDate(v)
	if err != nil {
		return "", &RowProblem{Code: RowBadDate, Field: field, Value: v}
	}
	return d, nil
}

// checkPatron checks a patron's row as registration checks the form
// (R35), and keeps the card the patron has.
func (m *MoveIn) checkPatron(row importer.SheetRow, branches map[string]string) (moveRow, []RowProblem) {
	card, probs := m.card(row)
	if card != "" && !CardValid(card) {
		// Vendors number cards their own way: the card is kept, and said.
		probs = append(probs, RowProblem{Code: RowCheckDigit, Field: "card", Value: card, Warning: true})
	}
	if row.Get("name") == "" {
		probs = append(probs, RowProblem{Code: RowMissing, Field: "name"})
	}
	birth, p := date(row, "birth_date", true)
	if p != nil {
		probs = append(probs, *p)
	}
	expiry, p := date(row, "expiry", false)
	if p != nil {
		probs = append(probs, *p)
	}
	home := ""
	if v := row.Get("home_branch"); v != "" {
		if home = branches[strings.ToLower(fold(v))]; home == "" {
			probs = append(probs, RowProblem{Code: RowNoBranch, Field: "home_branch", Value: v})
		}
	}
	category, ok := m.category(row.Get("category"))
	if !ok {
		probs = append(probs, RowProblem{Code: RowInvalid, Field: "category", Value: row.Get("category"), Detail: "no_category"})
	}
	for _, p := range probs {
		if !p.Warning {
			return moveRow{}, probs
		}
	}
	f := PatronForm{Name: row.Get("name"), NameYomi: norm.NFKC.String(row.Get("name_yomi")), BirthDate: birth,
		Address: row.Get("address"), Phone: fold(row.Get("phone")), Mobile: fold(row.Get("mobile")),
		Email: fold(row.Get("email")), HomeBranch: home, Category: category}
	if r := m.accounts.checkForm(&f); r != nil {
		code := RowInvalid
		if row.Get(r.Field) == "" {
			code = RowMissing
		}
		field := r.Field
		if field == "birth_date" { // a real day, but in the future or before 1900
			return moveRow{}, append(probs, RowProblem{Code: RowBadDate, Field: field, Value: row.Get(field)})
		}
		return moveRow{}, append(probs, RowProblem{Code: code, Field: field, Value: row.Get(field)})
	}
	pr := &store.Patron{Card: card, Name: f.Name, NameYomi: f.NameYomi, BirthDate: f.BirthDate,
		Address: f.Address, Phone: f.Phone, Mobile: f.Mobile, Email: f.Email, HomeBranch: f.HomeBranch, Category: f.Category, Expiry: expiry}
	return moveRow{line: row.Line, patron: pr}, probs
}

// category maps a file's category, a code of the configuration or its
// name in Japanese or English, to its code; "" is the first category.
func (m *MoveIn) category(v string) (string, bool) {
	v = fold(v)
	if v == "" {
		return "", true
	}
	for _, c := range m.accounts.cats {
		if strings.EqualFold(v, c.Code) || v == c.Name || strings.EqualFold(v, c.NameEn) {
			return c.Code, true
		}
	}
	return "", false
}

func (m *MoveIn) checkLoan(row importer.SheetRow) (moveRow, []RowProblem) {
	card, probs := m.card(row)
	barcode := fold(row.Get("barcode"))
	if barcode == "" {
		probs = append(probs, RowProblem{Code: RowMissing, Field: "barcode"})
	}
	loaned, p := date(row, "loan_date", false)
	if p != nil {
		probs = append(probs, *p)
	}
	due, p := date(row, "due_date", true)
	if p != nil {
		probs = append(probs, *p)
	}
	if loaned == "" {
		loaned = m.clock.Now().In(m.loc).Format(DateLayout)
	}
	if due != "" && loaned != "" && due < loaned {
		probs = append(probs, RowProblem{Code: RowInvalid, Field: "due_date", Value: row.Get("due_date"), Detail: "before_loan"})
	}
	return moveRow{line: row.Line, card: card, barcode: barcode, loanedOn: loaned, due: due}, probs
}

func (m *MoveIn) checkHold(row importer.SheetRow, branches map[string]string) (moveRow, []RowProblem) {
	card, probs := m.card(row)
	mr := moveRow{line: row.Line, card: card, recordKey: fold(row.Get("record_id"))}
	if v := row.Get("isbn"); v != "" {
		n, ok := isbn.Normalize(v)
		if !ok {
			probs = append(probs, RowProblem{Code: RowInvalid, Field: "isbn", Value: v})
		}
		mr.isbn13 = n
	}
	if mr.recordKey == "" && mr.isbn13 == "" && row.Get("isbn") == "" {
		probs = append(probs, RowProblem{Code: RowMissing, Field: "record_id"})
	}
	placed, p := date(row, "placed_date", true)
	if p != nil {
		probs = append(probs, *p)
	}
	if placed != "" {
		day, _ := time.ParseInLocation(DateLayout, placed, m.loc)
		// The file's order breaks ties between holds of one day: each
		// line a millisecond later, so the queue is the vendor's.
		mr.placed = day.Add(time.Duration(min(row.Line, 86_000_000)) * time.Millisecond)
	}
	if v := row.Get("pickup"); v != "" {
		if mr.pickup = branches[strings.ToLower(fold(v))]; mr.pickup == "" {
			probs = append(probs, RowProblem{Code: RowNoBranch, Field: "pickup", Value: v})
		}
	}
	switch v := strings.ToLower(fold(row.Get("contact"))); v {
	case "":
	case "phone", "電話", "tel":
		mr.contact = "phone"
	case "mobile", "携帯", "携帯電話":
		mr.contact = "mobile"
	case "email", "e-mail", "メール", "mail":
		mr.contact = "email"
	default:
		probs = append(probs, RowProblem{Code: RowInvalid, Field: "contact", Value: row.Get("contact")})
	}
	var ok bool
	if mr.status, ok = holdStatus(row.Get("status")); !ok {
		probs = append(probs, RowProblem{Code: RowInvalid, Field: "status", Value: row.Get("status")})
	}
	if mr.status != store.HoldWaiting {
		// Which copy the vendor gave it: without it, staff could not
		// find the book on the hold shelf.
		if mr.barcode = fold(row.Get("barcode")); mr.barcode == "" && ok {
			probs = append(probs, RowProblem{Code: RowMissing, Field: "barcode", Detail: "no_copy_given"})
		}
	}
	if v := row.Get("from"); v != "" && mr.status == store.HoldInTransit {
		if mr.from = branches[strings.ToLower(fold(v))]; mr.from == "" {
			probs = append(probs, RowProblem{Code: RowNoBranch, Field: "from", Value: v})
		}
	}
	if mr.status == store.HoldReady {
		d, p := date(row, "pickup_deadline", false)
		if p != nil {
			probs = append(probs, *p)
		}
		mr.deadline = d
	}
	return mr, probs
}

// holdStatus reads a hold's state as vendor files write it: waiting in
// the queue (the default), in transit to the pickup library, or ready
// on its hold shelf.
func holdStatus(v string) (string, bool) {
	switch strings.ToLower(fold(v)) {
	case "", "waiting", "予約中", "待ち", "順番待ち", "予約待ち", "受付", "予約受付", "受付中":
		return store.HoldWaiting, true
	case "in_transit", "transit", "t", "回送中", "搬送中", "移送中", "回送":
		return store.HoldInTransit, true
	case "ready", "取置中", "取置", "取置済", "取り置き中", "確保", "確保済", "確保済み", "準備完了", "受取可", "到着", "到着済", "連絡済", "連絡待ち":
		return store.HoldReady, true
	}
	return "", false
}

// writeBatch checks a batch's rows against the database and, unless
// dryRun, writes them in one transaction. Should the database refuse a
// row, the batch is written again a row at a time, so that the others
// are kept and the refused one reported.
func (m *MoveIn) writeBatch(ctx context.Context, kind string, batch []moveRow, dryRun bool, rep *MoveInReport, prefixes []string) error {
	if dryRun {
		var probs []RowProblem
		var counts [3]int
		if err := m.applyRows(ctx, m.db.Reader(), nil, kind, batch, prefixes, &probs, &counts); err != nil {
			return err
		}
		rep.record(probs, counts)
		return nil
	}
	if kind == MoveInPatrons {
		if err := m.hashTemporaries(ctx, batch); err != nil {
			return err
		}
	}
	write := func(rows []moveRow) error {
		var probs []RowProblem
		var counts [3]int
		err := m.db.Tx(ctx, func(tx *sql.Tx) error {
			probs, counts = nil, [3]int{}
			return m.applyRows(ctx, tx, tx, kind, rows, prefixes, &probs, &counts)
		})
		if err == nil {
			rep.record(probs, counts)
		}
		return err
	}
	err := write(batch)
	if err == nil || len(batch) == 1 || !isRowRefusal(err) {
		return err
	}
	for _, r := range batch {
		if err := write([]moveRow{r}); err != nil {
			if !isRowRefusal(err) {
				return err
			}
			rep.problem(RowProblem{Line: r.line, Code: RowRefused, Detail: err.Error()})
		}
	}
	return nil
}

// isRowRefusal tells a row the database refused (a constraint) from the
// database failing (a full disk, a cancelled import): the latter ends
// the import.
func isRowRefusal(err error) bool {
	return errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrReference)
}

func (r *MoveInReport) record(probs []RowProblem, counts [3]int) {
	for _, p := range probs {
		r.problem(p)
	}
	r.Added += counts[0]
	r.Updated += counts[1]
	r.Unchanged += counts[2]
}

// hashTemporaries hashes the temporary passwords the batch's patrons
// need, before the transaction, so the writer is not held while they
// are hashed. The temporary password is the birthday as MMDD (R12): one
// hash per day of the year serves every patron born on it, as the
// password is no secret from anyone who can read the database (it holds
// the birth date) and works only until the patron sets a real one, which
// gets a salt of its own. 100,000 patrons cost at most 366 hashes.
func (m *MoveIn) hashTemporaries(ctx context.Context, batch []moveRow) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range batch {
		mmdd := TemporaryPassword(r.patron.BirthDate)
		if _, ok := m.tempHashes[mmdd]; ok {
			continue
		}
		h, err := m.accounts.hash(ctx, mmdd)
		if err != nil {
			return err
		}
		m.tempHashes[mmdd] = h
	}
	return nil
}

// tempHash is the hash of the temporary password of a patron born on
// birthDate (hashTemporaries made it).
func (m *MoveIn) tempHash(birthDate string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tempHashes[TemporaryPassword(birthDate)]
}

// applyRows checks each row against the database through q and, when tx
// is set, writes it. counts are added, updated, unchanged.
func (m *MoveIn) applyRows(ctx context.Context, q store.Querier, tx *sql.Tx, kind string, rows []moveRow, prefixes []string, probs *[]RowProblem, counts *[3]int) error {
	now := m.clock.Now()
	for _, r := range rows {
		var outcome int
		var p *RowProblem
		var err error
		switch kind {
		case MoveInPatrons:
			outcome, err = m.applyPatron(ctx, q, tx, r, now)
		case MoveInLoans:
			outcome, p, err = m.applyLoan(ctx, q, tx, r)
		case MoveInHolds:
			outcome, p, err = m.applyHold(ctx, q, tx, r, prefixes)
		}
		if err != nil {
			return err
		}
		if p != nil {
			p.Line = r.line
			*probs = append(*probs, *p)
			continue
		}
		counts[outcome]++
	}
	return nil
}

const (
	outcomeAdded = iota
	outcomeUpdated
	outcomeUnchanged
)

func (m *MoveIn) applyPatron(ctx context.Context, q store.Querier, tx *sql.Tx, r moveRow, now time.Time) (int, error) {
	old, err := store.PatronRowByCard(ctx, q, r.patron.Card)
	if errors.Is(err, store.ErrNotFound) {
		if tx != nil {
			p := *r.patron
			return outcomeAdded, store.AddPatronRow(ctx, tx, &p, m.tempHash(p.BirthDate), now)
		}
		return outcomeAdded, nil
	}
	if err != nil {
		return 0, err
	}
	p := *r.patron
	p.ID = old.ID
	if p == *old {
		return outcomeUnchanged, nil
	}
	// A patron already here keeps their password: only the details
	// follow the file.
	if tx != nil {
		return outcomeUpdated, store.UpdatePatronRow(ctx, tx, &p)
	}
	return outcomeUpdated, nil
}

func (m *MoveIn) patronID(ctx context.Context, q store.Querier, card string) (int64, *RowProblem, error) {
	p, err := store.PatronRowByCard(ctx, q, card)
	if errors.Is(err, store.ErrNotFound) {
		return 0, &RowProblem{Code: RowNoPatron, Field: "card", Value: card}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return p.ID, nil, nil
}

func (m *MoveIn) applyLoan(ctx context.Context, q store.Querier, tx *sql.Tx, r moveRow) (int, *RowProblem, error) {
	pid, p, err := m.patronID(ctx, q, r.card)
	if p != nil || err != nil {
		return 0, p, err
	}
	c, err := store.CopyForMoveIn(ctx, q, r.barcode)
	if errors.Is(err, store.ErrNotFound) {
		return 0, &RowProblem{Code: RowNoCopy, Field: "barcode", Value: r.barcode}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	if c.LoanPatron != 0 {
		if c.LoanPatron != pid {
			return 0, &RowProblem{Code: RowCopyUnavailable, Field: "barcode", Value: r.barcode, Detail: "lent"}, nil
		}
		if c.LoanedOn == r.loanedOn && c.DueDate == r.due {
			return outcomeUnchanged, nil, nil
		}
		if tx != nil {
			err = store.SetLoanDates(ctx, tx, c.LoanID, r.loanedOn, r.due)
		}
		return outcomeUpdated, nil, err
	}
	if c.Status != "on_shelf" || c.HeldBy != 0 || c.NotForLoan {
		state := c.Status // in_transit, on_hold_shelf, missing, repair, lost …
		switch {
		case c.HeldBy != 0:
			state = "held"
		case c.NotForLoan:
			state = "not_for_loan"
		}
		return 0, &RowProblem{Code: RowCopyUnavailable, Field: "barcode", Value: r.barcode, Detail: state}, nil
	}
	if tx != nil {
		// The loan keeps the vendor's dates; like every loan it counts,
		// anonymously, for the rankings.
		err = store.AddLoan(ctx, tx, &store.Loan{CopyID: c.ID, PatronID: pid, Branch: c.Branch, LoanedOn: r.loanedOn, DueDate: r.due})
	}
	return outcomeAdded, nil, err
}

func (m *MoveIn) applyHold(ctx context.Context, q store.Querier, tx *sql.Tx, r moveRow, prefixes []string) (int, *RowProblem, error) {
	p, err := store.PatronRowByCard(ctx, q, r.card)
	if errors.Is(err, store.ErrNotFound) {
		return 0, &RowProblem{Code: RowNoPatron, Field: "card", Value: r.card}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	recordID, prob, err := m.recordOf(ctx, q, r, prefixes)
	if prob != nil || err != nil {
		return 0, prob, err
	}
	pickup := r.pickup
	if pickup == "" {
		pickup = p.HomeBranch
	}
	if pickup == "" {
		return 0, &RowProblem{Code: RowMissing, Field: "pickup"}, nil
	}
	contact := r.contact
	switch {
	case contact != "":
	case p.Email != "":
		contact = "email"
	case p.Mobile != "":
		contact = "mobile"
	default:
		contact = "phone"
	}
	if contact == "email" && p.Email == "" {
		return 0, &RowProblem{Code: RowInvalid, Field: "contact", Value: "email", Detail: "no_email"}, nil
	}
	old, err := store.HoldOn(ctx, q, p.ID, recordID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, nil, err
	}
	if old != nil && old.Status != store.HoldWaiting {
		return outcomeUnchanged, nil, nil // a copy is kept for it or on its way to it: leave it be
	}
	if old == nil {
		onLoan, err := store.HasLoanOfRecord(ctx, q, p.ID, recordID)
		if err != nil {
			return 0, nil, err
		}
		if onLoan {
			return 0, &RowProblem{Code: RowOnLoan}, nil
		}
	}
	var cp *store.CopyState
	if r.status != store.HoldWaiting {
		if cp, prob, err = m.heldCopy(ctx, q, r.barcode, recordID); prob != nil || err != nil {
			return 0, prob, err
		}
	}
	if old != nil {
		// The file gives days: a hold placed on the file's day keeps its
		// time, so an export read back changes nothing.
		placed := r.placed
		if sameDay := old.PlacedAt.In(m.loc).Format(DateLayout) == placed.In(m.loc).Format(DateLayout); sameDay {
			placed = old.PlacedAt
		}
		same := old.PlacedAt.Equal(placed) && old.PickupBranch == pickup && old.Contact == contact
		if same && cp == nil {
			return outcomeUnchanged, nil, nil
		}
		if tx != nil && !same {
			err = store.SetHoldPlaced(ctx, tx, old.ID, placed, pickup, contact)
		}
		if err == nil && tx != nil && cp != nil {
			// Waiting here, given a copy there since: it follows the file.
			old.PlacedAt, old.PickupBranch, old.Contact = placed, pickup, contact
			err = m.giveCopy(ctx, tx, old, cp, r)
		}
		return outcomeUpdated, nil, err
	}
	if tx != nil {
		// A waiting hold whose title has a copy on a shelf is on the pick
		// list from now on (R23), as one placed here would be.
		h := store.Hold{RecordID: recordID, PatronID: p.ID, PickupBranch: pickup, Contact: contact, Status: store.HoldWaiting, PlacedAt: r.placed}
		err = store.AddHold(ctx, tx, &h)
		if err == nil && cp != nil {
			err = m.giveCopy(ctx, tx, &h, cp, r)
		}
	}
	return outcomeAdded, nil, err
}

// heldCopy checks the copy a hold brought over on the hold shelf or in
// transit names: a copy of the hold's title, free to be given to it.
func (m *MoveIn) heldCopy(ctx context.Context, q store.Querier, barcode string, recordID int64) (*store.CopyState, *RowProblem, error) {
	c, err := store.CopyForMoveIn(ctx, q, barcode)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &RowProblem{Code: RowNoCopy, Field: "barcode", Value: barcode}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	unavailable := func(state string) (*store.CopyState, *RowProblem, error) {
		return nil, &RowProblem{Code: RowCopyUnavailable, Field: "barcode", Value: barcode, Detail: state}, nil
	}
	switch {
	case c.RecordID != recordID:
		return nil, &RowProblem{Code: RowInvalid, Field: "barcode", Value: barcode, Detail: "other_title"}, nil
	case c.LoanPatron != 0:
		return unavailable("lent")
	case c.HeldBy != 0:
		return unavailable("held")
	case c.NotForLoan:
		return unavailable("not_for_loan")
	case c.Status != store.CopyOnShelf:
		return unavailable(c.Status) // missing, repair, lost, withdrawn …
	}
	return c, nil, nil
}

// giveCopy gives a hold brought over the copy the vendor had given it:
// it lies on the pickup library's hold shelf (ready), or is on its way
// there (in transit), and a scan at that library's desk traps it as
// for any hold.
func (m *MoveIn) giveCopy(ctx context.Context, tx *sql.Tx, h *store.Hold, cp *store.CopyState, r moveRow) error {
	h.CopyID = cp.ID
	if r.status == store.HoldInTransit {
		h.Status = store.HoldInTransit
		if err := store.UpdateHold(ctx, tx, h); err != nil {
			return err
		}
		// It left from the file's library; without one it is listed
		// by where it goes.
		return store.MoveCopy(ctx, tx, cp.ID, store.CopyInTransit, r.from, h.PickupBranch)
	}
	now := m.clock.Now()
	var err error
	if r.deadline != "" {
		// The vendor told the patron: its deadline stands, and lapses
		// the hold here as any other (R24).
		h.Status, h.ReadyAt, h.ContactedAt, h.PickupDeadline = store.HoldReady, now, now, r.deadline
		err = store.UpdateHold(ctx, tx, h)
	} else {
		// Nobody has told the patron yet: an e-mail goes, or the hold
		// is on the call list, as for a copy trapped here.
		err = m.circ.makeReady(ctx, tx, h, now)
	}
	if err != nil {
		return err
	}
	return store.MoveCopy(ctx, tx, cp.ID, store.CopyOnHoldShelf, h.PickupBranch, "")
}

// recordOf finds the title a hold row names: by the record id the
// vendor's catalogue export gave it (Hondana's own source key, or a MARC
// 001 under any organisation's 003), else by ISBN.
func (m *MoveIn) recordOf(ctx context.Context, q store.Querier, r moveRow, prefixes []string) (int64, *RowProblem, error) {
	if r.recordKey != "" {
		keys := []string{r.recordKey, "csv:" + r.recordKey, "marc::" + r.recordKey}
		for _, p := range prefixes {
			keys = append(keys, p+r.recordKey)
		}
		for _, k := range keys {
			id, err := store.RecordIDBySource(ctx, q, k)
			if err == nil {
				return id, nil, nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return 0, nil, err
			}
		}
	}
	if r.isbn13 != "" {
		id, err := store.RecordIDByISBN(ctx, q, r.isbn13)
		if err == nil {
			return id, nil, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return 0, nil, err
		}
		return 0, &RowProblem{Code: RowNoRecord, Field: "isbn", Value: r.isbn13}, nil
	}
	return 0, &RowProblem{Code: RowNoRecord, Field: "record_id", Value: r.recordKey}, nil
}
