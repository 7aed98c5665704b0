package backends_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"authctl/internal/store"
	"authctl/internal/store/backends"
	"authctl/internal/store/storetest"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		location, scheme, address string
	}{
		{"/var/lib/authctl/auth.db", "bolt", "/var/lib/authctl/auth.db"},
		{"auth.db", "bolt", "auth.db"},
		{"./backup:1.db", "bolt", "./backup:1.db"},
		{"dir/with:colon", "bolt", "dir/with:colon"},
		{"/abs/with:colon", "bolt", "/abs/with:colon"},
		{"bolt:/var/lib/authctl/auth.db", "bolt", "/var/lib/authctl/auth.db"},
		{"bolt:auth.db", "bolt", "auth.db"},
		{"bolt:backup:1.db", "bolt", "backup:1.db"},
		{"BOLT:auth.db", "bolt", "auth.db"},
		{":auth.db", "bolt", ":auth.db"},
	} {
		scheme, address, err := backends.Parse(c.location)
		if err != nil || scheme != c.scheme || address != c.address {
			t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q", c.location, scheme, address, err, c.scheme, c.address)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for location, want := range map[string]string{
		"":           "empty database location",
		"x:foo":      `unknown database scheme "x" (known: bolt, etcd); for a file whose name contains ':' write bolt:PATH or ./PATH`,
		"zk://h:1/p": `unknown database scheme "zk" (known: bolt, etcd); for a file whose name contains ':' write bolt:PATH or ./PATH`,
		"bolt:":      `database location "bolt:" has nothing after "bolt:"`,
		"etcd:":      `database location "etcd:" has nothing after "etcd:"`,
	} {
		if runtime.GOOS == "windows" && location == "x:foo" {
			continue // a drive letter there
		}
		_, _, err := backends.Parse(location)
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) error = %v, want %q", location, err, want)
		}
		if _, err := backends.Open(location, store.OpenOptions{Create: true}); err == nil || err.Error() != want {
			t.Errorf("Open(%q) error = %v, want %q", location, err, want)
		}
	}
}

func TestSchemes(t *testing.T) {
	if got := backends.Schemes(); !slices.Equal(got, []string{"bolt", "etcd"}) {
		t.Errorf("Schemes() = %q", got)
	}
}

func TestOpenBolt(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	plain := filepath.Join(dir, "plain.db")
	for _, location := range []string{plain, "bolt:" + filepath.Join(dir, "scheme.db")} {
		if _, err := backends.Open(location, store.OpenOptions{}); !errors.Is(err, store.ErrNoDatabase) {
			t.Errorf("Open(%q) without Create: %v, want store.ErrNoDatabase", location, err)
		}
		s, err := backends.Open(location, store.OpenOptions{Create: true})
		if err != nil {
			t.Fatalf("Open(%q): %v", location, err)
		}
		if err := s.Update(ctx, func(w store.Writer) error { return w.PutMeta("k", []byte("v")) }); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// A plain path and bolt:path are the same database.
	s, err := backends.Open("bolt:"+plain, store.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(r store.Reader) error {
		v, err := r.Meta("k")
		if err == nil && string(v) != "v" {
			t.Errorf("Meta = %q", v)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "scheme.db")); err != nil {
		t.Errorf("bolt: location did not create the file: %v", err)
	}
}

// TestConformance runs the suite through the composition root, as the
// commands will open the store.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) storetest.Opener {
		location := "bolt:" + filepath.Join(t.TempDir(), "authctl.db")
		return func(opts store.OpenOptions) (store.Store, error) {
			return backends.Open(location, opts)
		}
	})
}
