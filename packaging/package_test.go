package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// installedDeb extracts the linux .deb for this machine's architecture from
// AUTHCTL_PACKAGE_DIR into a scratch root and returns the root.
func installedDeb(t *testing.T) string {
	t.Helper()
	dist := os.Getenv("AUTHCTL_PACKAGE_DIR")
	if dist == "" {
		t.Skip("AUTHCTL_PACKAGE_DIR is not set: build the packages with goreleaser release --snapshot --clean")
	}
	debs, _ := filepath.Glob(filepath.Join(dist, "*_linux_"+runtime.GOARCH+".deb"))
	if len(debs) != 1 {
		t.Fatalf("want one linux/%s .deb in %s, found %v", runtime.GOARCH, dist, debs)
	}
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Fatalf("dpkg: %v", err)
	}
	root := t.TempDir()
	if out, err := exec.Command("dpkg", "-x", debs[0], root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -x: %v\n%s", err, out)
	}
	return root
}

func TestDebInstallsEverything(t *testing.T) {
	root := installedDeb(t)
	modes := map[string]os.FileMode{
		"usr/bin/authctl":                                  0o755,
		"usr/share/man/man1/authctl.1":                     0o644,
		"usr/share/man/man1/authctl-user-create.1":         0o644,
		"usr/share/bash-completion/completions/authctl":    0o644,
		"usr/share/zsh/vendor-completions/_authctl":        0o644,
		"usr/share/fish/vendor_completions.d/authctl.fish": 0o644,
		"etc/authctl/config.yaml":                          0o600,
		"var/lib/authctl":                                  0o700 | os.ModeDir,
		"usr/share/doc/authctl/copyright":                  0o644,
	}
	for path, want := range modes {
		fi, err := os.Stat(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got := fi.Mode() & (os.ModePerm | os.ModeDir); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	dist := os.Getenv("AUTHCTL_PACKAGE_DIR")
	for _, pattern := range []string{"*.rpm", "*_linux_arm64.tar.gz", "*_darwin_arm64.tar.gz", "*_windows_amd64.zip", "*_freebsd_amd64.tar.gz", "checksums.txt"} {
		if m, _ := filepath.Glob(filepath.Join(dist, pattern)); len(m) == 0 {
			t.Errorf("no %s in %s", pattern, dist)
		}
	}
}

func TestInstalledBinaryWorks(t *testing.T) {
	root := installedDeb(t)
	bin := filepath.Join(root, "usr/bin/authctl")
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("authctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	version := run("", "version")
	if strings.Contains(version, "dev") || strings.Contains(version, "commit unknown") {
		t.Errorf("release build should carry its version and commit: %q", version)
	}
	// The packaged example configuration is valid as shipped.
	db := filepath.Join(t.TempDir(), "auth.db")
	conf := filepath.Join(root, "etc/authctl/config.yaml")
	run("correct horse battery staple\n", "--config", conf, "--db", db, "user", "create", "alice", "--password-stdin")
	if out := run("", "--config", conf, "--db", db, "user", "list"); !strings.Contains(out, "alice") {
		t.Errorf("user list: %q", out)
	}
	// Completion asks the binary itself.
	if out := run("", "__complete", "user", "cre"); !strings.Contains(out, "create") {
		t.Errorf("completion of 'user cre': %q", out)
	}
}

func TestInstalledManPageAndCompletion(t *testing.T) {
	root := installedDeb(t)
	if _, err := exec.LookPath("man"); err != nil {
		t.Fatalf("man: %v (install man-db)", err)
	}
	out, err := exec.Command("man", "-l", "-P", "cat", filepath.Join(root, "usr/share/man/man1/authctl-user-create.1")).Output()
	if err != nil {
		t.Fatalf("man -l: %v", err)
	}
	for _, want := range []string{"authctl-user-create", "SYNOPSIS", "EXAMPLES", "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	script := "source " + filepath.Join(root, "usr/share/bash-completion/completions/authctl") + " && complete -p authctl"
	out, err = exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "authctl") {
		t.Errorf("bash completion does not register: %v\n%s", err, out)
	}
}
