package cmd

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func TestNewCmdDBCopy(t *testing.T) {
	tests := []struct {
		argv    string
		want    dbCopyOptions
		wantErr string
	}{
		{argv: "copy a.db b.db", want: dbCopyOptions{From: "a.db", To: "b.db"}},
		{argv: "copy a.db etcd://h:2379/x/ --force", want: dbCopyOptions{From: "a.db", To: "etcd://h:2379/x/", Force: true}},
		{argv: "copy a.db b.db --merge", want: dbCopyOptions{From: "a.db", To: "b.db", Merge: true}},
		{argv: "copy a.db b.db --merge --force", wantErr: "--force and --merge exclude each other"},
		{argv: "copy a.db", wantErr: "FROM and TO"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			cmd := newCmdDBCopy(tf.Factory, func(o *dbCopyOptions) error { c := *o; c.f = nil; got = c; return nil })
			tf.checkParse(t, []string{"db"}, cmd, "db "+tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

func Test_dbCopyRun(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "group add staff")
	from := e.env["AUTHCTL_DB"]
	tests := []struct {
		name     string
		global   []string
		to       string
		force    bool
		stdout   func(to string) string
		wantCode int
	}{
		{name: "table", to: "t.db", stdout: func(to string) string {
			return "copied 1 users, 1 groups, 0 permissions, 0 sessions, 0 failure records and 2 audit records from " + from + " to " + to + "\n"
		}},
		{name: "quiet", global: []string{"-q"}, to: "q.db", stdout: func(string) string { return "" }},
		{name: "json", global: []string{"-o", "json"}, to: "j.db", stdout: func(to string) string {
			b, _ := json.MarshalIndent(dbCopyView{From: from, To: to, Users: 1, Groups: 1, Audit: 2}, "", "  ")
			return string(b) + "\n"
		}},
		{name: "into itself", to: "", wantCode: cmdutil.ExitUsage},
		{name: "target not empty", to: "t.db", wantCode: cmdutil.ExitExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory().globalFlags(tt.global...)
			to := from
			if tt.to != "" {
				to = filepath.Join(e.dir, tt.to)
			}
			err := tf.call(func(cmd *cobra.Command) error {
				return dbCopyRun(cmd.Context(), &dbCopyOptions{f: tf.Factory, From: from, To: to, Force: tt.force})
			})
			if tt.wantCode != 0 {
				wantCode(t, err, tt.wantCode)
				if tf.out.Len() != 0 {
					t.Errorf("stdout %q on a failed copy", tf.out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tf.wantOutput(t, tt.stdout(to), "")
		})
	}
}

func TestNewCmdVersion(t *testing.T) {
	tf := newTestEnv(t).factory()
	var got any
	cmd := newCmdVersion(tf.Factory, func(o *versionOptions) error { c := *o; c.f = nil; got = c; return nil })
	tf.checkParse(t, []string{"meta"}, cmd, "meta version", &got, versionOptions{}, "")
	tf = newTestEnv(t).factory()
	cmd = newCmdVersion(tf.Factory, func(*versionOptions) error { return nil })
	tf.checkParse(t, []string{"meta"}, cmd, "meta version extra", &got, nil, "no arguments")
}

func Test_versionRun(t *testing.T) {
	e := newTestEnv(t)
	c, d := buildSource()
	plat := runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH
	tf := e.factory()
	tf.Version = "1.2.3"
	if err := tf.call(func(*cobra.Command) error { return versionRun(&versionOptions{f: tf.Factory}) }); err != nil {
		t.Fatal(err)
	}
	tf.wantOutput(t, "authctl 1.2.3 (commit "+shortCommit(c)+", "+d+", "+plat+")\n", "")

	tf = e.factory().globalFlags("-o", "json")
	tf.Version = "1.2.3"
	if err := tf.call(func(*cobra.Command) error { return versionRun(&versionOptions{f: tf.Factory}) }); err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(tf.out.String()), &v); err != nil {
		t.Fatal(err)
	}
	if v["version"] != "1.2.3" || v["commit"] != c || v["go"] != runtime.Version() || !strings.Contains(tf.out.String(), `"arch"`) {
		t.Errorf("version JSON %s", tf.out)
	}
}
