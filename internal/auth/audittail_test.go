package auth

import (
	"context"
	"fmt"
	"testing"

	"authctl/internal/store"
)

// headCountStore counts the audit heads written inside its Updates.
type headCountStore struct {
	store.Store
	heads int
}

type headCountWriter struct {
	store.Writer
	s *headCountStore
}

func (w headCountWriter) PutMeta(key string, v []byte) error {
	if key == auditHeadKey {
		w.s.heads++
	}
	return w.Writer.PutMeta(key, v)
}

func (h *headCountStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	return h.Store.Update(ctx, func(w store.Writer) error { return fn(headCountWriter{w, h}) })
}

// An apply appends one audit record per object but writes the audit head
// once, and the head it writes names the last record: the chain verifies.
func TestApplyWritesTheAuditHeadOnce(t *testing.T) {
	e := newEnv(t)
	counter := &headCountStore{Store: e.st}
	svc, err := New(counter, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	doc := &Document{}
	for i := range 50 {
		doc.Users = append(doc.Users, DocUser{Username: fmt.Sprintf("u%02d", i)})
	}
	if _, err = svc.Apply(context.Background(), doc, ApplyOptions{Origin: "test"}); err != nil {
		t.Fatal(err)
	}
	if counter.heads != 1 {
		t.Errorf("the apply wrote the audit head %d times, want 1", counter.heads)
	}
	n, err := svc.verifyCount(context.Background())
	if err != nil || n != 50 {
		t.Fatalf("audit verify: %d records, %v; want 50, nil", n, err)
	}
	// A later single change continues the chain from that head.
	e.mkUser("later")
	if n, err := e.svc.verifyCount(context.Background()); err != nil || n != 51 {
		t.Fatalf("audit verify after one more change: %d records, %v; want 51, nil", n, err)
	}
}
