// http-server answers every request with the plaintext benchmark's "Hello, World!" using net/http,
// the server a Go user would deploy; with --tls-cert and --tls-key it serves HTTPS (crypto/tls).
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
)

var body = []byte("Hello, World!")

func main() {
	addr := flag.String("addr", "127.0.0.1:7002", "host:port to listen on")
	cert := flag.String("tls-cert", "", "PEM certificate: serve HTTPS")
	key := flag.String("tls-key", "", "PEM private key of --tls-cert")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("go-http: %v", err)
	}
	fmt.Printf("go-http: listening on %s\n", ln.Addr())
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	if *cert != "" {
		log.Fatal(http.ServeTLS(ln, handler, *cert, *key))
	}
	log.Fatal(http.Serve(ln, handler))
}
