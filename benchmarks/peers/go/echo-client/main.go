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

	"netpoll.io/benchmarks/peers/go/internal/latency"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "echo server host:port")
	conns := flag.Int("conns", 1, "concurrent connections")
	size := flag.Int("size", 64, "message size in bytes")
	seconds := flag.Float64("duration", 5, "measured duration in seconds")
	flag.Parse()

	dialled := dialAll(*addr, *conns)
	out := make([][]byte, len(dialled))
	in := make([][]byte, len(dialled))
	for i := range dialled {
		out[i] = make([]byte, *size)
		in[i] = make([]byte, *size)
	}
	all, elapsed := latency.ClosedLoop(len(dialled), *seconds, func(i int) {
		roundTrip(dialled[i], out[i], in[i])
	})
	for _, c := range dialled {
		c.Close()
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

// roundTrip writes out on c and reads the echo back into in.
func roundTrip(c net.Conn, out, in []byte) {
	if _, err := c.Write(out); err != nil {
		log.Fatalf("echo-client: write: %v", err)
	}
	if _, err := io.ReadFull(c, in); err != nil {
		log.Fatalf("echo-client: read: %v", err)
	}
}
