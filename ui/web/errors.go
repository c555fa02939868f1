package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// Error is a failure with a stable code for programs and a message id for
// people. Handlers return it; fail renders it.
type Error struct {
	Status int
	Code   string
	Msg    string // message id, see messages
	Args   []any
	Field  string // the parameter or field at fault, for programs
	// RetryAfter is sent as the Retry-After header.
	RetryAfter time.Duration
}

// Error is the error's code.
func (e *Error) Error() string { return e.Code }

// NotFound is a 404 with code, its message "err." + code.
func NotFound(code string) *Error {
	return &Error{Status: http.StatusNotFound, Code: code, Msg: "err." + code}
}

// badParam is a 422 for a query parameter with a bad value.
func badParam(name, whyID string, whyArgs ...any) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalidParameter, Msg: "err.invalid_parameter", Field: name,
		Args: []any{Why{ID: "param." + name}, Why{whyID, whyArgs}}}
}

// Why is a translatable argument of a message.
type Why struct {
	ID   string
	Args []any
}

// jsonKey marks a request of the JSON API in its context.
const jsonKey = "hondana.json"

// JSON is the middleware of the API's engine: its requests authenticate
// by bearer token, and their failures are written as JSON.
func JSON(c *gin.Context) {
	c.Set(jsonKey, true)
	c.Next()
}

// isJSON reports whether c is a request of the JSON API (see JSON).
func isJSON(c *gin.Context) bool { return c.GetBool(jsonKey) }

// Codes of failures that belong to the web side rather than to a rule;
// the rules' codes are in package library.
const (
	CodeBadRequest       = "bad_request"
	CodeTooLarge         = "too_large"
	codeCSRF             = "csrf"
	codeMethodNotAllowed = "method_not_allowed"
	CodeNotFound         = "not_found"
	codeConflict         = "conflict"
	codeInternal         = "internal"
	codeInvalidParameter = "invalid_parameter"
	CodeInvalidClock     = "invalid_clock"
	CodeCartFull         = "cart_full"
	codeShuttingDown     = "shutting_down"
	// CodeStorageUnavailable: the disk did not take the change (see
	// store.ErrStorage).
	CodeStorageUnavailable = "storage_unavailable"
)

// ErrShuttingDown refuses work that would outlive a request once the
// server has begun to stop.
var ErrShuttingDown = &Error{Status: http.StatusServiceUnavailable, Code: codeShuttingDown, Msg: "err.shutting_down"}

// httpError is err as the client sees it: an *Error as it is, a rule's
// refusal with its status and message, the store's "not found" and
// "conflict" as 404 and 409, a disk that takes no writes as a 503 (see
// storageError), and anything else as a 500 without detail (logged). This is the one place errors become statuses, so a handler
// simply returns what the rules returned.
func (s *Server) httpError(c *gin.Context, err error) *Error {
	var e *Error
	var r *library.Refusal
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &r):
		return refusalError(r, s.Calendar.Location())
	case errors.Is(err, store.ErrNotFound):
		return NotFound(CodeNotFound)
	case errors.Is(err, store.ErrConflict):
		// A unique index, the last line of defence, caught a change
		// that raced another: trying again gets the real answer.
		return &Error{Status: http.StatusConflict, Code: codeConflict, Msg: "err.conflict"}
	case errors.Is(err, store.ErrStorage):
		return s.storageError(c, err)
	}
	s.Log.Error("request failed", "method", c.Request.Method, "path", library.Redact(c.Request.URL.Path), "err", err)
	return &Error{Status: http.StatusInternalServerError, Code: codeInternal, Msg: "err.internal"}
}

// storageError is the answer to a write the disk did not take: a 503
// that says the library cannot save right now and that nothing was
// changed, logged, as someone has to free space or mend the disk.
func (s *Server) storageError(c *gin.Context, err error) *Error {
	s.Log.Error("cannot save: storage unavailable", "method", c.Request.Method, "path", library.Redact(c.Request.URL.Path), "err", err)
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeStorageUnavailable, Msg: "err.storage_unavailable"}
}

// Fail writes err as JSON for the API and as a page for people.
func (s *Server) Fail(c *gin.Context, err error) {
	e := s.httpError(c, err)
	l := Lang(c)
	msg := s.Message(c, e)
	if isJSON(c) {
		body := gin.H{"code": e.Code, "message": msg}
		if e.Field != "" {
			body["field"] = e.Field
		}
		c.AbortWithStatusJSON(e.Status, gin.H{"error": body})
		return
	}
	title := T(l, "error.title")
	if e.Status == http.StatusNotFound {
		title = T(l, "notfound.title")
	}
	page := "error"
	if name := c.GetString(errorPageKey); name != "" {
		page = name
	}
	s.Render(c, e.Status, page, title, gin.H{"Message": msg, "Status": e.Status})
	c.Abort()
}

// Message words e in the reader's language and sets Retry-After when it
// asks the client to wait.
func (s *Server) Message(c *gin.Context, e *Error) string {
	l := Lang(c)
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		switch v := a.(type) {
		case Why:
			a = T(l, v.ID, v.Args...)
		case timeArg:
			a = FmtDateTime(l, v.t)
		}
		args[i] = a
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", retryAfterSeconds(e.RetryAfter))
	}
	return T(l, e.Msg, args...)
}

// refusalStatus maps the rules' refusal codes to HTTP statuses, and the
// API code when it differs from the rule's own.
var refusalStatus = map[string]struct {
	status int
	code   string
}{
	library.InvalidCredentials:         {http.StatusUnauthorized, ""},
	library.InvalidCard:                {http.StatusUnprocessableEntity, ""},
	library.TemporaryPasswordNotActive: {http.StatusForbidden, ""},
	library.TemporaryPasswordExpired:   {http.StatusForbidden, ""},
	library.TemporaryPasswordVoid:      {http.StatusForbidden, ""},
	library.TooManyAttempts:            {http.StatusTooManyRequests, ""},
	library.AccountLocked:              {http.StatusForbidden, ""},
	library.PasswordChangeRequired:     {http.StatusForbidden, ""},
	library.WrongPassword:              {http.StatusUnauthorized, ""},
	library.TOTPRequired:               {http.StatusUnauthorized, ""},
	library.InvalidTOTP:                {http.StatusUnauthorized, ""},
	library.Unauthorized:               {http.StatusUnauthorized, ""},
	library.Forbidden:                  {http.StatusForbidden, ""},
	library.InvalidEmail:               {http.StatusUnprocessableEntity, ""},
	library.InvalidField:               {http.StatusUnprocessableEntity, ""},
	library.PatronNotFound:             {http.StatusNotFound, ""},
	library.PasswordMismatch:           {http.StatusUnprocessableEntity, "password_mismatch"},
	library.AlreadyOnLoan:              {http.StatusConflict, ""},
	library.AlreadyReserved:            {http.StatusConflict, ""},
	library.HoldLimitReached:           {http.StatusConflict, ""},
	library.EmailNotRegistered:         {http.StatusUnprocessableEntity, ""},
	library.UnknownBranch:              {http.StatusUnprocessableEntity, ""},
	library.InvalidContact:             {http.StatusUnprocessableEntity, ""},
	library.RecordNotFound:             {http.StatusNotFound, ""},
	library.HoldNotFound:               {http.StatusNotFound, ""},
	library.HoldNotChangeable:          {http.StatusConflict, ""},
	library.HoldNotReady:               {http.StatusConflict, ""},
	library.LoanNotFound:               {http.StatusNotFound, ""},
	library.ReservedByOthers:           {http.StatusConflict, ""},
	library.Overdue:                    {http.StatusConflict, ""},
	library.AlreadyRenewed:             {http.StatusConflict, ""},
	library.ItemOnLoan:                 {http.StatusConflict, ""},
	library.LoanLimitReached:           {http.StatusConflict, ""},
	library.HeldForAnother:             {http.StatusConflict, ""},
	library.ItemNotFound:               {http.StatusNotFound, ""},
	library.PatronBlocked:              {http.StatusConflict, ""},
	library.CardExpired:                {http.StatusConflict, ""},
	library.NotInTransit:               {http.StatusConflict, ""},
	library.LapsedHoldCopy:             {http.StatusConflict, ""},
	library.CopyWithdrawn:              {http.StatusConflict, ""},
	library.OverdueBlocked:             {http.StatusConflict, ""},
	library.ReferenceOnly:              {http.StatusConflict, ""},
	library.NotHoldable:                {http.StatusConflict, ""},
	library.NoCopyToLend:               {http.StatusConflict, ""},
	library.TypeLoanLimitReached:       {http.StatusConflict, ""},
	library.TypeHoldLimitReached:       {http.StatusConflict, ""},
	library.NotRenewable:               {http.StatusConflict, ""},
	library.NotForLoan:                 {http.StatusConflict, ""},
	library.CopyInRepair:               {http.StatusConflict, ""},
	library.CopyLost:                   {http.StatusConflict, ""},
	library.CopyMissing:                {http.StatusConflict, ""},
	library.InvalidRules:               {http.StatusUnprocessableEntity, ""},
	library.CopyStateLocked:            {http.StatusConflict, ""},
	library.NoPatronOpen:               {http.StatusConflict, ""},
	library.CardMisread:                {http.StatusNotFound, ""},
	library.NothingToUndo:              {http.StatusConflict, ""},
	library.UndoHoldFilled:             {http.StatusConflict, ""},
	library.InvalidResult:              {http.StatusUnprocessableEntity, ""},
	library.InvalidRange:               {http.StatusUnprocessableEntity, ""},
	library.StaffPasswordShort:         {http.StatusUnprocessableEntity, ""},
	library.StaffExists:                {http.StatusConflict, ""},
	library.LastAdmin:                  {http.StatusConflict, ""},
	library.CopyInUse:                  {http.StatusConflict, ""},
	library.DuplicateBarcode:           {http.StatusConflict, ""},
	library.UnknownFormat:              {http.StatusUnprocessableEntity, ""},
	library.UnsupportedFormat:          {http.StatusUnprocessableEntity, ""},
	library.QueryRequired:              {http.StatusUnprocessableEntity, ""},
	library.CoverUnreadable:            {http.StatusUnprocessableEntity, ""},
	library.CoverTooLarge:              {http.StatusRequestEntityTooLarge, ""},
	library.InvalidHours:               {http.StatusUnprocessableEntity, ""},
	library.MailNotFound:               {http.StatusNotFound, ""},
	library.MailNotFailed:              {http.StatusConflict, ""},
	library.PasswordTooShort:           {http.StatusUnprocessableEntity, "invalid_password"},
	library.PasswordTooLong:            {http.StatusUnprocessableEntity, "invalid_password"},
	library.PasswordSymbol:             {http.StatusUnprocessableEntity, "invalid_password"},
	library.PasswordNonASCII:           {http.StatusUnprocessableEntity, "invalid_password"},
	library.PasswordGuessable:          {http.StatusUnprocessableEntity, "invalid_password"},
	library.PasswordEmpty:              {http.StatusUnprocessableEntity, "invalid_password"},
}

// refusalError turns a rule's refusal into an HTTP error with a message.
func refusalError(r *library.Refusal, loc *time.Location) *Error {
	m, ok := refusalStatus[r.Code]
	if !ok {
		m.status = http.StatusConflict
	}
	code := r.Code
	if m.code != "" {
		code = m.code
	}
	e := &Error{Status: m.status, Code: code, Msg: "err." + r.Code, Field: r.Field}
	switch {
	case r.Code == library.TemporaryPasswordNotActive:
		e.Args = []any{timeArg{r.At.In(loc)}}
	case r.Code == library.InvalidField:
		e.Args = []any{Why{ID: "field." + r.Field}}
	case r.RetryAfter > 0:
		e.RetryAfter = r.RetryAfter
		e.Args = []any{minutes(r.RetryAfter)}
	case r.Material != "" && r.Limit > 0:
		e.Args = []any{Why{ID: "mt." + r.Material}, r.Limit}
	case r.Material != "":
		e.Args = []any{Why{ID: "mt." + r.Material}}
	case r.Limit > 0 || r.Code == library.LoanLimitReached || r.Code == library.HoldLimitReached:
		e.Args = []any{r.Limit}
	case r.Detail != "":
		e.Args = []any{r.Detail}
	}
	return e
}

func minutes(d time.Duration) int {
	m := int((d + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}

// timeArg is a time a message shows in the reader's language.
type timeArg struct{ t time.Time }

func retryAfterSeconds(d time.Duration) string {
	sec := int((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return strconv.Itoa(sec)
}
