// Package library holds Hondana's rules: policy values, pure rule functions
// (due dates, opening days, hold queues) and the use cases, each one store
// transaction. It knows nothing of HTTP.
package library

import (
	"sync"
	"time"
)

// Clock tells the time. Every rule reads it; nothing in this package calls
// time.Now.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// TestClock is a clock that tests (and a server started with --test-clock)
// move by hand. It starts at the real time and then runs on from wherever
// it was set, so timers keep working.
type TestClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the clock's time.
func (c *TestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d (d may not be negative).
func (c *TestClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return c.Now()
}

// Set moves the clock to t.
func (c *TestClock) Set(t time.Time) time.Time {
	c.mu.Lock()
	c.offset = time.Until(t)
	c.mu.Unlock()
	return c.Now()
}
