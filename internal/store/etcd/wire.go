package etcd

// The protocol buffer messages of etcd's v3 API that this package sends and
// reads, encoded and decoded by hand: the few fields of etcdserverpb's
// RangeRequest, TxnRequest, AuthenticateRequest and their responses
// (api/v3/etcdserverpb/rpc.proto, api/v3/mvccpb/kv.proto). Writing them
// here keeps google.golang.org/protobuf and etcd's generated packages out
// of the binary, whose package initialisation every authctl process paid.

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// keyValue is an mvccpb.KeyValue.
type keyValue struct {
	Key, Value     []byte
	CreateRevision int64
	ModRevision    int64
}

// rangeRequest is an etcdserverpb.RangeRequest.
type rangeRequest struct {
	Key, End string // End "" reads Key alone
	Limit    int64
	Revision int64
	// Last sorts by key, descending (with Limit 1: the last key).
	Last     bool
	KeysOnly bool
}

// rangeResponse is the part of an etcdserverpb.RangeResponse authctl uses.
type rangeResponse struct {
	Revision int64 // the header's
	Kvs      []keyValue
	More     bool
}

// Compare targets and results (etcdserverpb.Compare).
const (
	cmpCreate = 1 // CompareTarget CREATE
	cmpMod    = 2 // CompareTarget MOD
	cmpEqual  = 0 // CompareResult EQUAL
	cmpLess   = 2 // CompareResult LESS
)

// compare is an etcdserverpb.Compare on a key's create or mod revision.
type compare struct {
	Key            string
	Target, Result int
	Revision       int64
}

// op is a put of Value, or a delete of Key (to End when End is set).
type op struct {
	Delete   bool
	Key, End string
	Value    []byte
}

func opPut(k string, v []byte) op      { return op{Key: k, Value: v} }
func opDelete(k string) op             { return op{Delete: true, Key: k} }
func opDeleteRange(from, to string) op { return op{Delete: true, Key: from, End: to} }

// --- encoding ----------------------------------------------------------------

type pb []byte

func (b pb) varint(v uint64) pb { return binary.AppendUvarint(b, v) }

func (b pb) tag(field, wireType int) pb { return b.varint(uint64(field)<<3 | uint64(wireType)) }

// bytes writes a length-delimited field, omitted when empty (proto3).
func (b pb) bytes(field int, v []byte) pb {
	if len(v) == 0 {
		return b
	}
	return b.tag(field, 2).varint(uint64(len(v))).append(v)
}

func (b pb) str(field int, v string) pb {
	if v == "" {
		return b
	}
	return b.tag(field, 2).varint(uint64(len(v))).append([]byte(v))
}

// msg writes an embedded message, even an empty one (a oneof member).
func (b pb) msg(field int, m pb) pb {
	return b.tag(field, 2).varint(uint64(len(m))).append(m)
}

// int writes an int64 field, omitted when 0 (proto3).
func (b pb) int(field int, v int64) pb {
	if v == 0 {
		return b
	}
	return b.tag(field, 0).varint(uint64(v))
}

func (b pb) boolean(field int, v bool) pb {
	if !v {
		return b
	}
	return b.tag(field, 0).varint(1)
}

func (b pb) append(v []byte) pb { return append(b, v...) }

func (r rangeRequest) marshal() []byte {
	var b pb
	b = b.str(1, r.Key).str(2, r.End).int(3, r.Limit).int(4, r.Revision)
	if r.Last {
		b = b.int(5, 2) // sort_order DESCEND; sort_target KEY is 0
	}
	return b.boolean(8, r.KeysOnly)
}

func (c compare) marshal() pb {
	var b pb
	b = b.int(1, int64(c.Result)).int(2, int64(c.Target)).str(3, c.Key)
	// The target value is a oneof: written even when 0.
	field := 6 // mod_revision
	if c.Target == cmpCreate {
		field = 5 // create_revision
	}
	return b.tag(field, 0).varint(uint64(c.Revision))
}

func (o op) marshal() pb {
	var b, m pb
	if o.Delete {
		m = m.str(1, o.Key).str(2, o.End)
		return b.msg(3, m) // request_delete_range
	}
	m = m.str(1, o.Key).bytes(2, o.Value)
	return b.msg(2, m) // request_put
}

func marshalTxn(cmps []compare, ops []op) []byte {
	var b pb
	for _, c := range cmps {
		b = b.msg(1, c.marshal())
	}
	for _, o := range ops {
		b = b.msg(2, o.marshal())
	}
	return b
}

func marshalAuthenticate(name, password string) []byte {
	var b pb
	return b.str(1, name).str(2, password)
}

// --- decoding ----------------------------------------------------------------

var errWire = errors.New("malformed protocol buffer in the server's answer")

// field is one decoded field: its number, and its value as a varint or
// as bytes (length-delimited).
type field struct {
	num  int
	n    uint64
	data []byte
}

// fields calls fn for every field of the message b.
func fields(b []byte, fn func(f field) error) error {
	for len(b) > 0 {
		key, k := binary.Uvarint(b)
		if k <= 0 {
			return errWire
		}
		b = b[k:]
		f := field{num: int(key >> 3)}
		switch key & 7 {
		case 0:
			v, k := binary.Uvarint(b)
			if k <= 0 {
				return errWire
			}
			f.n, b = v, b[k:]
		case 1:
			if len(b) < 8 {
				return errWire
			}
			b = b[8:]
			continue
		case 2:
			l, k := binary.Uvarint(b)
			if k <= 0 || l > uint64(len(b)-k) {
				return errWire
			}
			f.data, b = b[k:k+int(l)], b[k+int(l):]
		case 5:
			if len(b) < 4 {
				return errWire
			}
			b = b[4:]
			continue
		default:
			return fmt.Errorf("%w: wire type %d", errWire, key&7)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// headerRevision reads the revision of a ResponseHeader.
func headerRevision(b []byte) (rev int64, err error) {
	err = fields(b, func(f field) error {
		if f.num == 3 {
			rev = int64(f.n)
		}
		return nil
	})
	return rev, err
}

func unmarshalKeyValue(b []byte) (kv keyValue, err error) {
	err = fields(b, func(f field) error {
		switch f.num {
		case 1:
			kv.Key = f.data
		case 2:
			kv.CreateRevision = int64(f.n)
		case 3:
			kv.ModRevision = int64(f.n)
		case 5:
			kv.Value = f.data
		}
		return nil
	})
	return kv, err
}

func unmarshalRange(b []byte) (r rangeResponse, err error) {
	err = fields(b, func(f field) error {
		var err error
		switch f.num {
		case 1:
			r.Revision, err = headerRevision(f.data)
		case 2:
			var kv keyValue
			kv, err = unmarshalKeyValue(f.data)
			r.Kvs = append(r.Kvs, kv)
		case 3:
			r.More = f.n != 0
		}
		return err
	})
	return r, err
}

// unmarshalTxn returns a TxnResponse's succeeded.
func unmarshalTxn(b []byte) (succeeded bool, err error) {
	err = fields(b, func(f field) error {
		if f.num == 2 {
			succeeded = f.n != 0
		}
		return nil
	})
	return succeeded, err
}

// unmarshalAuthenticate returns an AuthenticateResponse's token.
func unmarshalAuthenticate(b []byte) (token string, err error) {
	err = fields(b, func(f field) error {
		if f.num == 2 {
			token = string(f.data)
		}
		return nil
	})
	return token, err
}
