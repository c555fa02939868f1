package library

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"hondana/search"
	"hondana/store"
)

// SortVolumes puts the records of a series in the order of their
// volumes: by the first number in the volume, kanji numerals read as
// numbers (第二巻 before 第10巻; 上, 中 and 下 after the numbered ones), then by
// the volume as written, then by year and id.
func SortVolumes(recs []*store.Record) {
	type key struct {
		num  int // -1: no number
		text string
	}
	keys := make(map[*store.Record]key, len(recs))
	for _, r := range recs {
		text := search.Key(r.Volume)
		if i := volumePart(text); i > 0 {
			text = string(rune(i)) // 上, 中, 下 (前, 後) in that order
		} else if text == "" {
			text = "\uffff" // no volume: last
		}
		keys[r] = key{volumeNumber(r.Volume), text}
	}
	slices.SortStableFunc(recs, func(a, b *store.Record) int {
		ka, kb := keys[a], keys[b]
		switch {
		case ka.num >= 0 && kb.num < 0:
			return -1
		case ka.num < 0 && kb.num >= 0:
			return 1
		}
		return cmp.Or(cmp.Compare(ka.num, kb.num), cmp.Compare(ka.text, kb.text),
			cmp.Compare(a.Year, b.Year), cmp.Compare(a.ID, b.ID))
	})
}

// volumeNumber is the first whole number in a volume ("第3巻", "三",
// "vol. 12"), or -1.
func volumeNumber(v string) int {
	k := search.Key(v)
	start := -1
	for i := 0; i < len(k); i++ {
		if k[i] >= '0' && k[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			k = k[start:i]
			break
		}
	}
	if start < 0 {
		return volumeKanji(k)
	}
	if k[0] < '0' || k[0] > '9' {
		k = k[start:]
	}
	n, err := strconv.Atoi(k)
	if err != nil || n > 1<<30 {
		return -1
	}
	return n
}

// volumeKanji reads a volume that is a lone kanji numeral (一 to 九,
// which Key leaves as written outside a counted run), or -1.
func volumeKanji(k string) int {
	for i, r := range []rune("一二三四五六七八九") {
		if k == string(r) {
			return i + 1
		}
	}
	return -1
}

// volumePart ranks a volume that is a part of a work, 上 (1), 中 (2),
// 下 (3), or 前 (1) and 後 (3), with or without 巻 or 編 ("上巻",
// "後編"); 0 for any other.
func volumePart(k string) int {
	k = strings.TrimSuffix(strings.TrimSuffix(k, "巻"), "編")
	switch k {
	case "上", "前":
		return 1
	case "中":
		return 2
	case "下", "後":
		return 3
	}
	return 0
}

// VolumeNumbered reports whether a volume says its place in reading
// order: a number, or a part such as 上巻 or 後編. Such volumes are
// offered for series-order holds (巻数順予約).
func VolumeNumbered(v string) bool {
	return volumeNumber(v) >= 0 || volumePart(search.Key(v)) > 0
}
