// Command minimalscan is the baseline of authctl's listing benchmarks
// (bench/list.sh, docs/performance.md): about the least a Go program can do
// to read every record of one bucket of an authctl database. It opens the
// bbolt file read-only, iterates the bucket in key order, touches every
// byte of every value (a checksum, so that the reads cannot be skipped) and
// prints the count and the checksum.
//
//	minimalscan DB BUCKET
//	minimalscan auth.db users
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
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: minimalscan DB BUCKET")
		os.Exit(2)
	}
	db, err := bbolt.Open(os.Args[1], 0o600, &bbolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "minimalscan:", err)
		os.Exit(2)
	}
	var n, sum uint64
	err = db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(os.Args[2]))
		if b == nil {
			return fmt.Errorf("no bucket %q", os.Args[2])
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			n++
			for _, x := range v {
				sum += uint64(x)
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "minimalscan:", err)
		os.Exit(2)
	}
	fmt.Printf("%d records, checksum %d\n", n, sum)
}
