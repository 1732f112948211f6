package main

import (
	"io"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

// runNoop serves a Gin handler that reads the body and answers a fixed
// decision: the ceiling of the HTTP stack.
func runNoop(args []string) {
	addr := "127.0.0.1:0"
	if len(args) > 0 {
		addr = args[0]
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.POST("/v1/authorize", func(c *gin.Context) {
		_, _ = io.Copy(io.Discard, c.Request.Body)
		c.JSON(http.StatusOK, gin.H{"allowed": false, "decision_id": "x", "revision": 1, "reasons": []any{}, "denied_by": "user"})
	})
	r.GET("/ready", func(c *gin.Context) { c.Status(http.StatusOK) })
	if err := http.ListenAndServe(addr, r); err != nil {
		os.Exit(1)
	}
}
