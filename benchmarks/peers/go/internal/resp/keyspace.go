package resp

import (
	"bytes"
	"strconv"
	"sync"
)

// Keyspace holds strings and lists behind one mutex, as a small Go Redis clone would.
type Keyspace struct {
	mu      sync.Mutex
	strings map[string][]byte
	lists   map[string][][]byte
}

func NewKeyspace() *Keyspace {
	return &Keyspace{strings: map[string][]byte{}, lists: map[string][][]byte{}}
}

// Execute runs PING, SET, GET, INCR, LPUSH or LPOP and encodes the reply onto w.
func (k *Keyspace) Execute(args [][]byte, w *Writer) {
	if len(args) == 0 {
		w.Error("ERR empty command")
		return
	}
	name := string(bytes.ToUpper(args[0]))
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case name == "PING" && len(args) == 1:
		w.Simple("PONG")
	case name == "PING" && len(args) == 2:
		w.Bulk(args[1])
	case name == "SET" && len(args) == 3:
		key := string(args[1])
		delete(k.lists, key)
		k.strings[key] = append([]byte(nil), args[2]...)
		w.Simple("OK")
	case name == "GET" && len(args) == 2:
		if _, isList := k.lists[string(args[1])]; isList {
			w.Error(wrongType)
			return
		}
		w.Bulk(k.strings[string(args[1])])
	case name == "INCR" && len(args) == 2:
		k.incr(string(args[1]), w)
	case name == "LPUSH" && len(args) >= 3:
		key := string(args[1])
		if _, isString := k.strings[key]; isString {
			w.Error(wrongType)
			return
		}
		list := k.lists[key]
		for _, v := range args[2:] {
			list = append([][]byte{append([]byte(nil), v...)}, list...)
		}
		k.lists[key] = list
		w.Integer(int64(len(list)))
	case name == "LPOP" && len(args) == 2:
		k.lpop(string(args[1]), w)
	default:
		w.Error("ERR unknown command or wrong number of arguments for '" + name + "'")
	}
}

const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"

func (k *Keyspace) incr(key string, w *Writer) {
	if _, isList := k.lists[key]; isList {
		w.Error(wrongType)
		return
	}
	n := int64(0)
	if v, ok := k.strings[key]; ok {
		parsed, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			w.Error("ERR value is not an integer or out of range")
			return
		}
		n = parsed
	}
	n++
	k.strings[key] = strconv.AppendInt(nil, n, 10)
	w.Integer(n)
}

func (k *Keyspace) lpop(key string, w *Writer) {
	if _, isString := k.strings[key]; isString {
		w.Error(wrongType)
		return
	}
	list := k.lists[key]
	if len(list) == 0 {
		w.Bulk(nil)
		return
	}
	head := list[0]
	if len(list) == 1 {
		delete(k.lists, key)
	} else {
		k.lists[key] = list[1:]
	}
	w.Bulk(head)
}
