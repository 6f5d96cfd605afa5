//go:build unix

package loader

import "golang.org/x/sys/unix"

// kernelRelease returns the running kernel's release ("6.1.0-13-amd64").
func kernelRelease() (string, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", err
	}
	return unix.ByteSliceToString(u.Release[:]), nil
}
