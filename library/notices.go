package library

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"hondana/store"
)

// MailPolicy holds the numbers of notices by e-mail.
type MailPolicy struct {
	PickupReminderOpenDays int // remind this many open days before the pickup deadline (0: never)
	DueReminderDays        int // remind this many days before the due date (0: never)
	OverdueNotices         int // overdue notices per loan: the day after the due date, then every OverdueEveryDays
	OverdueEveryDays       int
	RetryMin               time.Duration // first wait after a temporary failure, doubled each time
	RetryMax               time.Duration
	GiveUpAfter            time.Duration // a message still failing this long after it was written fails for good
	Keep                   time.Duration // how long sent and failed messages stay in the outbox
}

// DefaultMailPolicy is our default numbers.
func DefaultMailPolicy() MailPolicy {
	return MailPolicy{PickupReminderOpenDays: 2, DueReminderDays: 2, OverdueNotices: 3, OverdueEveryDays: 7,
		RetryMin: time.Minute, RetryMax: time.Hour, GiveUpAfter: 24 * time.Hour, Keep: 7 * 24 * time.Hour}
}

// Letterhead is what every message says about its sender.
type Letterhead struct {
	Library string // the library's name
	BaseURL string // the public site, for links to the patron's page
}

// Results of a contact attempt.
const (
	AttemptSent        = "sent"        // the SMTP server accepted the message
	AttemptRetry       = "retry"       // a temporary failure; tried again later
	AttemptFailed      = "failed"      // failed for good: the hold goes to the call list
	AttemptReached     = "reached"     // staff reached the patron by phone
	AttemptUnreachable = "unreachable" // staff called, nobody answered (不在)
)

// UnreachableLimit is how many 不在 in a row flag a hold for staff.
const UnreachableLimit = 3

// Flagged reports whether a hold's attempts end in UnreachableLimit
// unanswered calls in a row: staff decide what to do with it.
func Flagged(attempts []store.ContactAttempt) bool {
	n := 0
	for i := len(attempts) - 1; i >= 0 && attempts[i].Result == AttemptUnreachable; i-- {
		n++
	}
	return n >= UnreachableLimit
}

var jaWeekdays = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// JaDate writes a YYYY-MM-DD date as 2026年12月4日(金).
func JaDate(day string) string {
	t, err := time.Parse(DateLayout, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d年%d月%d日(%s)", t.Year(), int(t.Month()), t.Day(), jaWeekdays[t.Weekday()])
}

// letter writes one message: greeting, text, and the branch's footer.
type letter struct {
	head   Letterhead
	branch store.Branch
	hours  string
}

func (l letter) subject(s string) string { return "【" + l.head.Library + "】" + s }

// holdLines names a held title, the branch and the pickup deadline.
func (l letter) holdLines(title, deadline string) string {
	return "  資料名: " + title + "\n  受取館: " + l.branch.Name + "\n  お取り置き期限: " + JaDate(deadline)
}

func (l letter) body(name string, paras ...string) string {
	var b strings.Builder
	if name != "" {
		b.WriteString(name + " 様\n\n")
	}
	for _, p := range paras {
		b.WriteString(p)
		b.WriteString("\n\n")
	}
	if l.head.BaseURL != "" {
		b.WriteString("利用照会（貸出・予約の確認）: " + strings.TrimRight(l.head.BaseURL, "/") + "/account\n\n")
	}
	b.WriteString("--\n" + l.head.Library)
	if l.branch.Name != "" {
		b.WriteString(" " + l.branch.Name)
	}
	b.WriteString("\n")
	if l.branch.Address != "" {
		b.WriteString(l.branch.Address + "\n")
	}
	if l.branch.Phone != "" {
		b.WriteString("電話 " + l.branch.Phone + "\n")
	}
	if l.hours != "" {
		b.WriteString("開館時間 " + l.hours + "\n")
	}
	b.WriteString("このメールは送信専用です。お問い合わせはお電話でお願いします。\n")
	return b.String()
}

// Letters writes the library's messages: it knows the letterhead, the
// branches and their hours.
type Letters struct {
	db    *store.DB
	head  Letterhead
	rules CalendarRules
}

// NewLetters returns the writer of the library's messages.
func NewLetters(db *store.DB, head Letterhead, rules CalendarRules) *Letters {
	return &Letters{db: db, head: head, rules: rules}
}

// letter prepares a message from a branch ("" or unknown: the first).
func (w *Letters) letter(ctx context.Context, branch string) (letter, error) {
	bs, err := w.db.Branches(ctx)
	if err != nil {
		return letter{}, err
	}
	l := letter{head: w.head}
	for i, b := range bs {
		if b.Code == branch || (i == 0 && l.branch.Code == "") {
			l.branch = b
		}
	}
	l.hours = w.rules.HoursText(l.branch.Code)
	return l, nil
}

// HoursText describes a branch's regular hours and closing days.
func (r CalendarRules) HoursText(branch string) string {
	bc, ok := r.Branches[branch]
	if !ok {
		return ""
	}
	s := fmt.Sprintf("平日 %s〜%s、土日祝 %s〜%s", bc.Weekday.Opens, bc.Weekday.Closes, bc.Weekend.Opens, bc.Weekend.Closes)
	if len(bc.ClosedWeekdays) > 0 {
		var days []string
		for _, d := range bc.ClosedWeekdays {
			days = append(days, jaWeekdays[d]+"曜")
		}
		s += "（休館日: " + strings.Join(days, "・") + "）"
	}
	return s
}

// holdReadyText is the hold-ready message stating a pickup deadline.
func (c *Circulation) holdReadyText(ctx context.Context, name, title, branch, deadline string) (subject, body string, err error) {
	l, err := c.letters.letter(ctx, branch)
	if err != nil {
		return "", "", err
	}
	return l.subject("ご予約の資料をご用意しました"), l.body(name,
		"ご予約の資料をご用意しました。受取館のカウンターでお受け取りください。",
		l.holdLines(title, deadline),
		"期限を過ぎると予約は取り消され、資料は次の方へ回ります。"), nil
}

// enqueueHoldReady writes the hold-ready message for a ready e-mail hold.
// The deadline it states counts from today; the sender writes it anew if
// the message goes out on a later day. A patron with no address left goes
// straight to the call list.
func (c *Circulation) enqueueHoldReady(ctx context.Context, tx *sql.Tx, h *store.Hold, now time.Time) error {
	to, err := store.RecipientOf(ctx, tx, h.PatronID)
	if err != nil {
		return err
	}
	if to.Email == "" {
		return store.AddContactAttempt(ctx, tx, h.ID, ContactEmail, AttemptFailed, 0, now)
	}
	title, err := store.RecordTitle(ctx, tx, h.RecordID)
	if err != nil {
		return err
	}
	d, err := c.PickupDeadline(ctx, h.PickupBranch, now)
	if err != nil {
		return err
	}
	deadline := d.Format(DateLayout)
	subject, body, err := c.holdReadyText(ctx, to.Name, title, h.PickupBranch, deadline)
	if err != nil {
		return err
	}
	return store.EnqueueMail(ctx, tx, &store.Mail{Kind: store.MailHoldReady, HoldID: h.ID, PatronID: h.PatronID,
		Branch: h.PickupBranch, To: to.Email, Subject: subject, Body: body, Deadline: deadline}, now)
}

// enqueueLapsed tells a patron their hold lapsed at the deadline.
func (c *Circulation) enqueueLapsed(ctx context.Context, tx *sql.Tx, h store.Hold, now time.Time) error {
	to, err := store.RecipientOf(ctx, tx, h.PatronID)
	if err != nil || to.Email == "" {
		return err
	}
	title, err := store.RecordTitle(ctx, tx, h.RecordID)
	if err != nil {
		return err
	}
	l, err := c.letters.letter(ctx, h.PickupBranch)
	if err != nil {
		return err
	}
	return store.EnqueueMail(ctx, tx, &store.Mail{Kind: store.MailHoldLapsed, PatronID: h.PatronID, Branch: h.PickupBranch,
		To: to.Email, Subject: l.subject("お取り置き期限が過ぎたため予約を取り消しました"), Body: l.body(to.Name,
			"お取り置き期限までにお受け取りがなかったため、次の予約を取り消しました。",
			l.holdLines(title, h.PickupDeadline),
			"引き続きご希望の場合は、あらためて予約してください。")}, now)
}

// ReminderDay is the day to remind a patron of a pickup deadline: n open
// days of the branch before it, so the patron has n days the library is
// open to come.
func (c *Circulation) ReminderDay(ctx context.Context, branch string, deadline time.Time, n int) (time.Time, error) {
	from := deadline.AddDate(0, 0, -n-60)
	days, err := c.cal.Range(ctx, branch, from, deadline.AddDate(0, 0, -1))
	if err != nil {
		return time.Time{}, err
	}
	for i := len(days) - 1; i >= 0; i-- {
		if days[i].Open {
			n--
			if n == 0 {
				return parseDay(days[i].Date, c.cal.Location()), nil
			}
		}
	}
	return from, nil
}

// Remind writes the reminders due today: pickup deadlines coming, loans
// due soon, loans overdue. Each is written once; running it again the
// same day writes nothing more. It reports how many messages it wrote.
func (c *Circulation) Remind(ctx context.Context) (int, error) {
	n := 0
	err := c.tx(ctx, func(tx *sql.Tx) error {
		n = 0
		now := c.clock.Now()
		today := c.today()
		k, err := c.remindPickups(ctx, tx, today, now)
		if err != nil {
			return err
		}
		n += k
		if k, err = c.remindDue(ctx, tx, today, now); err != nil {
			return err
		}
		n += k
		k, err = c.noticeOverdue(ctx, tx, today, now)
		n += k
		return err
	})
	return n, err
}

func (c *Circulation) remindPickups(ctx context.Context, tx *sql.Tx, today, now time.Time) (int, error) {
	if c.mail.PickupReminderOpenDays <= 0 {
		return 0, nil
	}
	holds, err := store.HoldsToRemind(ctx, tx)
	if err != nil {
		return 0, err
	}
	n := 0
	loc := c.cal.Location()
	for _, h := range holds {
		deadline := parseDay(h.PickupDeadline, loc)
		day, err := c.ReminderDay(ctx, h.PickupBranch, deadline, c.mail.PickupReminderOpenDays)
		if err != nil {
			return n, err
		}
		// Not before the reminder day, and never on the day of contact:
		// with a short deadline the hold-ready message said it all.
		if today.Before(day) || today.After(deadline) || !day.After(dayStart(h.ContactedAt, loc)) {
			continue
		}
		l, err := c.letters.letter(ctx, h.PickupBranch)
		if err != nil {
			return n, err
		}
		err = store.EnqueueMail(ctx, tx, &store.Mail{Kind: store.MailPickupReminder, HoldID: h.ID, PatronID: h.Recipient.PatronID,
			Branch: h.PickupBranch, To: h.Email, Subject: l.subject("ご予約の資料のお取り置き期限が近づいています"), Body: l.body(h.Name,
				"ご用意している予約資料のお取り置き期限が近づいています。期限までに受取館でお受け取りください。",
				l.holdLines(h.Title, h.PickupDeadline),
				"期限を過ぎると予約は取り消され、資料は次の方へ回ります。")}, now)
		if err != nil {
			return n, err
		}
		if err := store.SetHoldReminded(ctx, tx, h.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// loanNoticeWords are the words of each kind of loan notice: the subject,
// the lead paragraph before the list of loans, the closing paragraphs.
var loanNoticeWords = map[string]struct {
	subject, lead string
	closing       []string
}{
	store.MailDueReminder: {"返却期限が近づいています", "お借りになっている資料の返却期限が近づいています。",
		[]string{"予約の入っていない資料は、利用照会から一度だけ貸出延長ができます。返却はどの図書館でもできます。",
			"このお知らせが不要の場合は、利用照会の「メールアドレスの登録・変更」で停止できます。"}},
	store.MailOverdue: {"返却期限を過ぎた資料があります",
		"次の資料の返却期限が過ぎています。お早めにご返却ください。返却はどの図書館でもできます。",
		[]string{"行き違いでご返却済みの場合はご容赦ください。"}},
}

// loanNoticeText writes a loan notice of kind to the patron of loans
// (one patron's, at least one).
func (c *Circulation) loanNoticeText(ctx context.Context, kind string, loans []store.NoticeLoan) (subject, body string, err error) {
	w := loanNoticeWords[kind]
	l, err := c.letters.letter(ctx, loans[0].Branch)
	if err != nil {
		return "", "", err
	}
	return l.subject(w.subject), l.body(loans[0].Name, append([]string{w.lead, loanLines(loans)}, w.closing...)...), nil
}

// loanNotices writes one message of kind per patron listing their loans
// (which come sorted by patron). mark records each loan as told. It
// reports how many messages it wrote.
func (c *Circulation) loanNotices(ctx context.Context, tx *sql.Tx, loans []store.NoticeLoan, kind string,
	mark func(loanID int64) error, now time.Time) (int, error) {
	n := 0
	for i := 0; i < len(loans); {
		j := i
		for j < len(loans) && loans[j].PatronID == loans[i].PatronID {
			j++
		}
		ls := loans[i:j]
		i = j
		subject, body, err := c.loanNoticeText(ctx, kind, ls)
		if err != nil {
			return n, err
		}
		err = store.EnqueueMail(ctx, tx, &store.Mail{Kind: kind, PatronID: ls[0].PatronID, Branch: ls[0].Branch, To: ls[0].Email,
			Subject: subject, Body: body}, now)
		if err != nil {
			return n, err
		}
		for _, x := range ls {
			if err := mark(x.ID); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}

// refreshLoanNotices writes the patron's loan notices not yet sent anew
// from the loans they have now, and deletes those left with none: a
// notice written before a return or a renewal must not name a title the
// patron has returned (R40), nor remind of a due date that moved.
func (c *Circulation) refreshLoanNotices(ctx context.Context, tx *sql.Tx, patronID int64) error {
	pending, err := store.PendingLoanMail(ctx, tx, patronID)
	if err != nil || len(pending) == 0 {
		return err
	}
	today := c.today()
	for _, m := range pending {
		var loans []store.NoticeLoan
		switch m.Kind {
		case store.MailDueReminder:
			loans, err = store.PatronLoansReminded(ctx, tx, patronID, today.Format(DateLayout),
				today.AddDate(0, 0, c.mail.DueReminderDays).Format(DateLayout))
		case store.MailOverdue:
			loans, err = store.PatronLoansNoticed(ctx, tx, patronID, today.Format(DateLayout))
		}
		if err != nil {
			return err
		}
		if len(loans) == 0 {
			if err := store.DeleteMail(ctx, tx, m.ID); err != nil {
				return err
			}
			continue
		}
		subject, body, err := c.loanNoticeText(ctx, m.Kind, loans)
		if err != nil {
			return err
		}
		if err := store.RewriteMail(ctx, tx, m.ID, subject, body, ""); err != nil {
			return err
		}
	}
	return nil
}

func loanLines(loans []store.NoticeLoan) string {
	var b strings.Builder
	for i, l := range loans {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("  ・" + l.Title + "（返却期限 " + JaDate(l.DueDate) + "）")
	}
	return b.String()
}

func (c *Circulation) remindDue(ctx context.Context, tx *sql.Tx, today, now time.Time) (int, error) {
	if c.mail.DueReminderDays <= 0 {
		return 0, nil
	}
	loans, err := store.LoansDueSoon(ctx, tx, today.Format(DateLayout), today.AddDate(0, 0, c.mail.DueReminderDays).Format(DateLayout))
	if err != nil {
		return 0, err
	}
	return c.loanNotices(ctx, tx, loans, store.MailDueReminder,
		func(id int64) error { return store.SetLoanReminded(ctx, tx, id) }, now)
}

func (c *Circulation) noticeOverdue(ctx context.Context, tx *sql.Tx, today, now time.Time) (int, error) {
	if c.mail.OverdueNotices <= 0 {
		return 0, nil
	}
	every := max(c.mail.OverdueEveryDays, 1)
	t := today.Format(DateLayout)
	loans, err := store.LoansOverdue(ctx, tx, t, today.AddDate(0, 0, -every).Format(DateLayout), c.mail.OverdueNotices)
	if err != nil {
		return 0, err
	}
	return c.loanNotices(ctx, tx, loans, store.MailOverdue,
		func(id int64) error { return store.AddOverdueNotice(ctx, tx, id, t) }, now)
}

// AddressNotices writes, inside a transaction, the notices of a new or
// changed e-mail address: to the new one, and to the old one if any, so a
// typo or a takeover shows at once.
func (w *Letters) AddressNotices(ctx context.Context, tx *sql.Tx, patronID int64, old, new string, now time.Time) error {
	if old == new {
		return nil
	}
	to, err := store.RecipientOf(ctx, tx, patronID)
	if err != nil {
		return err
	}
	name := to.Name
	l, err := w.letter(ctx, to.HomeBranch)
	if err != nil {
		return err
	}
	send := func(kind, to, subject, text, closing string) error {
		return store.EnqueueMail(ctx, tx, &store.Mail{Kind: kind, PatronID: patronID, Branch: l.branch.Code, To: to,
			Subject: l.subject(subject), Body: l.body(name, text, closing)}, now)
	}
	if new != "" {
		text := "このアドレスが" + w.head.Library + "からのお知らせ（予約資料のご用意、返却期限など）の送り先として登録されました。"
		if old != "" {
			text = "お知らせの送り先が、このアドレスに変更されました。"
		}
		if err := send(store.MailAddressNew, new, "メールアドレスを登録しました", text,
			"お心当たりのない場合は、お手数ですが図書館までお電話ください。"); err != nil {
			return err
		}
	}
	if old != "" {
		text := "お知らせの送り先が " + MaskEmail(new) + " に変更されました。このアドレスには今後お知らせをお送りしません。"
		if new == "" {
			text = "お知らせの送り先のメールアドレスが削除されました。このアドレスには今後お知らせをお送りしません。"
		}
		if err := send(store.MailAddressOld, old, "メールアドレスが変更されました", text,
			"お心当たりのない場合は、お手数ですが至急図書館までお電話ください。"); err != nil {
			return err
		}
	}
	return nil
}

// MaskEmail shows enough of an address to recognise it: t***@example.jp.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return "***"
	}
	r := []rune(s[:at])
	return string(r[0]) + "***" + s[at:]
}
