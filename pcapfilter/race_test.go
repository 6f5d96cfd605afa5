//go:build race

package pcapfilter

const raceEnabled = true
