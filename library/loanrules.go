package library

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"hondana/store"
)

// Patron categories of the default configuration (R54): residents of
// the city, people from outside it, groups and schools, and the
// library's own staff. The configuration may name others.
const (
	CategoryCity    = "city"    // 市内
	CategoryOutside = "outside" // 市外
	CategoryGroup   = "group"   // 団体・学校
	CategoryStaff   = "staff"   // 職員
)

// Category is a kind of patron the loan rules tell apart.
type Category struct {
	Code   string
	Name   string // in Japanese
	NameEn string
}

// DefaultCategories are the categories of a configuration naming none.
func DefaultCategories() []Category {
	return []Category{
		{CategoryCity, "市内", "City resident"},
		{CategoryOutside, "市外", "From outside the city"},
		{CategoryGroup, "団体・学校", "Group or school"},
		{CategoryStaff, "職員", "Staff"},
	}
}

// Any, as a rule's category or material type, matches every one.
const Any = "*"

// Terms are what the rules allow a category of patron with a type of
// material (R54).
type Terms struct {
	LoanDays      int  `json:"loan_days"`
	MaxLoans      int  `json:"max_loans"`
	MaxHolds      int  `json:"max_holds"`
	Renewable     bool `json:"renewable"`
	Holdable      bool `json:"holdable"`
	ReferenceOnly bool `json:"reference_only"` // 館内のみ: never lent
}

// LoanRule is a row of the rule table: for a category ("*" for all) and a
// material type ("*" for all), the terms it sets; a term left nil comes
// from a row that matches more widely.
type LoanRule struct {
	Category      string `json:"category"`
	MaterialType  string `json:"material_type"`
	LoanDays      *int   `json:"loan_days,omitempty"`
	MaxLoans      *int   `json:"max_loans,omitempty"`
	MaxHolds      *int   `json:"max_holds,omitempty"`
	Renewable     *bool  `json:"renewable,omitempty"`
	Holdable      *bool  `json:"holdable,omitempty"`
	ReferenceOnly *bool  `json:"reference_only,omitempty"`
}

// RuleTable is the loan rules: the default terms (the single rule the
// library had before, from loans.loan_days, loan_limit and hold_limit)
// and rows that change them for a category, a material type or both.
type RuleTable struct {
	Default Terms
	Rules   []LoanRule
}

// DefaultTerms are the seed's single rule with our numbers (R28, R33).
func DefaultTerms() Terms {
	return Terms{LoanDays: 14, MaxLoans: 10, MaxHolds: 10, Renewable: true, Holdable: true}
}

// For gives the terms for a category of patron and a type of material.
// Rows apply from the widest to the narrowest, each setting what it
// names: any category and type (the default), the category for any
// type, the type for any category, then the category and type
// together. So a row for a material type ("videos: 7 days") wins over a
// row for a category ("市外: 14 days"), as it describes the material.
// For a material type of Any it gives the category's terms for all its
// loans and holds together.
func (t RuleTable) For(category, materialType string) Terms {
	terms := t.Default
	for _, match := range [][2]string{{Any, Any}, {category, Any}, {Any, materialType}, {category, materialType}} {
		for _, r := range t.Rules {
			if r.Category == match[0] && r.MaterialType == match[1] {
				r.apply(&terms)
			}
		}
	}
	return terms
}

func (r LoanRule) apply(t *Terms) {
	if r.LoanDays != nil {
		t.LoanDays = *r.LoanDays
	}
	if r.MaxLoans != nil {
		t.MaxLoans = *r.MaxLoans
	}
	if r.MaxHolds != nil {
		t.MaxHolds = *r.MaxHolds
	}
	if r.Renewable != nil {
		t.Renewable = *r.Renewable
	}
	if r.Holdable != nil {
		t.Holdable = *r.Holdable
	}
	if r.ReferenceOnly != nil {
		t.ReferenceOnly = *r.ReferenceOnly
	}
}

// Check says what is wrong with the table, against the categories and
// material types there are: an unknown one, a row given twice, a number
// out of range.
func (t RuleTable) Check(categories []Category, materialTypes []string) error {
	seen := map[[2]string]bool{}
	for i, r := range t.Rules {
		if r.Category != Any && !slices.ContainsFunc(categories, func(c Category) bool { return c.Code == r.Category }) {
			return fmt.Errorf("loan rule %d: unknown patron category %q", i+1, r.Category)
		}
		if r.MaterialType != Any && !slices.Contains(materialTypes, r.MaterialType) {
			return fmt.Errorf("loan rule %d: unknown material type %q", i+1, r.MaterialType)
		}
		key := [2]string{r.Category, r.MaterialType}
		if seen[key] {
			return fmt.Errorf("loan rule %d: %s × %s is given twice", i+1, r.Category, r.MaterialType)
		}
		seen[key] = true
		for _, n := range []*int{r.LoanDays, r.MaxLoans, r.MaxHolds} {
			if n != nil && (*n < 0 || *n > 999) {
				return fmt.Errorf("loan rule %d: %d is not a number from 0 to 999", i+1, *n)
			}
		}
		if r.LoanDays != nil && *r.LoanDays == 0 {
			return fmt.Errorf("loan rule %d: a loan of 0 days", i+1)
		}
	}
	return nil
}

// ruleJSON is how a table of rows is kept in the settings (the admin
// screen's table), and read back.
func rulesJSON(rules []LoanRule) (string, error) {
	b, err := json.Marshal(rules)
	return string(b), err
}

func parseRules(s string) ([]LoanRule, error) {
	var rules []LoanRule
	err := json.Unmarshal([]byte(s), &rules)
	return rules, err
}

// rulesKey is the setting that keeps the rows staff saved on the rules
// page; without it the configuration's rows apply.
const rulesKey = "loan_rules"

// Categories are the patron categories, the default one first.
func (c *Circulation) Categories() []Category { return c.cats }

// CategoryOf is a patron's category for the rules: their own, or the
// first when they have none the configuration knows.
func (c *Circulation) CategoryOf(code string) string { return c.categoryOf(code) }

func (c *Circulation) categoryOf(code string) string {
	for _, k := range c.cats {
		if k.Code == code {
			return code
		}
	}
	return c.cats[0].Code
}

// Rules is the rule table in force: the default row from the policy, and
// the rows staff saved on the rules page, or else the configuration's.
func (c *Circulation) Rules(ctx context.Context) (RuleTable, error) {
	t, _, err := c.rulesAndSource(ctx)
	return t, err
}

// RulesSaved reports whether the rows in force were saved by staff (true)
// or come from the configuration file.
func (c *Circulation) RulesSaved(ctx context.Context) (bool, error) {
	_, saved, err := c.rulesAndSource(ctx)
	return saved, err
}

func (c *Circulation) rulesAndSource(ctx context.Context) (RuleTable, bool, error) {
	t := RuleTable{Default: Terms{LoanDays: c.p.LoanDays, MaxLoans: c.p.LoanLimit, MaxHolds: c.p.HoldLimit, Renewable: true, Holdable: true},
		Rules: c.rules}
	v, ok, err := c.db.Setting(ctx, rulesKey)
	if err != nil || !ok {
		return t, false, err
	}
	rows, err := parseRules(v)
	if err != nil {
		return t, false, fmt.Errorf("library: the saved loan rules: %w", err)
	}
	t.Rules = rows
	return t, true, nil
}

// loanTerms are the rules for a patron and a title.
func (c *Circulation) loanTerms(ctx context.Context, q store.Querier, patronID, recordID int64) (Terms, error) {
	table, err := c.Rules(ctx)
	if err != nil {
		return Terms{}, err
	}
	var category string
	if err := q.QueryRowContext(ctx, `SELECT category FROM patrons WHERE id = ?`, patronID).Scan(&category); err != nil {
		return Terms{}, fmt.Errorf("library: patron category: %w", err)
	}
	material, err := store.RecordMaterial(ctx, q, recordID)
	if err != nil {
		return Terms{}, err
	}
	return table.For(c.categoryOf(category), material), nil
}

// SaveRules replaces the rows of the rule table with rows staff edited
// (the default row stays the configuration's), in the staff log. A row
// naming an unknown category or type, given twice, or with a number out
// of range is refused as invalid_field "rules".
func (c *Circulation) SaveRules(ctx context.Context, staffID int64, rows []LoanRule, materialTypes []string) error {
	if err := (RuleTable{Rules: rows}).Check(c.cats, materialTypes); err != nil {
		return &Refusal{Code: InvalidRules, Detail: err.Error()}
	}
	v, err := rulesJSON(rows)
	if err != nil {
		return err
	}
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.PutSetting(ctx, tx, rulesKey, v); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "rules.save", fmt.Sprintf("%d rows", len(rows)), c.clock.Now())
	})
}

// ResetRules goes back to the configuration's rows.
func (c *Circulation) ResetRules(ctx context.Context, staffID int64) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.DeleteSetting(ctx, tx, rulesKey); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "rules.reset", "", c.clock.Now())
	})
}
