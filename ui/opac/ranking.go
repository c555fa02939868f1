package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) loanRankingPage(c *gin.Context) error {
	ranks, hits, period, err := s.Ranking(c, false)
	if err != nil {
		return err
	}
	l := web.Lang(c)
	var periods []facetLink
	for _, p := range []string{"month", "year", "all"} {
		periods = append(periods, facetLink{Label: web.T(l, "rank."+p), URL: "/ranking/loans?period=" + p, Selected: p == period})
	}
	s.Render(c, http.StatusOK, "opac/ranking", web.T(l, "rank.loans"), gin.H{"Ranks": ranks, "Hits": hits, "Periods": periods, "Unit": "rank.count",
		"Covers": s.Covers(c, hits)})
	return nil
}

func (s *Server) holdRankingPage(c *gin.Context) error {
	ranks, hits, _, err := s.Ranking(c, true)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/ranking", web.T(web.Lang(c), "rank.holds"), gin.H{"Ranks": ranks, "Hits": hits, "Unit": "rank.holds_count",
		"Covers": s.Covers(c, hits)})
	return nil
}
