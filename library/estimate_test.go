package library

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"hondana/store"
)

func flat(from, to int) map[int]int {
	h := map[int]int{}
	for d := from; d <= to; d++ {
		h[d] = 1
	}
	return h
}

// TestEstimateWait: the estimate's rules, each against a simpler case.
func TestEstimateWait(t *testing.T) {
	t.Parallel()
	p := DefaultEstimatePolicy()
	loan := func(out int) CopyState { return CopyState{Status: store.CopyOnLoan, OutDays: out} }
	shelf := CopyState{Status: store.CopyOnShelf}
	tests := []struct {
		name     string
		in       WaitInput
		min, max int // the weeks shown
		within   bool
	}{
		{"a copy on the shelf: within a week", WaitInput{Ahead: 0, Copies: []CopyState{shelf}, Durations: flat(14, 14)}, 1, 1, true},
		{"first in line, loan just out, always 14 days", WaitInput{Copies: []CopyState{loan(0)}, Durations: flat(14, 14)}, 2, 2, false},
		{"first in line, loan out 10 of 14 days", WaitInput{Copies: []CopyState{loan(10)}, Durations: flat(14, 14)}, 1, 1, true},
		{"third in line, one copy, 14-day loans", WaitInput{Ahead: 2, Copies: []CopyState{loan(0)}, Durations: flat(14, 14)}, 6, 8, false},
		{"third in line, three copies: as first with one", WaitInput{Ahead: 2, Copies: []CopyState{loan(0), loan(0), loan(0)}, Durations: flat(14, 14)}, 2, 2, false},
		{"transit adds days", WaitInput{Copies: []CopyState{loan(0)}, Durations: flat(14, 14), Transit: true}, 2, 3, false},
		{"loans of 7 to 28 days spread the range", WaitInput{Ahead: 1, Copies: []CopyState{loan(0)}, Durations: flat(7, 28)}, 4, 7, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Policy = p
			e := EstimateWait(tt.in)
			if !e.Known || e.MinWeeks != tt.min || e.MaxWeeks != tt.max || e.WithinWeek != tt.within {
				t.Errorf("estimate %+v; want %d〜%d weeks, within a week %v", e, tt.min, tt.max, tt.within)
			}
			if again := EstimateWait(tt.in); again != e {
				t.Errorf("the same input gave %+v, then %+v", e, again)
			}
		})
	}
	if e := EstimateWait(WaitInput{Durations: flat(14, 14), Policy: p}); e.Known {
		t.Errorf("no copy to lend, yet an estimate: %+v", e)
	}
}

// TestPickDurations: a title's own loan lengths once it has enough, else
// its class's, else the loan period.
func TestPickDurations(t *testing.T) {
	t.Parallel()
	few, many := map[int]int{10: 3}, map[int]int{10: 5, 20: 5}
	tests := []struct {
		name                   string
		record, class3, class1 map[int]int
		want                   string
	}{
		{"the record's own", many, many, many, "record"},
		{"too few: the class of three digits", few, many, nil, "class"},
		{"too few there too: the class of one digit", few, few, many, "class"},
		{"nothing: the loan period", nil, nil, nil, "policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, basis := PickDurations(tt.record, tt.class3, tt.class1, 8, 14)
			if basis != tt.want || len(h) == 0 {
				t.Errorf("basis %s (%d lengths); want %s", basis, len(h), tt.want)
			}
		})
	}
}

// TestEstimateAgainstSimulatedHistory checks the estimate against a
// library simulated for two years with known loan lengths: the first
// year's returns are what the estimate learns from (the loan_durations
// table), the second year's holds are held out, each estimated when
// placed and compared with the day its copy was actually ready.
func TestEstimateAgainstSimulatedHistory(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{2026, 7, 42} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			checkSimulatedHistory(t, simulateLibrary(t, seed))
		})
	}
}

func checkSimulatedHistory(t *testing.T, res simResult) {
	t.Logf("held-out holds: %d (record's own lengths %d, class %d)", res.n, res.byBasis["record"], res.byBasis["class"])
	t.Logf("actual wait inside the range in days: %.1f%%; inside the weeks shown (±half a week): %.1f%%",
		100*res.inDays, 100*res.inWeeks)
	t.Logf("mean absolute error of the range's middle: %.1f days (naive position × loan period: %.1f days); median actual wait %.0f days",
		res.mae, res.naiveMAE, res.medianWait)
	t.Logf("holds that waited over a week: %d; inside the weeks shown %.1f%%, mean absolute error %.1f days (naive %.1f)",
		res.long, 100*res.longInWeeks, res.longMAE, res.longNaiveMAE)
	if res.n < 500 {
		t.Fatalf("only %d held-out holds: the simulation is too small to judge", res.n)
	}
	if res.inWeeks < 0.7 || res.longInWeeks < 0.7 {
		t.Errorf("only %.0f%% of actual waits (%.0f%% of those over a week) inside the weeks shown; want at least 70%%",
			100*res.inWeeks, 100*res.longInWeeks)
	}
	if res.mae >= res.naiveMAE {
		t.Errorf("estimate's error %.1f days is no better than the naive %.1f", res.mae, res.naiveMAE)
	}
}

type simResult struct {
	n               int
	byBasis         map[string]int
	inDays, inWeeks float64
	mae, naiveMAE   float64
	medianWait      float64
	long            int // held-out holds that waited over a week
	longInWeeks     float64
	longMAE         float64
	longNaiveMAE    float64
}

type simCopy struct {
	status  string // shelf, loan, ready
	end     int    // loan: the day it comes back; ready: the day it is borrowed or passed on
	start   int    // loan: the day it went out
	holdIdx int    // ready: the hold it waits for
	noShow  bool   // ready: its patron never comes
}

type simHold struct {
	placed, ready int
	est           Estimate
	naive         float64
	test          bool
}

type simRecord struct {
	class  string
	mean   float64
	rate   float64 // holds per day
	walkIn float64 // chance a copy on the shelf is borrowed on a day
	copies []*simCopy
	queue  []int // indices into holds
	hist   map[int]int
}

func simulateLibrary(t *testing.T, seed uint64) simResult {
	rng := rand.New(rand.NewPCG(seed, 1))
	const days, trainEnd = 730, 365
	classes := []struct {
		ndc  string
		mean float64
	}{{"913", 13}, {"933", 16}, {"210", 10}, {"490", 8}, {"780", 11}, {"007", 18}}
	length := func(r *simRecord) int {
		d := r.mean * math.Exp(0.45*rng.NormFloat64())
		if rng.Float64() < 0.15 {
			d += 14 // renewed
		}
		return min(max(int(math.Round(d)), 1), 45)
	}
	var recs []*simRecord
	for i := range 240 {
		c := classes[i%len(classes)]
		r := &simRecord{class: c.ndc, mean: c.mean * (0.8 + 0.4*rng.Float64()), rate: 0.02 + 0.2*rng.Float64(), hist: map[int]int{}}
		// A third of the titles are rarely borrowed from the shelf: too
		// few returns of their own, their class's lengths stand in.
		r.walkIn = 0.15
		if i%3 == 0 {
			r.walkIn, r.rate = 0.002, r.rate/4
		}
		for range 1 + rng.IntN(3) {
			r.copies = append(r.copies, &simCopy{status: "shelf"})
		}
		recs = append(recs, r)
	}
	classHist := func(prefix string) map[int]int {
		h := map[int]int{}
		for _, r := range recs {
			if len(r.class) >= len(prefix) && r.class[:len(prefix)] == prefix {
				for d, n := range r.hist {
					h[d] += n
				}
			}
		}
		return h
	}
	var holds []*simHold
	p := DefaultEstimatePolicy()
	// give hands a free copy to the first in line, or shelves it.
	give := func(r *simRecord, c *simCopy, day int) {
		if len(r.queue) == 0 {
			c.status = "shelf"
			return
		}
		hi := r.queue[0]
		r.queue = r.queue[1:]
		holds[hi].ready = day
		c.status, c.holdIdx, c.noShow = "ready", hi, rng.Float64() < 0.05
		if c.noShow {
			c.end = day + 7
		} else {
			c.end = day + rng.IntN(p.PickupDays+1)
		}
	}
	for day := 0; day < days; day++ {
		for _, r := range recs {
			for _, c := range r.copies {
				switch {
				case c.status == "loan" && c.end <= day:
					if day < trainEnd {
						r.hist[day-c.start]++
					}
					give(r, c, day)
				case c.status == "ready" && c.end <= day && c.noShow:
					give(r, c, day)
				case c.status == "ready" && c.end <= day:
					c.status, c.start = "loan", day
					c.end = day + length(r)
				}
			}
			// Holds placed today.
			for range poisson(rng, r.rate) {
				h := &simHold{placed: day, ready: -1, test: day >= trainEnd}
				holds = append(holds, h)
				if h.test {
					var states []CopyState
					for _, c := range r.copies {
						switch c.status {
						case "shelf":
							states = append(states, CopyState{Status: store.CopyOnShelf})
						case "loan":
							states = append(states, CopyState{Status: store.CopyOnLoan, OutDays: day - c.start})
						default:
							states = append(states, CopyState{Status: store.CopyOnHoldShelf})
						}
					}
					dur, basis := PickDurations(r.hist, classHist(r.class), classHist(r.class[:1]), p.MinSamples, 14)
					h.est = EstimateWait(WaitInput{Ahead: len(r.queue), Copies: states, Durations: dur, Policy: p})
					h.est.Basis = basis
					h.naive = float64((len(r.queue)/len(r.copies))+1) * 14
				}
				r.queue = append(r.queue, len(holds)-1)
				for _, c := range r.copies {
					if c.status == "shelf" && len(r.queue) > 0 {
						give(r, c, day+p.ShelfDays)
					}
				}
			}
			// Walk-in loans of what is on the shelf.
			for _, c := range r.copies {
				if c.status == "shelf" && rng.Float64() < r.walkIn {
					c.status, c.start = "loan", day
					c.end = day + length(r)
				}
			}
		}
	}
	res := simResult{byBasis: map[string]int{}}
	var errs, naive, waits, longErrs, longNaive []float64
	in, inW, longIn := 0, 0, 0
	for _, h := range holds {
		if !h.test || h.ready < 0 || !h.est.Known {
			continue
		}
		w := float64(h.ready - h.placed)
		res.n++
		res.byBasis[h.est.Basis]++
		waits = append(waits, w)
		if w >= float64(h.est.MinDays) && w <= float64(h.est.MaxDays) {
			in++
		}
		if w >= (float64(h.est.MinWeeks)-0.5)*7 && w <= (float64(h.est.MaxWeeks)+0.5)*7 || (h.est.WithinWeek && w <= 7) {
			inW++
		}
		errs = append(errs, math.Abs(w-float64(h.est.MinDays+h.est.MaxDays)/2))
		naive = append(naive, math.Abs(w-h.naive))
		if w > 7 {
			res.long++
			if w >= (float64(h.est.MinWeeks)-0.5)*7 && w <= (float64(h.est.MaxWeeks)+0.5)*7 {
				longIn++
			}
			longErrs = append(longErrs, errs[len(errs)-1])
			longNaive = append(longNaive, naive[len(naive)-1])
		}
	}
	if res.n == 0 {
		t.Fatal("no held-out hold was ready")
	}
	res.inDays, res.inWeeks = float64(in)/float64(res.n), float64(inW)/float64(res.n)
	res.mae, res.naiveMAE = mean(errs), mean(naive)
	if res.long > 0 {
		res.longInWeeks = float64(longIn) / float64(res.long)
		res.longMAE, res.longNaiveMAE = mean(longErrs), mean(longNaive)
	}
	sort.Float64s(waits)
	res.medianWait = waits[len(waits)/2]
	return res
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// poisson draws a Poisson number with mean lambda (small).
func poisson(rng *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// TestEstimateHoldFromReturns: returns leave loan lengths per title; a
// title with too few of its own is estimated from its NDC class's; a
// pickup library without a copy is told where it would be sooner.
func TestEstimateHoldFromReturns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 3, 10, 0, 0, 0, tokyo)
	e := newCircEnv(t, now)
	known := store.Record{Source: "t:known", Title: "よく借りられる本", NDC: "913.6"}
	fresh := store.Record{Source: "t:fresh", Title: "新しい本", NDC: "913.6"}
	saveRecord(t, e.db, now, &known)
	saveRecord(t, e.db, now, &fresh)
	e.addCopy(t, known.ID, "K1", "ozu", 30)
	e.addCopy(t, fresh.ID, "N1", "ozu", 30)
	e.patron(t, "730000001", "")
	// Ten loans of the known title, each kept 21 days.
	for range 10 {
		if _, err := e.c.Checkout(ctx, "730000001", "K1", "ozu"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(21 * 24 * time.Hour)
		if _, err := e.c.Checkin(ctx, "K1", "ozu"); err != nil {
			t.Fatal(err)
		}
	}
	if h, err := e.db.LoanDurations(ctx, known.ID); err != nil || h[21] != 10 || len(h) != 1 {
		t.Fatalf("loan lengths of the known title: %v %v", h, err)
	}
	if _, err := e.c.Checkout(ctx, "730000001", "N1", "ozu"); err != nil {
		t.Fatal(err)
	}
	est, err := e.c.EstimateHold(ctx, fresh.ID, 0, "ozu")
	if err != nil {
		t.Fatal(err)
	}
	// Its class's loans last three weeks and its copy just went out.
	if !est.Known || est.Basis != "class" || est.MinWeeks != 3 || est.MaxWeeks != 3 || est.Faster != "" {
		t.Errorf("estimate for the new title at ozu: %+v; want 3 weeks from its class", est)
	}
	far, err := e.c.EstimateHold(ctx, fresh.ID, 0, "nagahama")
	if err != nil {
		t.Fatal(err)
	}
	if far.MaxDays <= est.MaxDays || far.Faster != "ozu" {
		t.Errorf("estimate at nagahama, which has no copy: %+v; want longer, and ozu named", far)
	}
	if own, err := e.c.EstimateNewHold(ctx, known.ID, "ozu"); err != nil || own.Basis != "record" || !own.WithinWeek {
		t.Errorf("the known title, on the shelf: %+v %v; want within a week from its own lengths", own, err)
	}
}
