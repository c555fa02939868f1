package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"sync"

	"modernc.org/sqlite"
)

// The modernc driver parses every query again each time it runs: half
// the cost of a short transaction here. cachingConnector keeps each
// connection's prepared statements, by query text, and reuses them.
type cachingConnector struct {
	dsn string
	drv *sqlite.Driver
}

func (c *cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*list.Element{}, lru: list.New()}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.drv }

// maxCachedStmts bounds each connection's cache; queries built with a
// varying number of placeholders would otherwise fill it.
const maxCachedStmts = 200

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool // rows of it are open: a nested use must not reset it
}

type cachingConn struct {
	driver.Conn
	mu    sync.Mutex
	stmts map[string]*list.Element
	lru   *list.List
}

type ctxStmt interface {
	driver.StmtExecContext
	driver.StmtQueryContext
}

// get returns the cached statement for query, preparing it if needed;
// nil when it cannot be used now.
func (c *cachingConn) get(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.stmts[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		return cs, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(ctxStmt); !ok {
		st.Close()
		return nil, nil
	}
	cs := &cachedStmt{query: query, stmt: st}
	c.stmts[query] = c.lru.PushFront(cs)
	for c.lru.Len() > maxCachedStmts {
		old := c.lru.Back()
		ocs := old.Value.(*cachedStmt)
		if ocs.busy {
			break
		}
		c.lru.Remove(old)
		delete(c.stmts, ocs.query)
		ocs.stmt.Close()
	}
	return cs, nil
}

// ExecContext runs query through its cached statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	return cs.stmt.(ctxStmt).ExecContext(ctx, args)
}

// QueryContext runs query through its cached statement; while its rows
// are open the statement is not handed out again.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	c.mu.Lock()
	cs.busy = true
	c.mu.Unlock()
	rows, err := cs.stmt.(ctxStmt).QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, done: func() { c.release(cs) }}, nil
}

func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for _, e := range c.stmts {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.stmts = nil
	c.lru.Init()
	c.mu.Unlock()
	return errors.Join(append(errs, c.Conn.Close())...)
}

// The optional interfaces of the wrapped connection, passed through.

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// cachedRows gives its statement back when closed (database/sql closes
// rows when Next reports the end, or on error).
type cachedRows struct {
	driver.Rows
	once sync.Once
	done func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.done)
	return err
}
