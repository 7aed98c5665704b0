package etcd

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// HTTP/2 health checking: a connection on which nothing arrives for
// pingAfter is pinged, and closed when the ping is not answered within
// pingTimeout, so that a call on a dead pooled connection (a member that
// vanished, a dropped NAT entry) fails over after seconds instead of
// waiting for its whole request timeout.
const (
	pingAfter   = 3 * time.Second
	pingTimeout = 2 * time.Second
)

// newTransport is the HTTP/2 transport of a client: over TLS when tc is
// set, else in plain text (h2c), as etcd serves gRPC.
func newTransport(set Settings, tc *tls.Config) (tr *http.Transport, scheme string) {
	var protos http.Protocols
	dial := dialer(set.DialTimeout)
	tr = &http.Transport{
		DialContext:       dial,
		Protocols:         &protos,
		ForceAttemptHTTP2: true,
		HTTP2:             &http.HTTP2Config{SendPingTimeout: pingAfter, PingTimeout: pingTimeout},
	}
	if tc == nil {
		protos.SetUnencryptedHTTP2(true)
		return tr, "http"
	}
	protos.SetHTTP2(true)
	// The handshake is dialTLS's: with DialTLSContext set, net/http
	// ignores TLSClientConfig.
	tr.DialTLSContext = dialTLS(dial, tc, set.DialTimeout)
	return tr, "https"
}

// dialTLS connects and completes the TLS handshake before the transport
// sends anything, so that a failed handshake (a wrong CA, a certificate
// the member refuses, a port that is not TLS) is a dial error: nothing
// reached the member, and even a write may go to the next endpoint.
func dialTLS(dial func(ctx context.Context, network, addr string) (net.Conn, error), tc *tls.Config, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cfg := tc.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(addr)
		}
		cfg.NextProtos = []string{"h2"}
		tconn := tls.Client(conn, cfg)
		hctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := tconn.HandshakeContext(hctx); err != nil {
			conn.Close()
			return nil, &net.OpError{Op: "dial", Net: network, Addr: conn.RemoteAddr(), Err: err}
		}
		return tconn, nil
	}
}
