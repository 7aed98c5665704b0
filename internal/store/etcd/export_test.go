package etcd

import "authctl/internal/store"

// SetToken replaces the auth token s sends, as if the cluster had dropped
// the one it gave (a restart, the token's TTL).
func SetToken(s store.Store, tok string) {
	c := s.(*etcdStore).cli
	c.mu.Lock()
	c.token = tok
	c.mu.Unlock()
}
