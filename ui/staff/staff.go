// Package staff is the staff client under /staff: the counter (lend,
// return, receive transit), patrons, the hold shelf, pick and call lists,
// transit, cataloguing and imports, the calendar, news and content pages,
// the outbox, staff accounts and the staff log. Every page needs a staff
// login; admin pages need the admin role.
package staff

import (
	"embed"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Server serves the staff client.
type Server struct {
	*web.Server
	jobs jobs // imports and reindexing running in the background
}

// New returns the staff client on the shared web server, its templates
// added.
func New(w *web.Server) *Server {
	w.AddTemplates(templateFS, "staff/")
	s := &Server{Server: w}
	if w.UploadDir != "" {
		if err := s.jobs.open(w.UploadDir, w.Log); err != nil {
			w.Log.Error("reading the jobs of the upload directory", "dir", w.UploadDir, "err", err)
		}
	}
	return s
}

// Routes adds the staff client's pages to e.
func (s *Server) Routes(e *gin.Engine) {
	// Uploads go to the import page and the covers only; every other
	// form is small. An upload up to the limit is held in memory as the
	// form is read, not spilled to a temporary file that a crash would
	// leave behind.
	e.Use(s.CSRF(map[string]int64{"/staff/import": maxImportBytes, "/staff/movein": maxImportBytes, "/staff/covers": maxCoverForm}))
	e.MaxMultipartMemory = maxImportBytes
	// The staff client's failures keep its own layout, and every page
	// knows the desk it is shown at.
	e.Use(func(c *gin.Context) { web.UseErrorPage(c, "staff/error"); c.Next() }, s.deskChrome)
	h := s.Handle
	e.GET("/staff/login", h(s.staffLoginPage))
	e.POST("/staff/login", h(s.staffLoginPost))
	staff := e.Group("/staff", s.RequireStaff(""))
	admin := s.RequireStaff(library.RoleAdmin)
	staff.GET("", h(s.staffHome))
	staff.POST("/backup", admin, h(s.backupNowPost))
	staff.POST("/logout", h(s.Logout))
	staff.GET("/totp", h(s.totpPage))
	staff.POST("/totp", h(s.totpPost))
	staff.POST("/totp/off", h(s.totpOffPost))
	staff.GET("/patrons", h(s.staffPatrons))
	staff.GET("/patrons/new", h(s.staffRegisterPage))
	staff.GET("/patrons/hold-for", h(s.holdForPage))
	staff.GET("/search", h(s.findPage))
	staff.POST("/patrons/new", h(s.staffRegisterPost))
	staff.GET("/patrons/:card", h(s.staffPatronPage))
	staff.POST("/patrons/:card/temporary-password", h(s.staffReissuePost))
	staff.POST("/patrons/:card/unlock", h(s.staffUnlockPost))
	staff.POST("/patrons/:card/edit", h(s.patronEditPost))
	staff.POST("/patrons/:card/block", h(s.patronBlockPost))
	staff.POST("/patrons/:card/renew-card", h(s.patronRenewCardPost))
	staff.POST("/patrons/:card/notes", h(s.patronNotesPost))
	staff.POST("/patrons/:card/loans/:id/renew", h(s.patronRenewPost))
	staff.POST("/patrons/:card/holds", h(s.patronHoldPost))
	staff.POST("/patrons/:card/holds/:id/cancel", h(s.patronHoldCancelPost))
	staff.POST("/patrons/:card/holds/:id/change", h(s.patronHoldChangePost))
	staff.GET("/log", admin, h(s.staffLogPage))
	staff.GET("/news", h(s.newsEditPage))
	staff.POST("/news", h(s.newsSavePost))
	staff.GET("/news/:id", h(s.newsEditPage))
	staff.POST("/news/:id", h(s.newsSavePost))
	staff.POST("/news/:id/delete", h(s.newsDeletePost))
	staff.GET("/pages", h(s.pageEditPage))
	staff.GET("/pages/:slug", h(s.pageEditPage))
	staff.POST("/pages/:slug", h(s.pageSavePost))
	staff.GET("/rules", admin, h(s.rulesPage))
	staff.POST("/rules", admin, h(s.rulesPost))
	staff.GET("/accounts", admin, h(s.staffAccountsPage))
	staff.POST("/accounts", admin, h(s.staffAccountsPost))
	staff.GET("/records/new", h(s.catalogueNewPage))
	staff.POST("/records/new", h(s.catalogueSavePost))
	staff.GET("/records/:id", h(s.catalogueEditPage))
	staff.POST("/records/:id", h(s.catalogueSavePost))
	staff.POST("/records/:id/copies", h(s.copyAddPost))
	staff.POST("/records/:id/withdraw", h(s.copyWithdrawPost))
	staff.POST("/covers", h(s.coverUploadPost))
	staff.POST("/covers/remove", h(s.coverRemovePost))
	staff.GET("/covers", h(s.coversPage))
	staff.POST("/covers/import", h(s.coversImportPost))
	staff.POST("/records/:id/copies/state", h(s.copyStatePost))
	staff.GET("/import", h(s.importPage))
	staff.POST("/import", h(s.importPost))
	staff.POST("/reindex", h(s.reindexPost))
	staff.GET("/jobs/:id", h(s.jobPage))
	staff.GET("/movein", admin, h(s.moveInPage))
	staff.POST("/movein", admin, h(s.moveInPost))
	staff.GET("/export", admin, h(s.exportGet))
	staff.GET("/transit", h(s.transitPage))
	staff.GET("/desk", h(s.deskPage))
	staff.POST("/desk", h(s.deskPost))
	staff.POST("/desk/sound", h(s.deskSoundPost))
	staff.GET("/calendar", h(s.staffCalendarPage))
	staff.POST("/calendar/close", h(s.staffClosePost))
	staff.POST("/calendar/day", h(s.staffDayPost))
	staff.GET("/counter", h(s.counterPage))
	staff.POST("/counter/scan", h(s.counterScan))
	staff.POST("/counter/checkout", h(s.counterScan))
	staff.POST("/counter/checkin", h(s.counterScan))
	staff.POST("/counter/close", h(s.counterClose))
	staff.POST("/counter/undo", h(s.counterUndo))
	staff.POST("/counter/override", h(s.counterOverride))
	staff.POST("/counter/renew-card", h(s.counterRenewCard))
	staff.GET("/print/scan/:id", h(s.printScanPage))
	staff.GET("/print/receipt", h(s.printReceiptPage))
	staff.GET("/hold-shelf", h(s.holdShelfPage))
	staff.GET("/calls", h(s.callListPage))
	staff.POST("/holds/:id/contacted", h(s.contactedPost))
	staff.POST("/holds/:id/cancel", h(s.staffCancelHoldPost))
	staff.GET("/outbox", h(s.outboxPage))
	staff.POST("/outbox/:id/retry", h(s.outboxRetryPost))

	e.NoRoute(s.NotFoundHandler)
	e.NoMethod(s.MethodNotAllowedHandler)
}
