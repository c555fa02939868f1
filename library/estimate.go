package library

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"hondana/store"
)

// EstimatePolicy are the numbers of the estimated wait of a hold.
type EstimatePolicy struct {
	// MinSamples is how many returns of a title its own loan lengths
	// need before they are used; with fewer, the title's NDC class's
	// (three digits, then one) stand in, then the loan period.
	MinSamples int
	// PickupDays is the longest a patron takes to borrow a ready copy
	// (drawn evenly from 0 to it): a copy goes on to the next hold only
	// after the loan that follows.
	PickupDays int
	// ShelfDays is how soon a copy on the shelf reaches the hold shelf
	// (the pick list).
	ShelfDays int
	// TransitDays is added when the pickup library has no copy of the
	// title: a copy comes from another library.
	TransitDays int
	// Trials is how many futures are drawn; Low and High the quantiles
	// of the waits drawn that the range shows.
	Trials    int
	Low, High float64
}

// DefaultEstimatePolicy: the numbers checked against a simulated history
// (TestEstimateAgainstSimulatedHistory).
func DefaultEstimatePolicy() EstimatePolicy {
	return EstimatePolicy{MinSamples: 8, PickupDays: 6, ShelfDays: 1, TransitDays: 3, Trials: 400, Low: 0.15, High: 0.85}
}

// Estimate is a hold's estimated wait until its copy is ready, in days
// and in the weeks the patron is shown ("目安：約3〜5週間").
type Estimate struct {
	Known              bool // false: no copy can be lent, nothing to say
	MinDays, MaxDays   int
	MinWeeks, MaxWeeks int
	// WithinWeek: the copy is likely ready within a week.
	WithinWeek bool
	// Basis says whose loan lengths were used: "record", "class" (its
	// NDC class) or "policy" (the loan period).
	Basis string
	// Faster is a pickup library where the copy would likely be ready
	// sooner ("" when none).
	Faster string
}

// CopyState is a lendable copy as the estimate sees it: on the shelf
// (free now), out on loan for OutDays, or busy (travelling, or on a hold
// shelf for a hold ahead: free after that hold's loan).
type CopyState struct {
	Status  string // store.CopyOnShelf, store.CopyOnLoan, or anything else for busy
	OutDays int    // days on loan so far
}

// WaitInput is what EstimateWait looks at.
type WaitInput struct {
	Ahead     int // holds before this one that a copy goes to first
	Copies    []CopyState
	Durations map[int]int // loan lengths in days → how many loans
	Transit   bool        // the pickup library has no copy
	Policy    EstimatePolicy
}

// EstimateWait draws possible futures of a title's copies from its loan
// lengths and says how long the hold behind Ahead others likely waits:
// each copy becomes free (a loan ends, allowing for the time out so far),
// goes to the first hold in line, whose patron borrows it within
// PickupDays and keeps it a loan's length, and so on. The range is the
// Low to High quantile of the waits drawn. Pure: the same input gives the
// same estimate.
func EstimateWait(in WaitInput) Estimate {
	p := in.Policy
	if len(in.Copies) == 0 || len(in.Durations) == 0 || p.Trials <= 0 {
		return Estimate{}
	}
	draw := newSampler(in.Durations)
	rng := rand.New(rand.NewPCG(uint64(in.Ahead)+1, uint64(len(in.Copies))*7919+uint64(len(in.Durations))))
	pickup := func() float64 { return float64(rng.IntN(p.PickupDays + 1)) }
	waits := make([]float64, p.Trials)
	free := make([]float64, len(in.Copies))
	for t := range waits {
		for i, c := range in.Copies {
			switch c.Status {
			case store.CopyOnShelf:
				free[i] = float64(p.ShelfDays)
			case store.CopyOnLoan:
				free[i] = draw.remaining(rng, c.OutDays)
			default:
				free[i] = pickup() + draw.one(rng)
			}
		}
		for k := 0; ; k++ {
			j := 0
			for i := range free {
				if free[i] < free[j] {
					j = i
				}
			}
			if k == in.Ahead {
				waits[t] = free[j]
				break
			}
			free[j] += pickup() + draw.one(rng)
		}
		if in.Transit {
			waits[t] += float64(p.TransitDays)
		}
	}
	sort.Float64s(waits)
	lo, hi := quantile(waits, p.Low), quantile(waits, p.High)
	e := Estimate{Known: true, MinDays: int(math.Round(lo)), MaxDays: int(math.Ceil(hi))}
	e.MinWeeks = max(1, int(math.Round(lo/7)))
	e.MaxWeeks = max(e.MinWeeks, int(math.Ceil(hi/7)))
	e.WithinWeek = hi <= 7
	return e
}

func quantile(sorted []float64, q float64) float64 {
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}

// sampler draws loan lengths from a histogram.
type sampler struct {
	days []int
	cum  []int
}

func newSampler(h map[int]int) *sampler {
	s := &sampler{}
	for d := range h {
		if h[d] > 0 {
			s.days = append(s.days, d)
		}
	}
	sort.Ints(s.days)
	total := 0
	for _, d := range s.days {
		total += h[d]
		s.cum = append(s.cum, total)
	}
	return s
}

func (s *sampler) one(rng *rand.Rand) float64 {
	if len(s.days) == 0 {
		return 0
	}
	n := rng.IntN(s.cum[len(s.cum)-1])
	i := sort.SearchInts(s.cum, n+1)
	return float64(s.days[i])
}

// remaining draws how much longer a loan out for out days lasts: a
// length longer than out, less out. A loan already longer than any seen
// ends within a week.
func (s *sampler) remaining(rng *rand.Rand, out int) float64 {
	if len(s.days) == 0 || s.days[len(s.days)-1] <= out {
		return float64(1 + rng.IntN(7))
	}
	for range 64 {
		if d := s.one(rng); d > float64(out) {
			return d - float64(out)
		}
	}
	return float64(s.days[len(s.days)-1] - out)
}

// PickDurations chooses the loan lengths an estimate uses: the title's
// own when it has MinSamples returns, else its NDC class's (three
// digits, then one), else the loan period (a loan kept from half of it
// to all of it).
func PickDurations(record, class3, class1 map[int]int, minSamples, loanDays int) (map[int]int, string) {
	for _, c := range []struct {
		h     map[int]int
		basis string
	}{{record, "record"}, {class3, "class"}, {class1, "class"}} {
		n := 0
		for _, v := range c.h {
			n += v
		}
		if n >= minSamples {
			return c.h, c.basis
		}
	}
	h := map[int]int{}
	for d := loanDays / 2; d <= loanDays; d++ {
		h[d] = 1
	}
	return h, "policy"
}

// EstimateHold estimates the wait of a hold on a record behind ahead
// others, for pickup at pickup: from the title's anonymous loan lengths
// (or its class's), its copies and where they are. Faster names another
// library whose pickup would likely be sooner: with one queue per title
// (R28), only the transit of a copy differs between libraries. Nothing
// about any patron is read or written.
func (c *Circulation) EstimateHold(ctx context.Context, recordID int64, ahead int, pickup string) (Estimate, error) {
	p := c.est
	copies, err := c.db.CopyWaits(ctx, recordID)
	if err != nil {
		return Estimate{}, err
	}
	today := c.today()
	var states []CopyState
	byBranch := map[string]int{}
	for _, cw := range copies {
		if cw.NotForLoan {
			continue
		}
		st := CopyState{Status: cw.Status}
		switch cw.Status {
		case store.CopyRepair, store.CopyMissing:
			continue
		case store.CopyOnLoan:
			st.OutDays = max(0, daysBetween(parseDay(cw.LoanedOn, c.cal.Location()), today))
		}
		states = append(states, st)
		byBranch[cw.Branch]++
	}
	if len(states) == 0 {
		return Estimate{}, nil
	}
	h, basis, err := c.durationsFor(ctx, recordID)
	if err != nil {
		return Estimate{}, err
	}
	in := WaitInput{Ahead: ahead, Copies: states, Durations: h, Transit: byBranch[pickup] == 0, Policy: p}
	e := EstimateWait(in)
	e.Basis = basis
	if in.Transit {
		// The library with the most copies: a copy comes back there
		// and waits for its patron without travelling.
		best := ""
		for b, n := range byBranch {
			if best == "" || n > byBranch[best] || (n == byBranch[best] && b < best) {
				best = b
			}
		}
		in.Transit = false
		if alt := EstimateWait(in); alt.MaxDays < e.MaxDays {
			e.Faster = best
		}
	}
	return e, nil
}

// durationsFor reads the loan lengths an estimate of a record uses.
func (c *Circulation) durationsFor(ctx context.Context, recordID int64) (map[int]int, string, error) {
	own, err := c.db.LoanDurations(ctx, recordID)
	if err != nil {
		return nil, "", err
	}
	var class3, class1 map[int]int
	if n := total(own); n < c.est.MinSamples {
		r, err := c.db.Record(ctx, recordID)
		if err != nil {
			return nil, "", err
		}
		if len(r.NDC) >= 3 {
			if class3, err = c.classDurations(ctx, r.NDC[:3]); err != nil {
				return nil, "", err
			}
		}
		if len(r.NDC) >= 1 && total(class3) < c.est.MinSamples {
			if class1, err = c.classDurations(ctx, r.NDC[:1]); err != nil {
				return nil, "", err
			}
		}
	}
	h, basis := PickDurations(own, class3, class1, c.est.MinSamples, c.p.LoanDays)
	return h, basis, nil
}

func total(h map[int]int) int {
	n := 0
	for _, v := range h {
		n += v
	}
	return n
}

// EstimateNewHold estimates the wait of a hold placed now on a record:
// behind every waiting hold a copy would go to first.
func (c *Circulation) EstimateNewHold(ctx context.Context, recordID int64, pickup string) (Estimate, error) {
	waiting, _, err := store.Demand(ctx, c.db.Reader(), recordID, c.today().Format(DateLayout))
	if err != nil {
		return Estimate{}, err
	}
	return c.EstimateHold(ctx, recordID, waiting, pickup)
}

// classCacheFor is how long a class's loan lengths are kept in memory:
// they sum many titles' returns and change slowly, and a record page
// with no copy on the shelf asks for them.
const classCacheFor = time.Hour

type classLengths struct {
	h  map[int]int
	at time.Time
}

// classDurations are the loan lengths of an NDC class, from memory when
// read within classCacheFor.
func (c *Circulation) classDurations(ctx context.Context, prefix string) (map[int]int, error) {
	now := c.clock.Now()
	c.classMu.Lock()
	cl, ok := c.classCache[prefix]
	c.classMu.Unlock()
	if ok && now.Sub(cl.at) < classCacheFor && !now.Before(cl.at) {
		return cl.h, nil
	}
	h, err := c.db.ClassLoanDurations(ctx, prefix)
	if err != nil {
		return nil, err
	}
	c.classMu.Lock()
	if c.classCache == nil {
		c.classCache = map[string]classLengths{}
	}
	c.classCache[prefix] = classLengths{h: h, at: now}
	c.classMu.Unlock()
	return h, nil
}
