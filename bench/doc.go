// Package bench holds authctl's benchmarks; it has no code of its own, only
// _test.go files, plus small helper programs and the shell scripts that run
// everything and compare with Django (see docs/performance.md).
//
// Permission checks and passwords (issue 2):
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
// Seeding (issue 4; seed.sh runs them):
//
//   - BenchmarkSeedHashing/<hasher>: Service.Apply of N users with plain
//     passwords against the bare hasher.Set.Make kept busy on every core,
//     in turns in the same benchmark, and both on one worker.
//   - BenchmarkApplyPrehashed: "authctl apply -f FILE" of 100,000 users
//     given as password_hash, in-process, for CPU and memory profiles.
//   - BenchmarkApplySorted and BenchmarkApplyRandom: the same at 20,000
//     users, sorted or shuffled, JSON and YAML: the order costs nothing.
//   - TestPrepareSeedFile, TestPrepareSeedFiles and TestPrepareScale write
//     the pre-hashed seeding files and the scale databases (up to
//     1,000,000 users) for seed.sh and seed_scale.sh (apply by order,
//     format and size beside Django's bulk_create; seed.sh's part E), only
//     when asked to through the environment.
//
// Permission queries (batch_bench.sh, batch_test.go, perm_query_test.go):
//
//   - BenchmarkCheckBatch: "check --batch" without parsing or printing,
//     has_perms of one permission for a different user each time, from one
//     read transaction, on 100,000 users and 1,000 groups (run with -cpu 1).
//     batch_bench.sh times the command against Django's has_perms loop on
//     the same data and compares their answers.
//   - BenchmarkPermQueries: Service.WithPerm and Service.GetPermission for
//     a permission held through one group, at AUTHCTL_QUERY_USERS users.
//
// Listing and export (list.sh, list_test.go):
//
//   - BenchmarkListCommands/<command>: "user list -o json", "user list"
//     piped and on a terminal, "export" and "export --format django",
//     in-process, writing to io.Discard, on the scale database of
//     AUTHCTL_LIST_USERS users (default 100,000), for CPU profiles.
//     list.sh times the same commands as processes at 1,000,000 users
//     against ./minimalscan, which opens the bbolt file and reads every
//     value of the users bucket.
//
// The programs under ./startup (an empty program, and the same importing
// only Cobra or only Viper) are start-up baselines for startup.sh, and
// ./startup/interleave times processes against a baseline in random
// order, for the medians of per-iteration ratios startup.sh reports;
// peakmem.py measures a process's peak memory for seed.sh; apply_ab.py
// compares builds of authctl by interleaved process runs of one apply.
//
// The binaries are built, and the databases seeded, only when a benchmark
// that needs them runs, so a plain "go test ./..." stays fast: it runs only
// the cheap checks of the data sets (TestDataset, TestScaleDataset,
// TestSeedFileApplies). With AUTHCTL_BENCH_DIR set, TestPrepare builds
// (static, as releases are) and seeds into that directory and keeps it
// (run.sh, django_bench.sh, startup.sh and seed.sh use it).
package bench
