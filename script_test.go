package main

// End-to-end tests of the authctl binary with testscript: every script in
// testdata/script runs the real command line (the test binary re-executed
// as "authctl") against a database in the script's own $WORK directory.
//
// Run one script with: go test -run TestScript/NAME .
// Keep a script's work directory with: go test -run TestScript/NAME -testwork .
//
// This file, unlike the production code, imports bbolt directly: the
// holdlock and tamperaudit commands stand in for another process holding
// the database's lock and for someone editing the file behind authctl's
// back, which no authctl command can (or should be able to) do. Only
// internal/store/bolt may import bbolt in production code. holdlock runs
// in the test process rather than in a background process: bbolt's lock
// is flock(2) on the open file, which the authctl child processes contend
// for exactly as they would with another authctl.
//
// Scripts assert exit codes with the status command (testscript's "! exec"
// only says "not zero"), and a few custom commands carry values between
// commands (envfile, capture) or check files (perm); see below.

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"go.etcd.io/bbolt"

	"authctl/cmd"
	"authctl/internal/store/bolt"
	"authctl/internal/store/etcd/etcdtest"
)

func TestMain(m *testing.M) {
	testscript.Main(stopEtcd{m}, map[string]func(){
		"authctl": func() { os.Exit(cmd.Main()) },
	})
}

// update rewrites the cmp files of failing scripts with what the commands
// printed: go test -run TestScript/NAME -update .
var update = flag.Bool("update", false, "update the golden files in testdata/script")

func TestScript(t *testing.T) {
	testscript.Run(t, scriptParams(t))
}

// scriptParams is the testscript setup shared by every script.
func scriptParams(t *testing.T) testscript.Params {
	deadline, _ := t.Deadline()
	return testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Deadline:            deadline,
		Setup:               setupScript,
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "etcd":
				// The scripts run against etcd (AUTHCTL_TEST_DB):
				// scripts about the database file skip themselves.
				return testDB() != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":      cmdStatus,
			"holdlock":    cmdHoldlock,
			"tamperaudit": cmdTamperaudit,
			"perm":        cmdPerm,
			"envfile":     cmdEnvfile,
			"sleep":       cmdSleep,
			"capture":     cmdCapture,
		},
	}
}

// testDB is where the scripts keep their databases: "" for a bolt file
// in each script's $WORK, else etcd://ENDPOINTS from AUTHCTL_TEST_DB, to
// which each script adds a prefix of its own. AUTHCTL_TEST_DB=etcd uses
// an embedded etcd server started by this process.
func testDB() string {
	db := os.Getenv("AUTHCTL_TEST_DB")
	switch {
	case db == "":
		return ""
	case db == "etcd":
		return "etcd://" + etcdEndpoints(nopTB{})
	}
	return strings.TrimRight(db, "/")
}

// nopTB is enough of a testing.TB for etcdEndpoints outside a test.
type nopTB struct{ testing.TB }

func (nopTB) Helper() {}
func (nopTB) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// setupScript gives every script its own database, home and XDG
// directories under $WORK, and a cheap password hasher so that hashing
// does not dominate the run time. Scripts that need argon2 set its cheap
// parameters themselves.
func setupScript(e *testscript.Env) error {
	work := e.WorkDir
	home := filepath.Join(work, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	e.Setenv("AUTHCTL_DB", filepath.Join(work, "auth.db"))
	if db := testDB(); db != "" {
		e.Setenv("AUTHCTL_DB", db+etcdtest.Prefix())
		e.Setenv("AUTHCTL_ETCD_MAX_TXN_OPS", strconv.Itoa(etcdtest.MaxTxnOps))
		e.Setenv("AUTHCTL_ETCD_MAX_REQUEST_BYTES", strconv.Itoa(etcdtest.MaxRequestBytes))
		// A database that is no file has no default place for its
		// audit key.
		e.Setenv("AUTHCTL_AUDIT_KEY", filepath.Join(work, "audit-key"))
	}
	e.Setenv("HOME", home)
	e.Setenv("XDG_STATE_HOME", filepath.Join(work, "state"))
	e.Setenv("XDG_CONFIG_HOME", filepath.Join(work, "config"))
	e.Setenv("XDG_DATA_HOME", filepath.Join(work, "data"))
	e.Setenv("AUTHCTL_HASHER_ALGORITHM", "pbkdf2_sha256")
	e.Setenv("AUTHCTL_HASHER_PBKDF2_ITERATIONS", "1000")
	// The audit log records the person behind sudo; a fixed one makes it
	// predictable.
	e.Setenv("SUDO_USER", "tester")
	return nil
}

// cmdStatus runs a command and checks its exit status:
//
//	status CODE command [args...]
//
// Its standard output and error are then available to stdout, stderr and
// cmp, as after exec. testscript's own "! exec" only says "not zero", and
// authctl's exit codes are a contract (see docs/exit-codes.md).
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: bad exit code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		ee, ok := err.(interface{ ExitCode() int })
		if !ok {
			ts.Fatalf("status: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// cmdHoldlock opens the bbolt database for writing, which takes its
// exclusive file lock, and keeps it open for a while, as another authctl
// process in the middle of a long change would; with -shared it opens it
// read-only, taking the shared lock that readers hold:
//
//	holdlock [-shared] PATH DURATION    take the lock; drop it after DURATION
//	holdlock -release PATH              drop it now
//
// It returns once the lock is held. The lock is dropped at the end of the
// script at the latest.
func cmdHoldlock(ts *testscript.TestScript, neg bool, args []string) {
	usage := func() { ts.Fatalf("usage: holdlock [-shared] PATH DURATION | holdlock -release PATH") }
	if neg || len(args) < 2 {
		usage()
	}
	if args[0] == "-release" {
		if len(args) != 2 {
			usage()
		}
		key := lockKey{ts, ts.MkAbs(args[1])}
		locksMu.Lock()
		release := locks[key]
		locksMu.Unlock()
		if release == nil {
			ts.Fatalf("holdlock: %s is not held", args[1])
		}
		release()
		return
	}
	shared := args[0] == "-shared"
	if shared {
		args = args[1:]
	}
	if len(args) != 2 {
		usage()
	}
	d, err := time.ParseDuration(args[1])
	ts.Check(err)
	key := lockKey{ts, ts.MkAbs(args[0])}
	db, err := bbolt.Open(key.path, 0o600, &bbolt.Options{Timeout: 5 * time.Second, ReadOnly: shared})
	ts.Check(err)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-time.After(d):
		case <-stop:
		}
		db.Close()
	}()
	var once sync.Once
	release := func() {
		once.Do(func() {
			close(stop)
			<-stopped
			locksMu.Lock()
			delete(locks, key)
			locksMu.Unlock()
		})
	}
	locksMu.Lock()
	locks[key] = release
	locksMu.Unlock()
	ts.Defer(release)
}

type lockKey struct {
	ts   *testscript.TestScript
	path string
}

var (
	locksMu sync.Mutex
	locks   = map[lockKey]func(){}
)

// cmdTamperaudit edits the database file directly, behind authctl's back,
// the way an intruder covering their tracks would:
//
//	tamperaudit DB SEQ             change the target of audit record SEQ
//	tamperaudit -delete DB SEQ     delete audit record SEQ
//
// The record's own hash is left as it was: a forger without the chain
// cannot fix it up.
func cmdTamperaudit(ts *testscript.TestScript, neg bool, args []string) {
	del := len(args) > 0 && args[0] == "-delete"
	if del {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tamperaudit [-delete] DB SEQ")
	}
	seq, err := strconv.ParseUint(args[1], 10, 64)
	ts.Check(err)
	db, err := bbolt.Open(ts.MkAbs(args[0]), 0o600, &bbolt.Options{Timeout: 5 * time.Second})
	ts.Check(err)
	defer db.Close()
	key := binary.BigEndian.AppendUint64(nil, seq)
	ts.Check(db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		if b == nil {
			return fmt.Errorf("no audit bucket")
		}
		v := b.Get(key)
		if v == nil {
			return fmt.Errorf("no audit record %d", seq)
		}
		if del {
			return b.Delete(key)
		}
		rec, err := bolt.DecodeAuditValue(v)
		if err != nil {
			return err
		}
		rec.Target += "-forged"
		return b.Put(key, bolt.EncodeAuditValue(rec))
	}))
}

// cmdPerm checks a file's permission bits:
//
//	perm PATH MODE      (MODE in octal, such as 0600)
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm PATH MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (got == os.FileMode(want)) == neg {
		if neg {
			ts.Fatalf("%s has mode %#o", args[0], got)
		}
		ts.Fatalf("%s has mode %#o, want %#o", args[0], got, want)
	}
}

// cmdEnvfile sets an environment variable to the contents of a file,
// trimmed of surrounding white space; FILE "stdout" is the last command's
// standard output. With -re the value is
// quoted for use as a regular expression in stdout and stderr:
//
//	envfile [-re] VAR FILE
func cmdEnvfile(ts *testscript.TestScript, neg bool, args []string) {
	re := len(args) > 0 && args[0] == "-re"
	if re {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile [-re] VAR FILE")
	}
	// The first tab-separated field: the session file holds the token,
	// then the database it belongs to.
	v, _, _ := strings.Cut(strings.TrimSpace(ts.ReadFile(args[1])), "\t")
	if v == "" {
		ts.Fatalf("envfile: %s is empty", args[1])
	}
	if re {
		v = regexp.QuoteMeta(v)
	}
	ts.Setenv(args[0], v)
}

// cmdSleep waits, for the one script that lets a session expire on the
// wall clock (authctl has no clock to inject into a process). It refuses
// long sleeps so that the suite stays fast.
//
//	sleep DURATION      (at most 1.5s)
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	if d > 1500*time.Millisecond {
		ts.Fatalf("sleep %v: too long for a test; at most 1.5s", d)
	}
	time.Sleep(d)
}

// cmdCapture sets an environment variable to the first submatch of a
// regular expression in a file, to carry a value (a session ID, say) from
// one command's output to the next command's arguments:
//
//	capture VAR FILE REGEXP      (FILE may be stdout or stderr)
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: capture VAR FILE REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[2])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile(args[1]))
	if len(m) < 2 {
		ts.Fatalf("capture: no match for %s in %s", args[2], args[1])
	}
	ts.Setenv(args[0], m[1])
}
