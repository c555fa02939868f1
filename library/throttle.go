package library

import (
	"container/list"
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
