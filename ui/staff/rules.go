package staff

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// ruleRow is a row of the rules form: the row's terms as typed ("" for
// a term the row leaves to wider rows).
type ruleRow struct {
	Category, MaterialType             string
	LoanDays, MaxLoans, MaxHolds       string
	Renewable, Holdable, ReferenceOnly string // "", "yes" or "no"
}

// rulesView is what the rules page shows.
type rulesView struct {
	Categories []library.Category
	Types      []string
	// Cells are the terms in force, a row per category: first for all
	// its loans and holds together, then for each material type.
	Cells   [][]library.Terms
	Default library.Terms
	Rows    []ruleRow
	Saved   bool // the rows were saved on this page, not read from the config
	Error   string
	Done    string
}

// blankRows are the empty rows the form offers for new rules.
const blankRows = 3

func (s *Server) rulesPage(c *gin.Context) error {
	return s.renderRules(c, http.StatusOK, nil, "")
}

func (s *Server) renderRules(c *gin.Context, status int, rows []ruleRow, msg string) error {
	ctx := c.Request.Context()
	table, err := s.Circulation.Rules(ctx)
	if err != nil {
		return err
	}
	saved, err := s.Circulation.RulesSaved(ctx)
	if err != nil {
		return err
	}
	v := rulesView{Categories: s.Circulation.Categories(), Types: web.MaterialTypes, Default: table.Default, Saved: saved,
		Error: msg, Done: c.Query("done")}
	for _, k := range v.Categories {
		row := []library.Terms{table.For(k.Code, library.Any)}
		for _, m := range v.Types {
			row = append(row, table.For(k.Code, m))
		}
		v.Cells = append(v.Cells, row)
	}
	if rows == nil {
		for _, r := range table.Rules {
			rows = append(rows, formRow(r))
		}
	}
	v.Rows = append(rows, make([]ruleRow, blankRows)...)
	s.Render(c, status, "staff/rules", web.T(web.Lang(c), "rules.title"), v)
	return nil
}

// formRow is a rule as the form shows it.
func formRow(r library.LoanRule) ruleRow {
	num := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	yn := func(p *bool) string {
		switch {
		case p == nil:
			return ""
		case *p:
			return "yes"
		}
		return "no"
	}
	return ruleRow{Category: r.Category, MaterialType: r.MaterialType, LoanDays: num(r.LoanDays), MaxLoans: num(r.MaxLoans),
		MaxHolds: num(r.MaxHolds), Renewable: yn(r.Renewable), Holdable: yn(r.Holdable), ReferenceOnly: yn(r.ReferenceOnly)}
}

// rulesPost saves the rows of the form, or goes back to the config's.
func (s *Server) rulesPost(c *gin.Context) error {
	staffID := s.Who(c).StaffID
	if c.PostForm("reset") != "" {
		if err := s.Circulation.ResetRules(c.Request.Context(), staffID); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/staff/rules?done=reset")
		return nil
	}
	field := func(name string, i int) string {
		v := c.PostFormArray(name)
		if i < len(v) {
			return strings.TrimSpace(v[i])
		}
		return ""
	}
	var rows []ruleRow
	var rules []library.LoanRule
	bad := ""
	for i := range c.PostFormArray("category") {
		r := ruleRow{Category: field("category", i), MaterialType: field("material_type", i), LoanDays: field("loan_days", i),
			MaxLoans: field("max_loans", i), MaxHolds: field("max_holds", i), Renewable: field("renewable", i),
			Holdable: field("holdable", i), ReferenceOnly: field("reference_only", i)}
		if r.Category == "" || r.MaterialType == "" {
			continue // an empty row, or one staff cleared
		}
		rows = append(rows, r)
		rule := library.LoanRule{Category: r.Category, MaterialType: r.MaterialType}
		for _, n := range []struct {
			v string
			p **int
		}{{r.LoanDays, &rule.LoanDays}, {r.MaxLoans, &rule.MaxLoans}, {r.MaxHolds, &rule.MaxHolds}} {
			if n.v == "" {
				continue
			}
			k, err := strconv.Atoi(n.v)
			if err != nil && bad == "" {
				bad = web.T(web.Lang(c), "rules.not_a_number", len(rows), n.v)
			}
			*n.p = &k
		}
		for _, b := range []struct {
			v string
			p **bool
		}{{r.Renewable, &rule.Renewable}, {r.Holdable, &rule.Holdable}, {r.ReferenceOnly, &rule.ReferenceOnly}} {
			if b.v == "yes" || b.v == "no" {
				yes := b.v == "yes"
				*b.p = &yes
			}
		}
		rules = append(rules, rule)
	}
	if bad != "" {
		return s.renderRules(c, http.StatusUnprocessableEntity, rows, bad)
	}
	if err := s.Circulation.SaveRules(c.Request.Context(), staffID, rules, web.MaterialTypes); err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		return s.renderRules(c, status, rows, msg)
	}
	c.Redirect(http.StatusSeeOther, "/staff/rules?done=saved")
	return nil
}
