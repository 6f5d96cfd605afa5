package maps

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestErrnoLinux checks that the package's errno numbers are Linux's.
func TestErrnoLinux(t *testing.T) {
	for _, c := range []struct{ got, want unix.Errno }{
		{ePERM, unix.EPERM}, {eNOENT, unix.ENOENT}, {e2BIG, unix.E2BIG},
		{eBADF, unix.EBADF}, {eAGAIN, unix.EAGAIN}, {eNOMEM, unix.ENOMEM},
		{eBUSY, unix.EBUSY}, {eEXIST, unix.EEXIST}, {eINVAL, unix.EINVAL},
		{eNOSPC, unix.ENOSPC}, {eOPNOTSUPP, unix.EOPNOTSUPP},
	} {
		if c.got != c.want {
			t.Errorf("errno %d: Linux's is %d (%v)", c.got, c.want, c.want)
		}
	}
}

func TestErrorsMatchErrno(t *testing.T) {
	tests := []struct {
		err   error
		errno unix.Errno
	}{
		{ErrKeyNotExist, unix.ENOENT},
		{ErrKeyExist, unix.EEXIST},
		{ErrFull, unix.E2BIG},
		{ErrInvalid, unix.EINVAL},
		{ErrNotSupported, unix.EOPNOTSUPP},
		{ErrNoSpace, unix.ENOSPC},
	}
	for _, tt := range tests {
		wrapped := errorsJoin(tt.err)
		if !errors.Is(wrapped, tt.errno) || !errors.Is(wrapped, tt.err) {
			t.Errorf("%v: errors.Is with %v failed", tt.err, tt.errno)
		}
		if got := Errno(wrapped); got != -int64(tt.errno) {
			t.Errorf("Errno(%v) = %d, want %d", tt.err, got, -int64(tt.errno))
		}
		if errors.Is(wrapped, unix.EAGAIN) {
			t.Errorf("%v matches EAGAIN", tt.err)
		}
	}
	if Errno(nil) != 0 {
		t.Error("Errno(nil) != 0")
	}
	if Errno(errors.New("x")) != -int64(unix.EINVAL) {
		t.Error("Errno(plain error) != -EINVAL")
	}
}
