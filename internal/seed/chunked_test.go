package seed

import "testing"

func TestChunkedKeepsOrderAndPointers(t *testing.T) {
	var c chunked[int]
	if c.all() != nil {
		t.Fatal("an empty list is not nil")
	}
	var ptrs []*int
	for i := range 3*chunkLen + 7 {
		p := c.add()
		*p = i
		ptrs = append(ptrs, p)
	}
	// Every pointer handed out still points at its own element.
	for i, p := range ptrs {
		if *p != i {
			t.Fatalf("element %d reads %d through its pointer", i, *p)
		}
	}
	all := c.all()
	if len(all) != 3*chunkLen+7 {
		t.Fatalf("%d elements", len(all))
	}
	for i, v := range all {
		if v != i {
			t.Fatalf("element %d is %d", i, v)
		}
	}
}
