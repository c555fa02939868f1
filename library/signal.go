package library

// Signal wakes a background worker: Notify never blocks, and the
// notifications that come before the worker looks count as one. The
// composition root makes one and hands Notify to the services that write
// work (the outbox) and the channel to the worker that does it, so each
// is built with all it needs.
type Signal chan struct{}

// NewSignal returns a signal nobody has notified yet.
func NewSignal() Signal { return make(Signal, 1) }

// Notify wakes the worker, or leaves it to wake once it next looks.
func (s Signal) Notify() {
	select {
	case s <- struct{}{}:
	default:
	}
}
