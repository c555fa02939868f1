package ui

import (
	"database/sql"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// Staff edit news and content pages in Markdown, with a preview; the
// Markdown is rendered without raw HTML.

func (s *Server) newsEditPage(c *gin.Context) error {
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	n := &store.NewsItem{Day: s.Circulation.Today().Format(library.DateLayout)}
	if id, err := PathID(c, CodeNotFound); err == nil {
		if n, err = s.DB.NewsByID(c.Request.Context(), id); err != nil {
			return err
		}
	}
	s.Render(c, http.StatusOK, "staff_news", T(Lang(c), "news.edit"), gin.H{"Items": items, "Item": n})
	return nil
}

func (s *Server) newsSavePost(c *gin.Context) error {
	n := &store.NewsItem{Day: strings.TrimSpace(c.PostForm("day")), Title: strings.TrimSpace(c.PostForm("title")), Body: c.PostForm("body")}
	if id, err := PathID(c, CodeNotFound); err == nil {
		n.ID = id
	}
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	data := gin.H{"Items": items, "Item": n}
	errs := map[string]string{}
	if _, err := time.Parse(library.DateLayout, n.Day); err != nil {
		errs["day"] = T(Lang(c), "err.invalid_field", T(Lang(c), "news.day"))
	}
	if n.Title == "" || utf8.RuneCountInString(n.Title) > 200 {
		errs["title"] = T(Lang(c), "err.invalid_field", T(Lang(c), "news.title_field"))
	}
	if utf8.RuneCountInString(n.Body) > 20000 || !utf8.ValidString(n.Body) {
		errs["body"] = T(Lang(c), "err.invalid_field", T(Lang(c), "news.body"))
	}
	if len(errs) > 0 || c.PostForm("preview") != "" {
		data["Errors"] = errs
		data["Preview"] = s.Markdown(n.Body)
		status := http.StatusOK
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		}
		s.Render(c, status, "staff_news", T(Lang(c), "news.edit"), data)
		return nil
	}
	now := s.Clock.Now()
	err = s.DB.Tx(c.Request.Context(), func(tx *sql.Tx) error {
		if n.ID != 0 {
			return store.UpdateNews(c.Request.Context(), tx, n)
		}
		return store.AddNews(c.Request.Context(), tx, n, now)
	})
	if err != nil {
		return err
	}
	s.Audit(c, "news.save", n.Title)
	c.Redirect(http.StatusSeeOther, "/staff/news?done=1")
	return nil
}

func (s *Server) newsDeletePost(c *gin.Context) error {
	id, err := PathID(c, CodeNotFound)
	if err != nil {
		return err
	}
	if err := s.DB.Tx(c.Request.Context(), func(tx *sql.Tx) error { return store.DeleteNews(c.Request.Context(), tx, id) }); err != nil {
		return err
	}
	s.Audit(c, "news.delete", "")
	c.Redirect(http.StatusSeeOther, "/staff/news?done=1")
	return nil
}

func (s *Server) pageEditPage(c *gin.Context) error {
	pages, err := s.DB.Pages(c.Request.Context())
	if err != nil {
		return err
	}
	var p *store.Page
	if slug := c.Param("slug"); slug != "" {
		if p, err = s.DB.PageBySlug(c.Request.Context(), slug); err != nil {
			return err
		}
	}
	s.Render(c, http.StatusOK, "staff_pages", T(Lang(c), "pages.edit"), gin.H{"Pages": pages, "Page": p})
	return nil
}

func (s *Server) pageSavePost(c *gin.Context) error {
	p, err := s.DB.PageBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	p.Title = strings.TrimSpace(c.PostForm("title"))
	p.TitleEn = strings.TrimSpace(c.PostForm("title_en"))
	p.Body = c.PostForm("body")
	pages, _ := s.DB.Pages(c.Request.Context())
	data := gin.H{"Pages": pages, "Page": p}
	bad := p.Title == "" || utf8.RuneCountInString(p.Title) > 100 || utf8.RuneCountInString(p.Body) > 50000 || !utf8.ValidString(p.Body)
	if bad || c.PostForm("preview") != "" {
		data["Preview"] = s.Markdown(p.Body)
		status := http.StatusOK
		if bad {
			status = http.StatusUnprocessableEntity
			data["Error"] = T(Lang(c), "err.invalid_field", T(Lang(c), "news.title_field"))
		}
		s.Render(c, status, "staff_pages", T(Lang(c), "pages.edit"), data)
		return nil
	}
	if err := s.DB.Tx(c.Request.Context(), func(tx *sql.Tx) error { return store.SavePage(c.Request.Context(), tx, *p, s.Clock.Now()) }); err != nil {
		return err
	}
	s.Audit(c, "page.save", p.Slug)
	c.Redirect(http.StatusSeeOther, "/pages/"+p.Slug)
	return nil
}

// staffAccountsPage lists staff accounts for admins to manage.
func (s *Server) staffAccountsPage(c *gin.Context) error {
	list, err := s.DB.StaffList(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff_accounts", T(Lang(c), "accounts.title"), gin.H{"Staff": list, "Done": c.Query("done") != ""})
	return nil
}

func (s *Server) staffAccountsPost(c *gin.Context) error {
	w := s.Who(c)
	var err error
	if user := c.PostForm("update"); user != "" {
		err = s.Accounts.UpdateStaff(c.Request.Context(), w.StaffID, user, c.PostForm("role"), c.PostForm("disabled") == "1", c.PostForm("password"))
	} else {
		err = s.Accounts.AddStaff(c.Request.Context(), w.StaffID, c.PostForm("username"), c.PostForm("role"), c.PostForm("password"))
	}
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		list, _ := s.DB.StaffList(c.Request.Context())
		s.Render(c, status, "staff_accounts", T(Lang(c), "accounts.title"), gin.H{"Staff": list, "Error": msg})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/staff/accounts?done=1")
	return nil
}
