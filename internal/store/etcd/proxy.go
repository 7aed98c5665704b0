package etcd

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// proxyFor returns the proxy a connection to addr (HOST:PORT) goes
// through, or nil. As etcd's gRPC client does, a connection to a member
// is tunnelled (HTTP CONNECT) through HTTPS_PROXY unless NO_PROXY names
// the host; loopback addresses never are. A variable for the tests.
var proxyFor = func(addr string) (*url.URL, error) {
	return http.ProxyFromEnvironment(&http.Request{URL: &url.URL{Scheme: "https", Host: addr}})
}

// dialer connects to a member, through the proxy proxyFor names.
func dialer(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		pu, err := proxyFor(addr)
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("proxy for %s: %w", addr, err)}
		}
		if pu == nil {
			return d.DialContext(ctx, network, addr)
		}
		host := pu.Host
		if pu.Port() == "" {
			port := "80"
			if pu.Scheme == "https" {
				port = "443"
			}
			host = net.JoinHostPort(pu.Hostname(), port)
		}
		conn, err := d.DialContext(ctx, network, host)
		if err != nil {
			return nil, err
		}
		if err := connect(ctx, conn, addr, pu, timeout); err != nil {
			conn.Close()
			// Nothing reached the member: the call may go elsewhere.
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		return conn, nil
	}
}

// connect asks the proxy on conn for a tunnel to addr.
func connect(ctx context.Context, conn net.Conn, addr string, pu *url.URL, timeout time.Duration) error {
	dl := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	conn.SetDeadline(dl)
	defer conn.SetDeadline(time.Time{})
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Host: addr}, Host: addr, Header: http.Header{}}
	if u := pu.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
	if err := req.Write(conn); err != nil {
		return fmt.Errorf("proxy %s: %w", pu.Redacted(), err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fmt.Errorf("proxy %s: %w", pu.Redacted(), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// An answer, not silence: said as it is, not as "no answer".
		return &answerError{"proxy " + pu.Redacted(), fmt.Sprintf("refused a tunnel to %s (%s): check the credentials in HTTPS_PROXY, or name the members in NO_PROXY", addr, resp.Status)}
	}
	if br.Buffered() > 0 {
		return fmt.Errorf("proxy %s sent data before the tunnel was used", pu.Redacted())
	}
	return nil
}
