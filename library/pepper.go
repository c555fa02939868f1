package library

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"hondana/store"
)

// The pepper is kept out of the database and its backups (R41, R62), so
// a database restored without it, or started with another, can verify no
// password: every login fails, and a new pepper would even make hashes
// no old one checks. The database keeps a value that tells peppers apart
// without giving one away, so a start with the wrong one can refuse.

// pepperCheckKey is the setting holding PepperCheck of the pepper the
// database's password hashes are made with.
const pepperCheckKey = "pepper_check"

// ErrWrongPepper means the pepper is not the one the database's password
// hashes were made with.
var ErrWrongPepper = errors.New("not the pepper this database's passwords were hashed with")

// PepperCheck tells one pepper from another without giving it away:
// HMAC-SHA256 keyed with the pepper, in hex.
func PepperCheck(pepper []byte) string {
	mac := hmac.New(sha256.New, pepper)
	mac.Write([]byte("hondana pepper check"))
	return hex.EncodeToString(mac.Sum(nil))
}

// CheckPepper answers ErrWrongPepper when the database's hashes were
// made with another pepper than this one. A database that knows no
// pepper yet (new, or from before the check) learns this one.
func CheckPepper(ctx context.Context, db *store.DB, pepper []byte) error {
	want, ok, err := db.Setting(ctx, pepperCheckKey)
	switch {
	case err != nil:
		return err
	case !ok:
		return db.SaveSetting(ctx, pepperCheckKey, PepperCheck(pepper))
	case !hmac.Equal([]byte(want), []byte(PepperCheck(pepper))):
		return ErrWrongPepper
	}
	return nil
}

// PepperNeeded reports whether the database needs the pepper it was used
// with, so that a new one must not be made: it knows one, or it has
// password hashes from before it kept the check.
func PepperNeeded(ctx context.Context, db *store.DB) (bool, error) {
	if _, ok, err := db.Setting(ctx, pepperCheckKey); err != nil || ok {
		return ok, err
	}
	return db.HasPasswordHashes(ctx)
}
