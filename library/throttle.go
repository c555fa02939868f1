package library

import (
	"container/list"
	"context"
	"hash/maphash"
	"net/netip"
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

// unknownCards is how many failures of card numbers no patron has the
// server remembers; the least recently tried are forgotten first.
const unknownCards = 50000

// unknownFailures returns the failures remembered for key, a card or a
// name that has no account.
func (a *Accounts) unknownFailures(key string) failures {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, _ := a.unknown.get(key)
	return f
}

// unknownFailed counts a failure of key, a card or a name that has no
// account.
func (a *Accounts) unknownFailed(key string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, _ := a.unknown.get(key)
	a.unknown.put(key, failures{n: f.n + 1, last: now})
}

// clientAddresses is how many client addresses the address limit
// remembers; the least recently seen are forgotten first.
const clientAddresses = 10000

// addrState is what one client address did in its current window.
type addrState struct {
	start time.Time
	cards map[uint64]bool // the cards that failed (keyed hashes), up to AddressFailures
	n     int             // different cards that failed; past the limit every failure counts
	lane  chan struct{}   // while it is slowed, its logins pass one at a time
}

// addressKey is what the address limit counts by: an IPv4 address, or
// the /64 of an IPv6 address (what one household or server gets, so a
// sprayer cannot take a fresh address for every guess); "" for a shared
// terminal, which it does not count.
func (a *Accounts) addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	for _, p := range a.p.SharedTerminals {
		if p.Contains(ip) {
			return ""
		}
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
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

// slowDown makes a patron's login wait when its address has failed for
// too many different cards (a password sprayed over card numbers): the
// address limit slows, it never refuses, so a patron behind the same
// address (a library's NAT, a proxy) still gets in with the right
// password. While slowed, an address's logins pass one at a time, each
// after the delay: many connections do not make a sprayer faster. The
// caller calls done once it has counted the attempt.
func (a *Accounts) slowDown(ctx context.Context, addr string, now time.Time) (done func(), err error) {
	key := a.addressKey(addr)
	if key == "" {
		return func() {}, nil
	}
	a.mu.Lock()
	st := a.address(key, now)
	delay := a.addressDelay(st.n)
	a.mu.Unlock()
	if delay == 0 {
		return func() {}, nil
	}
	a.stats.slowed.Add(1)
	select {
	case st.lane <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		<-st.lane
		return nil, ctx.Err()
	}
	return func() { <-st.lane }, nil
}

// addrFailed counts a failed login for card from addr. Only different
// cards count: a patron who mistypes their own password again and
// again is the per-card limit's business, not the address's.
func (a *Accounts) addrFailed(addr, card string, now time.Time) {
	key := a.addressKey(addr)
	if key == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.address(key, now)
	h := maphash.String(a.cardKey, card)
	switch {
	case st.cards[h]:
	case len(st.cards) < a.p.AddressFailures:
		st.cards[h] = true
		st.n++
	default:
		st.n++
	}
}

// LoginStats counts what the throttling of logins did since the start.
type LoginStats struct {
	Verifications int64 // passwords checked against a hash
	Slowed        int64 // patron logins that waited because their address was spraying
}

// Stats returns the counts of the throttling.
func (a *Accounts) Stats() LoginStats {
	return LoginStats{Verifications: a.stats.verifications.Load(), Slowed: a.stats.slowed.Load()}
}
