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

var holdAllowed = HoldRequest{RecordExists: true, BranchExists: true, Contact: ContactPhone, HoldLimit: 10}

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
		{"no contact", func(q *HoldRequest) { q.Contact = "" }, InvalidContact, "contact"},
		{"a copy out with the patron", func(q *HoldRequest) { q.OnLoan = true }, AlreadyOnLoan, ""},
		{"reserved already", func(q *HoldRequest) { q.Reserved = true }, AlreadyReserved, ""},
		{"at the limit", func(q *HoldRequest) { q.Holds = 10 }, HoldLimitReached, ""},
		{"over a lowered limit", func(q *HoldRequest) { q.Holds, q.HoldLimit = 12, 5 }, HoldLimitReached, ""},
	})
}

// TestCheckHoldOrder: with several rules broken, the first in the order
// R20–R28 is the one reported.
func TestCheckHoldOrder(t *testing.T) {
	t.Parallel()
	testRuleOrder(t, holdAllowed, CheckHold, []ruleCase[HoldRequest]{
		{code: RecordNotFound, change: func(q *HoldRequest) { q.RecordExists = false }},
		{code: UnknownBranch, change: func(q *HoldRequest) { q.BranchExists = false }},
		{code: InvalidContact, change: func(q *HoldRequest) { q.Contact = "pigeon" }},
		{code: AlreadyOnLoan, change: func(q *HoldRequest) { q.OnLoan = true }},
		{code: AlreadyReserved, change: func(q *HoldRequest) { q.Reserved = true }},
		{code: HoldLimitReached, change: func(q *HoldRequest) { q.Holds = 10 }},
	})
}

var checkoutAllowed = CheckoutState{BranchExists: true, PatronFound: true, PatronID: 7, CopyFound: true,
	CopyStatus: store.CopyOnShelf, LoanLimit: 10}

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
		{"a withdrawn copy", func(s *CheckoutState) { s.CopyStatus = store.CopyWithdrawn }, ItemNotFound, ""},
		{"a blocked patron", func(s *CheckoutState) { s.Blocked = "未返却" }, PatronBlocked, ""},
		{"a copy on loan", func(s *CheckoutState) { s.CopyStatus = store.CopyOnLoan }, ItemOnLoan, ""},
		{"a copy held for another", func(s *CheckoutState) { s.CopyStatus, s.HeldFor = store.CopyOnHoldShelf, 8 }, HeldForAnother, ""},
		{"at the limit", func(s *CheckoutState) { s.Loans = 10 }, LoanLimitReached, ""},
		{"over a lowered limit", func(s *CheckoutState) { s.Loans, s.LoanLimit = 12, 5 }, LoanLimitReached, ""},
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
		{code: ItemOnLoan, change: func(s *CheckoutState) { s.CopyStatus = store.CopyOnLoan }},
		{code: HeldForAnother, change: func(s *CheckoutState) { s.HeldFor = 8 }},
		{code: LoanLimitReached, change: func(s *CheckoutState) { s.Loans = 10 }},
	})
}
