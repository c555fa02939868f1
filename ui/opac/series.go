package opac

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// volume is one volume of a series page, with its availability.
type volume struct {
	library.Hit
	Numbered bool // the volume says its number: offered for 巻数順予約
}

// seriesSet reads the volumes of the series or multi-volume title name,
// in reading order.
func (s *Server) seriesSet(c *gin.Context, name string) (string, []volume, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 1000 {
		return "", nil, web.NotFound(library.RecordNotFound)
	}
	recs, err := s.Circulation.Series(c.Request.Context(), name)
	if err != nil {
		return "", nil, err
	}
	if len(recs) == 0 {
		return "", nil, web.NotFound(library.RecordNotFound)
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	hits, err := s.Catalog.Hits(c.Request.Context(), ids)
	if err != nil {
		return "", nil, err
	}
	byID := map[int64]library.Hit{}
	for _, h := range hits {
		byID[h.Record.ID] = h
	}
	out := make([]volume, 0, len(recs))
	for _, r := range recs {
		h, ok := byID[r.ID]
		if !ok {
			h = library.Hit{Record: r}
		}
		out = append(out, volume{Hit: h, Numbered: library.VolumeNumbered(r.Volume)})
	}
	return name, out, nil
}

// seriesPage lists a series or a multi-volume title in reading order, each
// volume with a box to tick for 巻数順予約 (the numbered ones ticked).
func (s *Server) seriesPage(c *gin.Context) error {
	name, vols, err := s.seriesSet(c, c.Query("name"))
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/series", web.T(web.Lang(c), "series.title", name),
		gin.H{"Name": name, "Volumes": vols, "Names": s.BranchNames(web.Lang(c), bs)})
	return nil
}

// chosenVolumes are the volumes of the series ticked in the form (r=ID…).
func (s *Server) chosenVolumes(c *gin.Context, name string, ids []string) (string, []volume, error) {
	name, vols, err := s.seriesSet(c, name)
	if err != nil {
		return "", nil, err
	}
	want := map[int64]bool{}
	for _, v := range ids {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			want[id] = true
		}
	}
	var out []volume
	for _, v := range vols {
		if want[v.Record.ID] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return name, nil, &library.Refusal{Code: library.NoVolumes}
	}
	return name, out, nil
}

func volumeRecords(vols []volume) []*store.Record {
	out := make([]*store.Record, len(vols))
	for i := range vols {
		out[i] = vols[i].Record
	}
	return out
}

// seriesReservePage confirms a series-order hold: the volumes in reading
// order, pickup, contact and the hold options.
func (s *Server) seriesReservePage(c *gin.Context) error {
	name, vols, err := s.chosenVolumes(c, c.Query("name"), c.QueryArray("r"))
	if err != nil {
		return err
	}
	data, err := s.reserveData(c, volumeRecords(vols))
	if err != nil {
		return err
	}
	data["Name"], data["Volumes"] = name, vols
	s.Render(c, http.StatusOK, "opac/seriesreserve", web.T(web.Lang(c), "series.reserve_title"), data)
	return nil
}

// seriesResult is one volume's outcome of a series-order hold.
type seriesResult struct {
	Title, Volume string
	ID            int64
	OK            bool
	Message       string
}

func (s *Server) seriesReservePost(c *gin.Context) error {
	name, vols, err := s.chosenVolumes(c, c.PostForm("name"), c.PostFormArray("r"))
	if err != nil {
		return err
	}
	w := s.Who(c)
	recs := volumeRecords(vols)
	o, ok, err := s.holdOptionsPosted(c, func(data gin.H) error {
		p, err := s.DB.PatronByID(c.Request.Context(), w.PatronID)
		if err != nil {
			return err
		}
		data["Name"], data["Volumes"], data["Patron"], data["Contact"] = name, vols, p, c.PostForm("contact")
		s.Render(c, http.StatusUnprocessableEntity, "opac/seriesreserve", web.T(web.Lang(c), "series.reserve_title"), data)
		return nil
	}, recs)
	if !ok {
		return err
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	res, err := s.Circulation.PlaceSeries(c.Request.Context(), w.PatronID, ids, o)
	if err != nil {
		return err
	}
	placed := 0
	out := make([]seriesResult, len(res))
	for i, r := range res {
		out[i] = seriesResult{Title: r.Record.Title, Volume: r.Record.Volume, ID: r.Record.ID, OK: r.Hold != nil}
		if r.Err != nil {
			_, out[i].Message, _, _ = s.RefusalText(c, r.Err)
		} else {
			placed++
		}
	}
	s.Render(c, http.StatusOK, "opac/seriesdone", web.T(web.Lang(c), "series.done_title"),
		gin.H{"Name": name, "Results": out, "Placed": placed, "Refused": len(out) - placed})
	return nil
}
