// idle-conns opens --conns connections to an echo server, does one --ping-size byte round trip on
// each (so the server has set the connection up), prints
//
//	idle-conns: holding N connections
//
// and then holds them, silent, for --hold seconds before it exits.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "echo server host:port")
	conns := flag.Int("conns", 10000, "connections to hold")
	pingSize := flag.Int("ping-size", 16, "bytes echoed once per connection; 0 skips the round trip")
	hold := flag.Float64("hold", 0, "seconds to hold the connections once all are open")
	flag.Parse()

	held := make([]net.Conn, *conns)
	gate := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range held {
		wg.Add(1)
		gate <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-gate }()
			held[i] = open(*addr, *pingSize)
		}(i)
	}
	wg.Wait()
	fmt.Printf("idle-conns: holding %d connections\n", len(held))
	time.Sleep(time.Duration(*hold * float64(time.Second)))
}

func open(addr string, pingSize int) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatalf("idle-conns: dial %s: %v", addr, err)
	}
	if pingSize > 0 {
		msg := make([]byte, pingSize)
		if _, err := c.Write(msg); err != nil {
			log.Fatalf("idle-conns: write: %v", err)
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			log.Fatalf("idle-conns: read: %v", err)
		}
	}
	return c
}
