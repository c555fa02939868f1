package staff

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// newsFields name the fields of a news item in the messages.
var newsFields = map[string]string{"day": "news.day", "title": "news.title_field", "body": "news.body"}

func (s *Server) newsEditPage(c *gin.Context) error {
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	n := &store.NewsItem{Day: s.Circulation.Today().Format(library.DateLayout)}
	if id, err := web.PathID(c, web.CodeNotFound); err == nil {
		if n, err = s.DB.NewsByID(c.Request.Context(), id); err != nil {
			return err
		}
	}
	s.Render(c, http.StatusOK, "staff/news", web.T(web.Lang(c), "news.edit"), gin.H{"Items": items, "Item": n})
	return nil
}

func (s *Server) newsSavePost(c *gin.Context) error {
	n := &store.NewsItem{Day: strings.TrimSpace(c.PostForm("day")), Title: strings.TrimSpace(c.PostForm("title")), Body: c.PostForm("body")}
	if id, err := web.PathID(c, web.CodeNotFound); err == nil {
		n.ID = id
	}
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	data := gin.H{"Items": items, "Item": n}
	errs := map[string]string{}
	for _, field := range library.CheckNews(*n) {
		errs[field] = web.T(web.Lang(c), "err.invalid_field", web.T(web.Lang(c), newsFields[field]))
	}
	if len(errs) > 0 || c.PostForm("preview") != "" {
		data["Errors"] = errs
		data["Preview"] = s.Markdown(n.Body)
		status := http.StatusOK
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		}
		s.Render(c, status, "staff/news", web.T(web.Lang(c), "news.edit"), data)
		return nil
	}
	if err := s.Content.SaveNews(c.Request.Context(), s.Who(c).StaffID, n); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/news?done=1")
	return nil
}

func (s *Server) newsDeletePost(c *gin.Context) error {
	id, err := web.PathID(c, web.CodeNotFound)
	if err != nil {
		return err
	}
	if err := s.Content.DeleteNews(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/news?done=1")
	return nil
}
