package etcd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// answerError is an answer from an endpoint that is not gRPC: an HTTP
// error page, a redirect, a response without a gRPC status. Something
// other than etcd listens there, so a read moves on to the next endpoint;
// a write does not, since the request did reach a server. A proxy that
// refuses the tunnel is one too, met while connecting: a write moves on
// then, as from any endpoint it could not reach.
type answerError struct {
	ep, what string
}

func (e *answerError) Error() string { return e.ep + " " + e.what }

// errResponseTooLarge is wrapped by the error of a call whose answer is
// larger than the client accepts (client.maxResponse).
var errResponseTooLarge = errors.New("answer too large")

// maxResponse bounds one answer's message: comfortably above the largest
// the backend asks for (a page of pageSize values, each at most the
// cluster's request limit), at least 512 MiB, and at most 2 GiB (etcd's
// own client's default limit).
func maxResponse(set Settings) int64 {
	return min(2<<30, max(512<<20, int64(pageSize)*int64(set.MaxRequestBytes)+1<<20))
}

// send runs one unary call, moving on to the next endpoint when one cannot
// be reached, and, for a call that may run twice (a read), when the member
// it reached is unavailable (no leader) or is not etcd, until ctx ends. A
// write is sent again only when it cannot have reached a member.
func (c *client) send(ctx context.Context, method string, msg []byte, tok string, idempotent bool) ([]byte, error) {
	frame := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(frame[1:], uint32(len(msg)))
	frame = append(frame, msg...)
	n := int32(len(c.endpoints))
	backoff := 25 * time.Millisecond
	var last error
	// Until a connection succeeds, DialTimeout bounds the attempts: a
	// cluster that nothing answers for is not waited on for the whole
	// request timeout.
	start, connected := time.Now(), false
	// notEtcd counts the endpoints in a row that answered but not as etcd
	// does: once every one has, waiting will not change the answer.
	notEtcd := int32(0)
	for tries := int32(1); ; tries++ {
		i := c.cur.Load()
		b, err := c.post(ctx, c.endpoints[i], method, frame, tok)
		if err == nil {
			return b, nil
		}
		var st *statusError
		isStatus := errors.As(err, &st)
		if ctx.Err() != nil {
			if last == nil || isStatus {
				last = err
			}
			return nil, fmt.Errorf("%w (%w)", ctx.Err(), last)
		}
		var ae *answerError
		isAnswer := errors.As(err, &ae)
		switch {
		case isStatus && st.code != codeUnavailable:
			return nil, err
		case errors.Is(err, errWire), errors.Is(err, errResponseTooLarge):
			return nil, err
		case !idempotent && !notSent(err):
			return nil, err
		}
		last = err
		if isAnswer {
			if notEtcd++; notEtcd >= n {
				return nil, err
			}
		} else {
			notEtcd = 0
		}
		connected = connected || !notSent(err)
		if !connected && time.Since(start) >= c.dialTimeout {
			return nil, fmt.Errorf("%w (%w)", context.DeadlineExceeded, last)
		}
		c.cur.CompareAndSwap(i, (i+1)%n)
		if tries%n == 0 {
			// Every endpoint failed once: wait before the next round.
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w (%w)", ctx.Err(), last)
			case <-t.C:
			}
			backoff = min(2*backoff, 500*time.Millisecond)
		}
	}
}

// notSent reports whether a failed request cannot have reached a server:
// it failed connecting, or in the TLS handshake (see dialTLS).
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// post sends one framed gRPC request to ep and returns the response's
// message.
func (c *client) post(ctx context.Context, ep, method string, frame []byte, tok string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.scheme+"://"+ep+method, bytes.NewReader(frame))
	if err != nil {
		return nil, err
	}
	req.Header = http.Header{"Content-Type": {"application/grpc"}, "Te": {"trailers"}}
	if tok != "" {
		req.Header["Token"] = []string{tok}
	}
	if dl, ok := ctx.Deadline(); ok {
		// The server gives up when the caller does, as with gRPC's client.
		req.Header["Grpc-Timeout"] = []string{grpcTimeout(time.Until(dl))}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// The HTTP/2 framer's own diagnosis of an HTTP/1 server (it
		// exports no error value to test for).
		if strings.Contains(err.Error(), "looked like an HTTP/1.1 header") {
			return nil, &answerError{ep, "answered in HTTP/1.1, not gRPC: check that --db names etcd's client port (2379 by default)"}
		}
		return nil, err
	}
	// Closing the body unread resets the stream: nothing more is received.
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, &answerError{ep, fmt.Sprintf("answered with a redirect (HTTP %s), which etcd never sends: check --db/etcd endpoints", resp.Status)}
	case resp.StatusCode != http.StatusOK:
		return nil, &answerError{ep, fmt.Sprintf("answered HTTP %s (%s), not gRPC: check that --db names etcd's client port (2379 by default)", resp.Status, describeType(ct))}
	case ct != "application/grpc" && !strings.HasPrefix(ct, "application/grpc+") && !strings.HasPrefix(ct, "application/grpc;"):
		return nil, &answerError{ep, fmt.Sprintf("answered %s, not gRPC: check that --db names etcd's client port (2379 by default)", describeType(ct))}
	}
	body, err := readMessage(ep, resp.Body, c.maxResponse)
	if err != nil {
		return nil, err
	}
	code := resp.Trailer.Get("Grpc-Status")
	msg := resp.Trailer.Get("Grpc-Message")
	if code == "" { // a trailers-only answer: the status is in the headers
		code, msg = resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message")
	}
	n, err := strconv.Atoi(code)
	if err != nil {
		return nil, &answerError{ep, "answered without a gRPC status"}
	}
	if n != 0 {
		return nil, &statusError{code: n, msg: decodeGRPCMessage(msg)}
	}
	if body == nil {
		return nil, fmt.Errorf("%s: %w", ep, errWire)
	}
	return body, nil
}

func describeType(ct string) string {
	if ct == "" {
		return "no content type"
	}
	return ct
}

// readMessage reads the one length-prefixed message of a unary answer,
// refusing one longer than limit before reading it: nil when the answer
// has none (a status alone).
func readMessage(ep string, r io.Reader, limit int64) ([]byte, error) {
	var hdr [5]byte
	n, err := io.ReadFull(r, hdr[:])
	switch {
	case n == 0 && err == io.EOF:
		return nil, nil
	case err == io.ErrUnexpectedEOF:
		return nil, fmt.Errorf("%s: %w", ep, errWire)
	case err != nil:
		return nil, err
	case hdr[0] != 0: // compressed, which the client never asks for
		return nil, fmt.Errorf("%s: %w", ep, errWire)
	}
	size := int64(binary.BigEndian.Uint32(hdr[1:]))
	if size > limit {
		return nil, fmt.Errorf("%w: %s answered a message of %d bytes, more than the %d MiB the client accepts", errResponseTooLarge, ep, size, limit>>20)
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(r, msg); err != nil {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return nil, fmt.Errorf("%s: %w", ep, errWire)
		}
		return nil, err
	}
	// A unary answer has one message, then the trailers.
	if n, _ := io.ReadFull(r, hdr[:1]); n > 0 {
		return nil, fmt.Errorf("%s: %w", ep, errWire)
	}
	return msg, nil
}
