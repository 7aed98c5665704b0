package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"

	"authctl/internal/store"
)

// djangoKeysMeta is the meta key under which an import keeps the Django
// primary keys it has seen.
const djangoKeysMeta = "django.keys"

// DjangoKeys maps a Django site's primary keys to the names authctl keys
// its records by. An import of a numeric-key dump ("dumpdata contenttypes
// auth") records them, so that a later dump of users alone ("dumpdata
// auth.user"), whose groups and permissions are bare numbers, can still be
// imported.
type DjangoKeys struct {
	ContentTypes map[string][2]string `json:"content_types,omitempty"` // pk → [app_label, model]
	Permissions  map[string]string    `json:"permissions,omitempty"`   // pk → app_label.codename
	Groups       map[string]string    `json:"groups,omitempty"`        // pk → name
}

func (k *DjangoKeys) empty() bool {
	return k == nil || len(k.ContentTypes)+len(k.Permissions)+len(k.Groups) == 0
}

// merge adds o's keys to k (o wins).
func (k *DjangoKeys) merge(o *DjangoKeys) {
	if k.ContentTypes == nil {
		k.ContentTypes = map[string][2]string{}
	}
	if k.Permissions == nil {
		k.Permissions = map[string]string{}
	}
	if k.Groups == nil {
		k.Groups = map[string]string{}
	}
	maps.Copy(k.ContentTypes, o.ContentTypes)
	maps.Copy(k.Permissions, o.Permissions)
	maps.Copy(k.Groups, o.Groups)
}

// DjangoKeys returns the Django primary keys earlier imports recorded
// (empty, not nil, if none).
func (s *Service) DjangoKeys(ctx context.Context) (*DjangoKeys, error) {
	keys := &DjangoKeys{}
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		keys, err = readDjangoKeys(r)
		return err
	})
	return keys, err
}

type metaReader interface {
	Meta(key string) ([]byte, error)
}

func readDjangoKeys(r metaReader) (*DjangoKeys, error) {
	keys := &DjangoKeys{}
	b, err := r.Meta(djangoKeysMeta)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return keys, nil
	case err != nil:
		return nil, err
	}
	if err := json.Unmarshal(b, keys); err != nil {
		return nil, err
	}
	return keys, nil
}

// writeDjangoKeys records the keys a document brings, merged over those
// recorded before, in the import's transaction.
func writeDjangoKeys(w store.Writer, add *DjangoKeys) error {
	if add.empty() {
		return nil
	}
	keys, err := readDjangoKeys(w)
	if err != nil {
		return err
	}
	before, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	keys.merge(add)
	b, err := json.Marshal(keys)
	if err != nil || bytes.Equal(b, before) {
		return err
	}
	return w.PutMeta(djangoKeysMeta, b)
}
