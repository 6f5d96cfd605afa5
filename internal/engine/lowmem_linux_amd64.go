package engine

import "golang.org/x/sys/unix"

func mmapLow(size int) ([]byte, error) {
	return mmap(nil, size, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_32BIT)
}
