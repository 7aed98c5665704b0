package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoHeavyPackageInit keeps work out of every process's start-up (issue
// 12: "the check path initialises no YAML, regexp or text tables it does
// not use"): no package-level variable of authctl's own code (tests and
// bench/ aside) may compile a regexp, parse a template, build a tabwriter
// or decode YAML when the package initialises. Do it at first use
// (sync.OnceValue) instead. Viper and Cobra initialise their own imports;
// bench/startup.sh reports those.
func TestNoHeavyPackageInit(t *testing.T) {
	heavy := map[string]bool{
		"regexp.MustCompile": true, "regexp.Compile": true, "regexp.MustCompilePOSIX": true,
		"template.Must": true, "template.New": true,
		"tabwriter.NewWriter": true,
		"yaml.Unmarshal":      true, "yaml.NewDecoder": true, "yaml.Marshal": true,
	}
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
						if heavy[call] {
							t.Errorf("%s: package-level %s runs at every start-up; do it at first use (sync.OnceValue)", fset.Position(pos), call)
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
}

// inspectInit reports the pkg.Func calls that run when expression e is
// evaluated: those inside function literals (sync.OnceValue's) do not.
func inspectInit(e ast.Expr, report func(call string, pos token.Pos)) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					report(id.Name+"."+sel.Sel.Name, n.Pos())
				}
			}
		}
		return true
	})
}
