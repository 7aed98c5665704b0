// Package config is authctl's typed configuration. The cmd package fills it
// from flags, AUTHCTL_* environment variables, a config file and these
// defaults (in that order of precedence); nothing below cmd sees Viper.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"authctl/internal/auth"
	"authctl/internal/auth/hasher"
	"authctl/internal/auth/validate"
)

// Config is every setting. Keys in files and AUTHCTL_* variables are the
// mapstructure names, dotted for nested ones (hasher.algorithm →
// AUTHCTL_HASHER_ALGORITHM).
type Config struct {
	DB          string        `mapstructure:"db"`
	LockTimeout time.Duration `mapstructure:"lock_timeout"`
	Output      string        `mapstructure:"output"`
	// OutputFlag is set when -o was given on the command line (not only
	// configured): a command that has no such output then refuses it.
	OutputFlag bool            `mapstructure:"-"`
	Quiet      bool            `mapstructure:"quiet"`
	Hasher     Hasher          `mapstructure:"hasher"`
	HashLimits HashLimits      `mapstructure:"hash_limits"`
	Validators []validate.Spec `mapstructure:"validators"`
	Session    Session         `mapstructure:"session"`
	Lockout    Lockout         `mapstructure:"lockout"`
	// InsecurePermissions turns off the refusal of database and session
	// files (and their directories) that others could write or replace.
	InsecurePermissions bool `mapstructure:"insecure_permissions"`
	// AuditKey is the file holding the audit chain's key; "" means the
	// database path with ".audit-key" appended (see AuditKeyPath).
	AuditKey string `mapstructure:"audit_key"`
	// VerifyMemory bounds the memory that password checks of the database
	// hold at once, across processes: a size ("1GiB", "512MiB"), or "0"
	// for no bound.
	VerifyMemory string `mapstructure:"verify_memory"`
	// Workers is how many passwords are hashed at once in bulk work; 0
	// means GOMAXPROCS.
	Workers int `mapstructure:"workers"`
	// Etcd configures the client of an etcd:// database.
	Etcd Etcd `mapstructure:"etcd"`
}

// Etcd configures the etcd client (db: etcd://HOST:PORT,.../PREFIX). The
// etcd user's password is never a setting: it comes from the
// AUTHCTL_ETCD_PASSWORD environment variable or from PasswordFile.
type Etcd struct {
	DialTimeout    time.Duration `mapstructure:"dial_timeout"`
	RequestTimeout time.Duration `mapstructure:"request_timeout"`
	CACert         string        `mapstructure:"cacert"`
	Cert           string        `mapstructure:"cert"`
	Key            string        `mapstructure:"key"`
	User           string        `mapstructure:"user"`
	PasswordFile   string        `mapstructure:"password_file"`
	// MaxTxnOps and MaxRequestBytes must match the cluster's
	// --max-txn-ops and --max-request-bytes.
	MaxTxnOps       int `mapstructure:"max_txn_ops"`
	MaxRequestBytes int `mapstructure:"max_request_bytes"`
}

// Hasher selects the preferred hasher and its costs.
type Hasher struct {
	Algorithm        string `mapstructure:"algorithm"`
	PBKDF2Iterations int    `mapstructure:"pbkdf2_iterations"`
	Argon2Time       uint32 `mapstructure:"argon2_time"`
	Argon2MemoryKiB  uint32 `mapstructure:"argon2_memory_kib"`
	Argon2Threads    uint8  `mapstructure:"argon2_threads"`
	BcryptCost       int    `mapstructure:"bcrypt_cost"`
	ScryptN          int    `mapstructure:"scrypt_n"`
	ScryptR          int    `mapstructure:"scrypt_r"`
	ScryptP          int    `mapstructure:"scrypt_p"`
}

// HashLimits are the cost ceilings above which a password hash is neither
// stored nor verified (see hasher.Limits).
type HashLimits struct {
	Argon2MemoryKiB   uint32 `mapstructure:"argon2_memory_kib"`
	Argon2Time        uint32 `mapstructure:"argon2_time"`
	Argon2Parallelism uint32 `mapstructure:"argon2_parallelism"`
	Argon2WorkKiB     uint64 `mapstructure:"argon2_work_kib"`
	PBKDF2Iterations  int    `mapstructure:"pbkdf2_iterations"`
	BcryptCost        int    `mapstructure:"bcrypt_cost"`
	ScryptMemoryKiB   int    `mapstructure:"scrypt_memory_kib"`
	ScryptP           int    `mapstructure:"scrypt_p"`
}

// Session configures login sessions.
type Session struct {
	Age  time.Duration `mapstructure:"age"`
	File string        `mapstructure:"file"`
}

// Lockout configures the failed-login lock.
type Lockout struct {
	Attempts int           `mapstructure:"attempts"`
	Window   time.Duration `mapstructure:"window"`
	Duration time.Duration `mapstructure:"duration"`
}

// Defaults returns the built-in settings, with the paths for the user of
// the process's environment.
func Defaults() Config { return DefaultsFor(os.Getenv) }

// DefaultsFor returns the built-in settings, with the default paths taken
// from the given environment (HOME and XDG_*_HOME), so that a run with its
// own environment never reads or writes the files of whoever runs it.
func DefaultsFor(getenv func(string) string) Config {
	p := hasher.DefaultParams()
	return Config{
		DB:          DefaultDBPath(getenv),
		LockTimeout: 5 * time.Second,
		Output:      "table",
		Hasher: Hasher{
			Algorithm:        "argon2",
			PBKDF2Iterations: p.PBKDF2Iterations,
			Argon2Time:       p.Argon2Time,
			Argon2MemoryKiB:  p.Argon2MemoryKiB,
			Argon2Threads:    p.Argon2Threads,
			BcryptCost:       p.BcryptCost,
			ScryptN:          p.ScryptN,
			ScryptR:          p.ScryptR,
			ScryptP:          p.ScryptP,
		},
		HashLimits:   HashLimits(hasher.DefaultLimits()),
		Validators:   validate.DefaultSpecs(),
		VerifyMemory: "1GiB",
		Session:      Session{Age: auth.DefaultSessionAge, File: DefaultSessionFile(getenv)},
		Lockout: Lockout{
			Attempts: auth.DefaultLockout.Attempts,
			Window:   auth.DefaultLockout.Window,
			Duration: auth.DefaultLockout.Duration,
		},
		Etcd: Etcd{
			DialTimeout:     5 * time.Second,
			RequestTimeout:  10 * time.Second,
			MaxTxnOps:       128,
			MaxRequestBytes: 1536 * 1024,
		},
	}
}

// DefaultDBPath is /var/lib/authctl/auth.db for root and
// $XDG_DATA_HOME/authctl/auth.db (~/.local/share/...) for anyone else.
func DefaultDBPath(getenv func(string) string) string {
	if os.Geteuid() == 0 {
		return "/var/lib/authctl/auth.db"
	}
	return filepath.Join(xdgDir(getenv, "XDG_DATA_HOME", ".local/share"), "authctl", "auth.db")
}

// DefaultSessionFile is $XDG_STATE_HOME/authctl/session
// (~/.local/state/...).
func DefaultSessionFile(getenv func(string) string) string {
	return filepath.Join(xdgDir(getenv, "XDG_STATE_HOME", ".local/state"), "authctl", "session")
}

// SystemConfigFile is the configuration file root reads by default; the
// packages install a commented example there.
const SystemConfigFile = "/etc/authctl/config.yaml"

// DefaultConfigFiles are the files read by default, the first that exists:
// $XDG_CONFIG_HOME/authctl/config.yaml (~/.config/...), then, for root,
// SystemConfigFile. A personal file comes first so that it can stand in
// for the system one, as ~/.ssh/config does for /etc/ssh/ssh_config.
func DefaultConfigFiles(getenv func(string) string) []string {
	files := []string{filepath.Join(xdgDir(getenv, "XDG_CONFIG_HOME", ".config"), "authctl", "config.yaml")}
	if os.Geteuid() == 0 {
		files = append(files, SystemConfigFile)
	}
	return files
}

// xdgDir is the XDG base directory in the variable env when it is an
// absolute path, else fallback under the home directory.
func xdgDir(getenv func(string) string, env, fallback string) string {
	if d := getenv(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			home = "/"
		}
	}
	return filepath.Join(home, fallback)
}

// HasherParams converts the hasher settings.
func (c Config) HasherParams() hasher.Params {
	h := c.Hasher
	return hasher.Params{
		PBKDF2Iterations: h.PBKDF2Iterations,
		Argon2Time:       h.Argon2Time,
		Argon2MemoryKiB:  h.Argon2MemoryKiB,
		Argon2Threads:    h.Argon2Threads,
		BcryptCost:       h.BcryptCost,
		ScryptN:          h.ScryptN,
		ScryptR:          h.ScryptR,
		ScryptP:          h.ScryptP,
		Limits:           hasher.Limits(c.HashLimits),
	}
}

// LockoutPolicy converts the lockout settings.
func (c Config) LockoutPolicy() auth.LockoutPolicy {
	return auth.LockoutPolicy{Attempts: c.Lockout.Attempts, Window: c.Lockout.Window, Duration: c.Lockout.Duration}
}

// Check reports settings that cannot work.
func (c Config) Check() error {
	switch {
	case c.DB == "":
		return fmt.Errorf("db: no database path")
	case c.LockTimeout < 0:
		return fmt.Errorf("lock_timeout: must not be negative")
	case c.Session.Age <= 0:
		return fmt.Errorf("session.age: must be positive")
	case c.Lockout.Attempts < 0:
		return fmt.Errorf("lockout.attempts: must not be negative (0 turns lockout off)")
	case c.Lockout.Attempts > 0 && (c.Lockout.Window <= 0 || c.Lockout.Duration <= 0):
		return fmt.Errorf("lockout.window and lockout.duration: must be positive")
	case c.verifyMemoryErr() != nil:
		return fmt.Errorf("verify_memory: %v", c.verifyMemoryErr())
	case c.Workers < 0:
		return fmt.Errorf("workers: must not be negative")
	case c.Etcd.DialTimeout <= 0 || c.Etcd.RequestTimeout <= 0:
		return fmt.Errorf("etcd.dial_timeout and etcd.request_timeout: must be positive")
	case c.Etcd.MaxTxnOps < 2 || c.Etcd.MaxRequestBytes < 1024:
		return fmt.Errorf("etcd.max_txn_ops and etcd.max_request_bytes: must match the cluster's --max-txn-ops (at least 2) and --max-request-bytes")
	case (c.Etcd.Cert == "") != (c.Etcd.Key == ""):
		return fmt.Errorf("etcd.cert and etcd.key: give both or neither")
	}
	return nil
}

// VerifyMemoryBytes is verify_memory in bytes (0: no bound).
func (c Config) VerifyMemoryBytes() uint64 {
	n, _ := parseSize(c.VerifyMemory)
	return n
}

func (c Config) verifyMemoryErr() error {
	_, err := parseSize(c.VerifyMemory)
	return err
}

// parseSize reads "0", "1GiB", "512MiB", "65536KiB" or a number of bytes.
func parseSize(s string) (uint64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}, {"", 0}}
	t := strings.TrimSpace(s)
	for _, u := range units {
		num, ok := strings.CutSuffix(t, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
		if err != nil || (u.shift > 0 && n > (1<<(64-u.shift))-1) {
			break
		}
		return n << u.shift, nil
	}
	return 0, fmt.Errorf("%q is not a size (1GiB, 512MiB, or 0 for no bound)", s)
}
