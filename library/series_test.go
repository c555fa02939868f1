package library

import (
	"testing"

	"hondana/store"
)

func TestSortVolumes(t *testing.T) {
	t.Parallel()
	vols := []string{"下", "中", "第10巻", "第二巻", "1", "上", "第3巻", "vol. 12", "九"}
	var recs []*store.Record
	for i, v := range vols {
		recs = append(recs, &store.Record{ID: int64(i + 1), Volume: v})
	}
	SortVolumes(recs)
	var got []string
	for _, r := range recs {
		got = append(got, r.Volume)
	}
	want := []string{"1", "第二巻", "第3巻", "九", "第10巻", "vol. 12", "上", "中", "下"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("SortVolumes: %q; want %q", got, want)
		}
	}
}
