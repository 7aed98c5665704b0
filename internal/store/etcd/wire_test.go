package etcd

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	etcdserverpb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
)

// The hand-written encoders produce messages that etcd's generated code
// decodes to the requests clientv3 sent for the same calls.
func TestWireRequests(t *testing.T) {
	decodeRange := func(b []byte) *etcdserverpb.RangeRequest {
		var r etcdserverpb.RangeRequest
		if err := r.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		return &r
	}
	for _, c := range []struct {
		in   rangeRequest
		want etcdserverpb.RangeRequest
	}{
		{rangeRequest{Key: "/p/schema"}, etcdserverpb.RangeRequest{Key: []byte("/p/schema")}},
		{rangeRequest{Key: "/p/", End: "/p0", KeysOnly: true, Limit: 1},
			etcdserverpb.RangeRequest{Key: []byte("/p/"), RangeEnd: []byte("/p0"), KeysOnly: true, Limit: 1}},
		{rangeRequest{Key: "/p/users/a\x00", End: "/p/users0", Limit: pageSize, Revision: 1 << 40},
			etcdserverpb.RangeRequest{Key: []byte("/p/users/a\x00"), RangeEnd: []byte("/p/users0"), Limit: pageSize, Revision: 1 << 40}},
		{rangeRequest{Key: "/p/audit/", End: "/p/audit0", Limit: 1, Last: true, Revision: 7},
			etcdserverpb.RangeRequest{Key: []byte("/p/audit/"), RangeEnd: []byte("/p/audit0"), Limit: 1, Revision: 7,
				SortOrder: etcdserverpb.RangeRequest_DESCEND, SortTarget: etcdserverpb.RangeRequest_KEY}},
	} {
		if got := decodeRange(c.in.marshal()); !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%+v encodes\n%+v, want\n%+v", c.in, got, &c.want)
		}
	}

	var txn etcdserverpb.TxnRequest
	b := marshalTxn(
		[]compare{
			{Key: "/p/commit", Target: cmpMod, Result: cmpLess, Revision: 43},
			{Key: "/p/schema", Target: cmpCreate, Result: cmpEqual, Revision: 0},
		},
		[]op{opDeleteRange("/p/audit/", "/p/audit0"), opDelete("/p/users/b"), opPut("/p/users/a", []byte("{}")), opPut("/p/commit", nil)})
	if err := txn.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	want := etcdserverpb.TxnRequest{
		Compare: []*etcdserverpb.Compare{
			{Key: []byte("/p/commit"), Target: etcdserverpb.Compare_MOD, Result: etcdserverpb.Compare_LESS, TargetUnion: &etcdserverpb.Compare_ModRevision{ModRevision: 43}},
			{Key: []byte("/p/schema"), Target: etcdserverpb.Compare_CREATE, Result: etcdserverpb.Compare_EQUAL, TargetUnion: &etcdserverpb.Compare_CreateRevision{CreateRevision: 0}},
		},
		Success: []*etcdserverpb.RequestOp{
			{Request: &etcdserverpb.RequestOp_RequestDeleteRange{RequestDeleteRange: &etcdserverpb.DeleteRangeRequest{Key: []byte("/p/audit/"), RangeEnd: []byte("/p/audit0")}}},
			{Request: &etcdserverpb.RequestOp_RequestDeleteRange{RequestDeleteRange: &etcdserverpb.DeleteRangeRequest{Key: []byte("/p/users/b")}}},
			{Request: &etcdserverpb.RequestOp_RequestPut{RequestPut: &etcdserverpb.PutRequest{Key: []byte("/p/users/a"), Value: []byte("{}")}}},
			{Request: &etcdserverpb.RequestOp_RequestPut{RequestPut: &etcdserverpb.PutRequest{Key: []byte("/p/commit")}}},
		},
	}
	if !reflect.DeepEqual(txn, want) {
		t.Errorf("txn encodes\n%+v, want\n%+v", &txn, &want)
	}

	var auth etcdserverpb.AuthenticateRequest
	if err := auth.Unmarshal(marshalAuthenticate("authctl-admin", "pw")); err != nil || auth.Name != "authctl-admin" || auth.Password != "pw" {
		t.Errorf("authenticate encodes %+v, %v", &auth, err)
	}
}

// The decoders read what etcd's generated code encodes, fields authctl
// does not use included.
func TestWireResponses(t *testing.T) {
	hdr := &etcdserverpb.ResponseHeader{ClusterId: 1 << 60, MemberId: 99, Revision: 1234567, RaftTerm: 3}
	rr := etcdserverpb.RangeResponse{Header: hdr, More: true, Count: 2, Kvs: []*mvccpb.KeyValue{
		{Key: []byte("/p/a"), Value: []byte("1"), CreateRevision: 5, ModRevision: 9, Version: 2, Lease: 77},
		{Key: []byte("/p/b"), CreateRevision: 6, ModRevision: 6, Version: 1},
	}}
	b, err := rr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := unmarshalRange(b)
	if err != nil {
		t.Fatal(err)
	}
	want := rangeResponse{Revision: 1234567, More: true, Kvs: []keyValue{
		{Key: []byte("/p/a"), Value: []byte("1"), CreateRevision: 5, ModRevision: 9},
		{Key: []byte("/p/b"), CreateRevision: 6, ModRevision: 6},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("range decodes %+v, want %+v", got, want)
	}

	for _, ok := range []bool{true, false} {
		tr := etcdserverpb.TxnResponse{Header: hdr, Succeeded: ok, Responses: []*etcdserverpb.ResponseOp{
			{Response: &etcdserverpb.ResponseOp_ResponsePut{ResponsePut: &etcdserverpb.PutResponse{Header: hdr}}},
		}}
		b, _ := tr.Marshal()
		if got, err := unmarshalTxn(b); err != nil || got != ok {
			t.Errorf("txn succeeded=%v decodes %v, %v", ok, got, err)
		}
	}

	ar := etcdserverpb.AuthenticateResponse{Header: hdr, Token: "abc.42"}
	b, _ = ar.Marshal()
	if tok, err := unmarshalAuthenticate(b); err != nil || tok != "abc.42" {
		t.Errorf("authenticate decodes %q, %v", tok, err)
	}

	// A message cut inside a field is errWire, never a panic. (The gRPC
	// frame's length catches a message cut between fields.)
	b, _ = rr.Marshal()
	cut := 0
	for n := 1; n < len(b); n++ {
		if _, err := unmarshalRange(b[:n]); err != nil {
			cut++
			if !errors.Is(err, errWire) {
				t.Errorf("%d bytes: %v", n, err)
			}
		}
	}
	if cut < len(b)/2 {
		t.Errorf("only %d of %d cuts detected", cut, len(b))
	}
}

func TestPrefixEnd(t *testing.T) {
	for p, want := range map[string]string{
		"/authctl/": "/authctl0",
		"a\xff":     "b",
		"a\xfe\xff": "a\xff",
		"\xff\xff":  "\x00",
	} {
		if got := prefixEnd(p); got != want {
			t.Errorf("prefixEnd(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestGRPCTimeout(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:            "1n",
		999 * time.Nanosecond:   "999n",
		10 * time.Second:        "10000000u",
		100 * time.Second:       "100000m",
		15*time.Second + 1:      "15000001u",
		30 * 24 * time.Hour:     "2592000S",
		100000000 * time.Minute: "1666667H",
	} {
		if got := grpcTimeout(d); got != want {
			t.Errorf("grpcTimeout(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestDecodeGRPCMessage(t *testing.T) {
	for in, want := range map[string]string{
		"etcdserver: permission denied": "etcdserver: permission denied",
		"100%25 %E2%9C%93 done":         "100% ✓ done",
		"bad %zz and %4":                "bad %zz and %4",
	} {
		if got := decodeGRPCMessage(in); got != want {
			t.Errorf("decodeGRPCMessage(%q) = %q, want %q", in, got, want)
		}
	}
	if !bytes.Equal([]byte(decodeGRPCMessage("%00")), []byte{0}) {
		t.Error("%00")
	}
}
