package interp

import (
	"errors"

	"github.com/gbpf/gbpf/internal/engine"
)

// Division and modulo with Linux semantics: dividing by zero gives 0,
// modulo by zero leaves dst unchanged (for 32-bit operations, its
// zero-extended low half), and INT_MIN / -1 gives INT_MIN with remainder 0
// (as Go defines it too).

func div64(a, b uint64) uint64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func sdiv64(a, b uint64) uint64 {
	if b == 0 {
		return 0
	}
	return uint64(int64(a) / int64(b))
}

func mod64(a, b uint64) uint64 {
	if b == 0 {
		return a
	}
	return a % b
}

func smod64(a, b uint64) uint64 {
	if b == 0 {
		return a
	}
	return uint64(int64(a) % int64(b))
}

func div32(a, b uint64) uint64 {
	if uint32(b) == 0 {
		return 0
	}
	return uint64(uint32(a) / uint32(b))
}

func sdiv32(a, b uint64) uint64 {
	if uint32(b) == 0 {
		return 0
	}
	return uint64(uint32(int32(a) / int32(b)))
}

func mod32(a, b uint64) uint64 {
	if uint32(b) == 0 {
		return uint64(uint32(a))
	}
	return uint64(uint32(a) % uint32(b))
}

func smod32(a, b uint64) uint64 {
	if uint32(b) == 0 {
		return uint64(uint32(a))
	}
	return uint64(uint32(int32(a) % int32(b)))
}

var (
	errLegacyPacket = engine.ErrNoPacket
	errBadInsn      = errors.New("invalid instruction")
)
