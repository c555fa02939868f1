// Package demo fills an empty database with a library that looks real: the
// whole Aozora Bunko catalogue and an NDL JAPAN/MARC sample, copies spread
// over the branches, patrons with loans and holds, a calendar, news and
// content pages. Everything invented is derived from a fixed seed, so two
// demo libraries built on the same day look the same.
package demo

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"hondana/importer"
	"hondana/library"
	"hondana/store"
)

//go:embed data/*.gz
var data embed.FS

// Accounts the demo creates, printed at start-up.
const (
	StaffUser      = "staff"
	StaffPassword  = "demo-staff-pass"
	PatronCard     = "100001000"
	PatronPassword = "demo1234"
)

// SetPatronPassword gives the first demo patron a real password, so
// "My library" can be tried at once.
func SetPatronPassword(ctx context.Context, db *store.DB, a *library.Accounts) error {
	p, err := db.PatronByCard(ctx, PatronCard)
	if err != nil {
		return fmt.Errorf("demo: patron %s: %w", PatronCard, err)
	}
	return a.SetPassword(ctx, p.ID, PatronPassword)
}

// Options are what the demo needs to know of the library.
type Options struct {
	Branches []store.Branch // in display order; the first is the main library
	Calendar *library.Calendar
	Clock    library.Clock
	Pepper   []byte
	Log      *slog.Logger
}

// Load fills db with the demo library. It expects an empty database.
func Load(ctx context.Context, db *store.DB, cat *library.Catalog, o Options) error {
	if len(o.Branches) == 0 {
		return fmt.Errorf("demo: no branches configured")
	}
	start := time.Now()
	now := o.Clock.Now()
	rng := rand.New(rand.NewPCG(20261127, 48))

	if err := library.SaveBranches(ctx, db, o.Branches); err != nil {
		return err
	}

	recs, err := loadRecords(ctx)
	if err != nil {
		return err
	}
	g := &generator{rng: rng, now: now, loc: o.Calendar.Location(), branches: o.Branches}
	copies := make([][]store.Copy, len(recs))
	for i, r := range recs {
		copies[i] = g.copiesFor(r, i)
	}
	const batch = 2000
	for i := 0; i < len(recs); i += batch {
		j := min(i+batch, len(recs))
		if err := cat.SaveRecords(ctx, recs[i:j], copies[i:j]); err != nil {
			return fmt.Errorf("demo: records: %w", err)
		}
	}
	if err := g.circulation(ctx, db, o, recs, copies); err != nil {
		return err
	}
	if err := g.site(ctx, db, o); err != nil {
		return err
	}
	o.Log.Info("demo library loaded", "records", len(recs), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// loadRecords reads the embedded Aozora and NDL files.
func loadRecords(ctx context.Context) ([]*store.Record, error) {
	var recs []*store.Record
	for _, f := range []struct {
		name   string
		format importer.Format
	}{{"data/aozora.csv.gz", importer.Aozora}, {"data/ndl_jpmarc_233.mrc.gz", importer.MARC21}} {
		raw, err := data.ReadFile(f.name)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", f.name, err)
		}
		err = importer.Read(ctx, io.Reader(zr), f.format, func(pos int, rec *store.Record, err error) error {
			if err == nil && rec != nil {
				recs = append(recs, rec)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", f.name, err)
		}
	}
	return recs, nil
}

type generator struct {
	rng      *rand.Rand
	now      time.Time
	loc      *time.Location
	branches []store.Branch
	barcode  int
}

func (g *generator) day(daysAgo int) string {
	return g.now.In(g.loc).AddDate(0, 0, -daysAgo).Format(library.DateLayout)
}

// copiesFor invents the copies of one record: the main library holds most
// titles, branches some; a few titles arrived in the last weeks.
func (g *generator) copiesFor(r *store.Record, i int) []store.Copy {
	n := 1
	switch x := g.rng.IntN(100); {
	case x < 8:
		n = 3
	case x < 30:
		n = 2
	}
	if popular(r) {
		n += 2
	}
	acquiredAgo := 200 + g.rng.IntN(365*15)
	if g.rng.IntN(100) == 0 || r.ISBN != "" && g.rng.IntN(3) == 0 {
		acquiredAgo = g.rng.IntN(45) // new arrival
	}
	var out []store.Copy
	for k := 0; k < n; k++ {
		b := g.branches[0]
		if k > 0 || g.rng.IntN(4) == 0 {
			b = g.branches[g.rng.IntN(len(g.branches))]
		}
		g.barcode++
		shelved := acquiredAgo - 1 - g.rng.IntN(3)
		if shelved < 0 {
			shelved = 0
		}
		status := store.CopyOnShelf
		if g.rng.IntN(200) == 0 {
			status = store.CopyMissing
		}
		out = append(out, store.Copy{
			Barcode:    fmt.Sprintf("1%02d%07d", indexOf(g.branches, b.Code)+1, g.barcode),
			Branch:     b.Code,
			Location:   location(r, g.rng),
			CallNumber: callNumber(r),
			Status:     status,
			AcquiredOn: g.day(acquiredAgo),
			ShelvedOn:  g.day(shelved),
		})
	}
	return out
}

func indexOf(bs []store.Branch, code string) int {
	for i, b := range bs {
		if b.Code == code {
			return i
		}
	}
	return 0
}

// popular marks the classics everyone borrows, so rankings look familiar.
func popular(r *store.Record) bool {
	for _, t := range []string{"こころ", "坊っちゃん", "吾輩は猫である", "羅生門", "銀河鉄道の夜", "走れメロス",
		"人間失格", "注文の多い料理店", "蜘蛛の糸", "舞姫", "山月記", "檸檬", "雪国", "高瀬舟", "杜子春",
		"三四郎", "それから", "斜陽", "風の又三郎", "セロ弾きのゴーシュ", "鼻", "蟹工船", "たけくらべ", "智恵子抄"} {
		if r.Title == t {
			return true
		}
	}
	return false
}

func location(r *store.Record, rng *rand.Rand) string {
	for _, s := range r.Subjects {
		if s == "児童書" {
			return "児童書架"
		}
	}
	switch {
	case strings.HasPrefix(r.NDC, "0"):
		return "一般書架（総記）"
	case strings.HasPrefix(r.NDC, "91"):
		if rng.IntN(3) == 0 {
			return "文庫コーナー"
		}
		return "一般書架（日本文学）"
	case strings.HasPrefix(r.NDC, "9"):
		return "一般書架（文学）"
	case rng.IntN(10) == 0:
		return "閉架書庫"
	}
	return "一般書架"
}

// callNumber is NDC / author mark (the first kana of the author's
// reading), as on a Japanese spine label.
func callNumber(r *store.Record) string {
	ndc := r.NDC
	if ndc == "" {
		ndc = "000"
	}
	mark := ""
	for _, a := range r.Authors {
		if a.Yomi != "" {
			mark = string([]rune(a.Yomi)[:1])
			break
		}
	}
	if mark == "" && r.TitleYomi != "" {
		mark = string([]rune(r.TitleYomi)[:1])
	}
	if r.Volume != "" {
		return ndc + "/" + mark + "/" + r.Volume
	}
	return ndc + "/" + mark
}

var familyNames = []string{"佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本", "中村", "小林", "加藤", "吉田", "山田", "松本", "井上", "木村", "清水", "宇都宮", "二宮", "菊池", "大野"}
var familyYomi = []string{"サトウ", "スズキ", "タカハシ", "タナカ", "ワタナベ", "イトウ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ", "ヨシダ", "ヤマダ", "マツモト", "イノウエ", "キムラ", "シミズ", "ウツノミヤ", "ニノミヤ", "キクチ", "オオノ"}
var givenNames = []string{"花子", "太郎", "美咲", "健太", "陽菜", "大輔", "さくら", "翔", "由美", "誠", "愛", "拓海", "恵子", "浩", "結衣", "隆"}
var givenYomi = []string{"ハナコ", "タロウ", "ミサキ", "ケンタ", "ヒナ", "ダイスケ", "サクラ", "ショウ", "ユミ", "マコト", "アイ", "タクミ", "ケイコ", "ヒロシ", "ユイ", "タカシ"}

// circulation invents patrons, current loans, holds in every state and a
// year of anonymous loan counts.
func (g *generator) circulation(ctx context.Context, db *store.DB, o Options, recs []*store.Record, copies [][]store.Copy) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var patrons []store.Patron
		for i := 0; i < 300; i++ {
			f, gn := g.rng.IntN(len(familyNames)), g.rng.IntN(len(givenNames))
			p := store.Patron{
				Card:       fmt.Sprintf("1%08d", 1000+i*37),
				Name:       familyNames[f] + " " + givenNames[gn],
				NameYomi:   familyYomi[f] + " " + givenYomi[gn],
				BirthDate:  fmt.Sprintf("%d-%02d-%02d", 1945+g.rng.IntN(65), 1+g.rng.IntN(12), 1+g.rng.IntN(28)),
				Address:    fmt.Sprintf("愛媛県大洲市大洲%d番地", 100+g.rng.IntN(900)),
				Phone:      fmt.Sprintf("0893-2%d-%04d", g.rng.IntN(10), g.rng.IntN(10000)),
				HomeBranch: g.branches[g.rng.IntN(len(g.branches))].Code,
			}
			if g.rng.IntN(2) == 0 {
				p.Mobile = fmt.Sprintf("090-%04d-%04d", g.rng.IntN(10000), g.rng.IntN(10000))
			}
			if g.rng.IntN(3) == 0 {
				p.Email = fmt.Sprintf("patron%03d@example.jp", i)
			}
			// The demo patrons' temporary passwords were issued long ago.
			if err := store.AddPatron(ctx, tx, &p, g.now.AddDate(0, -2, 0)); err != nil {
				return err
			}
			patrons = append(patrons, p)
		}

		// Anonymous counts: a year of loans, classics most, and how long
		// each lasted (for holds' estimated waits): mostly one to three
		// weeks, a sixth renewed. A generator of their own leaves the
		// rest of the demo as it was.
		lengths := rand.New(rand.NewPCG(20261202, 14))
		for i, r := range recs {
			weight := 0
			switch {
			case popular(r):
				weight = 30 + g.rng.IntN(40)
			case g.rng.IntN(12) == 0:
				weight = 1 + g.rng.IntN(8)
			}
			for k := 0; k < weight; k++ {
				b := g.branches[g.rng.IntN(len(g.branches))].Code
				if err := store.AddLoanCount(ctx, tx, recs[i].ID, b, g.day(g.rng.IntN(365)), 1); err != nil {
					return err
				}
				days := 5 + lengths.IntN(17)
				if lengths.IntN(6) == 0 {
					days += 14
				}
				if err := store.CountLoanDuration(ctx, tx, recs[i].ID, days); err != nil {
					return err
				}
			}
		}

		// Current loans, holds waiting behind them, and holds ready. The
		// classics go first, so they are the ones out and reserved.
		loans := map[int64]int{}
		order := g.rng.Perm(len(recs))
		sort.SliceStable(order, func(a, b int) bool { return popular(recs[order[a]]) && !popular(recs[order[b]]) })
		for _, i := range order {
			r := recs[i]
			cs := copies[i]
			// One copy in fourteen is out; the classics are mostly out.
			out := func() bool { return g.rng.IntN(14) == 0 }
			if popular(r) {
				out = func() bool { return g.rng.IntN(10) < 8 }
			}
			for k := range cs {
				c := &cs[k]
				if c.Status != store.CopyOnShelf || !out() || c.AcquiredOn == g.day(0) {
					continue
				}
				p := patrons[g.rng.IntN(len(patrons))]
				if loans[p.ID] >= 8 {
					continue
				}
				loans[p.ID]++
				ago := g.rng.IntN(20)
				due, err := o.Calendar.NextOpenDay(ctx, c.Branch, g.now.AddDate(0, 0, 14-ago))
				if err != nil {
					return err
				}
				l := store.Loan{CopyID: c.ID, PatronID: p.ID, Branch: c.Branch, LoanedOn: g.day(ago), DueDate: due.Format(library.DateLayout)}
				if ago > 16 && g.rng.IntN(2) == 0 {
					l.Renewals = 1
				}
				if err := store.AddLoan(ctx, tx, &l); err != nil {
					return err
				}
				c.Status = store.CopyOnLoan
			}
			onShelf := 0
			for _, c := range cs {
				if c.Status == store.CopyOnShelf {
					onShelf++
				}
			}
			if popular(r) && onShelf < len(cs) {
				waiting := 1 + g.rng.IntN(2)
				if onShelf == 0 {
					waiting = 2 + g.rng.IntN(6)
				}
				for k := 0; k < waiting; k++ {
					p := patrons[g.rng.IntN(len(patrons))]
					h := store.Hold{RecordID: r.ID, PatronID: p.ID, PickupBranch: p.HomeBranch, Contact: "phone",
						Status: store.HoldWaiting, PlacedAt: g.now.Add(-time.Duration(1+g.rng.IntN(400)) * time.Hour)}
					if err := store.AddHold(ctx, tx, &h); err != nil && !isConflict(err) {
						return err
					}
				}
			}
		}
		// A few holds on the hold shelf and in transit.
		placed := 0
		for i, r := range recs {
			if placed >= 12 {
				break
			}
			if !popular(r) && i%97 != 0 {
				continue
			}
			for k := range copies[i] {
				c := &copies[i][k]
				if c.Status != store.CopyOnShelf {
					continue
				}
				p := patrons[(i+k)%len(patrons)]
				h := store.Hold{RecordID: r.ID, PatronID: p.ID, PickupBranch: c.Branch, Contact: "email",
					CopyID: c.ID, PlacedAt: g.now.AddDate(0, 0, -5), ReadyAt: g.now.AddDate(0, 0, -2)}
				if p.Email == "" {
					h.Contact = "phone"
				}
				if placed%3 == 2 && c.Branch != p.HomeBranch && p.HomeBranch != "" {
					h.Status, h.PickupBranch, h.ReadyAt = store.HoldInTransit, p.HomeBranch, time.Time{}
				} else {
					h.Status = store.HoldReady
					h.ContactedAt = h.ReadyAt
					deadline, err := o.Calendar.NextOpenDay(ctx, c.Branch, h.ContactedAt.AddDate(0, 0, 7))
					if err != nil {
						return err
					}
					h.PickupDeadline = deadline.Format(library.DateLayout)
				}
				if err := store.AddHold(ctx, tx, &h); err != nil {
					if isConflict(err) {
						continue
					}
					return err
				}
				c.Status = store.CopyOnHoldShelf
				placed++
				break
			}
		}
		return demoReader(ctx, tx, g, patrons, recs)
	})
}

// demoReader gives the demo's first patron a reading history (読書通帳,
// turned on, three returns) and two favourites, so those pages show
// something; every other patron keeps neither (R40).
func demoReader(ctx context.Context, tx *sql.Tx, g *generator, patrons []store.Patron, recs []*store.Record) error {
	var reader int64
	for _, p := range patrons {
		if p.Card == PatronCard {
			reader = p.ID
		}
	}
	if reader == 0 {
		return nil
	}
	if err := store.SetReadingHistory(ctx, tx, reader, true); err != nil {
		return err
	}
	n := 0
	for _, r := range recs {
		if !popular(r) {
			continue
		}
		switch {
		case n < 3:
			if err := store.AddReading(ctx, tx, reader, r.ID, g.day(60-20*n), g.day(48-20*n)); err != nil {
				return err
			}
		case n < 5:
			if err := store.AddFavourite(ctx, tx, reader, r.ID, g.now.AddDate(0, 0, -n)); err != nil {
				return err
			}
		default:
			return nil
		}
		n++
	}
	return nil
}

func isConflict(err error) bool {
	return err != nil && strings.Contains(err.Error(), store.ErrConflict.Error())
}

// site writes the staff account, calendar exceptions, news and pages.
func (g *generator) site(ctx context.Context, db *store.DB, o Options) error {
	hash, err := library.HashPassword(StaffPassword, o.Pepper)
	if err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		s := store.Staff{Username: StaffUser, DisplayName: "デモ職員", Role: "admin", PasswordHash: hash}
		if err := store.AddStaff(ctx, tx, &s, g.now); err != nil {
			return err
		}
		// An inventory closure (蔵書点検) at the second branch next month.
		if len(g.branches) > 1 {
			first := time.Date(g.now.In(g.loc).Year(), g.now.In(g.loc).Month()+1, 10, 0, 0, 0, 0, g.loc)
			for d := 0; d < 4; d++ {
				day := first.AddDate(0, 0, d).Format(library.DateLayout)
				if err := store.SaveCalendarException(ctx, tx, store.CalendarException{
					Branch: g.branches[1].Code, Day: day, Note: "蔵書点検のため休館"}); err != nil {
					return err
				}
			}
		}
		for _, n := range newsItems(g) {
			if err := store.AddNews(ctx, tx, &n, g.now); err != nil {
				return err
			}
		}
		for i, p := range pages(g.branches) {
			p.MenuOrder = i
			if err := store.SavePage(ctx, tx, p, g.now); err != nil {
				return err
			}
		}
		return nil
	})
}
