// Package resp is the Go peer's subset of the Redis protocol: command parsing, the keyspace, and
// reply encoding.
package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
)

// ErrProtocol reports a request that is neither a RESP array of bulk strings nor an inline command.
var ErrProtocol = errors.New("protocol error")

// ReadCommand reads one command: a RESP array of bulk strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
// or an inline command ("PING\r\n"), as redis-benchmark sends both.
func ReadCommand(r *bufio.Reader) ([][]byte, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if len(line) == 0 || line[0] != '*' {
		return bytes.Fields(line), nil
	}
	count, err := strconv.Atoi(string(line[1:]))
	if err != nil || count < 0 {
		return nil, ErrProtocol
	}
	args := make([][]byte, count)
	for i := range args {
		header, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if len(header) == 0 || header[0] != '$' {
			return nil, ErrProtocol
		}
		n, err := strconv.Atoi(string(header[1:]))
		if err != nil || n < 0 {
			return nil, ErrProtocol
		}
		arg := make([]byte, n+2)
		if _, err := io.ReadFull(r, arg); err != nil {
			return nil, err
		}
		args[i] = arg[:n]
	}
	return args, nil
}

// readLine returns the next line without its CRLF; the slice is valid until the next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}
