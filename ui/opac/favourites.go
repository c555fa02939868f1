package opac

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// recordExtras adds to a record page what is beyond the seed: the
// estimated wait of a hold placed now (when no copy is on the shelf),
// the favourites button of a logged-in patron, and the link to the
// title's series or set of volumes.
func (s *Server) recordExtras(c *gin.Context, h *library.Hit, branches []store.Branch, names map[string]string, data gin.H) error {
	ctx := c.Request.Context()
	w := s.Who(c)
	pickup := ""
	if len(branches) > 0 {
		pickup = branches[0].Code
	}
	if w != nil && w.PatronID != 0 {
		data["Patron"] = true
		fav, err := s.DB.IsFavourite(ctx, w.PatronID, h.Record.ID)
		if err != nil {
			return err
		}
		data["Favourite"] = fav
		if p, err := s.DB.PatronByID(ctx, w.PatronID); err == nil && p.HomeBranch != "" {
			pickup = p.HomeBranch
		}
	}
	if !h.Available && pickup != "" {
		wt, err := s.newHoldWait(ctx, c, h.Record.ID, pickup, names)
		if err != nil {
			return err
		}
		data["Wait"] = wt
	}
	// A numbered volume leads to its set: the other volumes of its title
	// (a catalogue's 上巻 and 下巻), else the series it is numbered in. A
	// series without volume numbers (a publisher's imprint, 岩波文庫) has
	// no reading order to reserve in.
	if h.Record.Volume == "" {
		return nil
	}
	n, err := s.DB.TitleVolumes(ctx, h.Record.Title)
	if err != nil {
		return err
	}
	switch {
	case n >= 2 || h.Record.Series == "":
		data["SeriesName"] = h.Record.Title
	default:
		data["SeriesName"] = h.Record.Series
	}
	return nil
}

// favouritesPost adds a title to the patron's favourites, or takes it off
// (remove=1), and goes back to where the form was.
func (s *Server) favouritesPost(c *gin.Context) error {
	id := formID(c, "record_id")
	w := s.Who(c)
	var err error
	if c.PostForm("remove") != "" {
		err = s.Circulation.RemoveFavourite(c.Request.Context(), w.PatronID, id)
	} else {
		err = s.Circulation.AddFavourite(c.Request.Context(), w.PatronID, id)
	}
	if err != nil {
		return err
	}
	back := "/records/" + strconv.FormatInt(id, 10)
	if c.PostForm("back") == "list" {
		back = "/account/favourites"
	}
	c.Redirect(http.StatusSeeOther, back)
	return nil
}

func (s *Server) favouritesPage(c *gin.Context) error {
	favs, err := s.DB.Favourites(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/favourites", web.T(web.Lang(c), "fav.title"), gin.H{"Favourites": favs})
	return nil
}
