package helpers

import "github.com/gbpf/gbpf/internal/engine"

// getCurrentPidTgid is bpf_get_current_pid_tgid: tgid << 32 | pid.
func getCurrentPidTgid(env *engine.Env, _, _, _, _, _ uint64) uint64 {
	s := state(env)
	if s == nil {
		return errnoEINVAL
	}
	return uint64(s.Task.TGID)<<32 | uint64(s.Task.PID)
}

// getCurrentUidGid is bpf_get_current_uid_gid: gid << 32 | uid.
func getCurrentUidGid(env *engine.Env, _, _, _, _, _ uint64) uint64 {
	s := state(env)
	if s == nil {
		return errnoEINVAL
	}
	return uint64(s.Task.GID)<<32 | uint64(s.Task.UID)
}

// getCurrentComm is bpf_get_current_comm(buf, size): the command name,
// truncated and always NUL-terminated.
func getCurrentComm(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	dst, ok := arg(env, r1, r2, true)
	if !ok || r2 == 0 {
		return errnoEFAULT
	}
	s := state(env)
	if s == nil {
		clear(dst)
		return errnoEINVAL
	}
	n := copy(dst[:len(dst)-1], s.Task.Comm[:])
	clear(dst[n:])
	// The command name ends at its first NUL; zero what follows, like
	// the kernel's strscpy_pad.
	for i := range n {
		if dst[i] == 0 {
			clear(dst[i:])
			break
		}
	}
	return 0
}
