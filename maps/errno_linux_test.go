package maps

import (
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
