package seed

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"authctl/internal/auth"
)

// DecodePasswd reads chpasswd-style "user:password" lines (with hashes,
// "user:HASH" lines in Django's format). Blank lines are skipped; every
// malformed line is reported with its number. Malformed lines are left in
// Document.Problems, so that Apply reports them together with what it
// finds (unknown users, rejected passwords, bad hashes) and writes nothing;
// only a failure to read is an error.
func DecodePasswd(r io.Reader, name string, hashes bool) (*auth.Document, error) {
	doc := &auth.Document{UserTable: auth.NewUserTable()}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		user, secret, ok := strings.Cut(line, ":")
		where := fmt.Sprintf("%s:%d", name, n)
		if !ok || user == "" {
			doc.Problems = append(doc.Problems, fmt.Errorf("%s: expected user:password", where))
			continue
		}
		pw := auth.RawPassword(secret)
		if hashes {
			pw = auth.HashedPassword(secret)
		}
		doc.UserTable.Add(&auth.DocUser{Username: user, Password: &pw, Where: where})
	}
	if err := sc.Err(); err != nil {
		return nil, auth.Invalid(fmt.Errorf("%s:%d: %v", name, n+1, err))
	}
	return doc, nil
}
