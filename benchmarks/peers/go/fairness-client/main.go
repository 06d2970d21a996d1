// fairness-client measures whether an echo server stays fair to a light connection while heavy
// ones keep it busy: --streams connections each write --chunk-byte blocks and read the echo
// back as fast as they can (a writer and a reader goroutine each), while one more connection
// sends a --size-byte message every --interval and times its round trip. Coroutines and goroutines
// a server runs connections on are not preempted by reads that keep finding data, so the probe's
// latency shows how long a streaming connection can keep the server's core. It prints one line:
//
//	fairness-client: streams=N probes=… streamed_mib_s=… p50_us=… p99_us=… max_us=…
//
// Probing starts once the streams are under way; only round trips of the measured --duration count.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"sort"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "echo server host:port")
	streams := flag.Int("streams", 2, "connections streaming both ways")
	chunk := flag.Int("chunk", 16*1024, "bytes per streaming write")
	size := flag.Int("size", 64, "probe message size in bytes")
	interval := flag.Duration("interval", 10*time.Millisecond, "pause between probe round trips")
	seconds := flag.Float64("duration", 5, "measured duration in seconds")
	flag.Parse()

	var streamed atomic.Int64
	for i := 0; i < *streams; i++ {
		c := dial(*addr)
		defer c.Close()
		go func() {
			buf := make([]byte, *chunk)
			for {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}()
		go func() {
			buf := make([]byte, 64*1024)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				streamed.Add(int64(n))
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // the streams under way

	probe := dial(*addr)
	defer probe.Close()
	out := make([]byte, *size)
	in := make([]byte, *size)
	var samples []time.Duration
	before := streamed.Load()
	start := time.Now()
	end := start.Add(time.Duration(*seconds * float64(time.Second)))
	for time.Now().Before(end) {
		sent := time.Now()
		if _, err := probe.Write(out); err != nil {
			log.Fatalf("fairness-client: probe write: %v", err)
		}
		if _, err := io.ReadFull(probe, in); err != nil {
			log.Fatalf("fairness-client: probe read: %v", err)
		}
		samples = append(samples, time.Since(sent))
		time.Sleep(*interval)
	}
	elapsed := time.Since(start)
	mib := float64(streamed.Load()-before) / (1 << 20)
	if len(samples) == 0 {
		log.Fatal("fairness-client: no probe round trip completed")
	}
	sort.Slice(samples, func(a, b int) bool { return samples[a] < samples[b] })
	q := func(p float64) float64 { return micros(samples[int(p*float64(len(samples)-1))]) }
	fmt.Printf("fairness-client: streams=%d probes=%d streamed_mib_s=%.0f p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
		*streams, len(samples), mib/elapsed.Seconds(), q(0.50), q(0.99), micros(samples[len(samples)-1]))
}

func dial(addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatalf("fairness-client: dial %s: %v", addr, err)
	}
	return c
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
