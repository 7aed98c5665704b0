// Package bench holds authctl's benchmarks; it has no code of its own, only
// _test.go files, plus two helper programs and the shell scripts that run
// everything and compare with Django (see docs/performance.md).
//
//   - BenchmarkCheckInProcess: the work of "authctl check PERM --user U"
//     inside one process (open the database read-only, Service.Check,
//     close) on a seeded database of 1,000 users, 50 groups and 200
//     permissions.
//   - BenchmarkCheckProcess and BenchmarkMinimalBoltProcess: exec the built
//     binary ("authctl check PERM --user U -q") and, as the baseline, the
//     program in ./minimalread, which opens the same bbolt file read-only
//     and reads one key. The target is a ratio of at most 1.5.
//   - BenchmarkAuthenticate/<hasher> and BenchmarkCheckPassword/<hasher>:
//     Service.Authenticate and hasher.Set.Check at the default costs.
//
// The binaries are built, and the database seeded, only when a benchmark
// that needs them runs, so a plain "go test ./..." stays fast. With
// AUTHCTL_BENCH_DIR set, TestPrepare builds and seeds into that directory
// and keeps it (run.sh and django_bench.sh use it for hyperfine).
package bench
