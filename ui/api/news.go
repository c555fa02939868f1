package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) apiNews(c *gin.Context) error {
	items, err := s.DB.News(c.Request.Context(), 0)
	if err != nil {
		return err
	}
	type news struct {
		ID    int64  `json:"id"`
		Date  string `json:"date"`
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	out := make([]news, len(items))
	for i, n := range items {
		out[i] = news{n.ID, n.Day, n.Title, n.Body}
	}
	c.JSON(http.StatusOK, gin.H{"news": out})
	return nil
}
