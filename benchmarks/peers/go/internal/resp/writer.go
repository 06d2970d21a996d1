package resp

import (
	"bufio"
	"strconv"
)

// Writer encodes replies into a buffered connection writer; the caller flushes.
type Writer struct {
	*bufio.Writer
	scratch []byte
}

func NewWriter(w *bufio.Writer) *Writer { return &Writer{Writer: w} }

func (w *Writer) Simple(s string) {
	w.WriteByte('+')
	w.WriteString(s)
	w.WriteString("\r\n")
}

func (w *Writer) Error(s string) {
	w.WriteByte('-')
	w.WriteString(s)
	w.WriteString("\r\n")
}

func (w *Writer) Integer(n int64) {
	w.WriteByte(':')
	w.scratch = strconv.AppendInt(w.scratch[:0], n, 10)
	w.Write(w.scratch)
	w.WriteString("\r\n")
}

// Bulk writes a bulk string, or the null bulk string for nil.
func (w *Writer) Bulk(b []byte) {
	if b == nil {
		w.WriteString("$-1\r\n")
		return
	}
	w.WriteByte('$')
	w.scratch = strconv.AppendInt(w.scratch[:0], int64(len(b)), 10)
	w.Write(w.scratch)
	w.WriteString("\r\n")
	w.Write(b)
	w.WriteString("\r\n")
}
