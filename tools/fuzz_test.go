package tools

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzOpenRecordings feeds arbitrary bytes to the recording parser: it must
// return records or an error, never panic or read out of bounds.
func FuzzOpenRecordings(f *testing.F) {
	rec, err := os.ReadFile(filepath.Join("testdata", "block_rq_issue.rec"))
	if err != nil {
		f.Fatal(err)
	}
	format, err := os.ReadFile(filepath.Join("testdata", "block_rq_issue.format"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rec[:200])
	f.Add([]byte(recMagic))
	f.Add([]byte(recMagic + "\x05\x00block\x0e\x00block_rq_issue\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "block_rq_issue.rec")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "block_rq_issue.format"), format, 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := OpenRecordings(path)
		if err != nil {
			return
		}
		src.Read(0, func(r *Record) error {
			if len(r.Raw) > len(data) {
				t.Fatalf("record of %d bytes from %d bytes of input", len(r.Raw), len(data))
			}
			return nil
		})
	})
}

func FuzzParsePartitions(f *testing.F) {
	f.Add("major minor  #blocks  name\n\n 254        0  268435456 vda\n")
	f.Add(" 8 1 100 sda1\n 8 2 x sda2\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePartitions(strings.NewReader(s))
		if err != nil {
			return
		}
		for dev, name := range p {
			if p.Name(dev) != name {
				t.Fatalf("Name(%#x) = %q, want %q", dev, p.Name(dev), name)
			}
		}
	})
}

func FuzzFlagsName(f *testing.F) {
	for _, s := range []string{"WS", "FWFSM", "DE", "RA", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rwbs string) {
		name := FlagsName(rwbs)
		if name == "" || bytes.ContainsRune([]byte(name), 0) {
			t.Fatalf("FlagsName(%q) = %q", rwbs, name)
		}
	})
}
