package app

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hondana/store"
)

// MetricsConfig says who may read GET /metrics.
type MetricsConfig struct {
	// Allow is the addresses and CIDR blocks /metrics answers; to
	// anyone else, and to any request a proxy forwarded, it is 404.
	// Empty: nobody.
	Allow []string `mapstructure:"allow"`
}

// searchRoutes are the routes that search the catalogue.
var searchRoutes = map[string]bool{"/search": true, "/search/advanced": true, "/api/v1/search": true}

// metrics is what GET /metrics tells Prometheus: the requests by route
// and status with their latency, searches, and, read from the database
// at each scrape, the circulation's counters (loans, returns, holds
// placed … since the first day, by branch), what is out now, the
// outbox, and the age of the last good scheduled backup.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	searches prometheus.Counter
	allow    []netip.Prefix
}

// newMetrics registers the metrics of a.
func newMetrics(a *App) (*metrics, error) {
	allow, err := Prefixes("metrics.allow", a.Config.Metrics.Allow)
	if err != nil {
		return nil, err
	}
	m := &metrics{reg: prometheus.NewRegistry(), allow: allow,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hondana_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hondana_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"route"}),
		searches: prometheus.NewCounter(prometheus.CounterOpts{Name: "hondana_searches_total",
			Help: "Catalogue searches (the OPAC's pages and the API)."}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.searches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&dbCollector{a: a})
	return m, nil
}

// observe counts a request answered.
func (m *metrics) observe(route string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
	if searchRoutes[route] && status == http.StatusOK {
		m.searches.Inc()
	}
}

// handler serves /metrics to the allowed addresses; everything else goes
// to next.
func (m *metrics) handler(next http.Handler) http.Handler {
	prom := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		if !m.allowed(r) {
			http.NotFound(w, r)
			return
		}
		prom.ServeHTTP(w, r)
	})
}

// allowed reports whether r comes straight from an allowed address. A
// request a proxy forwarded is refused whatever the proxy's address: a
// proxy on the same machine would otherwise make every client loopback.
func (m *metrics) allowed(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range m.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// dbCollector reads its metrics from the database at each scrape.
type dbCollector struct{ a *App }

var (
	descCount = prometheus.NewDesc("hondana_circulation_total",
		"Loans, returns, holds placed, filled and lapsed, and mails sent and failed since the first day, by branch and kind.",
		[]string{"branch", "kind"}, nil)
	descLoans  = prometheus.NewDesc("hondana_loans_open", "Copies on loan now.", nil, nil)
	descHolds  = prometheus.NewDesc("hondana_holds", "Holds now, by status (waiting, in_transit, ready).", []string{"status"}, nil)
	descOutbox = prometheus.NewDesc("hondana_outbox_messages",
		"Messages in the outbox, by status (pending: waiting to go out; failed: given up).", []string{"status"}, nil)
	descBackupAge = prometheus.NewDesc("hondana_backup_age_seconds",
		"Seconds since the last good scheduled backup (absent when there has been none).", nil, nil)
	descBackupOK = prometheus.NewDesc("hondana_backup_last_ok",
		"1 when the last scheduled backup succeeded, 0 when it failed.", nil, nil)
	descBackupSize = prometheus.NewDesc("hondana_backup_last_size_bytes", "Size of the last good scheduled backup.", nil, nil)
)

func (d *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{descCount, descLoans, descHolds, descOutbox, descBackupAge, descBackupOK, descBackupSize} {
		ch <- desc
	}
}

func (d *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if figures, err := d.a.DB.Figures(ctx, ""); err != nil {
		ch <- prometheus.NewInvalidMetric(descCount, err)
	} else {
		for branch, kinds := range figures {
			for kind, n := range kinds {
				ch <- prometheus.MustNewConstMetric(descCount, prometheus.CounterValue, float64(n), branch, kind)
			}
		}
	}
	if g, err := d.a.DB.CurrentGauges(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descLoans, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descLoans, prometheus.GaugeValue, float64(g.Loans))
		for _, s := range []string{"waiting", "in_transit", "ready"} {
			ch <- prometheus.MustNewConstMetric(descHolds, prometheus.GaugeValue, float64(g.Holds[s]), s)
		}
		for _, s := range []string{store.MailPending, store.MailSent, store.MailFailed} {
			ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(g.Outbox[s]), s)
		}
	}
	st := d.a.backups.Status()
	if !st.LastGood.IsZero() {
		ch <- prometheus.MustNewConstMetric(descBackupAge, prometheus.GaugeValue, time.Since(st.LastGood).Seconds())
	}
	if st.Error == "" && st.Size > 0 {
		ch <- prometheus.MustNewConstMetric(descBackupSize, prometheus.GaugeValue, float64(st.Size))
	}
	if !st.At.IsZero() {
		ok := 1.0
		if st.Error != "" {
			ok = 0
		}
		ch <- prometheus.MustNewConstMetric(descBackupOK, prometheus.GaugeValue, ok)
	}
}
