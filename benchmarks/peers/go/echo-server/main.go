// echo-server writes back whatever it reads: one goroutine and one 4 KiB buffer per connection.
package main

import (
	"net"

	"netpoll.io/benchmarks/peers/go/internal/listen"
)

const bufferBytes = 4096

func main() {
	listen.Serve("go-echo", func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, bufferBytes)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
	})
}
