package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/auth/hasher"
	"authctl/internal/auth/validate"
	"authctl/internal/cmdutil"
	"authctl/internal/config"
	"authctl/internal/iostreams"
	"authctl/internal/prompt"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

// version is set at build time with -ldflags "-X authctl/cmd.version=...".
var version = ""

// Main runs authctl with the process's arguments and streams and returns
// the exit code. It is the only place that turns errors into codes and
// messages; only main calls os.Exit.
func Main() int {
	return RunEnv(os.Args[1:], iostreams.System(), os.LookupEnv)
}

// Run runs authctl with the given arguments, streams and environment, in
// which an empty variable counts as unset. It exists for the benchmarks in
// bench/, which measure whole command lines inside the test process (the
// gap to running the binary is what process start-up costs) and set up
// databases without a binary; the program itself starts at Main.
func Run(args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	return RunEnv(args, ios, func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	})
}

// RunEnv runs authctl with the given arguments, streams and environment.
// Main calls it; so do the end-to-end tests that must run in the test
// process (the etcd ones, whose server lives there).
func RunEnv(args []string, ios *iostreams.IOStreams, lookupEnv func(string) (string, bool)) int {
	f, inv := newFactory(ios, lookupEnv)
	defer inv.close()
	return runRoot(f, inv, newRootFor(f, args), args)
}

// runRoot runs a command tree with args, prints the error if any and
// returns the exit code. Tests call it with their own Factory (a fixed
// clock, a scripted prompter) or their own tree.
func runRoot(f *cmdutil.Factory, inv *invocation, root *cobra.Command, args []string) int {
	cmd, err := executeRoot(f, inv, root, args)
	if err == nil {
		return cmdutil.ExitOK
	}
	printError(f.IO.ErrOut, cmd, err)
	return cmdutil.ExitCode(err)
}

// executeRoot runs a command tree with args and returns the command Cobra
// chose and its error, a usage mistake found by Cobra before the command
// ran (a flag group, an unknown command) made a FlagError.
func executeRoot(f *cmdutil.Factory, inv *invocation, root *cobra.Command, args []string) (*cobra.Command, error) {
	root.PersistentPreRun = func(c *cobra.Command, _ []string) { inv.cmd = c }
	running := false
	markRunning(root, &running)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)

	cmd, err := root.ExecuteC()
	if err != nil && !running && !cmdutil.IsSilent(err) {
		var fe *cmdutil.FlagError
		if !errors.As(err, &fe) {
			err = cmdutil.FlagErrorf("%s", usageMessage(cmd, err))
		}
	}
	return cmd, err
}

// printError writes err on stderr, one problem per line, each prefixed
// with "authctl: ", plus a hint for usage errors.
func printError(w io.Writer, cmd *cobra.Command, err error) {
	if cmdutil.IsSilent(err) {
		return
	}
	switch {
	case errors.Is(err, errCancelled):
		fmt.Fprintln(w, "authctl: cancelled")
		return
	case errors.Is(err, prompt.ErrNoInput):
		// Ctrl-D at a prompt: the person ended the input.
		fmt.Fprintln(w, "authctl: no input")
		return
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "authctl: interrupted")
		return
	}
	for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintln(w, "authctl: "+line)
	}
	var fe *cmdutil.FlagError
	if errors.As(err, &fe) {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", commandPath(cmd))
	}
}

// invocation is the state of one run: the command Cobra chose (whose flags
// feed the configuration) and the database handle, if opened.
type invocation struct {
	cmd     *cobra.Command
	cfg     *config.Config
	handles []*cmdutil.Handle
}

func (inv *invocation) close() {
	for _, h := range inv.handles {
		h.Close()
	}
	inv.handles = nil
}

// newFactory wires the real dependencies for one invocation.
func newFactory(ios *iostreams.IOStreams, lookupEnv func(string) (string, bool)) (*cmdutil.Factory, *invocation) {
	f := &cmdutil.Factory{IO: ios, Now: time.Now, LookupEnv: lookupEnv, Version: buildVersion()}
	getenv := f.Env
	inv := &invocation{}
	f.Config = func() (*config.Config, error) {
		if inv.cfg != nil {
			return inv.cfg, nil
		}
		if inv.cmd == nil {
			return nil, errors.New("configuration asked for before the command line was parsed")
		}
		cfg, err := loadConfig(inv.cmd.Flags(), getenv)
		if err != nil {
			return nil, err
		}
		inv.cfg = cfg
		return cfg, nil
	}
	f.Service = func(_ context.Context, access cmdutil.Access) (*auth.Service, error) {
		return openService(f, inv, access)
	}
	return f, inv
}

// openService is the Factory's Service: the auth service over the
// configured database, hashers and validators. The database is opened only
// for each transaction (cmdutil.Handle); inv.close closes what is left.
func openService(f *cmdutil.Factory, inv *invocation, access cmdutil.Access) (*auth.Service, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	hs, vs, err := hashersAndValidators(cfg)
	if err != nil {
		return nil, err
	}
	h, err := openHandle(f, cfg, access)
	if err != nil {
		return nil, err
	}
	inv.handles = append(inv.handles, h)
	keyPath, err := auditKeyPath(cfg)
	if err != nil {
		return nil, err
	}
	// The audit log names the OS user and the logged-in user behind a
	// change; the Service looks them up just before its first write.
	actor := auth.Actor{
		WhoOS: func() string { return osUser(f.Env) },
		SessionToken: func() string {
			token, _ := sessionToken(f)
			return token
		},
	}
	svc, err := auth.New(h, auth.Options{
		Hashers:         hs,
		Validators:      vs,
		Now:             f.Now,
		Actor:           actor,
		SessionAge:      cfg.Session.Age,
		Lockout:         cfg.LockoutPolicy(),
		AuditKeys:       &auth.KeyFile{Path: keyPath},
		VerifyGate:      verifyGate(cfg),
		PreferredMemory: preferredMemory(cfg),
	})
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// openHandle is the configured database, to be opened for each
// transaction with the access the command needs.
func openHandle(f *cmdutil.Factory, cfg *config.Config, access cmdutil.Access) (*cmdutil.Handle, error) {
	set, err := backendSettings(cfg, f.Lookup)
	if err != nil {
		return nil, err
	}
	open := func(o store.OpenOptions) (store.Store, error) {
		if err := dbFileSafety(f, cfg); err != nil {
			return nil, err
		}
		return backends.OpenWith(cfg.DB, o, set)
	}
	return cmdutil.NewHandle(open, cfg.DB, access, store.OpenOptions{LockTimeout: cfg.LockTimeout}), nil
}

// auditKeyPath is the audit_key setting, else the database file's path with
// ".audit-key" appended: a file of its own, so that the database alone (a
// backup, a copy, a stolen file) cannot rewrite its log.
func auditKeyPath(cfg *config.Config) (string, error) {
	if cfg.AuditKey != "" {
		return cfg.AuditKey, nil
	}
	scheme, address, err := backends.Parse(cfg.DB)
	if err != nil {
		return "", &cmdutil.ConfigError{Err: fmt.Errorf("db: %w", err)}
	}
	if scheme != backends.DefaultScheme {
		// No file to put it beside: the key is asked for (and its
		// absence reported) only by what writes or verifies the log.
		return "", nil
	}
	return address + ".audit-key", nil
}

// verifyGate bounds the memory of concurrent password checks of a database
// file with slot files beside it ("<db>.verify-N"); a database that is not
// a file has no gate.
func verifyGate(cfg *config.Config) auth.VerifyGate {
	budget := cfg.VerifyMemoryBytes()
	scheme, address, err := backends.Parse(cfg.DB)
	if budget == 0 || err != nil || scheme != backends.DefaultScheme {
		return nil
	}
	return &auth.SlotFiles{Prefix: address + ".verify-", Budget: budget, Timeout: cfg.LockTimeout}
}

// preferredMemory is what one run of the preferred hasher holds.
func preferredMemory(cfg *config.Config) uint64 {
	h := cfg.Hasher
	switch h.Algorithm {
	case "argon2":
		return uint64(h.Argon2MemoryKiB) << 10
	case "scrypt":
		return 128 * uint64(h.ScryptN) * uint64(h.ScryptR)
	}
	return 0
}

// osUser is the person running the command, for the audit log: the
// process's user, and under sudo the person behind it too, as
// "root (sudo: alice)". SUDO_USER counts only when the real uid is 0, as
// sudo leaves it; anyone else can set it to any name, so for them it is
// ignored.
func osUser(getenv func(string) string) string {
	return osUserFor(os.Getuid(), getenv, currentUserName)
}

func osUserFor(uid int, getenv func(string) string, name func(uid int) string) string {
	me := name(uid)
	if uid != 0 {
		return me
	}
	if sudo := getenv("SUDO_USER"); sudo != "" {
		if len(sudo) > 64 {
			sudo = sudo[:64] + "..."
		}
		if strings.ContainsFunc(sudo, func(r rune) bool { return r < ' ' || r == 0x7f || r == '(' || r == ')' }) {
			sudo = strconv.Quote(sudo)
		}
		return me + " (sudo: " + sudo + ")"
	}
	return me
}

// currentUserName is the name of the user uid (the process's own), or
// "uid N" when it has none.
func currentUserName(uid int) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return fmt.Sprintf("uid %d", uid)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// hashersAndValidators builds the configured hashers and validators; a
// setting that cannot work is a ConfigError (exit 2).
func hashersAndValidators(cfg *config.Config) (*hasher.Set, validate.Set, error) {
	hs, err := hasher.NewSet(cfg.Hasher.Algorithm, cfg.HasherParams())
	if err != nil {
		return nil, nil, &cmdutil.ConfigError{Err: fmt.Errorf("hasher: %w", err)}
	}
	vs, err := validate.New(cfg.Validators)
	if err != nil {
		return nil, nil, &cmdutil.ConfigError{Err: fmt.Errorf("validators: %w", err)}
	}
	return hs, vs, nil
}
