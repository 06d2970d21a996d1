// idle-conns opens --conns connections to a server, sets each up with one exchange (so the server
// has done its per-connection work), prints
//
//	idle-conns: holding N connections
//
// and then holds them, silent, for --hold seconds before it exits. The exchange is a --ping-size
// byte echo round trip, or with --http one keep-alive "GET /" whose whole response is read. With
// --tls every connection first makes a full TLS handshake (server certificate not verified: the
// harness makes a throwaway one per run).
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"netpoll.io/benchmarks/peers/go/internal/httpget"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "server host:port")
	conns := flag.Int("conns", 10000, "connections to hold")
	pingSize := flag.Int("ping-size", 16, "bytes echoed once per connection; 0 skips the round trip")
	httpGet := flag.Bool("http", false, "set each connection up with one HTTP GET instead of an echo")
	useTLS := flag.Bool("tls", false, "speak TLS")
	hold := flag.Float64("hold", 0, "seconds to hold the connections once all are open")
	flag.Parse()

	var config *tls.Config
	if *useTLS {
		config = &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}}
	}
	setUp := func(c net.Conn) error { return ping(c, *pingSize) }
	if *httpGet {
		setUp = func(c net.Conn) error { return httpget.Do(c, false) }
	}
	held := make([]net.Conn, *conns)
	gate := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range held {
		wg.Add(1)
		gate <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-gate }()
			held[i] = open(*addr, config, setUp)
		}(i)
	}
	wg.Wait()
	fmt.Printf("idle-conns: holding %d connections\n", len(held))
	time.Sleep(time.Duration(*hold * float64(time.Second)))
}

func open(addr string, config *tls.Config, setUp func(net.Conn) error) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatalf("idle-conns: dial %s: %v", addr, err)
	}
	if config != nil {
		t := tls.Client(c, config)
		if err := t.Handshake(); err != nil {
			log.Fatalf("idle-conns: handshake: %v", err)
		}
		c = t
	}
	if err := setUp(c); err != nil {
		log.Fatalf("idle-conns: %v", err)
	}
	return c
}

func ping(c net.Conn, size int) error {
	if size == 0 {
		return nil
	}
	msg := make([]byte, size)
	if _, err := c.Write(msg); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if _, err := io.ReadFull(c, msg); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}
