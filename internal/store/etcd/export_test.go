package etcd

import (
	"net/url"

	"authctl/internal/store"
)

// SetToken replaces the auth token s sends, as if the cluster had dropped
// the one it gave (a restart, the token's TTL).
func SetToken(s store.Store, tok string) {
	c := s.(*etcdStore).cli
	c.mu.Lock()
	c.token = tok
	c.mu.Unlock()
}

// SetProxy makes connections go through the proxy fn names, instead of
// the environment's (which never applies to loopback addresses); it
// returns a function that undoes it.
func SetProxy(fn func(addr string) (*url.URL, error)) (undo func()) {
	old := proxyFor
	proxyFor = fn
	return func() { proxyFor = old }
}

// SetEndpoint makes s's next call go to its i'th endpoint first.
func SetEndpoint(s store.Store, i int) {
	s.(*etcdStore).cli.cur.Store(int32(i))
}
