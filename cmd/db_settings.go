package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"authctl/internal/cmdutil"
	"authctl/internal/config"
	"authctl/internal/store/backends"
	"authctl/internal/store/etcd"
)

// etcdPasswordEnv holds the etcd user's password; it is never a flag.
const etcdPasswordEnv = "AUTHCTL_ETCD_PASSWORD"

// backendSettings turns the configuration into the backends' settings. The
// etcd user's password comes from AUTHCTL_ETCD_PASSWORD or
// etcd.password_file, and is read only for an etcd:// database.
func backendSettings(cfg *config.Config, lookup func(string) (string, bool)) (backends.Settings, error) {
	return backendSettingsFor(cfg, lookup, cfg.DB)
}

// backendSettingsFor is backendSettings for a command that opens the given
// locations: the etcd password is read if any of them is on etcd.
func backendSettingsFor(cfg *config.Config, lookup func(string) (string, bool), locations ...string) (backends.Settings, error) {
	e := cfg.Etcd
	set := backends.Settings{Etcd: etcd.Settings{
		DialTimeout:     e.DialTimeout,
		RequestTimeout:  e.RequestTimeout,
		CACert:          e.CACert,
		Cert:            e.Cert,
		Key:             e.Key,
		Username:        e.User,
		MaxTxnOps:       e.MaxTxnOps,
		MaxRequestBytes: e.MaxRequestBytes,
	}}
	onEtcd := false
	for _, l := range locations {
		if scheme, _, err := backends.Parse(l); err == nil && scheme == "etcd" {
			onEtcd = true
		}
	}
	if !onEtcd {
		return set, nil
	}
	pw, fromEnv := lookup(etcdPasswordEnv)
	switch {
	case fromEnv && e.PasswordFile != "":
		return set, &cmdutil.ConfigError{Err: fmt.Errorf("etcd: both %s and etcd.password_file are set; use one", etcdPasswordEnv)}
	case e.PasswordFile != "":
		b, err := os.ReadFile(e.PasswordFile)
		if err != nil {
			return set, &cmdutil.ConfigError{Err: fmt.Errorf("etcd.password_file: %w", err)}
		}
		pw = strings.TrimRight(string(b), "\r\n")
	}
	if pw != "" && e.User == "" {
		return set, &cmdutil.ConfigError{Err: errors.New("etcd: a password is set but no etcd.user (AUTHCTL_ETCD_USER)")}
	}
	set.Etcd.Password = pw
	return set, nil
}

// addBatchSizeFlag adds apply's and import's --batch-size.
func addBatchSizeFlag(fl *pflag.FlagSet, n *int) {
	fl.IntVar(n, "batch-size", 0, "write in transactions of at most `N` objects instead of one (for etcd's per-transaction limits; not atomic as a whole: run again to complete an interrupted run)")
}
