//go:build !race

package gbpf_test

const raceEnabled = false
