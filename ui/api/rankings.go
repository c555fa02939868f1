package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) apiLoanRanking(c *gin.Context) error {
	r, _, period, err := s.Ranking(c, false)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"period": period, "ranking": r})
	return nil
}

func (s *Server) apiHoldRanking(c *gin.Context) error {
	r, _, _, err := s.Ranking(c, true)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"ranking": r})
	return nil
}
