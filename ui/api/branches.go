package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) apiBranches(c *gin.Context) error {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	type branch struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		NameEn  string `json:"name_en"`
		Address string `json:"address"`
		Phone   string `json:"phone"`
		Fax     string `json:"fax,omitempty"`
	}
	out := make([]branch, len(bs))
	for i, b := range bs {
		out[i] = branch{b.Code, b.Name, b.NameEn, b.Address, b.Phone, b.Fax}
	}
	c.JSON(http.StatusOK, gin.H{"branches": out})
	return nil
}
