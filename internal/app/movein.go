package app

import "hondana/library"

// MoveIn returns the service that brings patrons, loans and holds over
// from a vendor system, with the configuration's categories and the
// data directory's pepper for the temporary passwords.
func (d *Data) MoveIn() (*library.MoveIn, error) {
	policy, err := d.Config.AccountPolicy()
	if err != nil {
		return nil, err
	}
	cats, _, err := d.Config.LoanRules()
	if err != nil {
		return nil, err
	}
	accounts, err := library.NewAccounts(d.DB, d.Clock, d.Pepper, library.AccountsOptions{Policy: policy, Categories: cats, Location: d.Loc})
	if err != nil {
		return nil, err
	}
	m := library.NewMoveIn(d.DB, d.Clock, accounts, d.Loc)
	m.Limits = d.Config.ImportLimits()
	return m, nil
}
