package library

import (
	"container/list"
	"context"
	"hash/maphash"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// What logins remember between requests lives in memory, in maps of
// bounded size: whatever an attacker sends, they cannot grow without end.

// memo is a map of at most max entries that forgets the least recently
// used one to make room.
type memo[V any] struct {
	max   int
	items map[string]*list.Element
	order *list.List // of *memoItem[V], the most recently used first
}

type memoItem[V any] struct {
	key string
	val V
}

func newMemo[V any](max int) *memo[V] {
	return &memo[V]{max: max, items: map[string]*list.Element{}, order: list.New()}
}

// get returns the value of key, marking it used.
func (m *memo[V]) get(key string) (V, bool) {
	e, ok := m.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	m.order.MoveToFront(e)
	return e.Value.(*memoItem[V]).val, true
}

// put sets the value of key, forgetting the least recently used entry
// when the map is full.
func (m *memo[V]) put(key string, v V) {
	if e, ok := m.items[key]; ok {
		e.Value.(*memoItem[V]).val = v
		m.order.MoveToFront(e)
		return
	}
	if m.order.Len() >= m.max {
		last := m.order.Back()
		m.order.Remove(last)
		delete(m.items, last.Value.(*memoItem[V]).key)
	}
	m.items[key] = m.order.PushFront(&memoItem[V]{key: key, val: v})
}

// each calls f with every entry, the most recently used first.
func (m *memo[V]) each(f func(key string, v V)) {
	for e := m.order.Front(); e != nil; e = e.Next() {
		it := e.Value.(*memoItem[V])
		f(it.key, it.val)
	}
}

// remove forgets key.
func (m *memo[V]) remove(key string) {
	if e, ok := m.items[key]; ok {
		m.order.Remove(e)
		delete(m.items, key)
	}
}

// failures is a run of failed logins with no success since.
type failures struct {
	n    int
	last time.Time
}

// unknownCards is how many cards no patron has, and staffTries how many
// staff names at an address, the server remembers the failures of; in
// maps of their own, so that trying one cannot flush the other, and
// forgetting the least recently tried first.
const (
	unknownCards = 50000
	staffTries   = 10000
)

// failures returns the failures m remembers for key.
func (a *Accounts) failures(m *memo[failures], key string) failures {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, _ := m.get(key)
	return f
}

// fail counts a failure of key in m.
func (a *Accounts) fail(m *memo[failures], key string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, _ := m.get(key)
	m.put(key, failures{n: f.n + 1, last: now})
}

// forget forgets the failures of key in m after a success.
func (a *Accounts) forget(m *memo[failures], key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m.remove(key)
}

// clientAddresses is how many client addresses the address limit
// remembers; the least recently seen are forgotten first.
const clientAddresses = 10000

// addrState is what one client address did in its current window.
type addrState struct {
	start   time.Time
	cards   map[uint64]bool // the cards that failed (keyed hashes), up to AddressFailures
	n       int             // different cards that failed; past the limit every failure counts
	pending int             // logins admitted and not yet settled, across windows
	lane    chan struct{}   // while it is slowed, its logins pass one at a time
}

// clientKey is what the limits count a client address by: an IPv4
// address, or the /64 of an IPv6 address (what one household or server
// gets, so a guesser cannot take a fresh address for every guess).
func clientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if ip = ip.Unmap(); ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// addressKey is what the address limit counts a patron's login by (see
// clientKey), or "" for a shared terminal, which it does not count.
func (a *Accounts) addressKey(addr string) string {
	if ip, err := netip.ParseAddr(addr); err == nil {
		for _, p := range a.p.SharedTerminals {
			if p.Contains(ip.Unmap()) {
				return ""
			}
		}
	}
	return clientKey(addr)
}

// address returns the state of the address key, in a new window when
// the last one has ended. The caller holds a.mu.
func (a *Accounts) address(key string, now time.Time) *addrState {
	st, ok := a.byAddr.get(key)
	if !ok {
		st = &addrState{lane: make(chan struct{}, 1)}
		a.byAddr.put(key, st)
	}
	if now.Sub(st.start) >= a.p.AddressWindow {
		st.start, st.cards, st.n = now, map[uint64]bool{}, 0
	}
	return st
}

// addressDelay is how long a login waits from an address whose failures
// span n different cards: nothing up to the limit, then AddressDelay,
// doubling with every further AddressFailures cards, to 8 times that.
func (a *Accounts) addressDelay(n int) time.Duration {
	if n < a.p.AddressFailures {
		return 0
	}
	return a.p.AddressDelay << min((n-a.p.AddressFailures)/max(a.p.AddressFailures, 1), 3)
}

// checkPassword checks a patron's password against hash ("" for a card
// no patron has) once the address limit has admitted the login, and
// counts the outcome against the address.
func (a *Accounts) checkPassword(ctx context.Context, addr, card, hash, password string, now time.Time) (bool, error) {
	key := a.addressKey(addr)
	settle, err := a.admit(ctx, key, card, now)
	if err != nil {
		return false, err
	}
	source := "patron " + key
	if key == "" {
		source = "terminal " + addr
	}
	good, err := a.verify(ctx, source, hash, password)
	settle(err == nil && !good)
	return good, err
}

// admit lets a patron's login from the address key have its password
// checked, and makes it wait first when the address has failed for too
// many different cards (a password sprayed over card numbers).
//
// The address limit slows, it never refuses, so a patron behind the same
// address (a library's NAT, an untrusted proxy) still gets in with the
// right password. A slowed address's logins pass one at a time, each
// after the delay, so many connections do not make a sprayer faster.
// The login counts against the address before its password is checked,
// as pending until settle tells how it ended: a burst of concurrent
// logins cannot all pass a limit that none of them has reached yet. A
// card that already failed from here does not count again: a patron
// mistyping their own password is the per-card limit's business.
func (a *Accounts) admit(ctx context.Context, key, card string, now time.Time) (settle func(failed bool), err error) {
	if key == "" {
		return func(bool) {}, nil
	}
	h := maphash.String(a.cardKey, card)
	a.mu.Lock()
	st := a.address(key, now)
	counts := !st.cards[h]
	delay := a.addressDelay(st.n + st.pending)
	if counts {
		st.pending++
	}
	a.mu.Unlock()
	inLane := false
	settle = func(failed bool) {
		a.mu.Lock()
		if counts {
			st.pending--
		}
		if failed {
			cur := a.address(key, now)
			switch {
			case cur.cards[h]:
			case len(cur.cards) < a.p.AddressFailures:
				cur.cards[h] = true
				cur.n++
			default:
				cur.n++
			}
		}
		a.mu.Unlock()
		if inLane {
			<-st.lane
		}
	}
	if delay == 0 {
		return settle, nil
	}
	a.stats.slowed.Add(1)
	select {
	case st.lane <- struct{}{}:
		inLane = true
	case <-ctx.Done():
		settle(false)
		return nil, ctx.Err()
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return settle, nil
	case <-ctx.Done():
		settle(false)
		return nil, ctx.Err()
	}
}

// hashQueue runs at most n password hashes at once (each takes 19 MiB
// for a moment) and, when more wait, serves the sources that wait in
// turn rather than in order of arrival: a burst of logins from one
// address waits behind itself, and a login from elsewhere waits for at
// most one hash of each other source waiting. Its length is bounded by
// the address limit, which admits at most AddressFailures logins of an
// address at once, and one more while the address is slowed.
type hashQueue struct {
	mu      sync.Mutex
	idle    int                  // workers free
	lines   map[string][]*waiter // who waits, per source, first come first
	turns   []string             // the sources waiting, in the order they are served
	waiting int
	granted int64 // workers given to someone who waited
	// behind is the most workers given to others while a check that
	// had none of its own source before it waited for its own.
	behind int64
}

// waiter is a check waiting in its source's line.
type waiter struct {
	ch    chan struct{}
	first bool  // none of its own source waited before it
	mark  int64 // granted when it came
}

func newHashQueue(n int) *hashQueue {
	return &hashQueue{idle: n, lines: map[string][]*waiter{}}
}

// acquire waits for a worker for source; the caller calls release when
// it is done.
func (q *hashQueue) acquire(ctx context.Context, source string) error {
	q.mu.Lock()
	if q.idle > 0 {
		q.idle--
		q.mu.Unlock()
		return nil
	}
	w := &waiter{ch: make(chan struct{}), first: len(q.lines[source]) == 0, mark: q.granted}
	if w.first {
		q.turns = append(q.turns, source)
	}
	q.lines[source] = append(q.lines[source], w)
	q.waiting++
	q.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	line := q.lines[source]
	if i := slices.Index(line, w); i >= 0 {
		q.waiting--
		if len(line) == 1 {
			delete(q.lines, source)
			q.turns = slices.DeleteFunc(q.turns, func(s string) bool { return s == source })
		} else {
			q.lines[source] = slices.Delete(line, i, i+1)
		}
		return ctx.Err()
	}
	q.handOn() // granted meanwhile
	return ctx.Err()
}

// release gives the worker to the next source in turn.
func (q *hashQueue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handOn()
}

// handOn gives a worker to the first in line of the source whose turn
// it is, which then goes to the back of the turns if more of it wait.
// The caller holds q.mu.
func (q *hashQueue) handOn() {
	if len(q.turns) == 0 {
		q.idle++
		return
	}
	src := q.turns[0]
	line := q.lines[src]
	w := line[0]
	if w.first {
		q.behind = max(q.behind, q.granted-w.mark)
	}
	q.granted++
	q.waiting--
	close(w.ch)
	q.turns = q.turns[1:]
	if len(line) == 1 {
		delete(q.lines, src)
	} else {
		q.lines[src] = line[1:]
		q.turns = append(q.turns, src)
	}
}

// LoginStats counts what the throttling of logins did since the start.
type LoginStats struct {
	Verifications int64 // passwords checked against a hash
	Slowed        int64 // patron logins that waited because their address was spraying
	Waiting       int   // checks waiting for a worker, now
	// WaitedBehind is the most checks of other sources that began while
	// one check waited for its own (one that had none of its own source
	// before it): with sources served in turn, at most one of each
	// other source waiting, however many of them a burst queued.
	WaitedBehind int64
}

// Stats returns the counts of the throttling.
func (a *Accounts) Stats() LoginStats {
	q := a.hashing
	q.mu.Lock()
	defer q.mu.Unlock()
	return LoginStats{Verifications: a.stats.verifications.Load(), Slowed: a.stats.slowed.Load(), Waiting: q.waiting, WaitedBehind: q.behind}
}
