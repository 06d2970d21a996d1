// Package listen holds what every Go peer server shares: the --addr flag, the readiness line the
// harness waits for, and the goroutine-per-connection accept loop (the Go idiom the project ports).
package listen

import (
	"flag"
	"fmt"
	"log"
	"net"
)

// Serve parses --addr, listens, prints "<name>: listening on <addr>" and runs handle on its own
// goroutine for every accepted connection until the process is killed.
func Serve(name string, handle func(net.Conn)) {
	addr := flag.String("addr", "127.0.0.1:7001", "host:port to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	fmt.Printf("%s: listening on %s\n", name, ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Printf("%s: accept: %v", name, err)
			continue
		}
		go handle(c)
	}
}
