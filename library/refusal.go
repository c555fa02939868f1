package library

import (
	"fmt"
	"time"
)

// Refusal is a rule saying no: a stable code for programs, and what the
// message needs. The ui package maps codes to status and words.
type Refusal struct {
	Code string
	// Field names the input at fault, when there is one.
	Field string
	// At is the time the message mentions (when a temporary password
	// becomes usable).
	At time.Time
	// RetryAfter is how long to wait before trying again.
	RetryAfter time.Duration
}

func (r *Refusal) Error() string {
	if r.Field != "" {
		return fmt.Sprintf("refused: %s (%s)", r.Code, r.Field)
	}
	return "refused: " + r.Code
}

func refuse(code string) *Refusal { return &Refusal{Code: code} }

// Every refusal code the rules give, in one place: the API names them
// (API.md), and the ui package gives each a status and a message.

// Logins and sessions.
const (
	InvalidCredentials         = "invalid_credentials"
	InvalidCard                = "invalid_card"
	TemporaryPasswordNotActive = "temporary_password_not_active"
	TemporaryPasswordExpired   = "temporary_password_expired"
	TemporaryPasswordVoid      = "temporary_password_void"
	TooManyAttempts            = "too_many_attempts"
	AccountLocked              = "account_locked"
	PasswordChangeRequired     = "password_change_required"
	WrongPassword              = "wrong_password"
	Unauthorized               = "unauthorized"
	// Forbidden: signed in, but not allowed this (a patron on a staff
	// route, a librarian on an admin page).
	Forbidden = "forbidden"
	// TOTPRequired: the staff account has a second factor and the
	// login gave no code; InvalidTOTP: the code was wrong or used.
	TOTPRequired = "totp_required"
	InvalidTOTP  = "invalid_totp"
)

// Passwords: one code per violation, so each gets its own message.
const (
	PasswordTooShort  = "password_too_short"
	PasswordTooLong   = "password_too_long"
	PasswordSymbol    = "password_symbol"    // a symbol or a space
	PasswordNonASCII  = "password_non_ascii" // full-width or any non-ASCII character
	PasswordMismatch  = "password_mismatch"
	PasswordGuessable = "password_guessable" // the MMDD or the card's own digits
	PasswordEmpty     = "password_empty"
	// StaffPasswordShort: staff passwords have no 8-character cap and
	// need at least 10.
	StaffPasswordShort = "staff_password_short"
)

// Patrons, staff accounts and forms.
const (
	InvalidField   = "invalid_field" // Field names which
	InvalidEmail   = "invalid_email"
	PatronNotFound = "patron_not_found"
	StaffExists    = "staff_exists"
	// LastAdmin: the only enabled admin cannot demote or disable itself,
	// or nobody could manage staff accounts from the browser.
	LastAdmin = "last_admin"
)

// Holds, loans and the counter.
const (
	AlreadyOnLoan      = "already_on_loan"
	AlreadyReserved    = "already_reserved"
	HoldLimitReached   = "hold_limit_reached"
	EmailNotRegistered = "email_not_registered"
	UnknownBranch      = "unknown_branch"
	InvalidContact     = "invalid_contact"
	RecordNotFound     = "record_not_found"
	HoldNotFound       = "hold_not_found"
	HoldNotChangeable  = "hold_not_changeable"
	HoldNotReady       = "hold_not_ready"
	LoanNotFound       = "loan_not_found"
	ReservedByOthers   = "reserved_by_others"
	Overdue            = "overdue"
	AlreadyRenewed     = "already_renewed"
	ItemOnLoan         = "item_on_loan"
	LoanLimitReached   = "loan_limit_reached"
	HeldForAnother     = "held_for_another"
	ItemNotFound       = "item_not_found"
	PatronBlocked      = "patron_blocked"
	NotInTransit       = "not_in_transit"
	// LapsedHoldCopy: a copy left on the hold shelf by a hold that
	// lapsed or was cancelled is scanned back before it is lent.
	LapsedHoldCopy = "lapsed_hold_copy"
	InvalidResult  = "invalid_result" // a call's result: reached or unreachable
)

// The catalogue.
const (
	DuplicateBarcode = "duplicate_barcode"
	// CopyInUse: a copy on loan, in transit or serving a hold cannot be
	// withdrawn.
	CopyInUse     = "copy_in_use"
	UnknownFormat = "unknown_format" // an import file of no format known
	// UnsupportedFormat: a JSON file (MARC-in-JSON), which no reader
	// here takes.
	UnsupportedFormat = "unsupported_format"
	QueryRequired     = "query_required" // a search with neither words nor a filter
	// CoverUnreadable: a cover is a JPEG, PNG or WebP image.
	CoverUnreadable = "cover_unreadable"
	// CoverTooLarge: a cover file of more than MaxCoverBytes, or an
	// image too large to decode safely.
	CoverTooLarge = "cover_too_large"
)

// Notices.
const (
	MailNotFound  = "mail_not_found"
	MailNotFailed = "mail_not_failed" // only a failed message is sent again
)

// The calendar.
const (
	InvalidRange = "invalid_range" // a closure's days
	InvalidHours = "invalid_hours" // a special day's opening hours
)
