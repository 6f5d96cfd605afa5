package helpers

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/maps"
)

// probeRead is bpf_probe_read_kernel(dst, size, src) and its user and
// legacy forms. gbpf has no kernel memory: src may be any memory of the
// run (its regions and stack). Any other address gives -EFAULT and a
// zeroed destination, never a crash.
func probeRead(env *engine.Env, r1, r2, r3, _, _ uint64) uint64 {
	dst, ok := arg(env, r1, r2, true)
	if !ok {
		return errnoEFAULT
	}
	src, ok := runBytes(env, r3, r2)
	if !ok || uint64(len(src)) < r2 {
		clear(dst)
		return errnoEFAULT
	}
	copy(dst, src)
	return 0
}

// probeReadStr is bpf_probe_read_kernel_str(dst, size, src) and its user
// form: it copies a NUL-terminated string of at most size-1 bytes, always
// terminates dst, and returns the length copied including the NUL. A fault
// gives -EFAULT with dst zeroed.
func probeReadStr(env *engine.Env, r1, r2, r3, _, _ uint64) uint64 {
	dst, ok := arg(env, r1, r2, true)
	if !ok || r2 == 0 {
		return errnoEFAULT
	}
	src, ok := runBytes(env, r3, r2)
	if !ok {
		clear(dst)
		return errnoEFAULT
	}
	n := 0
	for n < len(src) && n < len(dst)-1 && src[n] != 0 {
		n++
	}
	if n < len(dst)-1 && n == len(src) {
		// The string runs off the end of the run's memory.
		clear(dst)
		return errnoEFAULT
	}
	copy(dst, src[:n])
	dst[n] = 0
	return uint64(n + 1)
}

// strncmp is bpf_strncmp(s1, s1_sz, s2): it compares at most s1_sz bytes
// of s1 with the NUL-terminated constant s2 and returns <0, 0 or >0 (the
// difference of the first differing bytes, as the kernel's strncmp). s2
// is read only inside the region that holds it: should it have lost its
// NUL, the region's end counts as one.
func strncmp(env *engine.Env, r1, r2, r3, _, _ uint64) uint64 {
	s1, ok := arg(env, r1, r2, false)
	if !ok {
		return errnoEFAULT
	}
	s2, ok := runBytes(env, r3, r2+1)
	if !ok {
		return errnoEFAULT
	}
	for i := range s1 {
		var c2 byte
		if i < len(s2) {
			c2 = s2[i]
		}
		if s1[i] != c2 {
			if s1[i] < c2 {
				return ^uint64(0)
			}
			return 1
		}
		if s1[i] == 0 {
			return 0
		}
	}
	return 0
}

// spinLock is bpf_spin_lock(lock).
func spinLock(env *engine.Env, r1, _, _, _, _ uint64) uint64 {
	if _, ok := arg(env, r1, 4, true); !ok || r1&3 != 0 {
		return errnoEINVAL
	}
	maps.Lock(r1)
	return 0
}

// spinUnlock is bpf_spin_unlock(lock).
func spinUnlock(env *engine.Env, r1, _, _, _, _ uint64) uint64 {
	if _, ok := arg(env, r1, 4, true); !ok || r1&3 != 0 {
		return errnoEINVAL
	}
	maps.Unlock(r1)
	return 0
}
