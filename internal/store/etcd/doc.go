// Package etcd is the store.Store backend on an etcd v3 cluster, so that
// the same authctl runs on many hosts against one directory.
//
// # Client
//
// The package talks to etcd through its own small client (client.go and
// call.go: the calls; transport.go, proxy.go: the connections; wire.go:
// the messages) rather than go.etcd.io/etcd/client/v3: unary gRPC calls to the
// three methods it needs (KV.Range, KV.Txn, Auth.Authenticate), sent as
// HTTP/2 POSTs with net/http (h2c without TLS, h2 with TLS), their
// protocol buffers encoded by hand. The binary so links neither gRPC nor
// protobuf nor etcd's client, whose package initialisation every authctl
// process paid, on bbolt too (layering_test.go checks the binary's
// dependencies). Only the tests use etcd's packages: the embedded server
// (etcdtest), and the generated code as the reference of the wire format.
//
// It is gRPC on the wire, not etcd's JSON gateway (/v3/kv/range …),
// because the gateway does not authenticate by client certificate: with
// --client-cert-auth and authentication on, etcd answers a gateway request
// whose certificate has a CommonName with HTTP 400. Over gRPC the
// certificate's CN is the etcd user, as with etcdctl.
//
// What it keeps from etcd's client: endpoints are tried in order, a call
// moving on to the next endpoint when one cannot be reached (and a read
// also when the member answers "unavailable", such as no leader); a write
// is sent again only if it cannot have reached a member (the connection or
// its TLS handshake failed). A call that reaches no endpoint within
// Settings.DialTimeout, or gets no answer within RequestTimeout, fails with
// ErrUnreachable. An endpoint that answers but not in gRPC (an HTTP error
// page, HTTP/1, a redirect) is something other than etcd: a read moves on
// to the next endpoint, and once every endpoint has answered so the error
// says what answered. Redirects are never followed (gRPC has none; following
// one would send the password and token elsewhere). An answer's message is
// bounded (maxResponse) and its status checked before it is read. HTTP/2
// pings find a dead pooled connection within seconds (pingAfter,
// pingTimeout). With Settings.Username and Password the client logs in
// (Auth.Authenticate) before its first call and sends the token with each;
// when the cluster no longer knows the token (a restart, its TTL) it logs in
// again once and repeats the call. A cluster with authentication off gets
// no token, as with etcd's client, and is not asked to log in again until
// it refuses a call for want of one. TLS verifies the
// servers with Settings.CACert (else the system's roots), with at least
// TLS 1.2, and presents Cert and Key, read again at each handshake.
// Connections go through HTTPS_PROXY (a CONNECT tunnel) unless NO_PROXY
// names the member, as gRPC's do; the diagnosis of an unreachable cluster
// then names the proxy instead of dialling the member directly.
//
// # Location
//
// A location is etcd://HOST:PORT[,HOST:PORT…][/PREFIX]; backends hands this
// package everything after "etcd:". PREFIX defaults to /authctl/ and always
// ends in "/". TLS, the etcd user and timeouts come from Settings.
//
// # Key layout
//
// Under PREFIX (P), values are the same JSON as the bolt backend's:
//
//	P schema                 "1": the database exists (written by Create)
//	P commit                 rewritten by every committed Update (the write guard)
//	P auditseq               highest audit sequence ever assigned (decimal)
//	P users/<name>           store.User without its Password
//	P hash/<name>            the password hash, alone, so that RBAC can hide it
//	P groups/<name>          store.Group
//	P perms/<app.codename>   store.Permission
//	P sessions/<id>          store.Session
//	P failures/<name>        store.Failure
//	P audit/<seq, 20 digits> store.AuditRecord
//	P meta/<key>             raw bytes
//	P idx/group/<g>/<user>   "" for each member of group g
//	P idx/perm/<p>/<user>    "" for each direct holder of permission p
//	P idx/super/<user>       "" for each superuser
//
// In the index keys, "%" and "/" inside <g> and <p> are written %25 and %2F
// so that a name holding "/" cannot reach into another name's range; the
// username is the last segment and is kept as is, so members come back in
// bytewise order.
//
// # Transactions
//
// View reads everything at the revision its first read returned, so it sees
// one consistent state however many round trips it takes.
//
// Update is optimistic: fn reads at one revision R, its writes are buffered
// (its own reads see them), and the commit is one etcd transaction that
// applies every buffered write only if P commit has not changed since R.
// Every committing Update rewrites P commit, so two Updates that overlap in
// time cannot both commit: one of them runs fn again at a newer revision.
// This serializes writers across every host exactly as bbolt's single write
// lock does within one, without any lock that a crashed host could leave
// held. A guard on one key (rather than a compare per key read) is also what
// makes range rules safe: etcd's range compare does not see a key deleted
// from the range, and the guard does. Since every change of the auth
// package also appends to the audit log, whose counter two writers would
// both rewrite, a finer read set would not let more writers through.
//
// An Update that keeps conflicting gives up after about a hundred attempts
// with store.ErrConflict. An Update whose writes do not fit in one etcd
// transaction (Settings.MaxTxnOps, MaxRequestBytes) fails with ErrTooLarge
// before anything is sent.
//
// The audit sequence is the P auditseq counter, read and rewritten in the
// transaction that appends, so numbers are gap-free and never reused.
//
// # Hashes and read-only hosts
//
// Password hashes live under P hash/. A host whose etcd role cannot read
// that range still reads users: a permission-denied answer for P hash/
// reads as "no password", so such a host can run check but not
// authenticate. It cannot write users either (PutUser writes P hash/).
package etcd
