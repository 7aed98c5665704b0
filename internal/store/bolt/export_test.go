package bolt

// SetOpenHook makes the store's open call f with the name of each file it
// opens, before waiting for the file's lock, until the returned function is
// called.
func SetOpenHook(f func(name string)) (restore func()) {
	testHookOpened.Store(&f)
	return func() { testHookOpened.Store(nil) }
}

// GrowStep is growStep, for the tests of package bolt_test.
var GrowStep = growStep
