package library

import (
	"testing"

	"hondana/store"
)

// ruleCase is a state that breaks one rule, or none, and the refusal
// expected ("" for none).
type ruleCase[S any] struct {
	name        string
	change      func(*S)
	code, field string
}

// testRule runs each case on its own copy of a state every rule allows.
func testRule[S any](t *testing.T, allowed S, check func(S) *Refusal, cases []ruleCase[S]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := allowed
			tt.change(&s)
			code, field := "", ""
			if r := check(s); r != nil {
				code, field = r.Code, r.Field
			}
			if code != tt.code || field != tt.field {
				t.Errorf("got %q (%q), want %q (%q)", code, field, tt.code, tt.field)
			}
		})
	}
}

// testRuleOrder checks that with several rules broken the first one is
// reported: faults come in the rules' order, and case i breaks the
// i-th rule and all after it.
func testRuleOrder[S any](t *testing.T, allowed S, check func(S) *Refusal, faults []ruleCase[S]) {
	t.Helper()
	for i, f := range faults {
		t.Run(f.code, func(t *testing.T) {
			t.Parallel()
			s := allowed
			for _, later := range faults[i:] {
				later.change(&s)
			}
			if r := check(s); r == nil || r.Code != f.code {
				t.Errorf("got %v, want %q", r, f.code)
			}
		})
	}
}

var holdAllowed = HoldRequest{RecordExists: true, BranchExists: true, Contact: ContactPhone, HoldLimit: 10,
	Material: "book", Terms: DefaultTerms(), Lendable: true}

// TestCheckHold: each rule of placing a hold on its own.
func TestCheckHold(t *testing.T) {
	t.Parallel()
	testRule(t, holdAllowed, CheckHold, []ruleCase[HoldRequest]{
		{"by phone", func(*HoldRequest) {}, "", ""},
		{"by mobile", func(q *HoldRequest) { q.Contact = ContactMobile }, "", ""},
		{"by e-mail to a registered address", func(q *HoldRequest) { q.Contact, q.PatronEmail = ContactEmail, "hanako@example.jp" }, "", ""},
		{"one below the limit", func(q *HoldRequest) { q.Holds = 9 }, "", ""},
		{"no such title", func(q *HoldRequest) { q.RecordExists = false }, RecordNotFound, ""},
		{"no such pickup branch", func(q *HoldRequest) { q.BranchExists = false }, UnknownBranch, "pickup_branch"},
		{"by e-mail with no address", func(q *HoldRequest) { q.Contact = ContactEmail }, EmailNotRegistered, "contact"},
		{"by carrier pigeon", func(q *HoldRequest) { q.Contact = "pigeon" }, InvalidContact, "contact"},
		{"an expired card", func(q *HoldRequest) { q.CardExpired = true }, CardExpired, ""},
		{"no contact", func(q *HoldRequest) { q.Contact = "" }, InvalidContact, "contact"},
		{"a copy out with the patron", func(q *HoldRequest) { q.OnLoan = true }, AlreadyOnLoan, ""},
		{"reserved already", func(q *HoldRequest) { q.Reserved = true }, AlreadyReserved, ""},
		{"at the limit", func(q *HoldRequest) { q.Holds = 10 }, HoldLimitReached, ""},
		{"over a lowered limit", func(q *HoldRequest) { q.Holds, q.HoldLimit = 12, 5 }, HoldLimitReached, ""},
		{"a type for use in the library only", func(q *HoldRequest) { q.Terms.ReferenceOnly = true }, ReferenceOnly, ""},
		{"a type the rules hold not", func(q *HoldRequest) { q.Terms.Holdable = false }, NotHoldable, ""},
		{"no copy that could be lent", func(q *HoldRequest) { q.Lendable = false }, NoCopyToLend, ""},
		{"below the type's limit", func(q *HoldRequest) { q.TypeHolds, q.Terms.MaxHolds = 1, 2 }, "", ""},
		{"at the type's limit", func(q *HoldRequest) { q.TypeHolds, q.Terms.MaxHolds = 2, 2 }, TypeHoldLimitReached, ""},
	})
}

// TestLimitRefusalsSayTheirNumber: a limit's refusal carries the number
// its message states ("予約できる件数の上限（5件）") and the material type.
func TestLimitRefusalsSayTheirNumber(t *testing.T) {
	t.Parallel()
	q := holdAllowed
	q.Holds, q.HoldLimit = 5, 5
	if r := CheckHold(q); r == nil || r.Limit != 5 {
		t.Errorf("hold limit: %+v", r)
	}
	q = holdAllowed
	q.Material, q.TypeHolds, q.Terms.MaxHolds = "video", 2, 2
	if r := CheckHold(q); r == nil || r.Limit != 2 || r.Material != "video" {
		t.Errorf("type hold limit: %+v", r)
	}
	s := checkoutAllowed
	s.Loans, s.LoanLimit = 3, 3
	if r := CheckCheckout(s); r == nil || r.Limit != 3 {
		t.Errorf("loan limit: %+v", r)
	}
	s = checkoutAllowed
	s.Overdue, s.OverdueBlockDays = 31, 30
	if r := CheckCheckout(s); r == nil || r.Code != OverdueBlocked || r.Limit != 30 {
		t.Errorf("overdue rule: %+v", r)
	}
}

// TestCheckHoldOrder: with several rules broken, the first in the order
// R20–R28 is the one reported.
func TestCheckHoldOrder(t *testing.T) {
	t.Parallel()
	testRuleOrder(t, holdAllowed, CheckHold, []ruleCase[HoldRequest]{
		{code: RecordNotFound, change: func(q *HoldRequest) { q.RecordExists = false }},
		{code: UnknownBranch, change: func(q *HoldRequest) { q.BranchExists = false }},
		{code: CardExpired, change: func(q *HoldRequest) { q.CardExpired = true }},
		{code: InvalidContact, change: func(q *HoldRequest) { q.Contact = "pigeon" }},
		{code: ReferenceOnly, change: func(q *HoldRequest) { q.Terms.ReferenceOnly = true }},
		{code: NotHoldable, change: func(q *HoldRequest) { q.Terms.Holdable = false }},
		{code: NoCopyToLend, change: func(q *HoldRequest) { q.Lendable = false }},
		{code: AlreadyOnLoan, change: func(q *HoldRequest) { q.OnLoan = true }},
		{code: AlreadyReserved, change: func(q *HoldRequest) { q.Reserved = true }},
		{code: HoldLimitReached, change: func(q *HoldRequest) { q.Holds = 10 }},
		{code: TypeHoldLimitReached, change: func(q *HoldRequest) { q.TypeHolds = 10 }},
	})
}

var checkoutAllowed = CheckoutState{BranchExists: true, PatronFound: true, PatronID: 7, CopyFound: true,
	CopyStatus: store.CopyOnShelf, LoanLimit: 10, Material: "book", Terms: DefaultTerms()}

// TestCheckCheckout: each rule of lending on its own.
func TestCheckCheckout(t *testing.T) {
	t.Parallel()
	testRule(t, checkoutAllowed, CheckCheckout, []ruleCase[CheckoutState]{
		{"a copy from the shelf", func(*CheckoutState) {}, "", ""},
		{"a copy held for this patron", func(s *CheckoutState) { s.CopyStatus, s.HeldFor = store.CopyOnHoldShelf, 7 }, "", ""},
		{"a copy in transit", func(s *CheckoutState) { s.CopyStatus = store.CopyInTransit }, "", ""},
		{"one below the limit", func(s *CheckoutState) { s.Loans = 9 }, "", ""},
		{"no such branch", func(s *CheckoutState) { s.BranchExists = false }, UnknownBranch, "branch"},
		{"no such card", func(s *CheckoutState) { s.PatronFound = false }, PatronNotFound, ""},
		{"no such barcode", func(s *CheckoutState) { s.CopyFound = false }, ItemNotFound, ""},
		{"a withdrawn copy", func(s *CheckoutState) { s.CopyStatus = store.CopyWithdrawn }, CopyWithdrawn, ""},
		{"a blocked patron", func(s *CheckoutState) { s.Blocked = "未返却" }, PatronBlocked, ""},
		{"an expired card", func(s *CheckoutState) { s.CardExpired = true }, CardExpired, ""},
		{"a copy on loan", func(s *CheckoutState) { s.CopyStatus = store.CopyOnLoan }, ItemOnLoan, ""},
		{"a copy held for another", func(s *CheckoutState) { s.CopyStatus, s.HeldFor = store.CopyOnHoldShelf, 8 }, HeldForAnother, ""},
		{"at the limit", func(s *CheckoutState) { s.Loans = 10 }, LoanLimitReached, ""},
		{"over a lowered limit", func(s *CheckoutState) { s.Loans, s.LoanLimit = 12, 5 }, LoanLimitReached, ""},
		{"overdue, no rule", func(s *CheckoutState) { s.Overdue = 400 }, "", ""},
		{"overdue within the rule", func(s *CheckoutState) { s.Overdue, s.OverdueBlockDays = 30, 30 }, "", ""},
		{"overdue past the rule", func(s *CheckoutState) { s.Overdue, s.OverdueBlockDays = 31, 30 }, OverdueBlocked, ""},
		{"overdue past the rule, overridden", func(s *CheckoutState) { s.Overdue, s.OverdueBlockDays, s.Override = 31, 30, true }, "", ""},
		{"a lapsed hold's copy", func(s *CheckoutState) { s.CopyStatus = store.CopyOnHoldShelf }, LapsedHoldCopy, ""},
		{"修理中", func(s *CheckoutState) { s.CopyStatus = store.CopyRepair }, CopyInRepair, ""},
		{"紛失", func(s *CheckoutState) { s.CopyStatus = store.CopyLost }, CopyLost, ""},
		{"調査中", func(s *CheckoutState) { s.CopyStatus = store.CopyMissing }, CopyMissing, ""},
		{"禁帯出", func(s *CheckoutState) { s.NotForLoan = true }, NotForLoan, ""},
		{"a type for use in the library only", func(s *CheckoutState) { s.Terms.ReferenceOnly = true }, ReferenceOnly, ""},
		{"below the type's limit", func(s *CheckoutState) { s.TypeLoans, s.Terms.MaxLoans = 1, 2 }, "", ""},
		{"at the type's limit", func(s *CheckoutState) { s.TypeLoans, s.Terms.MaxLoans = 2, 2 }, TypeLoanLimitReached, ""},
	})
}

// TestCheckCheckoutOrder: with several rules broken, the first in the
// order of R37 is the one reported.
func TestCheckCheckoutOrder(t *testing.T) {
	t.Parallel()
	testRuleOrder(t, checkoutAllowed, CheckCheckout, []ruleCase[CheckoutState]{
		{code: UnknownBranch, change: func(s *CheckoutState) { s.BranchExists = false }},
		{code: PatronNotFound, change: func(s *CheckoutState) { s.PatronFound = false }},
		{code: ItemNotFound, change: func(s *CheckoutState) { s.CopyFound = false }},
		{code: PatronBlocked, change: func(s *CheckoutState) { s.Blocked = "未返却" }},
		{code: CardExpired, change: func(s *CheckoutState) { s.CardExpired = true }},
		{code: OverdueBlocked, change: func(s *CheckoutState) { s.Overdue, s.OverdueBlockDays = 40, 30 }},
		{code: ItemOnLoan, change: func(s *CheckoutState) { s.CopyStatus = store.CopyOnLoan }},
		{code: HeldForAnother, change: func(s *CheckoutState) { s.HeldFor = 8 }},
		{code: NotForLoan, change: func(s *CheckoutState) { s.NotForLoan = true }},
		{code: ReferenceOnly, change: func(s *CheckoutState) { s.Terms.ReferenceOnly = true }},
		{code: LoanLimitReached, change: func(s *CheckoutState) { s.Loans = 10 }},
		{code: TypeLoanLimitReached, change: func(s *CheckoutState) { s.TypeLoans = 10 }},
	})
}
