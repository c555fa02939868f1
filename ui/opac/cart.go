package opac

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func formID(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(c.PostForm(name), 10, 64)
	return id
}

func (s *Server) cartAdd(c *gin.Context) error {
	id := formID(c, "record_id")
	if _, err := s.DB.Record(c.Request.Context(), id); err != nil {
		return web.NotFound(library.RecordNotFound)
	}
	cart := web.ReadCart(c)
	if !slices.Contains(cart, id) {
		if len(cart) >= web.CartMax {
			return &web.Error{Status: http.StatusUnprocessableEntity, Code: web.CodeCartFull, Msg: "err.cart_full", Args: []any{web.CartMax}}
		}
		cart = append(cart, id)
	}
	s.WriteCart(c, cart)
	c.Redirect(http.StatusSeeOther, "/cart?added="+strconv.FormatInt(id, 10))
	return nil
}

func (s *Server) cartRemove(c *gin.Context) error {
	id := formID(c, "record_id")
	var keep []int64
	for _, x := range web.ReadCart(c) {
		if x != id {
			keep = append(keep, x)
		}
	}
	s.WriteCart(c, keep)
	c.Redirect(http.StatusSeeOther, "/cart")
	return nil
}

func (s *Server) cartClear(c *gin.Context) error {
	s.WriteCart(c, nil)
	c.Redirect(http.StatusSeeOther, "/cart")
	return nil
}

func (s *Server) cartPage(c *gin.Context) error {
	web.NoStore(c)
	hits, err := s.Catalog.Hits(c.Request.Context(), web.ReadCart(c))
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/cart", web.T(web.Lang(c), "cart.title"), gin.H{"Hits": hits, "Names": s.BranchNames(web.Lang(c), bs), "Added": c.Query("added") != "", "Reasons": s.CartReasons(c)})
	return nil
}

// cartHits loads the titles in the cart; with an empty cart it sends the
// browser to the cart page and returns nil.
func (s *Server) cartHits(c *gin.Context) ([]library.Hit, error) {
	ids := web.ReadCart(c)
	if len(ids) == 0 {
		c.Redirect(http.StatusSeeOther, "/cart")
		return nil, nil
	}
	hits, err := s.Catalog.Hits(c.Request.Context(), ids)
	if err == nil && hits == nil {
		hits = []library.Hit{} // records gone since: show an empty list
	}
	return hits, err
}
