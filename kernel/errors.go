package kernel

import (
	"errors"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/abi"
)

// notSupported is an error of cilium/ebpf for a feature the running kernel
// lacks, which also matches gbpf's abi.ErrNotSupported.
type notSupported struct{ err error }

func (e notSupported) Error() string   { return e.err.Error() }
func (e notSupported) Unwrap() []error { return []error{e.err, abi.ErrNotSupported} }

// unsupported returns err, made to match abi.ErrNotSupported with
// errors.Is when it matches ebpf.ErrNotSupported, so that callers test
// for one error whichever package it comes from.
func unsupported(err error) error {
	if err == nil || !errors.Is(err, ebpf.ErrNotSupported) || errors.Is(err, abi.ErrNotSupported) {
		return err
	}
	return notSupported{err}
}
