package store

import "context"

type Stager interface {
	Store
	UpdateStaged(ctx context.Context, fn func(stage func(func(Writer) error) error) error) error
}

func UpdateStaged(ctx context.Context, st Store, fn func(stage func(func(Writer) error) error) error) error {
	if s, ok := st.(Stager); ok {
		return s.UpdateStaged(ctx, fn)
	}
	return st.Update(ctx, func(w Writer) error {
		return fn(func(f func(Writer) error) error { return f(w) })
	})
}
