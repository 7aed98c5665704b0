package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// python is the first python3 that has Django: the one on PATH (a
// virtualenv's, say), else Debian's, where python3-django installs it.
var python = findPython()

func findPython() string {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append([]string{p}, candidates...)
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import django").Run() == nil {
			return p
		}
	}
	return candidates[0]
}

// script answers the tests' questions with Django; see its docstring.
const script = "django_check.py"

// installHint is what the skip message tells the reader to run.
const installHint = "apt-get install python3-django python3-argon2 python3-bcrypt"

// interopEnv, when "1", turns a missing Django from a skip into a failure.
const interopEnv = "AUTHCTL_INTEROP"

// secretKey is Django's SECRET_KEY in every request.
const secretKey = "interop-secret-key-do-not-use-in-production-0123456789"

// skipFataler is the part of testing.TB that requireDjango uses, so that the
// rule can be tested with a recorder.
type skipFataler interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// requireDjango applies the rule to the result of probing Django:
// nothing when probeErr is nil; otherwise a skip that says how to install
// Django, or, when interop is "1", a failure.
func requireDjango(t skipFataler, probeErr error, interop string) {
	t.Helper()
	if probeErr == nil {
		return
	}
	if interop == "1" {
		t.Fatalf("%s=1 but Django is not usable with %s: %v\ninstall it with: %s", interopEnv, python, probeErr, installHint)
		return
	}
	t.Skipf("Django is not usable with %s (%v); install it with: %s (with %s=1 this is a failure)", python, probeErr, installHint, interopEnv)
}

var (
	probeOnce    sync.Once
	probeVersion string
	probeErr     error
)

// probeDjango runs "django_check.py --probe" once: it imports Django and the
// argon2 and bcrypt bindings and prints Django's version.
func probeDjango(python string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, script, "--probe")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := lastLine(stderr.String()); msg != "" {
			return "", fmt.Errorf("%w: %s", err, msg)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// needDjango skips or fails t unless Django can be driven.
func needDjango(t *testing.T) {
	t.Helper()
	probeOnce.Do(func() { probeVersion, probeErr = probeDjango(python) })
	requireDjango(t, probeErr, os.Getenv(interopEnv))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// op is one question for django_check.py.
type op map[string]any

func checkOp(encoded, password, wrong string) op {
	return op{"op": "check", "encoded": encoded, "password": password, "wrong": wrong}
}

func makeOp(hasher, password string, params map[string]int) op {
	return op{"op": "make", "hasher": hasher, "password": password, "params": params}
}

// result is django_check.py's answer to one op.
type result struct {
	Error     string `json:"error"`
	Algorithm string `json:"algorithm"`
	Right     *bool  `json:"right"`
	Wrong     *bool  `json:"wrong"`
	Encoded   string `json:"encoded"`
	Hexdigest string `json:"hexdigest"`
}

// askDjango sends ops to one django_check.py process and returns its
// answers in the same order. It fails t on anything but a full answer; a
// per-op error is left in result.Error for the caller to report.
func askDjango(t *testing.T, ops []op) []result {
	t.Helper()
	req, err := json.Marshal(map[string]any{"secret_key": secretKey, "ops": ops})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, script)
	cmd.Stdin = bytes.NewReader(req)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", python, script, err, stderr.String())
	}
	var resp struct {
		Django  string   `json:"django"`
		Results []result `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		t.Fatalf("%s: bad response: %v\n%s\n%s", script, err, stdout.String(), stderr.String())
	}
	if len(resp.Results) != len(ops) {
		t.Fatalf("%s: %d results for %d ops", script, len(resp.Results), len(ops))
	}
	return resp.Results
}

// recorder is a skipFataler that remembers what was called.
type recorder struct{ skipped, failed, msg string }

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = "skip", fmt.Sprintf(format, args...)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = "fail", fmt.Sprintf(format, args...)
}

// TestRequireDjangoRule checks both sides of the skip rule, with a probe of
// an interpreter that does not exist standing in for a machine without
// Django.
func TestRequireDjangoRule(t *testing.T) {
	_, missing := probeDjango("/nonexistent/python3")
	if missing == nil {
		t.Fatal("probing a missing interpreter succeeded")
	}
	for _, tc := range []struct {
		name    string
		err     error
		interop string
		want    string
	}{
		{"django present", nil, "", ""},
		{"django present, interop", nil, "1", ""},
		{"django missing", missing, "", "skip"},
		{"django missing, interop=0", missing, "0", "skip"},
		{"django missing, interop=1", missing, "1", "fail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			requireDjango(&r, tc.err, tc.interop)
			if got := r.skipped + r.failed; got != tc.want {
				t.Fatalf("requireDjango(%v, %q) did %q, want %q (message %q)", tc.err, tc.interop, got, tc.want, r.msg)
			}
			if tc.want != "" && !strings.Contains(r.msg, installHint) {
				t.Errorf("message %q does not say how to install Django (%q)", r.msg, installHint)
			}
			if tc.want == "fail" && !strings.Contains(r.msg, interopEnv+"=1") {
				t.Errorf("failure message %q does not name %s=1", r.msg, interopEnv)
			}
		})
	}
}
