package ui_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hondana/library"
)

// coverHit is a hit of the JSON API with its cover.
type coverHit struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	CoverURL string `json:"cover_url"`
}

// firstHit is the first hit of q in the JSON API.
func firstHit(t *testing.T, e *testEnv, q string) coverHit {
	t.Helper()
	var res struct {
		Hits []coverHit `json:"hits"`
	}
	getJSON(t, e.URL+"/api/v1/search?q="+url.QueryEscape(q), &res)
	if len(res.Hits) == 0 {
		t.Fatalf("%s: no hits", q)
	}
	return res.Hits[0]
}

// uploadCover posts a cover file for a record as staff, and returns the
// response's status and body.
func uploadCover(t *testing.T, c *http.Client, e *testEnv, token string, id int64, name string, data []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	mw.WriteField("record_id", fmt.Sprint(id))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.URL+"/staff/covers", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

// TestCovers: every record has a cover (R83), drawn until staff upload
// one; each is served under an address of its hash, cached for a year,
// on the result list, the record page, new arrivals, rankings and the
// API, and not in lite mode.
func TestCovers(t *testing.T) {
	e := demoEnv(t)
	h := firstHit(t, e, "銀河鉄道の夜")
	if !strings.HasPrefix(h.CoverURL, fmt.Sprintf("/covers/%d/", h.ID)) || !strings.HasSuffix(h.CoverURL, ".svg") {
		t.Fatalf("cover_url %q, want a drawn cover of record %d", h.CoverURL, h.ID)
	}
	status, hdr, body := call(t, "GET", e.URL+h.CoverURL, "")
	if status != 200 || hdr.Get("Content-Type") != "image/svg+xml" || !strings.Contains(hdr.Get("Cache-Control"), "immutable") ||
		!strings.Contains(body, "銀河鉄道の夜") || !strings.Contains(body, "vertical-rl") {
		t.Errorf("drawn cover: %d %v %.200s", status, hdr, body)
	}
	// An old address goes on to the current one; a bad one is a 404.
	c := browser(t)
	resp, _ := do(t, c, "GET", e.URL+fmt.Sprintf("/covers/%d/0000000000000000.svg", h.ID), nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != h.CoverURL {
		t.Errorf("stale address: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, bad := range []string{"/covers/99999999/x.svg", "/covers/abc/x.svg", "/covers/-1/x.jpg"} {
		if status, _, _ := call(t, "GET", e.URL+bad, ""); status != 404 {
			t.Errorf("%s: %d, want 404", bad, status)
		}
	}

	// Staff upload a photo: it is served as a JPEG without its EXIF.
	staff, token := staffBrowser(t, e, "staff", "demo-staff-pass")
	var photo bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 900, 1200))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(1, 1, color.Black)
	jpeg.Encode(&photo, img, nil)
	withExif := append(append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x1A}, []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00GPS!")...), photo.Bytes()[2:]...)
	if status, body := uploadCover(t, staff, e, token, h.ID, "photo.jpg", withExif); status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", status, body)
	}
	up := firstHit(t, e, "銀河鉄道の夜")
	if up.ID != h.ID || !strings.HasSuffix(up.CoverURL, ".jpg") {
		t.Fatalf("after the upload: %+v", up)
	}
	status, hdr, body = call(t, "GET", e.URL+up.CoverURL, "")
	if status != 200 || hdr.Get("Content-Type") != "image/jpeg" || strings.Contains(body, "Exif") || strings.Contains(body, "GPS!") {
		t.Errorf("uploaded cover: %d %s, EXIF kept %t", status, hdr.Get("Content-Type"), strings.Contains(body, "Exif"))
	}
	if cfg, _, err := image.DecodeConfig(strings.NewReader(body)); err != nil || cfg.Width != 400 || cfg.Height != 533 {
		t.Errorf("uploaded cover %+v %v, want 400 × 533", cfg, err)
	}
	_, page := do(t, staff, "GET", e.URL+fmt.Sprintf("/staff/records/%d", h.ID), nil)
	if !strings.Contains(page, up.CoverURL) || !strings.Contains(page, "表紙を外す") {
		t.Error("the staff record page shows neither the cover nor how to remove it")
	}
	// Refused: not an image, too large, in the staff's language.
	if status, body := uploadCover(t, staff, e, token, h.ID, "notes.txt", []byte("hello")); status != 422 || !strings.Contains(body, "JPEG・PNG・WebP") {
		t.Errorf("not an image: %d", status)
	}
	if status, body := uploadCover(t, staff, e, token, h.ID, "huge.jpg", make([]byte, library.MaxCoverBytes+10)); status != 413 || !strings.Contains(body, "大きすぎます") {
		t.Errorf("too large: %d", status)
	}
	if status, body := uploadCover(t, staff, e, token, h.ID, "huger.jpg", make([]byte, library.MaxCoverBytes+(2<<20))); status != 413 || !strings.Contains(body, "大きすぎます") {
		t.Errorf("larger than the form: %d", status)
	}
	// Taken away: drawn again.
	resp, _ = do(t, staff, "POST", e.URL+"/staff/covers/remove", url.Values{"csrf": {token}, "record_id": {fmt.Sprint(h.ID)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if again := firstHit(t, e, "銀河鉄道の夜"); again.CoverURL != h.CoverURL {
		t.Errorf("after removal %s, want the drawn %s", again.CoverURL, h.CoverURL)
	}

	// On every list of records, and the record page; not in lite mode.
	for _, path := range []string{"/search?q=" + url.QueryEscape("宮沢賢治"), "/new", "/ranking/loans?period=all", "/", fmt.Sprintf("/records/%d", h.ID)} {
		_, page := do(t, browser(t), "GET", e.URL+path, nil)
		if !strings.Contains(page, `<img class="cover`) && !strings.Contains(page, `<img src="/covers/`) {
			t.Errorf("%s shows no cover", path)
		}
	}
	lite := browser(t)
	do(t, lite, "GET", e.URL+"/m/", nil)
	if _, page := do(t, lite, "GET", e.URL+"/search?q="+url.QueryEscape("宮沢賢治"), nil); strings.Contains(page, "/covers/") {
		t.Error("lite mode shows covers")
	}
}

// TestBrowserCovers: the covers of a result list and a record page are
// loaded and seen, side by side with their titles, on a 360 px phone
// and a 1280 px screen.
func TestBrowserCovers(t *testing.T) {
	b := newBrowser(t)
	for _, size := range []struct{ w, h int64 }{{360, 740}, {1280, 900}} {
		t.Run(fmt.Sprint(size.w), func(t *testing.T) {
			tab := b.newTab(t, "ja")
			opts := []chromedp.EmulateViewportOption{}
			if size.w < 600 {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			tab.Do("set the window", chromedp.EmulateViewport(size.w, size.h, opts...))
			tab.Open("/search?q=" + url.QueryEscape("宮沢賢治"))
			type shown struct {
				Loaded, Visible, Inside bool
				Width                   float64
				Left                    bool // left of its title
			}
			covers := evalJS[[]shown](tab, `Array.from(document.querySelectorAll("ol.hits li.hit"), li => {
				const img = li.querySelector("img"); const title = li.querySelector("h3");
				if (!img) return {Loaded:false, Visible:false, Inside:false, Width:0, Left:false};
				img.loading = "eager";
				const r = img.getBoundingClientRect(), t = title.getBoundingClientRect();
				return {Loaded: img.complete && img.naturalWidth > 0, Visible: r.width > 20 && r.height > 30,
					Inside: r.left >= 0 && r.right <= window.innerWidth, Width: r.width, Left: r.right <= t.left + 1};
			})`)
			if len(covers) == 0 {
				t.Fatal("no hits")
			}
			// Lazy images far down may not be loaded yet: wait for the first.
			tab.Do("wait for the first cover", chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector("ol.hits img"); return i && i.complete && i.naturalWidth > 0; })()`))
			for i, c := range covers[:min(5, len(covers))] {
				if !c.Visible || !c.Inside || !c.Left {
					t.Errorf("hit %d: cover %+v, want visible, inside the window, left of the title", i+1, c)
				}
			}
			if !evalJS[bool](tab, `(() => { const i = document.querySelector("ol.hits img"); return i.complete && i.naturalWidth > 0; })()`) {
				t.Error("the first cover did not load")
			}
			// The record page.
			tab.Follow("open the first record", chromedp.Click(chromedp.Search(`//ol[contains(@class,"hits")]//h3/a`)))
			tab.Do("wait for the cover", chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector("img.record-cover"); return i && i.complete && i.naturalWidth > 0; })()`))
			rc := evalJS[shown](tab, `(() => { const r = document.querySelector("img.record-cover").getBoundingClientRect();
				return {Loaded: true, Visible: r.width > 60 && r.height > 90, Inside: r.left >= 0 && r.right <= window.innerWidth, Width: r.width, Left: false}; })()`)
			if !rc.Visible || !rc.Inside {
				t.Errorf("record cover %+v", rc)
			}
			if overflow := evalJS[bool](tab, `document.documentElement.scrollWidth > window.innerWidth + 1`); overflow {
				t.Error("the record page is wider than the window")
			}
		})
	}
}
