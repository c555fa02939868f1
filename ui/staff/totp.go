package staff

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"hondana/ui/web"
)

// totpPage shows a staff member's second factor: on, with the recovery
// codes left and a form to turn it off; or off, with a secret to set up
// (a QR code and the same in text) and a form for a code from it.
func (s *Server) totpPage(c *gin.Context) error {
	return s.renderTOTP(c, http.StatusOK, gin.H{"Done": c.Query("done")})
}

func (s *Server) renderTOTP(c *gin.Context, status int, data gin.H) error {
	web.NoStore(c) // the secret and the recovery codes are on it
	w := s.Who(c)
	st, err := s.Accounts.TOTPStateOf(c.Request.Context(), w.StaffID)
	if err != nil {
		return err
	}
	data["State"] = st
	if !st.On && data["Recovery"] == nil {
		e, err := s.Accounts.BeginTOTP(c.Request.Context(), w.StaffID, s.Site.Name)
		if err != nil {
			return err
		}
		data["Secret"] = e.Secret
		if png, err := qrcode.Encode(e.URI, qrcode.Medium, 240); err == nil {
			data["QR"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		}
	}
	s.Render(c, status, "staff/totp", web.T(web.Lang(c), "totp.title"), data)
	return nil
}

// totpPost turns the second factor on with a code from the secret shown,
// and shows the recovery codes, this once.
func (s *Server) totpPost(c *gin.Context) error {
	codes, err := s.Accounts.ConfirmTOTP(c.Request.Context(), s.Who(c).StaffID, c.PostForm("code"))
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		return s.renderTOTP(c, status, gin.H{"Error": msg})
	}
	return s.renderTOTP(c, http.StatusOK, gin.H{"Recovery": codes})
}

// totpOffPost turns one's own second factor off, given a code of it.
func (s *Server) totpOffPost(c *gin.Context) error {
	if err := s.Accounts.TurnOffTOTP(c.Request.Context(), s.Who(c).StaffID, c.PostForm("code")); err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		return s.renderTOTP(c, status, gin.H{"Error": msg})
	}
	c.Redirect(http.StatusSeeOther, "/staff/totp?done=off")
	return nil
}
