package etcd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"authctl/internal/store"
)

// SchemaVersion is the version of the key layout this package writes and
// the newest it reads.
const SchemaVersion = 1

// DefaultPrefix is the key prefix of a location that names none.
const DefaultPrefix = "/authctl/"

// etcd's own defaults for the size of one transaction.
const (
	DefaultMaxTxnOps       = 128
	DefaultMaxRequestBytes = 1536 * 1024
	DefaultDialTimeout     = 5 * time.Second
	DefaultRequestTimeout  = 10 * time.Second
)

// Settings are the client's options that a location does not carry.
type Settings struct {
	// DialTimeout bounds reaching the cluster (0: 5 s);
	// RequestTimeout bounds each request after that (0: 10 s).
	DialTimeout    time.Duration
	RequestTimeout time.Duration
	// CACert verifies the servers; Cert and Key are the client's
	// certificate (with the server's --client-cert-auth its CN is the etcd
	// user). Any of them turns TLS on.
	CACert, Cert, Key string
	// Username and Password log in as an etcd user (RBAC).
	Username, Password string
	// MaxTxnOps and MaxRequestBytes are the cluster's --max-txn-ops and
	// --max-request-bytes (0: etcd's defaults, 128 and 1.5 MiB). An Update
	// larger than either fails before anything is sent.
	MaxTxnOps       int
	MaxRequestBytes int
}

func (s Settings) withDefaults() Settings {
	if s.DialTimeout <= 0 {
		s.DialTimeout = DefaultDialTimeout
	}
	if s.RequestTimeout <= 0 {
		s.RequestTimeout = DefaultRequestTimeout
	}
	if s.MaxTxnOps <= 0 {
		s.MaxTxnOps = DefaultMaxTxnOps
	}
	if s.MaxRequestBytes <= 0 {
		s.MaxRequestBytes = DefaultMaxRequestBytes
	}
	return s
}

// ParseAddress splits "//HOST:PORT[,HOST:PORT…][/PREFIX]" (a location
// without its "etcd:") into endpoints and a prefix ending in "/".
func ParseAddress(address string) (endpoints []string, prefix string, err error) {
	rest, ok := strings.CutPrefix(address, "//")
	if !ok {
		return nil, "", fmt.Errorf("etcd location %q: write etcd://HOST:PORT[,HOST:PORT...][/PREFIX]", "etcd:"+address)
	}
	hosts, path, hasPath := strings.Cut(rest, "/")
	for _, h := range strings.Split(hosts, ",") {
		host, port, err := net.SplitHostPort(h)
		if err != nil || host == "" || port == "" {
			return nil, "", fmt.Errorf("etcd location %q: endpoint %q is not HOST:PORT", "etcd:"+address, h)
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return nil, "", fmt.Errorf("etcd location %q: endpoint %q has a bad port", "etcd:"+address, h)
		}
		endpoints = append(endpoints, h)
	}
	prefix = DefaultPrefix
	if hasPath && path != "" {
		prefix = "/" + strings.TrimSuffix(path, "/") + "/"
	}
	return endpoints, prefix, nil
}

// etcdStore implements store.Store on a prefix of an etcd cluster.
type etcdStore struct {
	cli       *client
	endpoints []string
	prefix    string
	settings  Settings
	readOnly  bool
	closed    atomic.Bool
	// hashDenied is set once the cluster refused to let this client read
	// P hash/: users then read without their password.
	hashDenied atomic.Bool
	// closeOnce guards the client's Close.
	closeOnce sync.Once
}

var _ store.Store = (*etcdStore)(nil)

// Open opens the authctl database at address ("//HOST:PORT,…/PREFIX").
func Open(address string, opts store.OpenOptions, set Settings) (store.Store, error) {
	endpoints, prefix, err := ParseAddress(address)
	if err != nil {
		return nil, err
	}
	set = set.withDefaults()
	tc, err := tlsConfig(set)
	if err != nil {
		return nil, err
	}
	cli := newClient(endpoints, set, tc)
	s := &etcdStore{cli: cli, endpoints: endpoints, prefix: prefix, settings: set, readOnly: opts.ReadOnly}
	if err := s.checkSchema(opts.Create); err != nil {
		cli.close()
		return nil, err
	}
	return s, nil
}

// TxnLimit is the most keys one Update may write (Settings.MaxTxnOps).
func (s *etcdStore) TxnLimit() int { return s.settings.MaxTxnOps - 1 }

// Location is how errors name the database.
func (s *etcdStore) location() string {
	return "etcd://" + strings.Join(s.endpoints, ",") + s.prefix
}

func (s *etcdStore) key(parts ...string) string {
	return s.prefix + strings.Join(parts, "")
}

// checkSchema finds the schema key, creating it when asked to.
func (s *etcdStore) checkSchema(create bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.settings.DialTimeout+s.settings.RequestTimeout)
	defer cancel()
	sk := s.key("schema")
	resp, err := s.cli.rangeKeys(ctx, rangeRequest{Key: sk})
	if err != nil {
		return s.rpcError(ctx, err)
	}
	if len(resp.Kvs) == 0 {
		any, err := s.cli.rangeKeys(ctx, rangeRequest{Key: s.prefix, End: prefixEnd(s.prefix), KeysOnly: true, Limit: 1})
		if err != nil {
			return s.rpcError(ctx, err)
		}
		if len(any.Kvs) > 0 {
			return s.corrupt(fmt.Sprintf("not an authctl database (keys but no %s)", sk))
		}
		if !create {
			return fmt.Errorf("%s: %w", s.location(), store.ErrNoDatabase)
		}
		_, err = s.cli.txn(ctx,
			[]compare{{Key: sk, Target: cmpCreate, Result: cmpEqual, Revision: 0}},
			[]op{opPut(sk, []byte(strconv.Itoa(SchemaVersion)))})
		if err != nil {
			return s.rpcError(ctx, err)
		}
		return nil
	}
	v := string(resp.Kvs[0].Value)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return s.corrupt(fmt.Sprintf("bad schema version %q", v))
	}
	if n > SchemaVersion {
		return s.corrupt(fmt.Sprintf("database schema version %d is newer than this authctl supports", n))
	}
	return nil
}

func (s *etcdStore) corrupt(detail string) error {
	return fmt.Errorf("%s: %w: %s", s.location(), store.ErrCorrupt, detail)
}

func (s *etcdStore) begin(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

func (s *etcdStore) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	t := &txn{s: s, ctx: ctx}
	defer t.end()
	return fn(t)
}

func (s *etcdStore) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return store.ErrClosed
	}
	s.closeOnce.Do(s.cli.close)
	return nil
}

// --- errors ----------------------------------------------------------------

// ErrUnreachable is wrapped by errors for a cluster that did not answer.
var ErrUnreachable = errors.New("etcd cluster unreachable")

// ErrRefused is wrapped by errors for a cluster that answered no: a wrong
// etcd user or password, or a role without access to the prefix.
var ErrRefused = errors.New("etcd cluster refused the request")

// ErrTooLarge is wrapped by the error of an Update whose writes do not fit
// in one etcd transaction.
var ErrTooLarge = errors.New("transaction exceeds the etcd cluster's limits")

// rpcError turns a client error into one line that names the cluster, the
// cause and the fix. ctx is the request's context: when the caller's own
// context ended, its error is returned as is.
func (s *etcdStore) rpcError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	return describe(s.endpoints, s.prefix, s.settings, s.cli != nil && s.cliTLS(), err)
}

func (s *etcdStore) cliTLS() bool {
	return s.settings.CACert != "" || s.settings.Cert != ""
}

func describe(endpoints []string, prefix string, set Settings, useTLS bool, err error) error {
	where := "etcd at " + strings.Join(endpoints, ",")
	var st *statusError
	isStatus := errors.As(err, &st)
	if isStatus {
		switch st.msg {
		case msgAuthFailed:
			return fmt.Errorf("%s: %w: authentication failed for etcd user %q: check etcd.user and the password in AUTHCTL_ETCD_PASSWORD or etcd.password_file", where, ErrRefused, set.Username)
		case msgUserEmpty:
			if set.Username != "" && set.Password == "" {
				return fmt.Errorf("%s: %w: the cluster has authentication on and etcd user %q has no password: set AUTHCTL_ETCD_PASSWORD or etcd.password_file (a user without a password is not used: with a client certificate, its CommonName is the user)", where, ErrRefused, set.Username)
			}
			return fmt.Errorf("%s: %w: the cluster has authentication on and no etcd user was given: set etcd.user (AUTHCTL_ETCD_USER) or a client certificate (etcd.cert, etcd.key)", where, ErrRefused)
		case msgPermissionDenied:
			return fmt.Errorf("%s: %w: permission denied on %s: grant this host's etcd role access to that prefix", where, ErrRefused, prefix)
		case msgNoSpace:
			return fmt.Errorf("%s: the cluster is out of space (NOSPACE alarm): compact, defragment and disarm it, or raise --quota-backend-bytes", where)
		case msgTooManyOps, msgRequestTooLarge:
			return fmt.Errorf("%s: %w: %v: raise the servers' --max-txn-ops / --max-request-bytes and etcd.max_txn_ops / etcd.max_request_bytes, or use --batch-size", where, ErrTooLarge, err)
		}
		if st.code == codeDeadlineExceeded || st.code == codeUnavailable {
			return fmt.Errorf("%s: %w: %s", where, ErrUnreachable, probe(endpoints, set, useTLS))
		}
		return fmt.Errorf("%s: %w", where, err)
	}
	// No status: the request got no answer (or an answer that is not
	// etcd's, such as a TLS port's to plain text).
	if errors.Is(err, errWire) || errors.Is(err, errResponseTooLarge) {
		return fmt.Errorf("%s: %w", where, err)
	}
	// An answer that is not etcd's: say what answered.
	var ae *answerError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %w: %v", where, ErrUnreachable, ae)
	}
	return fmt.Errorf("%s: %w: %s", where, ErrUnreachable, probe(endpoints, set, useTLS))
}

// probe says why the client got no answer, which the client itself does
// not: it tries a plain TCP connection to each endpoint. An endpoint that
// the client reaches through a proxy (HTTPS_PROXY) is not dialled: the
// answer names the proxy instead.
func probe(endpoints []string, set Settings, useTLS bool) string {
	refused, answered := 0, 0
	for _, ep := range endpoints {
		if pu, err := proxyFor(ep); err != nil || pu != nil {
			what := "the proxy set for it"
			if pu != nil {
				what = "the proxy " + pu.Redacted()
			}
			return fmt.Sprintf("no answer within %s through %s (HTTPS_PROXY): check that the proxy runs and lets this host reach %s, or name the members in NO_PROXY", set.DialTimeout, what, ep)
		}
		c, err := net.DialTimeout("tcp", ep, time.Second)
		if err != nil {
			refused++
			continue
		}
		answered++
		_ = c.Close()
	}
	switch {
	case answered == 0:
		return fmt.Sprintf("no answer within %s: nothing accepts connections there; check that etcd runs and that --db names its client port (2379 by default)", set.DialTimeout)
	case useTLS:
		return fmt.Sprintf("no answer within %s although the port accepts connections: check that it is etcd's TLS client port, that etcd.cacert signed the server's certificate and that the server accepts etcd.cert", set.DialTimeout)
	default:
		return fmt.Sprintf("no answer within %s although the port accepts connections: if the cluster uses TLS set etcd.cacert (and etcd.cert, etcd.key for client certificates); else the cluster has no leader (is a majority of its members up?)", set.DialTimeout)
	}
}
