package app

import "hondana/library"

// Rules are the services that hold the library's rules, built from the
// configuration alike for the server and for a command that changes
// circulation (a move in brings holds already on the hold shelf).
type Rules struct {
	Calendar    *library.Calendar
	Accounts    *library.Accounts
	Circulation *library.Circulation
}

// Rules builds the services over d. changed tells the search index that
// copies changed state and mailed wakes the outbox's sender; a command
// passes nil for both: its mail waits in the outbox for the server's
// sender, which looks there on every round.
func (d *Data) Rules(changed, mailed func()) (*Rules, error) {
	cfg := d.Config
	calRules, err := cfg.CalendarRules()
	if err != nil {
		return nil, err
	}
	policy, err := cfg.AccountPolicy()
	if err != nil {
		return nil, err
	}
	cats, loanRules, err := cfg.LoanRules()
	if err != nil {
		return nil, err
	}
	r := &Rules{Calendar: library.NewCalendar(d.DB, calRules, d.Loc)}
	letters := library.NewLetters(d.DB, library.Letterhead{Library: cfg.Library.Name, BaseURL: cfg.BaseURL}, calRules)
	if r.Accounts, err = library.NewAccounts(d.DB, d.Clock, d.Pepper, library.AccountsOptions{
		Policy: policy, Letters: letters, Mailed: mailed, Categories: cats, Location: d.Loc}); err != nil {
		return nil, err
	}
	r.Circulation = library.NewCirculation(d.DB, r.Calendar, d.Clock, library.CirculationOptions{
		Policy: cfg.LoanPolicy(), Rules: loanRules, Categories: cats, Mail: cfg.MailPolicy(), Letters: letters,
		Changed: changed, Mailed: mailed})
	return r, nil
}

// MoveIn returns the service that brings patrons, loans and holds over
// from a vendor system, with the configuration's categories and the
// data directory's pepper for the temporary passwords.
func (d *Data) MoveIn(r *Rules) *library.MoveIn {
	m := library.NewMoveIn(d.DB, d.Clock, r.Accounts, r.Circulation, d.Loc)
	m.Limits = d.Config.ImportLimits()
	return m
}
