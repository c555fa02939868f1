package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Branch is one library of the city.
type Branch struct {
	Code      string
	Name      string
	NameEn    string
	Address   string
	Phone     string
	Fax       string
	SortOrder int
}

// SaveBranch inserts or updates a branch inside the caller's transaction.
func SaveBranch(ctx context.Context, tx *sql.Tx, b Branch) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO branches(code, name, name_en, address, phone, fax, sort_order)
		VALUES(?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET name=excluded.name, name_en=excluded.name_en,
		address=excluded.address, phone=excluded.phone, fax=excluded.fax, sort_order=excluded.sort_order`,
		b.Code, b.Name, b.NameEn, b.Address, b.Phone, b.Fax, b.SortOrder)
	if err != nil {
		return fmt.Errorf("store: save branch %s: %w", b.Code, mapErr(err))
	}
	return nil
}

// Branches lists the branches in display order.
func (db *DB) Branches(ctx context.Context) ([]Branch, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT code, name, name_en, address, phone, fax, sort_order
		FROM branches ORDER BY sort_order, code`)
	if err != nil {
		return nil, fmt.Errorf("store: branches: %w", err)
	}
	defer rows.Close()
	var out []Branch
	for rows.Next() {
		var b Branch
		if err := rows.Scan(&b.Code, &b.Name, &b.NameEn, &b.Address, &b.Phone, &b.Fax, &b.SortOrder); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BranchExists reports whether a branch code exists.
func BranchExists(ctx context.Context, tx *sql.Tx, code string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM branches WHERE code = ?`, code).Scan(&n)
	return n > 0, err
}
