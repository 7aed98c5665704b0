// Package storetest is the conformance suite for store.Store backends: one
// set of tests that every backend must pass, so that the auth package can
// rely on the contract in package store without knowing which backend it
// runs on.
//
// # Overview
//
// A backend provides one function, a NewOpener. Each call of it prepares a
// new location (a temporary file, a key prefix on a test server, …) where no
// database exists yet and returns an Opener for that location; every call of
// that Opener opens the same database, with the options it is given. With
// that the suite can create a fresh store (Create), reopen it (plain or
// ReadOnly, several at once), and open a location that has no database
// (without Create, expecting store.ErrNoDatabase).
//
// # Example
//
// The bbolt backend's test:
//
//	func newOpener(t testing.TB) storetest.Opener {
//		path := filepath.Join(t.TempDir(), "authctl.db")
//		return func(opts store.OpenOptions) (store.Store, error) {
//			return bolt.Open(path, opts)
//		}
//	}
//
//	func TestConformance(t *testing.T) { storetest.Run(t, newOpener) }
//
//	func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, newOpener) }
//
// The NewOpener must remove the location when the test ends (t.Cleanup;
// t.TempDir does it for files). The suite closes every store it opens.
// Tests run as parallel subtests, each on its own location, so a NewOpener
// must be safe to call from several goroutines.
//
// # Adding tests
//
// A test is a func(*testing.T, NewOpener) added to the tests table in
// tests.go, named after the contract sentence it checks. Every sentence of
// the contract (store.go, errors.go and the package documentation of store)
// should have a test here; a behaviour particular to one backend (file
// modes, lock timeouts, damaged files) belongs in that backend's own tests.
package storetest
