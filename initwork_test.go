package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoHeavyPackageInit keeps work out of every process's start-up (issue
// 12: "the check path initialises no YAML, regexp or text tables it does
// not use"): no package-level variable of authctl's own code (tests and
// bench/ aside) may compile a regexp, parse a template, build a tabwriter,
// decode YAML, make a CRC table, call a function literal (a table built
// by a loop), format with fmt (fmt.Errorf wrapping a sentinel) or be a map
// literal when the package initialises. Do it at first use
// (sync.OnceValue), or use what the linker lays out with no code: an
// error type, a slice or a switch. Viper and Cobra initialise their own
// imports; bench/startup.sh reports those.
func TestNoHeavyPackageInit(t *testing.T) {
	heavy := map[string]bool{
		"regexp.MustCompile": true, "regexp.Compile": true, "regexp.MustCompilePOSIX": true,
		"template.Must": true, "template.New": true,
		"tabwriter.NewWriter": true,
		"yaml.Unmarshal":      true, "yaml.NewDecoder": true, "yaml.Marshal": true,
		"crc32.MakeTable": true,
		"func(){…}()":     true,
		// fmt.Errorf runs fmt's printer (and faults in its code and
		// a fresh heap span) in every process: an error type, or
		// errors.New of a constant, costs nothing at start-up.
		"fmt.Errorf": true, "fmt.Sprintf": true, "fmt.Sprint": true,
		// A map literal is built by code when the package
		// initialises; a switch, a sorted slice searched, or a map
		// made at first use (sync.OnceValue) is not.
		"map literal": true,
		// cmdutil's error constructors format with fmt.Errorf.
		"FlagErrorf": true, "cmdutil.FlagErrorf": true,
	}
	used := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == "bench" || path == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					inspectInit(v, func(call string, pos token.Pos) {
						key := filepath.ToSlash(path) + ": " + call
						if _, ok := initAllowed[key]; ok {
							used[key] = true
						} else if heavy[call] {
							t.Errorf("%s: package-level %s runs at every start-up; do it at first use (sync.OnceValue), or use an error type, a slice or a switch", fset.Position(pos), call)
						}
					})
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range initAllowed {
		if !used[key] {
			t.Errorf("initAllowed[%q] matches no package-level work: remove it", key)
		}
	}
}

// initAllowed lists the package-level work TestNoHeavyPackageInit lets
// stand, by file and call, with the reason.
var initAllowed = map[string]string{}

// inspectInit reports the pkg.Func calls that run when expression e is
// evaluated: those inside function literals (sync.OnceValue's) do not.
func inspectInit(e ast.Expr, report func(call string, pos token.Pos)) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CompositeLit:
			if _, ok := n.Type.(*ast.MapType); ok {
				report("map literal", n.Pos())
			}
		case *ast.CallExpr:
			if _, ok := n.Fun.(*ast.FuncLit); ok {
				// A function literal called where it is written runs
				// when the package initialises (a table built by a loop).
				report("func(){…}()", n.Pos())
			}
			if id, ok := n.Fun.(*ast.Ident); ok {
				report(id.Name, n.Pos()) // a call within the package
			}
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					report(id.Name+"."+sel.Sel.Name, n.Pos())
				}
			}
		}
		return true
	})
}

// heavyInit lists the packages whose initialisation allocates more than
// heavyInitBytes in every authctl process, and why each is linked. The
// check path uses none of them; they are what Viper, Cobra and net/http
// do when they initialise (bench/startup.sh reports their time).
// Keep a new entry out of this list by importing the package only where
// it is used, or make its work lazy (sync.OnceValue); add one only when
// neither can be done, with the reason.
var heavyInit = map[string]string{
	"github.com/subosito/gotenv":          "Viper's dotenv codec: regexps compiled at init",
	"go.yaml.in/yaml/v3":                  "Viper's YAML codec, seed: resolve tables and regexps",
	"github.com/spf13/cast":               "Viper: a regexp at init",
	"html/template":                       "imported by Viper's cast",
	"unicode":                             "the standard library's tables",
	"vendor/golang.org/x/net/http2/hpack": "net/http (Viper's afero, the etcd client)",
	"net/http":                            "Viper's afero, the etcd client",
	"compress/flate":                      "net/http, the common-password list",
	"crypto/internal/fips140/rsa":         "crypto/tls (net/http)",
	"crypto/tls":                          "net/http, the etcd client",
	"golang.org/x/sys/cpu":                "x/crypto's argon2 and blake2b",
	"regexp/syntax":                       "the standard library's tables",
}

// heavyInitBytes is what one package's initialisation may allocate before
// it must be in heavyInit.
const heavyInitBytes = 2048

// TestStartupInitWork runs the built authctl with GODEBUG=inittrace=1:
// every package whose initialisation allocates more than heavyInitBytes in
// every process must be in heavyInit (issue 12: nothing may add start-up
// work to every command), and every entry of heavyInit must still be one,
// so that the list says what start-up costs today.
func TestStartupInitWork(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "authctl")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// main.go's //go:debug updatemaxprocs=0 keeps the runtime from
	// starting its GOMAXPROCS updater in every process.
	if out, err := exec.Command("go", "version", "-m", bin).Output(); err != nil {
		t.Fatalf("go version -m: %v", err)
	} else if !strings.Contains(string(out), "updatemaxprocs=0") {
		t.Errorf("the binary's default GODEBUG lacks updatemaxprocs=0:\n%s", out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("authctl version: %v\n%s", err, stderr.String())
	}
	// init PKG @T ms, C ms clock, B bytes, N allocs
	heavy := map[string]bool{}
	first := ""
	for _, line := range strings.Split(stderr.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		if first == "" && f[1] != "runtime" && !strings.HasPrefix(f[1], "internal/") {
			first = f[1]
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", line, err)
		}
		if n <= heavyInitBytes {
			continue
		}
		heavy[f[1]] = true
		if _, ok := heavyInit[f[1]]; !ok {
			t.Errorf("package %s allocates %d bytes when it initialises, in every authctl process: import it only where it is used or make its work lazy", f[1], n)
		}
	}
	if len(heavy) == 0 {
		t.Fatalf("no inittrace lines in:\n%s", stderr.String())
	}
	// internal/stackreserve grows the stack before the other packages
	// initialise; after one of them it would save only part of the
	// growths.
	if first != "authctl/internal/stackreserve" {
		t.Errorf("the first package to initialise after the runtime's is %s, want authctl/internal/stackreserve", first)
	}
	for pkg := range heavyInit {
		if !heavy[pkg] {
			t.Errorf("package %s no longer allocates more than %d bytes at init: remove it from heavyInit", pkg, heavyInitBytes)
		}
	}
}
