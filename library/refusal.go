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
	// Limit is the number a limit's message states ("貸出上限（10冊）").
	Limit int
	// Material is the material type a loan rule's message names.
	Material string
	// Detail says more, in the words of the rule, for staff (what is
	// wrong with a rule table).
	Detail string
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
	CopyWithdrawn  = "copy_withdrawn" // the copy left the catalogue
	// OverdueBlocked: a loan is more days overdue than the policy
	// allows new loans with (R53); staff may override with a reason.
	OverdueBlocked = "overdue_blocked"
	// CardExpired: the patron's card is past its expiry; staff renew it
	// at the counter (Accounts.RenewCard) before it lends or reserves.
	CardExpired = "card_expired"
)

// The loan rules (R54): patron categories × material types, copy flags
// and statuses.
const (
	ReferenceOnly        = "reference_only"          // 館内のみ: the material type is not lent
	NotHoldable          = "not_holdable"            // the rules hold no title of that type
	NoCopyToLend         = "no_copy_to_lend"         // every copy is 禁帯出, lost or withdrawn
	TypeLoanLimitReached = "type_loan_limit_reached" // the most loans of one material type
	TypeHoldLimitReached = "type_hold_limit_reached" // the most holds of one material type
	NotRenewable         = "not_renewable"           // the rules renew no loan of that type
	NotForLoan           = "not_for_loan"            // the copy's flag 禁帯出
	CopyInRepair         = "copy_in_repair"          // 修理中
	CopyLost             = "copy_lost"               // 紛失
	CopyMissing          = "copy_missing"            // 調査中
	InvalidRules         = "invalid_rules"           // a rule table staff saved
	// The counter's scan box (R50).
	NoPatronOpen   = "no_patron_open"   // lend mode with no card scanned
	CardMisread    = "card_misread"     // nine digits whose check digit fails
	NothingToUndo  = "nothing_to_undo"  // no loan of this session to undo
	UndoHoldFilled = "undo_hold_filled" // the loan fulfilled a hold: return it instead
	// CopyStateLocked: a copy on loan, travelling or on a hold shelf
	// keeps its status; staff may change its flag 禁帯出 only.
	CopyStateLocked = "copy_state_locked"
	InvalidResult   = "invalid_result" // a call's result: reached or unreachable
)

// Hold options, series-order holds, the reading history and favourites
// (MISSION §7).
const (
	// InvalidNotAfter: a hold's end date is not a date from today to a
	// year ahead.
	InvalidNotAfter = "invalid_not_after"
	// NoVolumes: a series-order hold with no volume chosen.
	NoVolumes = "no_volumes"
	// ReadingNotFound: no such entry in the patron's reading history.
	ReadingNotFound = "reading_not_found"
	// FavouriteNotFound: the title is not on the patron's favourites.
	FavouriteNotFound = "favourite_not_found"
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
