package auth

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every constant passed to Meta or PutMeta in the package is in MetaKeys,
// so that db copy moves it.
func TestMetaKeysComplete(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	used := regexp.MustCompile(`(?:PutMeta|\.Meta)\((\w+)`)
	consts := map[string]string{
		"auditAnchorKey": auditAnchorKey, "auditHeadKey": auditHeadKey, "secretKeyMeta": secretKeyMeta,
		"djangoKeysMeta": djangoKeysMeta, "verifyCostMeta": verifyCostMeta,
	}
	for _, f := range files {
		// auditedwriter.go and audittail.go only forward their caller's key.
		if strings.HasSuffix(f, "_test.go") || f == "auditedwriter.go" || f == "audittail.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			v, known := consts[m[1]]
			if !known {
				t.Errorf("%s: meta key %s is not in this test's list", f, m[1])
				continue
			}
			if !slices.Contains(MetaKeys, v) {
				t.Errorf("%s: meta key %s (%q) is missing from MetaKeys", f, m[1], v)
			}
		}
	}
}
