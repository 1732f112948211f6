package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse/gatehouse/api/wire"
	"github.com/gatehouse/gatehouse/engine"
)

func (h *handlers) health(r *gin.Engine) {
	r.GET("/health", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/ready", h.ready)
	r.GET("/v1/status", h.require(ScopeRead), h.statusReport)
}

func (h *handlers) ready(c *gin.Context) {
	if !h.engine.Ready() {
		c.JSON(http.StatusServiceUnavailable, ErrorBody{Code: CodeNotReady, Message: "data is not loaded yet"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "revision": h.engine.Revision()})
}

// StatusResponse is the body of GET /v1/status (package wire).
type StatusResponse = wire.StatusResponse

func (h *handlers) statusReport(c *gin.Context) {
	out := StatusResponse{Documents: map[string]int{}, Skipped: map[string]int{}, Uptime: time.Since(h.start).Round(time.Second).String()}
	if st, ok := h.engine.Status(); ok {
		out.Ready, out.Revision, out.Documents = true, st.Revision, st.Documents
		out.LoadedAt, out.SkippedPolicies = &st.LoadedAt, st.SkippedPolicies
	}
	if h.status != nil {
		out.Skipped = h.status.Skipped()
		out.Sync = h.status.Freshness()
	}
	c.JSON(http.StatusOK, out)
}

// metrics are the Prometheus series the server exports at /metrics.
type metrics struct {
	registry  *prometheus.Registry
	decisions *prometheus.CounterVec
	latency   prometheus.Histogram
	requests  *prometheus.HistogramVec
}

func newMetrics(h *handlers) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_decisions_total", Help: "Decisions by result (allow, deny) and denied_by.",
		}, []string{"result", "denied_by"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "gatehouse_decision_duration_seconds", Help: "Time to decide, in-process.",
			Buckets: prometheus.ExponentialBuckets(0.00001, 2.5, 12),
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gatehouse_http_request_duration_seconds", Help: "HTTP requests by route and status.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 3, 12),
		}, []string{"route", "method", "code"}),
	}
	m.registry.MustRegister(m.decisions, m.latency, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gatehouse_revision", Help: "Data revision loaded."},
			func() float64 { return float64(h.engine.Revision()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gatehouse_loader_lag_seconds", Help: "Time since the last successful sync."},
			h.loaderLag),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_decision_log_dropped_total", Help: "Decision log entries dropped."},
			func() float64 { return float64(h.dropped()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_decision_cache_hits_total", Help: "Decisions served from the cache."},
			func() float64 { return float64(h.engine.CacheStats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_decision_cache_misses_total", Help: "Decisions not found in the cache."},
			func() float64 { return float64(h.engine.CacheStats().Misses) }),
	)
	return m
}

func (m *metrics) observeDecision(d engine.Decision, took time.Duration) {
	result, deniedBy := "allow", ""
	if !d.Allowed {
		result = "deny"
		if d.DeniedBy != nil {
			deniedBy = *d.DeniedBy
		}
	}
	m.decisions.WithLabelValues(result, deniedBy).Inc()
	m.latency.Observe(took.Seconds())
}

// instrument records every request's duration by route template.
func (m *metrics) instrument(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
}

func (m *metrics) handler() gin.HandlerFunc {
	return gin.WrapH(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}
