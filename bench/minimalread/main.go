// Command minimalread is the baseline of authctl's check-process benchmark
// (bench.BenchmarkMinimalBoltProcess, docs/performance.md): about the least
// a Go program can do to answer from an authctl database. It opens the
// bbolt file read-only, reads one key and exits 0 if the key is there, 1 if
// not, 2 on any error.
//
//	minimalread DB BUCKET KEY
//	minimalread auth.db users alice
//
// It is a benchmark baseline, not part of authctl: it imports bbolt
// directly, which nothing outside internal/store/bolt may do in the product.
package main

import (
	"fmt"
	"os"
	"time"

	"go.etcd.io/bbolt"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: minimalread DB BUCKET KEY")
		os.Exit(2)
	}
	db, err := bbolt.Open(os.Args[1], 0o600, &bbolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "minimalread:", err)
		os.Exit(2)
	}
	found := false
	err = db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket([]byte(os.Args[2])); b != nil {
			found = b.Get([]byte(os.Args[3])) != nil
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "minimalread:", err)
		os.Exit(2)
	}
	if !found {
		os.Exit(1)
	}
}
