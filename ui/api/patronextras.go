package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// apiEstimate is a hold's estimated wait: in weeks as the pages show it,
// in days, what it was drawn from, and a pickup library where the copy
// would likely be ready sooner.
type apiEstimate struct {
	MinWeeks     int     `json:"min_weeks"`
	MaxWeeks     int     `json:"max_weeks"`
	MinDays      int     `json:"min_days"`
	MaxDays      int     `json:"max_days"`
	WithinWeek   bool    `json:"within_week"`
	Basis        string  `json:"basis"` // record, class or policy
	FasterBranch *string `json:"faster_branch"`
}

func toAPIEstimate(e library.Estimate) *apiEstimate {
	if !e.Known {
		return nil
	}
	out := &apiEstimate{MinWeeks: e.MinWeeks, MaxWeeks: e.MaxWeeks, MinDays: e.MinDays, MaxDays: e.MaxDays,
		WithinWeek: e.WithinWeek, Basis: e.Basis}
	if e.Faster != "" {
		f := e.Faster
		out.FasterBranch = &f
	}
	return out
}

// holdEstimate is a waiting hold's estimated wait; nil for a hold that
// has its copy, is suspended or waits for an earlier volume.
func (s *Server) holdEstimate(c *gin.Context, h store.PatronHold) (*apiEstimate, error) {
	if h.Status != store.HoldWaiting || h.CopyID != 0 || h.Suspended || h.Behind {
		return nil, nil
	}
	e, err := s.Circulation.EstimateHold(c.Request.Context(), h.RecordID, h.Ahead, h.PickupBranch)
	return toAPIEstimate(e), err
}

// apiRecordWait is the estimated wait of a hold placed now (public: it
// reads no patron).
func (s *Server) apiRecordWait(c *gin.Context) error {
	h, err := s.LoadRecord(c)
	if err != nil {
		return err
	}
	pickup := c.Query("pickup_branch")
	if ok, err := s.BranchExists(c.Request.Context(), pickup); err != nil {
		return err
	} else if !ok {
		return &library.Refusal{Code: library.UnknownBranch, Field: "pickup_branch"}
	}
	e, err := s.Circulation.EstimateNewHold(c.Request.Context(), h.Record.ID, pickup)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"record_id": h.Record.ID, "pickup_branch": pickup, "holds_waiting": h.HoldsWaiting, "estimate": toAPIEstimate(e)})
	return nil
}

// apiSeries lists a series or a multi-volume title in reading order.
func (s *Server) apiSeries(c *gin.Context) error {
	name := c.Query("name")
	if name == "" || len(name) > 1000 {
		return web.NotFound(library.RecordNotFound)
	}
	recs, err := s.Circulation.Series(c.Request.Context(), name)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return web.NotFound(library.RecordNotFound)
	}
	ids := make([]int64, len(recs))
	vol := map[int64]string{}
	for i, r := range recs {
		ids[i], vol[r.ID] = r.ID, r.Volume
	}
	hits, err := s.Catalog.Hits(c.Request.Context(), ids)
	if err != nil {
		return err
	}
	byID := map[int64]library.Hit{}
	for _, h := range hits {
		byID[h.Record.ID] = h
	}
	type apiVolume struct {
		apiHit
		Volume string `json:"volume"`
	}
	covers := s.Covers(c, hits)
	out := []apiVolume{}
	for _, id := range ids {
		if h, ok := byID[id]; ok {
			out = append(out, apiVolume{apiHit: s.toAPIHit(h, covers), Volume: vol[id]})
		}
	}
	c.JSON(http.StatusOK, gin.H{"name": name, "volumes": out})
	return nil
}

// apiPlaceSeries places a series-order hold (巻数順予約).
func (s *Server) apiPlaceSeries(c *gin.Context) error {
	var req struct {
		RecordIDs    []json64 `json:"record_ids"`
		PickupBranch string   `json:"pickup_branch"`
		Contact      string   `json:"contact"`
		NotAfter     string   `json:"not_after"`
		Suspended    bool     `json:"suspended"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if len(req.RecordIDs) > 200 {
		return &library.Refusal{Code: library.InvalidField, Field: "record_ids"}
	}
	ids := make([]int64, len(req.RecordIDs))
	for i, id := range req.RecordIDs {
		ids[i] = int64(id)
	}
	patronID := s.Who(c).PatronID
	res, err := s.Circulation.PlaceSeries(c.Request.Context(), patronID, ids,
		library.HoldOptions{Pickup: req.PickupBranch, Contact: req.Contact, NotAfter: req.NotAfter, Suspended: req.Suspended})
	if err != nil {
		return err
	}
	type apiResult struct {
		RecordID int64    `json:"record_id"`
		Title    string   `json:"title"`
		Volume   string   `json:"volume"`
		Hold     *apiHold `json:"hold"`
		Error    *apiErr  `json:"error"`
	}
	var group *int64
	out := make([]apiResult, len(res))
	for i, r := range res {
		out[i] = apiResult{RecordID: r.Record.ID, Title: r.Record.Title, Volume: r.Record.Volume}
		if r.Hold != nil {
			h, err := s.holdJSON(c, patronID, r.Hold.ID)
			if err != nil {
				return err
			}
			out[i].Hold, group = &h, h.SeriesGroup
			continue
		}
		_, msg, _, _ := s.RefusalText(c, r.Err)
		out[i].Error = &apiErr{Code: web.RefusalCode(r.Err), Message: msg}
	}
	status := http.StatusCreated
	if group == nil {
		status = http.StatusConflict
	}
	c.JSON(status, gin.H{"series_group": group, "results": out})
	return nil
}

type apiErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiCancelGroup cancels every hold of one of the patron's series groups.
func (s *Server) apiCancelGroup(c *gin.Context) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	if _, err := s.Circulation.CancelSeries(c.Request.Context(), s.Who(c).PatronID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiReadingHistory answers the patron's reading history (読書通帳), as
// JSON or, with ?format=csv, as CSV.
func (s *Server) apiReadingHistory(c *gin.Context) error {
	on, rs, err := s.Circulation.ReadingHistory(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		_ = w.Write([]string{"returned_on", "loaned_on", "title", "author", "record_id"})
		for _, r := range rs {
			_ = w.Write([]string{r.ReturnedOn, r.LoanedOn, web.CSVCell(r.Title), web.CSVCell(r.Author), strconv.FormatInt(r.RecordID, 10)})
		}
		w.Flush()
		return w.Error()
	}
	type entry struct {
		ID         int64  `json:"id"`
		RecordID   *int64 `json:"record_id"`
		Title      string `json:"title"`
		Author     string `json:"author"`
		LoanedOn   string `json:"loaned_on"`
		ReturnedOn string `json:"returned_on"`
	}
	out := make([]entry, len(rs))
	for i, r := range rs {
		out[i] = entry{ID: r.ID, Title: r.Title, Author: r.Author, LoanedOn: r.LoanedOn, ReturnedOn: r.ReturnedOn}
		if r.RecordID != 0 {
			id := r.RecordID
			out[i].RecordID = &id
		}
	}
	c.JSON(http.StatusOK, gin.H{"enabled": on, "entries": out})
	return nil
}

func (s *Server) apiSetReadingHistory(c *gin.Context) error {
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if req.Enabled == nil {
		return &library.Refusal{Code: library.InvalidField, Field: "enabled"}
	}
	if err := s.Circulation.SetReadingHistory(c.Request.Context(), s.Who(c).PatronID, *req.Enabled); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"enabled": *req.Enabled})
	return nil
}

func (s *Server) apiClearReadingHistory(c *gin.Context) error {
	if err := s.Circulation.ClearReadingHistory(c.Request.Context(), s.Who(c).PatronID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiDeleteReading(c *gin.Context) error {
	id, err := web.PathID(c, library.ReadingNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.DeleteReading(c.Request.Context(), s.Who(c).PatronID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiFavourites(c *gin.Context) error {
	favs, err := s.DB.Favourites(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	type fav struct {
		RecordID int64  `json:"record_id"`
		Title    string `json:"title"`
		Author   string `json:"author"`
		AddedAt  string `json:"added_at"`
	}
	out := make([]fav, len(favs))
	for i, f := range favs {
		out[i] = fav{RecordID: f.RecordID, Title: f.Title, Author: web.JoinAuthors(f.Authors, false),
			AddedAt: f.AddedAt.In(s.Calendar.Location()).Format(time.RFC3339)}
	}
	c.JSON(http.StatusOK, gin.H{"favourites": out})
	return nil
}

func (s *Server) apiAddFavourite(c *gin.Context) error {
	id, err := web.RecordID(c)
	if err != nil {
		return err
	}
	if err := s.Circulation.AddFavourite(c.Request.Context(), s.Who(c).PatronID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiRemoveFavourite(c *gin.Context) error {
	id, err := web.PathID(c, library.FavouriteNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.RemoveFavourite(c.Request.Context(), s.Who(c).PatronID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiCard is the patron's card number and its barcode as SVG, for an
// app that shows the card.
func (s *Server) apiCard(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	svg, sym, err := s.CardBarcodeSVG(c, p.Card)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"card": p.Card, "symbology": sym, "svg": svg})
	return nil
}
