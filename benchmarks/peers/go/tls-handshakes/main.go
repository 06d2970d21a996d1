// tls-handshakes is the closed-loop TLS handshake load generator: each of --conns workers dials
// a new TCP connection, makes a full TLS handshake (no session resumption: the client keeps no
// session cache, so every handshake carries the server's certificate and signature), sends one
// "GET / HTTP/1.1" with "Connection: close", reads the whole response, closes, and starts over,
// for --duration seconds. It prints one line:
//
//	tls-handshakes: conns=N handshakes=… rps=… p50_us=… p99_us=…
//
// where a latency is dial + handshake + request + response. Only exchanges completed before the
// end of the run count. The server's certificate is not verified: the harness makes a throwaway
// one per run, and verification costs the client, not the server under test.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"

	"netpoll.io/benchmarks/peers/go/internal/httpget"
	"netpoll.io/benchmarks/peers/go/internal/latency"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "HTTPS server host:port")
	conns := flag.Int("conns", 50, "concurrent workers, each with one connection at a time")
	seconds := flag.Float64("duration", 5, "measured duration in seconds")
	flag.Parse()

	config := &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}}
	all, elapsed := latency.ClosedLoop(*conns, *seconds, func(int) {
		if err := exchange(*addr, config); err != nil {
			log.Fatalf("tls-handshakes: %v", err)
		}
	})
	p50, p99 := latency.Summary(all)
	fmt.Printf("tls-handshakes: conns=%d handshakes=%d rps=%.0f p50_us=%.1f p99_us=%.1f\n",
		*conns, len(all), float64(len(all))/elapsed.Seconds(), p50, p99)
}

// exchange is one connection's life: dial, handshake, one request, the whole response, close.
func exchange(addr string, config *tls.Config) error {
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c := tls.Client(raw, config)
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	return httpget.Do(c, true)
}
