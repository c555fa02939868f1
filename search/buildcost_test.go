package search

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hondana/internal/buildgc"
	"hondana/search/internal/fast"
)

// The cost of a build, in CPU time rather than wall-clock time (which
// other work on the machine blurs): `go test ./search -run '^$' -bench
// BuildCost -benchtime 1x`. The records are made as `hondana bench` makes
// its own: Japanese titles of a few words and particles with their
// readings, an author with a reading, a publisher, now and then a series.

// benchDocs makes n records as `hondana bench` does.
func benchDocs(n int) []Doc {
	type word struct{ w, yomi string }
	words := []word{{"図書館", "トショカン"}, {"歴史", "レキシ"}, {"日本", "ニホン"}, {"世界", "セカイ"}, {"物語", "モノガタリ"},
		{"科学", "カガク"}, {"入門", "ニュウモン"}, {"料理", "リョウリ"}, {"旅", "タビ"}, {"猫", "ネコ"}, {"子ども", "コドモ"},
		{"経済", "ケイザイ"}, {"宇宙", "ウチュウ"}, {"鉄道", "テツドウ"}, {"昔話", "ムカシバナシ"}, {"電子書籍", "デンシショセキ"},
		{"人工知能", "ジンコウチノウ"}, {"大洲", "オオズ"}, {"肱川", "ヒジカワ"}, {"みかん", "ミカン"}, {"恋", "コイ"}, {"音楽", "オンガク"}}
	particles := []word{{"の", "ノ"}, {"と", "ト"}, {"を", "ヲ"}, {"から", "カラ"}, {"への", "ヘノ"}}
	family := []word{{"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"渡辺", "ワタナベ"}, {"森", "モリ"}, {"斎藤", "サイトウ"}}
	given := []word{{"花子", "ハナコ"}, {"太郎", "タロウ"}, {"健一", "ケンイチ"}, {"翔太", "ショウタ"}, {"恵", "メグミ"}}
	en := []string{"library", "history", "science", "introduction", "world", "travel", "cooking", "garden", "music"}
	publishers := []string{"岩波書店", "新潮社", "講談社", "筑摩書房", "中央公論新社", "Penguin", "Oxford University Press"}
	branches := []string{"ozu", "nagahama", "hijikawa", "kawabe"}
	rng := rand.New(rand.NewPCG(1, 7))
	pick := func(ws []word) word { return ws[rng.IntN(len(ws))] }
	docs := make([]Doc, n)
	for i := range docs {
		var title, yomi string
		if rng.IntN(8) == 0 {
			var parts []string
			for range 2 + rng.IntN(3) {
				parts = append(parts, en[rng.IntN(len(en))])
			}
			title = strings.Join(parts, " ")
		} else {
			var t, y strings.Builder
			for k := range 1 + rng.IntN(3) {
				if k > 0 {
					p := pick(particles)
					t.WriteString(p.w)
					y.WriteString(" " + p.yomi + " ")
				}
				w := pick(words)
				t.WriteString(w.w)
				y.WriteString(w.yomi)
			}
			title, yomi = t.String(), y.String()
		}
		f, g := pick(family), pick(given)
		d := Doc{ID: int64(i + 1), Title: title, TitleYomi: yomi, Authors: []string{f.w + g.w},
			AuthorsYomi: []string{f.yomi + " " + g.yomi}, Publisher: publishers[rng.IntN(len(publishers))],
			Year: 1950 + rng.IntN(77), NDC: fmt.Sprintf("%d%02d", rng.IntN(10), rng.IntN(100)), MaterialType: "book",
			Acquired: fmt.Sprintf("20%02d-%02d-01", rng.IntN(27), 1+rng.IntN(12))}
		if rng.IntN(5) < 3 {
			d.ISBN = "9784" + fmt.Sprintf("%09d", i)
		}
		if rng.IntN(4) == 0 {
			d.Series = pick(words).w + "文庫"
		}
		for _, b := range branches {
			if rng.IntN(3) == 0 {
				d.Branches = append(d.Branches, b)
				if rng.IntN(2) == 0 {
					d.Available = append(d.Available, b)
				}
			}
		}
		d.SortKey = yomi
		if d.SortKey == "" {
			d.SortKey = title
		}
		docs[i] = d
	}
	return docs
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuildCost builds an index of 50,000 records per op.
func BenchmarkBuildCost(b *testing.B) {
	docs := benchDocs(50000)
	b.ResetTimer()
	var cpu time.Duration
	for range b.N {
		dir := b.TempDir()
		start := cpuTime()
		built, err := Build(dir, 1, func(add func([]Doc) error) error {
			for i := 0; i < len(docs); i += 1000 {
				if err := add(docs[i:min(i+1000, len(docs))]); err != nil {
					return err
				}
			}
			return nil
		}, Options{AroundBuild: buildgc.Relax})
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
		ix, err := built.Install()
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkDocAnalysis makes the analysed documents of 10,000 records per
// op, on one goroutine: the analysis part of a build.
func BenchmarkDocAnalysis(b *testing.B) {
	docs := benchDocs(10000)
	m, err := newMapping()
	if err != nil {
		b.Fatal(err)
	}
	mapper, err := fast.NewMapper(m)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		for i := range docs {
			if _, err := mapper.Document(strconv.FormatInt(docs[i].ID, 10), docs[i].fields()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}
