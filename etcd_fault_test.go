package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// TestEtcdFault runs on the three-member cluster that .ci/run starts with
// .ci/etcd-cluster.sh (AUTHCTL_TEST_ETCD_CLUSTER names its directory).
// Several authctl processes, each acting as a host of its own, create
// users and grant them permissions while the leader is killed and, a few
// seconds later, restarted. Afterwards every command that exited 0 is in
// the database exactly once, no failed command left part of its change,
// the audit log verifies, and commands succeeded while only two of the
// three members were up.
func TestEtcdFault(t *testing.T) {
	dir := os.Getenv("AUTHCTL_TEST_ETCD_CLUSTER")
	eps := os.Getenv("AUTHCTL_TEST_ETCD_ENDPOINTS")
	if dir == "" || eps == "" {
		t.Skip("needs the cluster of .ci/etcd-cluster.sh (AUTHCTL_TEST_ETCD_CLUSTER, AUTHCTL_TEST_ETCD_ENDPOINTS)")
	}
	bin := filepath.Join(t.TempDir(), "authctl")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := etcdTestEnv(t, "etcd://"+eps+"/fault-"+strconv.Itoa(os.Getpid())+"/")
	env["AUTHCTL_ETCD_REQUEST_TIMEOUT"] = "20s"
	environ := os.Environ()
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	run := func(args ...string) (int, string) {
		c := exec.Command(bin, args...)
		c.Env = environ
		out, err := c.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := run("group", "add", "staff"); code != 0 {
		t.Fatalf("group add: %d %s", code, out)
	}

	cli, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(eps, ","), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	type op struct {
		user, perm string
		created    bool // user create exited 0
		granted    bool // perm grant exited 0
		at         time.Time
	}
	const hosts, each = 4, 20
	ops := make([][]op, hosts)
	var down atomic.Bool // one member is down
	var okWhileDown atomic.Int64
	var wg sync.WaitGroup
	for h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				o := op{user: fmt.Sprintf("h%d-u%02d", h, i), perm: fmt.Sprintf("fault.p%d_%d", h, i)}
				code, _ := run("user", "create", o.user, "--no-password")
				o.created = code == 0
				if o.created {
					code, _ = run("perm", "grant", o.perm, "--user", o.user, "--create")
					o.granted = code == 0
				}
				if o.created && o.granted && down.Load() {
					okWhileDown.Add(1)
				}
				ops[h] = append(ops[h], o)
			}
		}()
	}

	// Kill the leader, leave two members up for a while, restart it.
	time.Sleep(time.Second)
	leader, pidFile := findLeader(t, cli, dir, strings.Split(eps, ","))
	pid, _ := strconv.Atoi(strings.TrimSpace(readFile(t, pidFile)))
	t.Logf("killing the leader %s (pid %d)", leader, pid)
	down.Store(true)
	syscall.Kill(pid, syscall.SIGKILL)
	time.Sleep(15 * time.Second)
	restart := exec.Command("setsid", "bash", strings.TrimSuffix(pidFile, ".pid")+".cmd")
	if err := restart.Start(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pidFile, []byte(strconv.Itoa(restart.Process.Pid)+"\n"), 0o644)
	go restart.Wait()
	waitHealthy(t, cli, leader)
	down.Store(false)
	wg.Wait()

	// Every acknowledged write is there exactly once; a failed one is
	// whole or absent.
	code, list := run("user", "list", "-o", "json")
	if code != 0 {
		t.Fatalf("user list: %d %s", code, list)
	}
	code, auditOut := run("audit", "list", "-o", "jsonl", "--action", "user.create")
	if code != 0 {
		t.Fatalf("audit list: %d %s", code, auditOut)
	}
	acked, failed := 0, 0
	for _, hostOps := range ops {
		for _, o := range hostOps {
			inList := strings.Count(list, `"username":"`+o.user+`"`)
			audits := strings.Count(auditOut, `"target":"`+o.user+`"`)
			if o.created {
				acked++
				if inList != 1 || audits != 1 {
					t.Errorf("%s: created (exit 0) but listed %d times with %d audit records", o.user, inList, audits)
				}
			} else {
				failed++
				if inList != audits {
					t.Errorf("%s: failed create left %d users and %d audit records", o.user, inList, audits)
				}
			}
			if o.granted {
				if c, out := run("check", o.perm, "--user", o.user); c != 0 {
					t.Errorf("%s: granted (exit 0) but check says %d %s", o.user, c, out)
				}
			}
		}
	}
	if code, out := run("audit", "verify"); code != 0 {
		t.Errorf("audit verify: %d %s", code, out)
	}
	t.Logf("%d creates acknowledged, %d failed; %d create+grant pairs succeeded while a member was down", acked, failed, okWhileDown.Load())
	if okWhileDown.Load() == 0 {
		t.Error("no command succeeded while two of three members were up")
	}
	if acked < hosts*each/2 {
		t.Errorf("only %d of %d creates succeeded", acked, hosts*each)
	}
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// findLeader returns the leader's endpoint and its pid file in dir
// (member-N.pid for the Nth endpoint).
func findLeader(t *testing.T, cli *clientv3.Client, dir string, eps []string) (string, string) {
	for range 100 {
		for i, ep := range eps {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			st, err := cli.Status(ctx, ep)
			cancel()
			if err == nil && st.Leader == st.Header.MemberId {
				return ep, filepath.Join(dir, fmt.Sprintf("member-%d.pid", i+1))
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no leader")
	return "", ""
}

func waitHealthy(t *testing.T, cli *clientv3.Client, ep string) {
	for range 300 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := cli.Status(ctx, ep)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not come back", ep)
}
