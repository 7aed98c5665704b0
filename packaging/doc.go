// Package packaging holds what the release packages install besides the
// binary (the example configuration) and the test that installs a built
// .deb into a scratch root and uses it as a sysadmin would.
//
// The test runs when AUTHCTL_PACKAGE_DIR names GoReleaser's output
// directory (.ci/run builds it with `goreleaser release --snapshot
// --clean`); otherwise it is skipped.
package packaging
