//go:build race

package testutil

// RaceEnabled reports whether the race detector is on. sync.Pool drops
// items at random under it, so allocation counts are only meaningful
// without it.
const RaceEnabled = true
