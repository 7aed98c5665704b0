package etcd

import (
	"errors"
	"testing"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
)

// FuzzDecodeResponses feeds arbitrary bytes, as a member (or whatever
// answers on its port) might send, to every response decoder: each returns
// a value or errWire, never panics. Where etcd's generated code accepts
// the bytes as a RangeResponse, the decoder agrees with it on every field
// the backend reads.
func FuzzDecodeResponses(f *testing.F) {
	hdr := &etcdserverpb.ResponseHeader{Revision: 1234567}
	rr := etcdserverpb.RangeResponse{Header: hdr, More: true, Kvs: []*mvccpb.KeyValue{
		{Key: []byte("/p/a"), Value: []byte("1"), CreateRevision: 5, ModRevision: 9},
	}}
	b, _ := rr.Marshal()
	f.Add(b)
	tr := etcdserverpb.TxnResponse{Header: hdr, Succeeded: true}
	b, _ = tr.Marshal()
	f.Add(b)
	ar := etcdserverpb.AuthenticateResponse{Header: hdr, Token: "abc.42"}
	b, _ = ar.Marshal()
	f.Add(b)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(what string, err error) {
			if err != nil && !errors.Is(err, errWire) {
				t.Fatalf("%s: %v is not errWire", what, err)
			}
		}
		got, rangeErr := unmarshalRange(b)
		check("range", rangeErr)
		_, err := unmarshalTxn(b)
		check("txn", err)
		_, err = unmarshalAuthenticate(b)
		check("authenticate", err)
		_, err = headerRevision(b)
		check("header", err)

		var want etcdserverpb.RangeResponse
		if rangeErr != nil || want.Unmarshal(b) != nil {
			return // refused by either: being stricter is allowed
		}
		if got.More != want.More || len(got.Kvs) != len(want.Kvs) {
			t.Fatalf("range: more %v, %d kvs; generated code: %v, %d", got.More, len(got.Kvs), want.More, len(want.Kvs))
		}
		if want.Header != nil && got.Revision != want.Header.Revision {
			t.Fatalf("revision %d, generated code %d", got.Revision, want.Header.Revision)
		}
		for i, kv := range want.Kvs {
			g := got.Kvs[i]
			if string(g.Key) != string(kv.Key) || string(g.Value) != string(kv.Value) ||
				g.CreateRevision != kv.CreateRevision || g.ModRevision != kv.ModRevision {
				t.Fatalf("kv %d: %+v, generated code %+v", i, g, kv)
			}
		}
	})
}
