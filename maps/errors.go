package maps

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/abi"
)

// Error is a map error that stands for a Linux errno. errors.Is matches it
// both against the sentinel and against the unix.Errno it stands for.
type Error struct {
	msg   string
	errno unix.Errno
}

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Errno returns the errno the error stands for.
func (e *Error) Errno() unix.Errno { return e.errno }

// Is reports whether target is the errno that e stands for, or
// abi.ErrNotSupported (gbpf.ErrNotSupported) when e is ErrNotSupported.
func (e *Error) Is(target error) bool {
	if target == abi.ErrNotSupported {
		return e.errno == unix.EOPNOTSUPP
	}
	t, ok := target.(unix.Errno)
	return ok && t == e.errno
}

// Sentinel errors. Each matches its errno with errors.Is, and Errno turns
// it into the negative value a program sees.
var (
	// ErrKeyNotExist: no element with that key (ENOENT).
	ErrKeyNotExist error = &Error{"key does not exist", unix.ENOENT}
	// ErrKeyExist: an element with that key exists (EEXIST).
	ErrKeyExist error = &Error{"key already exists", unix.EEXIST}
	// ErrFull: the map holds MaxEntries elements, or the index is out of
	// range (E2BIG).
	ErrFull error = &Error{"map is full", unix.E2BIG}
	// ErrInvalid: a bad argument, spec or flag (EINVAL).
	ErrInvalid error = &Error{"invalid argument", unix.EINVAL}
	// ErrNotSupported: the map type does not support the operation
	// (EOPNOTSUPP). It also matches abi.ErrNotSupported.
	ErrNotSupported error = &Error{"operation not supported", unix.EOPNOTSUPP}
	// ErrPermission: the map's access flags forbid the operation (EPERM).
	ErrPermission error = &Error{"operation not permitted", unix.EPERM}
	// ErrNoSpace: there is no room for the element or the batch (ENOSPC).
	ErrNoSpace error = &Error{"no space left", unix.ENOSPC}
	// ErrBusy: the element is in use (EBUSY).
	ErrBusy error = &Error{"resource busy", unix.EBUSY}
	// ErrClosed: the map or reader was closed (EBADF).
	ErrClosed error = &Error{"map closed", unix.EBADF}
)

// Negative errno values as programs see them.
const (
	errnoENOENT     = -int64(unix.ENOENT)
	errnoEEXIST     = -int64(unix.EEXIST)
	errnoE2BIG      = -int64(unix.E2BIG)
	errnoEINVAL     = -int64(unix.EINVAL)
	errnoENOSPC     = -int64(unix.ENOSPC)
	errnoEBUSY      = -int64(unix.EBUSY)
	errnoEOPNOTSUPP = -int64(unix.EOPNOTSUPP)
	errnoEPERM      = -int64(unix.EPERM)
)

// Errno returns the negative errno value a program sees for err: 0 for
// nil, -ENOENT for ErrKeyNotExist and so on. An error that carries no
// errno gives -EINVAL.
func Errno(err error) int64 {
	if err == nil {
		return 0
	}
	var me *Error
	if errors.As(err, &me) {
		return -int64(me.errno)
	}
	var en unix.Errno
	if errors.As(err, &en) {
		return -int64(en)
	}
	return errnoEINVAL
}

// errorOf turns a negative errno from a program-side operation back into
// the package's error.
func errorOf(ret int64) error {
	switch ret {
	case 0:
		return nil
	case errnoENOENT:
		return ErrKeyNotExist
	case errnoEEXIST:
		return ErrKeyExist
	case errnoE2BIG:
		return ErrFull
	case errnoEINVAL:
		return ErrInvalid
	case errnoENOSPC:
		return ErrNoSpace
	case errnoEBUSY:
		return ErrBusy
	case errnoEOPNOTSUPP:
		return ErrNotSupported
	}
	return unix.Errno(-ret)
}
