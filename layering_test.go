package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayering enforces the dependency rules of docs/design.md on the
// packages' own (non-test) imports, so that a shortcut across layers fails
// the build's tests rather than waiting for a reviewer.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	imports := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		imports[f[0]] = f[1:]
	}
	// only says which packages may import a dependency.
	only := map[string][]string{
		"go.etcd.io/bbolt":       {"authctl/internal/store/bolt"},
		"github.com/spf13/viper": {"authctl/cmd"},
		"github.com/spf13/cobra": {"authctl/cmd", "authctl/internal/cmdutil", "authctl/internal/gendocs"},
		"golang.org/x/term":      {"authctl/internal/prompt"},
	}
	// never lists what a package (and its sub-packages) must not import.
	never := map[string][]string{
		"authctl/internal/auth":  {"authctl/cmd", "authctl/internal/cmdutil", "authctl/internal/output", "authctl/internal/iostreams", "authctl/internal/prompt", "authctl/internal/config", "authctl/internal/store/bolt", "authctl/internal/store/backends"},
		"authctl/internal/store": {"authctl/internal/auth", "authctl/cmd"},
	}
	// prefixOnly says which packages may import any package under a
	// module path: etcd's client and API packages, the embedded server,
	// zap and gRPC only in the test helper that starts a server, which
	// only tests import (checked below on the binary's dependencies). The
	// etcd backend speaks etcd's gRPC protocol itself, on net/http.
	etcdTest := []string{"authctl/internal/store/etcd/etcdtest"}
	prefixOnly := map[string][]string{
		"go.etcd.io/etcd/":           etcdTest,
		"go.uber.org/zap":            etcdTest,
		"google.golang.org/grpc":     etcdTest,
		"google.golang.org/protobuf": etcdTest,
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			for p, allowed := range prefixOnly {
				if strings.HasPrefix(imp, p) && !contains(allowed, pkg) {
					t.Errorf("%s imports %s; only %v may import %s…", pkg, imp, allowed, p)
				}
			}
		}
	}
	// The authctl binary links neither etcd's server nor its client, nor
	// gRPC and protobuf: their package initialisation cost every authctl
	// process, bbolt or etcd, several milliseconds (docs/performance.md).
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list -deps: %v", err)
	}
	banned := []string{"go.etcd.io/etcd/", "google.golang.org/grpc", "google.golang.org/protobuf", "google.golang.org/genproto", "go.uber.org/zap", "authctl/internal/store/etcd/etcdtest"}
	for _, d := range strings.Fields(string(deps)) {
		for _, b := range banned {
			if strings.HasPrefix(d, b) {
				t.Errorf("the authctl binary links %s, which only tests may", d)
			}
		}
	}
	for pkg, imps := range imports {
		if strings.HasPrefix(pkg, "authctl/bench/") {
			continue // benchmark baselines import libraries on purpose
		}
		for _, imp := range imps {
			if allowed, ok := only[imp]; ok && !contains(allowed, pkg) {
				t.Errorf("%s imports %s; only %v may", pkg, imp, allowed)
			}
			for owner, banned := range never {
				if (pkg == owner || strings.HasPrefix(pkg, owner+"/")) && contains(banned, imp) {
					t.Errorf("%s imports %s, which its layer must not", pkg, imp)
				}
			}
		}
		if pkg == "authctl/internal/store" {
			for _, imp := range imps {
				if strings.HasPrefix(imp, "authctl/") {
					t.Errorf("internal/store imports %s; it holds only the interface and records", imp)
				}
			}
		}
	}
}

// TestOnlyMainExits: commands return errors; only main turns them into an
// exit status.
func TestOnlyMainExits(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if path == "main.go" || strings.HasPrefix(path, "bench/") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("os.Exit(")) {
			t.Errorf("%s calls os.Exit; return an error instead", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
