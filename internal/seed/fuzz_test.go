package seed

import (
	"bytes"
	"errors"
	"testing"

	"authctl/internal/auth"
)

// The decoders read files from outside: none may panic, hang, or fail with
// anything but a problem report (auth.ErrInvalid). Seed corpora are in
// testdata/fuzz; .ci/run runs each target for a few seconds.

func FuzzDecode(f *testing.F) {
	f.Add([]byte(seedYAML))
	f.Add([]byte(seedJSON))
	f.Add([]byte("users:\n  - &a {username: x}\n  - *a\n  - <<: *a\n"))
	f.Add([]byte(`{"users":[{"username":"a","emial":1}],"groups":{}}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode(data, DecodeOptions{
			Name:      "f",
			Dir:       dir,
			LookupEnv: func(string) (string, bool) { return "pw", true },
		})
		if err != nil {
			if !errors.Is(err, auth.ErrInvalid) {
				t.Fatalf("error %v (%T) is not a problem report", err, err)
			}
			_ = err.Error()
			return
		}
		if doc == nil {
			t.Fatal("no document and no error")
		}
	})
}

func FuzzDecodeDjango(f *testing.F) {
	f.Add([]byte(djangoNatural))
	f.Add([]byte(djangoNumeric))
	f.Add([]byte(`[{"model":"auth.user","pk":1,"fields":{"username":"u","groups":[1,[2],"x"],"password":""}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		known := &auth.DjangoKeys{Groups: map[string]string{"1": "g"}, Permissions: map[string]string{"1": "a.b"}}
		doc, err := DecodeDjangoKnown(data, "f", known)
		if err != nil {
			if !errors.Is(err, auth.ErrInvalid) {
				t.Fatalf("error %v (%T) is not a problem report", err, err)
			}
			return
		}
		if doc == nil || doc.DjangoKeys == nil {
			t.Fatal("no document and no error")
		}
	})
}

func FuzzDecodePasswd(f *testing.F) {
	f.Add([]byte("alice:pw\nbob:pw2\r\n\n:x\nnocolon\n"), false)
	f.Add([]byte("alice:pbkdf2_sha256$1000$salt$hash\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, hashes bool) {
		doc, err := DecodePasswd(bytes.NewReader(data), "f", hashes)
		if err != nil {
			if !errors.Is(err, auth.ErrInvalid) {
				t.Fatalf("error %v (%T) is not a problem report", err, err)
			}
			return
		}
		for _, u := range doc.AllUsers() {
			if u.Username == "" || u.Password == nil {
				t.Fatalf("user %+v: empty name or no password", u)
			}
		}
	})
}
