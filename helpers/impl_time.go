package helpers

import (
	"math/rand/v2"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
)

// HZ is the tick rate that jiffies64 counts in (Debian's CONFIG_HZ).
const HZ = 250

// The clocks are read through Go's monotonic clock (vDSO, no system call)
// plus the offsets of CLOCK_MONOTONIC and CLOCK_BOOTTIME taken once.
var (
	clockBase          = time.Now()
	monoBase, bootBase = clockOffsets()
)

// monotonicNS is CLOCK_MONOTONIC in nanoseconds.
func monotonicNS() uint64 { return uint64(monoBase + int64(time.Since(clockBase))) }

// boottimeNS is CLOCK_BOOTTIME in nanoseconds.
func boottimeNS() uint64 { return uint64(bootBase + int64(time.Since(clockBase))) }

// ktimeGetNS is bpf_ktime_get_ns: CLOCK_MONOTONIC.
func ktimeGetNS(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 {
	return monotonicNS()
}

// ktimeGetBootNS is bpf_ktime_get_boot_ns: CLOCK_BOOTTIME, which keeps
// counting while the system is suspended.
func ktimeGetBootNS(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 {
	return boottimeNS()
}

// jiffies64 is bpf_jiffies64: ticks of HZ since boot.
func jiffies64(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 {
	return boottimeNS() / (uint64(time.Second) / HZ)
}

// getPrandomU32 is bpf_get_prandom_u32: a pseudo-random number, not for
// cryptography (a per-thread generator, as in the kernel).
func getPrandomU32(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 {
	return uint64(rand.Uint32())
}

// getSmpProcessorID is bpf_get_smp_processor_id: the run's CPU.
func getSmpProcessorID(env *engine.Env, _, _, _, _, _ uint64) uint64 {
	return uint64(cpu(env))
}

// getNumaNodeID is bpf_get_numa_node_id.
func getNumaNodeID(env *engine.Env, _, _, _, _, _ uint64) uint64 {
	if s := state(env); s != nil {
		return uint64(s.NUMANode)
	}
	return 0
}
