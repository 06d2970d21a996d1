// Package httpget is the one HTTP exchange the TLS load generators make on a connection they
// manage themselves: a "GET /" written by hand and the whole response read back.
package httpget

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
)

// Do sends "GET /" on c (with "Connection: close" when closing) and reads the response and its
// whole body; a status other than 200 is an error.
func Do(c io.ReadWriter, closing bool) error {
	request := "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	if closing {
		request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
	}
	if _, err := io.WriteString(c, request); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return fmt.Errorf("response: %w", err)
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", res.Status)
	}
	return nil
}
