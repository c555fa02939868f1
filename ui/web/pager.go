package web

import (
	"net/url"
	"strconv"

	"hondana/search"
)

// Pager is the numbers a result page shows.
type Pager struct {
	Page, Pages int
	Prev, Next  string
}

// MakePager is the pager of a result of total hits shown perPage at a
// time, page being shown, its links keeping u's other parameters.
func MakePager(u *url.URL, page, perPage, total int) Pager {
	pages := (total + perPage - 1) / perPage
	if max := search.MaxOffset / perPage; pages > max {
		pages = max
	}
	p := Pager{Page: page, Pages: pages}
	link := func(n int) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		q.Del("lang")
		return u.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}
