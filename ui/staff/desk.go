package staff

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/store"
	"hondana/ui/web"
)

// deskCookie remembers how this staff browser (a desk) works: its
// library, its printer's paper, whether slips print by themselves and
// whether answers sound. A desk is a browser: the settings stay with it,
// whoever logs in.
const deskCookie = "hondana_desk"

// Paper sizes of the desk's printer (R56): 58 mm and 80 mm thermal
// receipt printers, or A4.
const (
	Paper58 = "58"
	Paper80 = "80"
	PaperA4 = "a4"
)

// deskSettings is what deskCookie holds.
type deskSettings struct {
	Branch    string
	Paper     string
	AutoPrint bool // print slips (and receipts) without asking
	Sound     bool // a sound with each answer
}

// readDesk reads the desk's cookie; a bare branch code (the cookie of
// earlier versions) is read as the branch with the other defaults.
func readDesk(c *gin.Context) deskSettings {
	d := deskSettings{Paper: Paper80, Sound: true}
	v, err := c.Cookie(deskCookie)
	if err != nil {
		return d
	}
	q, err := url.ParseQuery(v)
	if err != nil || len(q) == 0 || (len(q) == 1 && q.Has(v)) {
		d.Branch = v
		return d
	}
	d.Branch = q.Get("branch")
	switch p := q.Get("paper"); p {
	case Paper58, Paper80, PaperA4:
		d.Paper = p
	}
	d.AutoPrint = q.Get("print") == "1"
	d.Sound = q.Get("sound") != "0"
	return d
}

// writeDesk keeps the desk's settings in its cookie for a year.
func (s *Server) writeDesk(c *gin.Context, d deskSettings) {
	q := url.Values{"branch": {d.Branch}, "paper": {d.Paper}, "print": {"0"}, "sound": {"0"}}
	if d.AutoPrint {
		q.Set("print", "1")
	}
	if d.Sound {
		q.Set("sound", "1")
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: deskCookie, Value: q.Encode(), Path: "/staff", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
}

// deskView is what the staff layout shows of the desk on every page.
type deskView struct {
	deskSettings
	Name     string // the desk's library, in the reader's language
	Branches []store.Branch
	// Back is the page the desk switch returns to: this one, unless it
	// answered a form.
	Back string
	// Printing: the page is a slip or receipt on the desk's paper.
	Printing bool
}

// deskKey is where the request's desk is kept in its context.
const deskKey = "hondana.desk"

// deskChrome finds the desk's library for every staff page: ?branch=
// (from the switch in the header, remembered in the cookie), the cookie,
// or the first library. The layout shows it, so staff always see where
// they work.
func (s *Server) deskChrome(c *gin.Context) {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil || len(bs) == 0 {
		c.Next() // pages that need a desk fail on their own
		return
	}
	d := readDesk(c)
	want := c.Query("branch")
	if want == "" {
		want = d.Branch
	}
	v := deskView{deskSettings: d, Branches: bs}
	if c.Request.Method == http.MethodGet {
		v.Back = c.Request.URL.Path
	}
	v.Branch, v.Name = bs[0].Code, web.BranchName(web.Lang(c), bs[0])
	for _, b := range bs {
		if b.Code == want {
			v.Branch, v.Name = b.Code, web.BranchName(web.Lang(c), b)
		}
	}
	if q := c.Query("branch"); q != "" && q == v.Branch && q != d.Branch {
		s.writeDesk(c, v.deskSettings)
	}
	c.Set(deskKey, &v)
	c.Set(web.ChromeKey, &v)
	c.Next()
}

// returnTo names the page the desk switch of a form's answer goes back
// to (a GET page's switch goes back to the page itself).
func returnTo(c *gin.Context, path string) {
	if v, ok := c.Get(deskKey); ok {
		v.(*deskView).Back = path
	}
}

// desk returns the branch this desk works at, and every branch.
func (s *Server) desk(c *gin.Context) (string, []store.Branch, error) {
	if v, ok := c.Get(deskKey); ok {
		d := v.(*deskView)
		return d.Branch, d.Branches, nil
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil || len(bs) == 0 {
		return "", nil, err
	}
	return bs[0].Code, bs, nil
}

// deskOf is the request's desk settings and names.
func deskOf(c *gin.Context) deskView {
	if v, ok := c.Get(deskKey); ok {
		return *v.(*deskView)
	}
	return deskView{}
}

// deskPage shows the desk's settings. The switch in the header comes
// here with ?branch= (already remembered by deskChrome) and the page to
// go back to.
func (s *Server) deskPage(c *gin.Context) error {
	if next := web.SafeNext(c.Query("next")); next != "" && strings.HasPrefix(next, "/staff") {
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.Render(c, http.StatusOK, "staff/desk", web.T(web.Lang(c), "desk.title"), gin.H{"Desk": deskOf(c),
		"Papers": []string{Paper58, Paper80, PaperA4}, "Saved": c.Query("done") == "saved"})
	return nil
}

// deskPost saves the desk's settings.
func (s *Server) deskPost(c *gin.Context) error {
	d := deskOf(c).deskSettings
	if ok, err := s.BranchExists(c.Request.Context(), c.PostForm("branch")); err != nil {
		return err
	} else if ok {
		d.Branch = c.PostForm("branch")
	}
	switch p := c.PostForm("paper"); p {
	case Paper58, Paper80, PaperA4:
		d.Paper = p
	}
	d.AutoPrint = c.PostForm("autoprint") == "1"
	d.Sound = c.PostForm("sound") == "1"
	s.writeDesk(c, d)
	c.Redirect(http.StatusSeeOther, "/staff/desk?done=saved")
	return nil
}

// deskSoundPost turns the desk's sound cues on or off from the counter
// (the off switch), and goes back there.
func (s *Server) deskSoundPost(c *gin.Context) error {
	d := deskOf(c).deskSettings
	d.Sound = c.PostForm("sound") == "1"
	s.writeDesk(c, d)
	next := web.SafeNext(c.PostForm("next"))
	if !strings.HasPrefix(next, "/staff/") {
		next = "/staff/counter"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}
