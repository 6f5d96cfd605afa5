// Package engine holds what every gbpf execution engine shares: the memory
// that programs touch (owned by the runtime, outside the Go heap), the
// helper-call ABI, and the per-run environment.
//
// The ABI itself (Helper, Env, Region, Program, the run-time errors and
// Fault) is defined in the public package abi, so that hosts outside the
// module can write helpers and match errors; this package aliases it, so
// that the engines name it as before.
package engine

import (
	"errors"

	"github.com/gbpf/gbpf/abi"
)

// Limits and costs of a run; see package abi.
const (
	StackSize     = abi.StackSize
	MaxCallDepth  = abi.MaxCallDepth
	DefaultBudget = abi.DefaultBudget
	CallbackCost  = abi.CallbackCost
)

// The ABI's types; see package abi.
type (
	Helper  = abi.Helper
	Env     = abi.Env
	Region  = abi.Region
	Fault   = abi.Fault
	Program = abi.Program
	Packet  = abi.Packet
)

// Errors that end a run; see package abi.
var (
	ErrBudget        = abi.ErrBudget
	ErrCallDepth     = abi.ErrCallDepth
	ErrUnknownHelper = abi.ErrUnknownHelper
	ErrMemory        = abi.ErrMemory
	ErrLeak          = abi.ErrLeak
)

// ErrNoPacket ends a run that makes a legacy packet load (BPF_LD_ABS,
// BPF_LD_IND) without a packet (Env.Packet is zero): only an unverified
// program of another type than socket filter or tc can.
var ErrNoPacket = errors.New("legacy packet load (ABS/IND) in a run without a packet")
