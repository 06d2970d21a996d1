// resp-server speaks the RESP subset PING/SET/GET/INCR/LPUSH/LPOP, one goroutine per connection.
// Replies are flushed when no further request is already buffered, so pipelined requests share
// one write.
package main

import (
	"bufio"
	"net"

	"netpoll.io/benchmarks/peers/go/internal/listen"
	"netpoll.io/benchmarks/peers/go/internal/resp"
)

func main() {
	keys := resp.NewKeyspace()
	listen.Serve("go-resp", func(c net.Conn) {
		defer c.Close()
		r := bufio.NewReader(c)
		w := resp.NewWriter(bufio.NewWriter(c))
		for {
			args, err := resp.ReadCommand(r)
			if err != nil {
				return
			}
			keys.Execute(args, w)
			if r.Buffered() == 0 && w.Flush() != nil {
				return
			}
		}
	})
}
