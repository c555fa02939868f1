package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"hondana/isbn"
	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// benchCmd builds a synthetic catalogue of N records and measures import
// and indexing rate, index size, peak memory, start-up time with the
// index in place, and query latency with facets.
func benchCmd(args []string) error {
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	n := fs.Int("records", 100000, "number of synthetic records")
	nq := fs.Int("queries", 1000, "number of queries")
	dir := fs.String("dir", "", "where to build (default: a temporary directory, removed afterwards)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file (with --reuse: of the queries alone)")
	memprofile := fs.String("memprofile", "", "write a heap profile to this file at the end of the build")
	reuse := fs.Bool("reuse", false, "reuse the catalogue already in --dir (built by an earlier run with the same --records): measure start-up and queries only")
	slowest := fs.Int("slowest", 0, "list this many of the slowest queries")
	rebuild := fs.Bool("rebuild", false, "with --reuse: measure a rebuild of the index first")
	separate := fs.Bool("separate", true, "also measure the import to SQLite alone and the index rebuild alone")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stopProfile := func() {}
	defer func() { stopProfile() }()
	startProfile := func() error {
		if *cpuprofile == "" {
			return nil
		}
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		stopProfile = func() {
			pprof.StopCPUProfile()
			f.Close()
		}
		return nil
	}
	if !*reuse {
		if err := startProfile(); err != nil {
			return err
		}
	}
	benchMemProfile = *memprofile
	stopSampling := sampleAnon()
	defer stopSampling()
	ctx := context.Background()
	if *reuse && *dir == "" {
		return fmt.Errorf("bench: --reuse needs --dir")
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "hondana-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	} else if err := os.MkdirAll(*dir, 0o750); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := library.SystemClock{}
	fmt.Printf("hondana bench: %d records, %d queries, %d CPUs, in %s\n", *n, *nq, runtime.NumCPU(), *dir)

	g := newSynth(1)
	if !*reuse {
		if err := benchBuild(ctx, *dir, *n, *separate, g, clock, log); err != nil {
			return err
		}
	} else {
		// Advance the generator as a build would have, so the queries match.
		for i := 0; i < *n; i++ {
			g.record(i)
		}
		if *rebuild {
			if err := benchRebuild(ctx, *dir, *n, clock, log); err != nil {
				return err
			}
		}
	}
	db, err := store.Open(ctx, *dir)
	if err != nil {
		return err
	}
	cat, err := library.OpenCatalog(ctx, db, *dir, clock, log)
	if err != nil {
		return err
	}
	// Incremental: the path every checkout and edit takes.
	start := time.Now()
	const changes = 2000
	for i := 0; i < changes; i += 100 {
		recs := make([]*store.Record, 100)
		for k := range recs {
			recs[k], _ = g.record(i + k) // same sources: updates
		}
		if err := cat.SaveRecords(ctx, recs, nil); err != nil {
			return err
		}
	}
	if err := cat.Sync(ctx); err != nil {
		return err
	}
	fmt.Printf("incremental updates: %6.0f changes/s (%d updates, committed and indexed)\n", changes/time.Since(start).Seconds(), changes)

	if err := cat.Close(); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Printf("index size:       %8.1f MB; database %0.1f MB\n", dirMB(filepath.Join(*dir, search.DirName)), dirMB(filepath.Join(*dir, store.FileName)))

	start = time.Now()
	db, err = store.Open(ctx, *dir)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, err = library.OpenCatalog(ctx, db, *dir, clock, log)
	if err != nil {
		return err
	}
	defer cat.Close()
	fmt.Printf("start-up with existing index: %s\n", time.Since(start).Round(time.Millisecond))
	// Until the facet columns are read (in the background after start-up)
	// queries count facets the slow way; the figures below are those of
	// a running server.
	for !cat.FacetsReady() && time.Since(start) < time.Minute {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Printf("facet columns read: %s after start-up\n", time.Since(start).Round(time.Millisecond))

	queries := g.queries(*nq)
	if *reuse {
		if err := startProfile(); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, 0, len(queries))
	hits := 0
	zero := 0
	var timed []timedQuery
	start = time.Now()
	for _, q := range queries {
		t := time.Now()
		res, err := cat.Search(ctx, q)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
		timed = append(timed, timedQuery{q, res.Total, res.FacetsApproximate, time.Since(t)})
		hits += res.Total
		if res.Total == 0 {
			zero++
		}
	}
	wall := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("queries with facets: p50 %s  p90 %s  p99 %s  max %s  (%.0f queries/s, mean %d hits, %d with none)\n",
		pct(.5).Round(10*time.Microsecond), pct(.9).Round(10*time.Microsecond), pct(.99).Round(10*time.Microsecond),
		lat[len(lat)-1].Round(10*time.Microsecond), float64(len(lat))/wall.Seconds(), hits/len(lat), zero)
	fmt.Printf("peak RSS: %s (anonymous memory, sampled: peak %.0f MB; the rest is index files mapped by Bleve)\n", peakRSS(), float64(anonPeak.Load())/1024)
	sort.Slice(timed, func(i, j int) bool { return timed[i].took > timed[j].took })
	for _, t := range timed[:min(*slowest, len(timed))] {
		fmt.Printf("  slow: %8s  %6d hits  approximate facets %-5t  %+v\n", t.took.Round(10*time.Microsecond), t.total, t.approx, t.q)
	}
	return nil
}

type timedQuery struct {
	q      search.Query
	total  int
	approx bool
	took   time.Duration
}

var benchMemProfile string

// benchBuild measures the bulk load (records saved in SQLite and the index
// built alongside, all searchable at the end) into dir, then, when
// separate, the index rebuild alone and the import to SQLite alone (in a
// second, temporary directory).
func benchBuild(ctx context.Context, dir string, n int, separate bool, g *synth, clock library.Clock, log *slog.Logger) error {
	const batch = 2000
	db, cat, err := openBenchCatalog(ctx, dir, clock, log)
	if err != nil {
		return err
	}
	defer db.Close()
	defer cat.Close()
	start := time.Now()
	i := 0
	saved, err := cat.Load(ctx, func() ([]*store.Record, [][]store.Copy, error) {
		m := min(batch, n-i)
		recs := make([]*store.Record, m)
		copies := make([][]store.Copy, m)
		for k := range recs {
			recs[k], copies[k] = g.record(i + k)
		}
		i += m
		return recs, copies, nil
	})
	if err != nil {
		return err
	}
	loadTime := time.Since(start)
	if err := benchCheck(ctx, db, cat, n); err != nil {
		return err
	}
	fmt.Printf("import+index:     %8.0f records/s (%s; bulk load: SQLite writes and index build side by side, all %d searchable)\n",
		float64(saved)/loadTime.Seconds(), loadTime.Round(time.Millisecond), saved)
	if benchMemProfile != "" {
		writeHeapProfile(benchMemProfile)
	}
	if !separate {
		return nil
	}
	start = time.Now()
	if err := cat.Rebuild(ctx); err != nil {
		return err
	}
	indexTime := time.Since(start)
	fmt.Printf("index (rebuild):  %8.0f records/s (%s)\n", float64(n)/indexTime.Seconds(), indexTime.Round(time.Millisecond))

	tmp, err := os.MkdirTemp(filepath.Dir(dir), "hondana-bench-sqlite-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	db2, cat2, err := openBenchCatalog(ctx, tmp, clock, log)
	if err != nil {
		return err
	}
	defer db2.Close()
	defer cat2.Close()
	g2 := newSynth(1)
	start = time.Now()
	for i := 0; i < n; i += batch {
		m := min(batch, n-i)
		recs := make([]*store.Record, m)
		copies := make([][]store.Copy, m)
		for k := range recs {
			recs[k], copies[k] = g2.record(i + k)
		}
		if err := cat2.SaveRecords(ctx, recs, copies); err != nil {
			return err
		}
	}
	importTime := time.Since(start)
	fmt.Printf("import to SQLite: %8.0f records/s (%s; SaveRecords, index not updated)\n", float64(n)/importTime.Seconds(), importTime.Round(time.Millisecond))
	return nil
}

// benchRebuild measures a rebuild of the index of the catalogue in dir.
func benchRebuild(ctx context.Context, dir string, n int, clock library.Clock, log *slog.Logger) error {
	db, err := store.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, err := library.OpenCatalog(ctx, db, dir, clock, log)
	if err != nil {
		return err
	}
	defer cat.Close()
	start := time.Now()
	if err := cat.Rebuild(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("index (rebuild):  %8.0f records/s (%s; peak RSS so far %s)\n", float64(n)/took.Seconds(), took.Round(time.Millisecond), peakRSS())
	return nil
}

// benchCheck makes sure the load is complete: every record in SQLite and
// in the index, nothing left queued.
func benchCheck(ctx context.Context, db *store.DB, cat *library.Catalog, n int) error {
	recs, err := db.RecordCount(ctx)
	if err != nil {
		return err
	}
	res, err := cat.Search(ctx, search.Query{Limit: 1})
	if err != nil {
		return err
	}
	lowest, _, err := db.IndexQueueBounds(ctx)
	if err != nil {
		return err
	}
	if recs != n || res.Total != n || lowest != 0 {
		return fmt.Errorf("bench: after the load: %d records in SQLite, %d in the index, queue from %d; want %d, %d, empty", recs, res.Total, lowest, n, n)
	}
	return nil
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	runtime.GC()
	pprof.WriteHeapProfile(f)
}

var benchBranches = []store.Branch{{Code: "ozu", Name: "大洲図書館"}, {Code: "nagahama", Name: "長浜図書館"}, {Code: "hijikawa", Name: "肱川図書館"}, {Code: "kawabe", Name: "河辺図書館"}}

func dirMB(path string) float64 {
	var total int64
	filepath.Walk(path, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	for _, suffix := range []string{"-wal", "-shm"} {
		if info, err := os.Stat(path + suffix); err == nil {
			total += info.Size()
		}
	}
	return float64(total) / 1e6
}

// anonPeak is the highest RssAnon seen, in KiB: VmHWM also counts the
// index files Bleve maps into memory, which the kernel can drop at will.
var anonPeak atomic.Int64

func sampleAnon() (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			b, err := os.ReadFile("/proc/self/status")
			if err != nil {
				return
			}
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "RssAnon:" {
					if kb, _ := strconv.ParseInt(f[1], 10, 64); kb > anonPeak.Load() {
						anonPeak.Store(kb)
					}
				}
			}
		}
	}()
	return func() { close(done) }
}

func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.Atoi(f[1])
				return fmt.Sprintf("%.0f MB", float64(kb)/1024)
			}
		}
	}
	return "unknown"
}

// word is a vocabulary entry with its reading.
type word struct{ w, yomi string }

var jaWords = []word{
	{"図書館", "トショカン"}, {"歴史", "レキシ"}, {"日本", "ニホン"}, {"世界", "セカイ"}, {"物語", "モノガタリ"},
	{"科学", "カガク"}, {"入門", "ニュウモン"}, {"料理", "リョウリ"}, {"旅", "タビ"}, {"猫", "ネコ"},
	{"犬", "イヌ"}, {"海", "ウミ"}, {"山", "ヤマ"}, {"川", "カワ"}, {"花", "ハナ"}, {"星", "ホシ"},
	{"夜", "ヨル"}, {"春", "ハル"}, {"夏", "ナツ"}, {"秋", "アキ"}, {"冬", "フユ"}, {"子ども", "コドモ"},
	{"家族", "カゾク"}, {"経済", "ケイザイ"}, {"社会", "シャカイ"}, {"政治", "セイジ"}, {"哲学", "テツガク"},
	{"数学", "スウガク"}, {"宇宙", "ウチュウ"}, {"地球", "チキュウ"}, {"環境", "カンキョウ"}, {"健康", "ケンコウ"},
	{"医学", "イガク"}, {"心理", "シンリ"}, {"教育", "キョウイク"}, {"音楽", "オンガク"}, {"美術", "ビジュツ"},
	{"写真", "シャシン"}, {"庭", "ニワ"}, {"農業", "ノウギョウ"}, {"漁業", "ギョギョウ"}, {"鉄道", "テツドウ"},
	{"城", "シロ"}, {"町", "マチ"}, {"村", "ムラ"}, {"祭り", "マツリ"}, {"昔話", "ムカシバナシ"}, {"伝説", "デンセツ"},
	{"戦争", "センソウ"}, {"平和", "ヘイワ"}, {"恋", "コイ"}, {"手紙", "テガミ"}, {"時間", "ジカン"}, {"未来", "ミライ"},
	{"記憶", "キオク"}, {"言葉", "コトバ"}, {"文学", "ブンガク"}, {"詩", "シ"}, {"俳句", "ハイク"}, {"短歌", "タンカ"},
	{"電子書籍", "デンシショセキ"}, {"出版", "シュッパン"}, {"情報", "ジョウホウ"}, {"技術", "ギジュツ"}, {"人工知能", "ジンコウチノウ"},
	{"大洲", "オオズ"}, {"愛媛", "エヒメ"}, {"四国", "シコク"}, {"肱川", "ヒジカワ"}, {"みかん", "ミカン"},
}

var enWords = []string{"library", "history", "science", "introduction", "world", "travel", "cooking", "garden", "music",
	"design", "data", "learning", "children", "ocean", "mountain", "city", "future", "memory", "language", "poetry"}

var particles = []word{{"の", "ノ"}, {"と", "ト"}, {"を", "ヲ"}, {"から", "カラ"}, {"への", "ヘノ"}}

var benchFamily = []word{{"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"}, {"渡辺", "ワタナベ"},
	{"伊藤", "イトウ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"}, {"加藤", "カトウ"}, {"吉田", "ヨシダ"},
	{"山田", "ヤマダ"}, {"松本", "マツモト"}, {"井上", "イノウエ"}, {"木村", "キムラ"}, {"斎藤", "サイトウ"}, {"森", "モリ"},
	{"池田", "イケダ"}, {"橋本", "ハシモト"}, {"石川", "イシカワ"}, {"前田", "マエダ"}, {"藤田", "フジタ"}, {"岡田", "オカダ"}}

var benchGiven = []word{{"花子", "ハナコ"}, {"太郎", "タロウ"}, {"健一", "ケンイチ"}, {"美咲", "ミサキ"}, {"誠", "マコト"},
	{"由美", "ユミ"}, {"翔太", "ショウタ"}, {"陽子", "ヨウコ"}, {"大輔", "ダイスケ"}, {"恵", "メグミ"}, {"隆", "タカシ"},
	{"直樹", "ナオキ"}, {"裕子", "ユウコ"}, {"修", "オサム"}, {"聡", "サトシ"}, {"愛", "アイ"}, {"剛", "ツヨシ"}}

var benchPublishers = []string{"岩波書店", "新潮社", "講談社", "筑摩書房", "中央公論新社", "角川書店", "平凡社", "創元社", "晶文社", "Penguin", "Oxford University Press"}

// synth makes reproducible synthetic records and queries.
type synth struct {
	rng *rand.Rand
}

func newSynth(seed uint64) *synth { return &synth{rng: rand.New(rand.NewPCG(seed, 7))} }

func (g *synth) pick(ws []word) word { return ws[g.rng.IntN(len(ws))] }

func (g *synth) title() (string, string) {
	if g.rng.IntN(8) == 0 {
		n := 2 + g.rng.IntN(3)
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, enWords[g.rng.IntN(len(enWords))])
		}
		t := strings.Join(parts, " ")
		return strings.ToUpper(t[:1]) + t[1:], ""
	}
	n := 1 + g.rng.IntN(3)
	var t, y strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			p := g.pick(particles)
			t.WriteString(p.w)
			y.WriteString(" " + p.yomi + " ")
		}
		w := g.pick(jaWords)
		t.WriteString(w.w)
		y.WriteString(w.yomi)
	}
	return t.String(), y.String()
}

func (g *synth) record(i int) (*store.Record, []store.Copy) {
	title, yomi := g.title()
	f, gv := g.pick(benchFamily), g.pick(benchGiven)
	r := &store.Record{
		Source:       "bench:" + strconv.Itoa(i),
		Title:        title,
		TitleYomi:    yomi,
		Authors:      []store.Author{{Name: f.w + gv.w, Yomi: f.yomi + " " + gv.yomi, Role: store.RoleAuthor}},
		Publisher:    benchPublishers[g.rng.IntN(len(benchPublishers))],
		Year:         1950 + g.rng.IntN(77),
		NDC:          fmt.Sprintf("%d%02d", g.rng.IntN(10), g.rng.IntN(100)),
		MaterialType: store.MaterialBook,
		Language:     "jpn",
	}
	if g.rng.IntN(10) == 0 {
		r.MaterialType = []string{store.MaterialMagazine, store.MaterialVideo, store.MaterialAudio}[g.rng.IntN(3)]
	}
	if g.rng.IntN(5) < 3 {
		r.ISBN = benchISBN(i)
	}
	if g.rng.IntN(4) == 0 {
		r.Series = g.pick(jaWords).w + "文庫"
	}
	n := 1 + g.rng.IntN(5)
	copies := make([]store.Copy, n)
	for k := range copies {
		st := store.CopyOnShelf
		if g.rng.IntN(5) == 0 {
			st = store.CopyOnLoan
		}
		copies[k] = store.Copy{
			Barcode:    fmt.Sprintf("9%09d%d", i, k),
			Branch:     benchBranches[g.rng.IntN(len(benchBranches))].Code,
			Location:   "一般書架",
			CallNumber: r.NDC,
			Status:     st,
			AcquiredOn: time.Date(2000+g.rng.IntN(27), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(library.DateLayout),
		}
		copies[k].ShelvedOn = copies[k].AcquiredOn
	}
	return r, copies
}

// benchISBN makes a valid ISBN-13 from a number.
func benchISBN(i int) string {
	base := fmt.Sprintf("9784%08d", i%100000000)
	sum := 0
	for k, c := range base {
		d := int(c - '0')
		if k%2 == 1 {
			d *= 3
		}
		sum += d
	}
	s, _ := isbn.Normalize(base + strconv.Itoa((10-sum%10)%10))
	return s
}

// queries makes a mix like a catalogue's log: single words, readings in
// hiragana, author names, title + author, ISBNs, English, with filters.
func (g *synth) queries(n int) []search.Query {
	toHira := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'ァ' && r <= 'ヶ' {
				return r - 0x60
			}
			return r
		}, s)
	}
	out := make([]search.Query, n)
	for i := range out {
		var q search.Query
		switch k := g.rng.IntN(10); k {
		case 0, 1:
			q.Text = g.pick(jaWords).w
		case 2:
			q.Text = toHira(g.pick(jaWords).yomi)
		case 3:
			f, gv := g.pick(benchFamily), g.pick(benchGiven)
			q.Text = f.w + gv.w
		case 4:
			q.Text = g.pick(jaWords).w + " " + g.pick(benchFamily).w
		case 5:
			q.Text = benchISBN(g.rng.IntN(100000))
		case 6:
			q.Text = enWords[g.rng.IntN(len(enWords))]
		case 7:
			q.Text = g.pick(jaWords).w + g.pick(particles).w + g.pick(jaWords).w
		case 8:
			q.Text = g.pick(jaWords).w
			q.Available = true
			q.Branch = benchBranches[g.rng.IntN(len(benchBranches))].Code
		case 9:
			q.Text = g.pick(jaWords).w
			q.NDC = strconv.Itoa(g.rng.IntN(10))
			q.YearFrom = 1990
		}
		if g.rng.IntN(5) == 0 {
			q.Offset = 20
		}
		q.Limit = 20
		out[i] = q
	}
	return out
}

// openBenchCatalog opens a database and catalogue in dir with the bench's
// branches; close the catalogue, then the database.
func openBenchCatalog(ctx context.Context, dir string, clock library.Clock, log *slog.Logger) (*store.DB, *library.Catalog, error) {
	db, err := store.Open(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	if err := saveBranches(ctx, db, benchBranches); err != nil {
		db.Close()
		return nil, nil, err
	}
	cat, err := library.OpenCatalog(ctx, db, dir, clock, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, cat, nil
}
