package etcd

import (
	"errors"
	"strings"
	"testing"
)

// A cluster that wants a user says which setting is missing: the user, or
// the password of a user that was given (a user alone is not used).
func TestDescribeUserEmpty(t *testing.T) {
	refused := &statusError{code: 3, msg: msgUserEmpty}
	for _, c := range []struct {
		set  Settings
		want string
	}{
		{Settings{}, "no etcd user was given: set etcd.user"},
		{Settings{Username: "host1"}, `etcd user "host1" has no password: set AUTHCTL_ETCD_PASSWORD or etcd.password_file`},
	} {
		err := describe([]string{"127.0.0.1:2379"}, "/authctl/", c.set, false, refused)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v; want %q", c.set, err, c.want)
		}
	}
}
