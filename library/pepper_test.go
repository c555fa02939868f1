package library

import (
	"context"
	"errors"
	"testing"

	"hondana/store"
)

// TestCheckPepper: a database learns the first pepper it is given and
// refuses another from then on; it needs its pepper once it knows one.
func TestCheckPepper(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if needed, err := PepperNeeded(ctx, db); err != nil || needed {
		t.Fatalf("a new database needs a pepper: %v, %v", needed, err)
	}
	if err := CheckPepper(ctx, db, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := CheckPepper(ctx, db, []byte("first")); err != nil {
		t.Errorf("the same pepper again: %v", err)
	}
	if err := CheckPepper(ctx, db, []byte("second")); !errors.Is(err, ErrWrongPepper) {
		t.Errorf("another pepper: %v, want ErrWrongPepper", err)
	}
	if needed, err := PepperNeeded(ctx, db); err != nil || !needed {
		t.Errorf("a database that knows its pepper does not need it: %v, %v", needed, err)
	}
	if PepperCheck([]byte("first")) == PepperCheck([]byte("second")) {
		t.Error("two peppers, one check value")
	}
}
