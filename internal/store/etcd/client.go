package etcd

// A small etcd v3 client on net/http: unary gRPC calls (HTTP/2 POSTs of
// length-prefixed protocol buffers, the status in the trailers). Why, and
// what it keeps from etcd's client: the package doc's Client section.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// gRPC status codes this package tells apart.
const (
	codeDeadlineExceeded = 4
	codeUnavailable      = 14
)

// The etcd server's error messages (api/v3/v3rpc/rpctypes) that authctl
// maps to its own errors or acts on.
const (
	msgAuthFailed       = "etcdserver: authentication failed, invalid user ID or password"
	msgUserEmpty        = "etcdserver: user name is empty"
	msgPermissionDenied = "etcdserver: permission denied"
	msgNoSpace          = "etcdserver: mvcc: database space exceeded"
	msgTooManyOps       = "etcdserver: too many operations in txn request"
	msgRequestTooLarge  = "etcdserver: request is too large"
	msgCompacted        = "etcdserver: mvcc: required revision has been compacted"
	msgInvalidToken     = "etcdserver: invalid auth token"
	msgAuthOldRevision  = "etcdserver: revision of auth store is old"
	msgAuthNotEnabled   = "etcdserver: authentication is not enabled"
)

// statusError is the status a server answered a call with.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// hasStatus reports whether err is the server's answer msg.
func hasStatus(err error, msg string) bool {
	var st *statusError
	return errors.As(err, &st) && st.msg == msg
}

// client calls one etcd cluster.
type client struct {
	endpoints []string
	scheme    string // http (h2c) or https
	hc        *http.Client
	// maxResponse bounds the message of one answer (maxResponse).
	maxResponse int64
	user, pw    string
	// dialTimeout bounds the attempts to connect to any endpoint.
	dialTimeout time.Duration
	// cur is the endpoint calls go to first; a call that cannot reach it
	// moves it on to the next.
	cur atomic.Int32

	mu    sync.Mutex
	token string // the auth token of user, once logged in
	// authOff is set when the cluster answered that authentication is
	// not enabled: calls go without a token, as etcd's client's do, until
	// the cluster asks for one.
	authOff bool
}

// newClient prepares a client; it connects on its first call.
func newClient(endpoints []string, set Settings, tc *tls.Config) *client {
	tr, scheme := newTransport(set, tc)
	hc := &http.Client{
		Transport: tr,
		// gRPC never follows a redirect, and following one would send the
		// password (Authenticate) and the token to wherever it points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c := &client{endpoints: endpoints, scheme: scheme, hc: hc, maxResponse: maxResponse(set), dialTimeout: set.DialTimeout}
	// Like etcd's client, log in only with both a user and a password: a
	// user alone (with a client certificate) sends no credentials.
	if set.Username != "" && set.Password != "" {
		c.user, c.pw = set.Username, set.Password
	}
	return c
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// tlsConfig is the client side of TLS for Settings, as etcd's own
// client builds it: the servers verified with CACert (else the system's
// roots), the client's certificate when one is given.
func tlsConfig(set Settings) (*tls.Config, error) {
	if set.CACert == "" && set.Cert == "" && set.Key == "" {
		return nil, nil
	}
	if (set.Cert == "") != (set.Key == "") {
		return nil, errors.New("etcd: TLS needs both a client certificate (etcd.cert) and its key (etcd.key)")
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if set.Cert != "" {
		// Read on every handshake, as etcd's client does, so that a
		// renewed certificate is used without a restart; read once now
		// to report a bad pair before connecting.
		load := func() (*tls.Certificate, error) {
			c, err := tls.LoadX509KeyPair(set.Cert, set.Key)
			return &c, err
		}
		if _, err := load(); err != nil {
			return nil, fmt.Errorf("etcd: TLS settings: %w", err)
		}
		tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return load() }
	}
	if set.CACert != "" {
		pemBytes, err := os.ReadFile(set.CACert)
		if err != nil {
			return nil, fmt.Errorf("etcd: TLS settings: %w", err)
		}
		pool := x509.NewCertPool()
		n := 0
		for {
			var block *pem.Block
			block, pemBytes = pem.Decode(pemBytes)
			if block == nil {
				break
			}
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("etcd: TLS settings: %s: %w", set.CACert, err)
			}
			pool.AddCert(cert)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("etcd: TLS settings: %s holds no PEM certificate (etcd.cacert)", set.CACert)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// rangeKeys runs a KV.Range.
func (c *client) rangeKeys(ctx context.Context, r rangeRequest) (rangeResponse, error) {
	b, err := c.call(ctx, "/etcdserverpb.KV/Range", r.marshal(), true)
	if err != nil {
		return rangeResponse{}, err
	}
	return unmarshalRange(b)
}

// txn runs a KV.Txn of ops if every compare holds; ok is the outcome.
func (c *client) txn(ctx context.Context, cmps []compare, ops []op) (ok bool, err error) {
	b, err := c.call(ctx, "/etcdserverpb.KV/Txn", marshalTxn(cmps, ops), false)
	if err != nil {
		return false, err
	}
	return unmarshalTxn(b)
}

// authToken returns the token to send, logging in first if need be. A
// cluster with authentication off gets no token, and is not asked again
// until it refuses a call for want of one.
func (c *client) authToken(ctx context.Context) (string, error) {
	if c.user == "" {
		return "", nil
	}
	c.mu.Lock()
	tok, off := c.token, c.authOff
	c.mu.Unlock()
	if tok != "" || off {
		return tok, nil
	}
	b, err := c.send(ctx, "/etcdserverpb.Auth/Authenticate", marshalAuthenticate(c.user, c.pw), "", true)
	if hasStatus(err, msgAuthNotEnabled) {
		c.mu.Lock()
		c.authOff = true
		c.mu.Unlock()
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if tok, err = unmarshalAuthenticate(b); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.token = tok
	c.mu.Unlock()
	return tok, nil
}

// call runs one unary call with the auth token, logging in again once if
// the server no longer knows the token (or, having had authentication
// off, now wants one).
func (c *client) call(ctx context.Context, method string, msg []byte, idempotent bool) ([]byte, error) {
	for retried := false; ; retried = true {
		tok, err := c.authToken(ctx)
		if err != nil {
			return nil, err
		}
		b, err := c.send(ctx, method, msg, tok, idempotent)
		if err != nil && c.user != "" && !retried &&
			(hasStatus(err, msgInvalidToken) || hasStatus(err, msgAuthOldRevision) || hasStatus(err, msgUserEmpty)) {
			c.mu.Lock()
			if c.token == tok {
				c.token = ""
				c.authOff = false
			}
			c.mu.Unlock()
			continue
		}
		return b, err
	}
}

// grpcTimeout writes d as a grpc-timeout header: at most 8 digits and a
// unit, rounded up.
func grpcTimeout(d time.Duration) string {
	if d <= 0 {
		return "1n"
	}
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"n", time.Nanosecond}, {"u", time.Microsecond}, {"m", time.Millisecond}, {"S", time.Second}, {"M", time.Minute}} {
		if n := (d + u.d - 1) / u.d; n < 1e8 {
			return strconv.FormatInt(int64(n), 10) + u.unit
		}
	}
	return strconv.FormatInt(int64((d+time.Hour-1)/time.Hour), 10) + "H"
}

// decodeGRPCMessage undoes grpc-message's percent-encoding.
func decodeGRPCMessage(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				if b == nil {
					b = append(b, s[:i]...)
				}
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		if b != nil {
			b = append(b, s[i])
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}
