package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) apiLogin(c *gin.Context) error {
	var req struct {
		Card     string `json:"card"`
		Password string `json:"password"`
		Kiosk    bool   `json:"kiosk"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	kind := library.SessionAPI
	if req.Kiosk {
		kind = library.SessionKiosk
	}
	res, err := s.Accounts.Login(c.Request.Context(), req.Card, req.Password, c.ClientIP(), kind)
	if err != nil {
		return err
	}
	web.NoStore(c)
	c.JSON(http.StatusOK, gin.H{"token": res.Token, "must_change_password": res.MustChange,
		"patron": gin.H{"card": res.Card, "name": res.Name}})
	return nil
}

func (s *Server) apiLogout(c *gin.Context) error {
	w := s.Who(c)
	if w == nil {
		return &web.Error{Status: http.StatusUnauthorized, Code: library.Unauthorized, Msg: "err.unauthorized"}
	}
	if err := s.Accounts.Logout(c.Request.Context(), s.Token(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiStaffLogin(c *gin.Context) error {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Code     string `json:"code"` // of the second factor, when the account has one
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	res, err := s.Accounts.StaffLogin(ctx, req.Username, req.Password, c.ClientIP(), library.SessionAPI)
	if err != nil {
		return err
	}
	if res.SecondFactor != "" {
		if req.Code == "" {
			return &library.Refusal{Code: library.TOTPRequired, Field: "code"}
		}
		if res, err = s.Accounts.StaffLoginCode(ctx, res.SecondFactor, req.Code, c.ClientIP(), library.SessionAPI); err != nil {
			return err
		}
	}
	web.NoStore(c)
	c.JSON(http.StatusOK, gin.H{"token": res.Token, "staff": gin.H{"username": req.Username, "role": res.Role}})
	return nil
}
