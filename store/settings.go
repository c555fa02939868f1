package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value the database keeps for key; ok is false when
// it keeps none.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: setting %s: %w", key, mapErr(err))
	}
	return value, true, nil
}

// SaveSetting keeps value for key.
func (db *DB) SaveSetting(ctx context.Context, key, value string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// HasPasswordHashes reports whether any patron or staff account has a
// password hash.
func (db *DB) HasPasswordHashes(ctx context.Context) (bool, error) {
	var has bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM patrons WHERE password_hash <> '') OR EXISTS(SELECT 1 FROM staff WHERE password_hash <> '')`).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("store: password hashes: %w", mapErr(err))
	}
	return has, nil
}

// PutSetting keeps value for key inside the caller's transaction.
func PutSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: setting %s: %w", key, mapErr(err))
	}
	return nil
}

// DeleteSetting forgets key inside the caller's transaction.
func DeleteSetting(ctx context.Context, tx *sql.Tx, key string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: setting %s: %w", key, mapErr(err))
	}
	return nil
}
