package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/auth/hasher"
	"authctl/internal/auth/validate"
	"authctl/internal/cmdutil"
	"authctl/internal/config"
	"authctl/internal/iostreams"
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
// which an empty variable counts as unset.
func Run(args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	return RunEnv(args, ios, func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	})
}

// RunEnv runs authctl with the given arguments, streams and environment.
func RunEnv(args []string, ios *iostreams.IOStreams, lookupEnv func(string) (string, bool)) int {
	f, inv := NewFactory(ios, lookupEnv)
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
			err = cmdutil.FlagErrorf("%v", err)
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
	if errors.Is(err, context.Canceled) {
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

// beforeWrite runs first once, before the first Update: outside any
// transaction, so that it may read.
type beforeWrite struct {
	store.Store
	once  sync.Once
	first func(context.Context)
}

func (b *beforeWrite) Update(ctx context.Context, fn func(store.Writer) error) error {
	if b.first != nil {
		b.once.Do(func() { b.first(ctx) })
	}
	return b.Store.Update(ctx, fn)
}

// NewFactory wires the real dependencies for one invocation.
func NewFactory(ios *iostreams.IOStreams, lookupEnv func(string) (string, bool)) (*cmdutil.Factory, *invocation) {
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
	f.Service = func(ctx context.Context, access cmdutil.Access) (*auth.Service, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		hs, vs, err := hashersAndValidators(cfg)
		if err != nil {
			return nil, err
		}
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
		h := cmdutil.NewHandle(open, cfg.DB, access, store.OpenOptions{LockTimeout: cfg.LockTimeout})
		inv.handles = append(inv.handles, h)
		who := &beforeWrite{Store: h}
		whoOS := func() string { return osUser(getenv) }
		svc, err := auth.New(who, auth.Options{
			Hashers:    hs,
			Validators: vs,
			Now:        f.Now,
			Actor:      auth.Actor{WhoOS: whoOS},
			SessionAge: cfg.Session.Age,
			Lockout:    cfg.LockoutPolicy(),
		})
		if err != nil {
			return nil, err
		}
		// The audit log names the logged-in user behind a change too. It is
		// looked up once, just before the first write, so that commands that
		// only read never pay for it.
		who.first = func(ctx context.Context) {
			if token, err := sessionToken(f); err == nil && token != "" {
				if _, u, err := svc.Whoami(ctx, token); err == nil {
					svc.SetActor(auth.Actor{WhoOS: whoOS, SessionUser: u.Username})
				}
			}
		}
		return svc, nil
	}
	return f, inv
}

// osUser is the person running the command, for the audit log: SUDO_USER
// when set (the human behind sudo), else the process's user.
func osUser(getenv func(string) string) string {
	if u := getenv("SUDO_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprintf("uid %d", os.Getuid())
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
