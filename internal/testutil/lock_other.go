//go:build !unix

package testutil

import "testing"

// LockTracing does nothing where there are no kernel tracepoints to share.
func LockTracing(t testing.TB) {}
