package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNewCmdImport(t *testing.T) {
	for _, tt := range []struct {
		argv    string
		want    importOptions
		wantErr string
	}{
		{argv: "import --format django auth.json", want: importOptions{Format: "django", File: "auth.json"}},
		{argv: "import --format passwd", want: importOptions{Format: "passwd", File: "-"}},
		{
			argv: "import --format passwd -e --create --skip-validation --dry-run --workers 3 --batch-size 50 pw.txt",
			want: importOptions{Format: "passwd", File: "pw.txt", Hashes: true, Create: true, SkipValidation: true, DryRun: true, Workers: 3, BatchSize: 50},
		},
		{argv: "import auth.json", wantErr: "--format is required: django or passwd"},
		{argv: "import --format csv auth.csv", wantErr: `--format must be django or passwd, not "csv"`},
		{argv: "import --format django -e auth.json", wantErr: "-e goes with --format passwd"},
		{argv: "import --format passwd --batch-size -1", wantErr: "--batch-size must not be negative"},
		{argv: "import --format passwd --workers -2", wantErr: "--workers must not be negative"},
		{argv: "import --format passwd a.txt b.txt", wantErr: "import takes at most 1 argument(s), got 2"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			cmd := newCmdImport(tf.Factory, func(o *importOptions) error { c := *o; c.f = nil; got = c; return nil })
			tf.checkParse(t, nil, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

// importDump is a natural-key Django dump of one group with one
// permission and one user in it.
const importDump = `[
{"model": "auth.permission", "fields": {"name": "Can add post", "content_type": ["blog", "post"], "codename": "add_post"}},
{"model": "auth.group", "fields": {"name": "editors", "permissions": [["add_post", "blog", "post"]]}},
{"model": "auth.user", "fields": {"username": "dora", "email": "dora@example.com", "password": "pbkdf2_sha256$1000$salt$Xk6hwZl6Iv0Hb2iJ8tPHf8dQxBS3OoG7/BXQe7tqT1I=", "is_active": true, "groups": [["editors"]], "user_permissions": []}}
]
`

func TestImportRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password")
	write := func(name, content string) string {
		path := filepath.Join(e.dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	dump := write("auth.json", importDump)
	hashes := write("hashes.txt", "alice:pbkdf2_sha256$1000$salt$Xk6hwZl6Iv0Hb2iJ8tPHf8dQxBS3OoG7/BXQe7tqT1I=\n")
	missing := write("missing.txt", "alice:a long passphrase\nnobody:another long passphrase\n")
	runCases(t, e, []runCase{
		{name: "django, dry run", args: []string{"import", "--format", "django", "--dry-run", dump},
			wantStdout: "+ permission blog.add_post\n+ group editors\n+ user dora\n",
			wantStderr: "Plan (nothing written): to create 3, to update 0, unchanged 0\n"},
		{name: "django", args: []string{"import", "--format", "django", dump},
			wantStderr: "created 3, updated 0, unchanged 0\n"},
		{name: "django again, json", args: []string{"import", "--format", "django", dump, "-o", "json"},
			wantStdout: "[\n  {\n    \"kind\": \"permission\",\n    \"name\": \"blog.add_post\",\n    \"action\": \"unchanged\"\n  },\n" +
				"  {\n    \"kind\": \"group\",\n    \"name\": \"editors\",\n    \"action\": \"unchanged\"\n  },\n" +
				"  {\n    \"kind\": \"user\",\n    \"name\": \"dora\",\n    \"action\": \"unchanged\"\n  }\n]\n",
			wantStderr: "No changes: 3 unchanged\n"},
		{name: "passwd hashes", args: []string{"import", "--format", "passwd", "-e", hashes},
			wantStderr: "created 0, updated 1, unchanged 0\n"},
		{name: "passwd, a user that does not exist", args: []string{"import", "--format", "passwd", missing}, wantCode: 5,
			wantStderr: "authctl: " + missing + ":2: user \"nobody\" does not exist\n"},
		{name: "no such file", args: []string{"import", "--format", "passwd", filepath.Join(e.dir, "nope.txt")}, wantCode: 2,
			wantStderr: "authctl: open " + filepath.Join(e.dir, "nope.txt") + ": no such file or directory\nRun 'authctl import --help' for usage.\n"},
	})
	// dora came with her Django hash (of no known password here): she
	// exists, and a wrong password is refused.
	if !e.userExists("dora") || e.authenticates("dora", "not her password") {
		t.Error("dora was not imported with her hash")
	}
}
