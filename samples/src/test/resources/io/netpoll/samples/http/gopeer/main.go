// The Go net/http server HttpConformanceSpec sends its raw requests to (standard library only):
// it answers every request it accepts with 200 once the whole body has been read — the body
// itself for /echo, "ok" otherwise — so the status codes show what net/http's parser decided.
// It listens on 127.0.0.1 on a free port and prints "listening on ADDR" once ready.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			// The body's framing was malformed: net/http's chunked reader refused it.
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/echo" {
			w.Write(body)
			return
		}
		io.WriteString(w, "ok")
	}))
}
