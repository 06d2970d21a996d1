// echo-client is the closed-loop echo load generator: each of --conns connections writes --size
// bytes, reads them back and records the round trip, for --duration seconds. It prints one line:
//
//	echo-client: conns=N size=B round_trips=… rps=… p50_us=… p99_us=…
//
// Connections are dialled before the clock starts; only round trips completed before the end of
// the run count.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"netpoll.io/benchmarks/peers/go/internal/latency"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "echo server host:port")
	conns := flag.Int("conns", 1, "concurrent connections")
	size := flag.Int("size", 64, "message size in bytes")
	seconds := flag.Float64("duration", 5, "measured duration in seconds")
	flag.Parse()

	dialled := dialAll(*addr, *conns)
	start := time.Now()
	end := start.Add(time.Duration(*seconds * float64(time.Second)))
	perConn := make([][]time.Duration, len(dialled))
	var wg sync.WaitGroup
	for i, c := range dialled {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			perConn[i] = roundTrips(c, *size, end)
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if elapsed < end.Sub(start) {
		elapsed = end.Sub(start)
	}
	var all []time.Duration
	for _, samples := range perConn {
		all = append(all, samples...)
	}
	p50, p99 := latency.Summary(all)
	fmt.Printf("echo-client: conns=%d size=%d round_trips=%d rps=%.0f p50_us=%.1f p99_us=%.1f\n",
		*conns, *size, len(all), float64(len(all))/elapsed.Seconds(), p50, p99)
}

// dialAll opens n connections, at most 64 dials in flight so the server's backlog never overflows.
func dialAll(addr string, n int) []net.Conn {
	out := make([]net.Conn, n)
	gate := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		gate <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-gate }()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				log.Fatalf("echo-client: dial %s: %v", addr, err)
			}
			out[i] = c
		}(i)
	}
	wg.Wait()
	return out
}

// roundTrips runs one connection's closed loop until end and returns the completed round trips'
// latencies.
func roundTrips(c net.Conn, size int, end time.Time) []time.Duration {
	defer c.Close()
	out := make([]byte, size)
	in := make([]byte, size)
	samples := make([]time.Duration, 0, 1024)
	for {
		sent := time.Now()
		if !sent.Before(end) {
			return samples
		}
		if _, err := c.Write(out); err != nil {
			log.Fatalf("echo-client: write: %v", err)
		}
		if _, err := io.ReadFull(c, in); err != nil {
			log.Fatalf("echo-client: read: %v", err)
		}
		done := time.Now()
		if done.After(end) {
			return samples
		}
		samples = append(samples, done.Sub(sent))
	}
}
