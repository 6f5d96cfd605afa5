//go:build !unix

package gbpf_test

import "time"

var start = time.Now()

// threadCPU returns the time since the tests started: there is no thread
// clock here.
func threadCPU() time.Duration { return time.Since(start) }
