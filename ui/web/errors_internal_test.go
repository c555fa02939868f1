package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestEveryRefusalHasStatusAndWords reads every code package library
// declares and checks that the web side gives it a status other than
// the default and a message in Japanese and in English.
func TestEveryRefusalHasStatusAndWords(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../library/refusal.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					code, _ := strconv.Unquote(lit.Value)
					codes = append(codes, code)
				}
			}
		}
		return true
	})
	if len(codes) < 50 {
		t.Fatalf("found %d codes in library/refusal.go; the parse went wrong", len(codes))
	}
	for _, code := range codes {
		if _, ok := refusalStatus[code]; !ok {
			t.Errorf("%s: no status in refusalStatus", code)
		}
		id := "err." + code
		if T(LangJA, id) == id || T(LangEN, id) == messages[id][0] {
			t.Errorf("%s: no message in both languages under %s", code, id)
		}
	}
}
