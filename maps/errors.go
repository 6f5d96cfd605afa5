package maps

import (
	"errors"
	"syscall"

	"github.com/gbpf/gbpf/abi"
)

// Error is a map error that stands for a Linux errno. errors.Is matches it
// both against the sentinel and against the errno it stands for. The errno
// is Linux's number on every system, since that is what programs see: off
// Linux, where syscall's numbers differ, it is not the local errno constant.
type Error struct {
	msg   string
	errno syscall.Errno
}

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Errno returns the errno the error stands for.
func (e *Error) Errno() syscall.Errno { return e.errno }

// Is reports whether target is the errno that e stands for, or
// abi.ErrNotSupported (gbpf.ErrNotSupported) when e is ErrNotSupported.
func (e *Error) Is(target error) bool {
	if target == abi.ErrNotSupported {
		return e.errno == eOPNOTSUPP
	}
	t, ok := target.(syscall.Errno)
	return ok && t == e.errno
}

// Sentinel errors. Each matches its errno with errors.Is, and Errno turns
// it into the negative value a program sees.
var (
	// ErrKeyNotExist: no element with that key (ENOENT).
	ErrKeyNotExist error = &Error{"key does not exist", eNOENT}
	// ErrKeyExist: an element with that key exists (EEXIST).
	ErrKeyExist error = &Error{"key already exists", eEXIST}
	// ErrFull: the map holds MaxEntries elements, or the index is out of
	// range (E2BIG).
	ErrFull error = &Error{"map is full", e2BIG}
	// ErrInvalid: a bad argument, spec or flag (EINVAL).
	ErrInvalid error = &Error{"invalid argument", eINVAL}
	// ErrNotSupported: the map type does not support the operation
	// (EOPNOTSUPP). It also matches abi.ErrNotSupported.
	ErrNotSupported error = &Error{"operation not supported", eOPNOTSUPP}
	// ErrPermission: the map's access flags forbid the operation (EPERM).
	ErrPermission error = &Error{"operation not permitted", ePERM}
	// ErrNoSpace: there is no room for the element or the batch (ENOSPC).
	ErrNoSpace error = &Error{"no space left", eNOSPC}
	// ErrBusy: the element is in use (EBUSY).
	ErrBusy error = &Error{"resource busy", eBUSY}
	// ErrClosed: the map or reader was closed (EBADF).
	ErrClosed error = &Error{"map closed", eBADF}
)

// Negative errno values as programs see them.
const (
	errnoENOENT     = -int64(eNOENT)
	errnoEEXIST     = -int64(eEXIST)
	errnoE2BIG      = -int64(e2BIG)
	errnoEINVAL     = -int64(eINVAL)
	errnoENOSPC     = -int64(eNOSPC)
	errnoEBUSY      = -int64(eBUSY)
	errnoEOPNOTSUPP = -int64(eOPNOTSUPP)
	errnoEPERM      = -int64(ePERM)
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
	var en syscall.Errno
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
	return syscall.Errno(-ret)
}
