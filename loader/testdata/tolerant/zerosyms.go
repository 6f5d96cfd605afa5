//go:build ignore

// zerosyms copies an ELF object, setting the size of every function and
// object symbol to 0, as clang before version 8 left them:
//
//	go run zerosyms.go IN OUT
package main

import (
	"debug/elf"
	"encoding/binary"
	"log"
	"os"
)

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	f, err := elf.NewFile(bytesReader(b))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range f.Sections {
		if s.Type != elf.SHT_SYMTAB {
			continue
		}
		for off := s.Offset + 24; off+24 <= s.Offset+s.Size; off += 24 {
			typ := elf.ST_TYPE(b[off+4])
			if typ == elf.STT_FUNC || typ == elf.STT_OBJECT {
				binary.LittleEndian.PutUint64(b[off+16:], 0)
			}
		}
	}
	if err := os.WriteFile(os.Args[2], b, 0o644); err != nil {
		log.Fatal(err)
	}
}

type bytesReader []byte

func (r bytesReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r)) {
		return 0, os.ErrInvalid
	}
	return copy(p, r[off:]), nil
}
