package bolt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

// sizeUser is a user as an apply of pre-hashed users writes it: a Django
// hash, an email, names, two groups and a permission.
func sizeUser(name string, i int) store.User {
	return store.User{
		Username:    name,
		Email:       name + "@example.com",
		FirstName:   "First" + strconv.Itoa(i),
		LastName:    "Last",
		Password:    "pbkdf2_sha256$1200000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=",
		IsActive:    true,
		DateJoined:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Millisecond),
		Groups:      []string{fmt.Sprintf("team%04d", i%1000), "everyone"},
		Permissions: []string{"app.perm" + strconv.Itoa(i%50)},
	}
}

// sizeAudit is the keyed audit record an apply appends for a user.
func sizeAudit(prev *string, name string, i int) store.AuditRecord {
	sum := sha256.Sum256([]byte(name))
	rec := store.AuditRecord{
		Time:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Microsecond),
		Action: "user.create", Target: name, Result: "ok", OSUser: "root", Detail: "apply users.json",
		Prev: *prev, Hash: "hmac-sha256:" + hex.EncodeToString(sum[:]),
	}
	*prev = rec.Hash
	return rec
}

// appendJSONAudit appends rec as the release before the binary audit
// encoding stored it.
func appendJSONAudit(t *txn, rec store.AuditRecord) error {
	b, err := t.writeBucket(bucketAudit)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	rec.Seq = seq
	v, err := json.Marshal(&rec)
	if err != nil {
		return err
	}
	return b.Put(seqKey(seq), v)
}

// usedBytes is the size of the pages the database uses: its high-water
// mark less its free pages. (The file itself grows in steps of
// bbolt's AllocSize, 16 MiB.)
func usedBytes(b *testing.B, s store.Store) int64 {
	var used int64
	err := s.(*boltStore).view(func(tx *bbolt.Tx) error {
		used = tx.Size() - int64(tx.DB().Stats().FreePageN+tx.DB().Stats().PendingPageN)*int64(tx.DB().Info().PageSize)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return used
}

// bucketBytes is the size of the pages of each of the users, audit and
// index buckets.
func bucketBytes(b *testing.B, s store.Store) (users, audit, index int64) {
	err := s.(*boltStore).view(func(tx *bbolt.Tx) error {
		size := func(name []byte) int64 {
			st := tx.Bucket(name).Stats()
			return int64(st.BranchAlloc + st.LeafAlloc)
		}
		users, audit = size(bucketUsers), size(bucketAudit)
		for _, name := range indexBuckets {
			index += size(name)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return users, audit, index
}

// BenchmarkBytesPerUser writes 100,000 users (AUTHCTL_BENCH_USERS to try
// another count), each with its audit record, in one transaction in key
// order, as an apply does, and reports the database's bytes per user: with
// audit records as JSON (the encoding before this one) and binary, and with
// the buckets' fill factors at bbolt's default (0.5), at this package's
// choice (0.9, the audit log 1.0) and all at 1.0. It then creates 2,000
// more users at random places among them, one transaction each (user
// create), and reports what each costs on disk.
func BenchmarkBytesPerUser(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("AUTHCTL_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	const inserts = 2000
	type fill struct{ records, audit, index float64 }
	for _, audit := range []string{"json", "binary"} {
		for _, f := range []struct {
			name string
			fill
		}{
			{"fill=0.5", fill{0.5, 0.5, 0.5}},
			{"fill=0.9,audit=1.0", fill{0.9, 1.0, 0.9}},
			{"fill=1.0", fill{1.0, 1.0, 1.0}},
		} {
			b.Run("audit="+audit+"/"+f.name, func(b *testing.B) {
				saved := fill{fillRecords, fillAudit, fillIndex}
				fillRecords, fillAudit, fillIndex = f.records, f.audit, f.index
				defer func() { fillRecords, fillAudit, fillIndex = saved.records, saved.audit, saved.index }()
				var bulk, after, users, audits, index int64
				for b.Loop() {
					b.StopTimer()
					st, err := Open(filepath.Join(b.TempDir(), "auth.db"), store.OpenOptions{Create: true})
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					prev := "0000000000000000000000000000000000000000000000000000000000000000"
					add := func(w store.Writer, name string, i int) error {
						if err := w.PutUser(sizeUser(name, i)); err != nil {
							return err
						}
						rec := sizeAudit(&prev, name, i)
						if audit == "json" {
							return appendJSONAudit(w.(*txn), rec)
						}
						_, err := w.AppendAudit(rec)
						return err
					}
					err = st.Update(context.Background(), func(w store.Writer) error {
						for i := range n {
							if err := add(w, fmt.Sprintf("user%08d", i), i); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					bulk = usedBytes(b, st)
					users, audits, index = bucketBytes(b, st)
					r := rand.New(rand.NewPCG(3, 4))
					for j := range inserts {
						i := r.IntN(n)
						err := st.Update(context.Background(), func(w store.Writer) error {
							return add(w, fmt.Sprintf("user%08d-%d", i, j), n+j)
						})
						if err != nil {
							b.Fatal(err)
						}
					}
					after = usedBytes(b, st)
					st.Close()
					b.StartTimer()
				}
				b.ReportMetric(float64(bulk)/float64(n), "bytes/user")
				b.ReportMetric(float64(after-bulk)/inserts, "bytes/inserted-user")
				b.ReportMetric(float64(users)/float64(n), "users-bytes/user")
				b.ReportMetric(float64(audits)/float64(n), "audit-bytes/user")
				b.ReportMetric(float64(index)/float64(n), "index-bytes/user")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkAuditHead appends audit records in one transaction, as an
// apply does, with and without the head the auth package stores in meta
// after each one: what PutMeta adds to a record.
func BenchmarkAuditHead(b *testing.B) {
	const n = 10_000
	head := []byte("123456 hmac-sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752")
	for _, withHead := range []bool{false, true} {
		b.Run(fmt.Sprintf("head=%v", withHead), func(b *testing.B) {
			st, err := Open(filepath.Join(b.TempDir(), "auth.db"), store.OpenOptions{Create: true})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			for b.Loop() {
				prev := "0000000000000000000000000000000000000000000000000000000000000000"
				err := st.Update(context.Background(), func(w store.Writer) error {
					for i := range n {
						if _, err := w.AppendAudit(sizeAudit(&prev, "user", i)); err != nil {
							return err
						}
						if withHead {
							if err := w.PutMeta("audit_head", head); err != nil {
								return err
							}
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}
