package tools

import "strings"

// FlagsName turns a block tracepoint's rwbs string (such as "WS" or "FWFS")
// into the names libbpf-tools' biolatency -F prints for the request flags,
// such as "Sync-Write" or "PreFlush-FUA-Sync-Write".
//
// The kernel's blk_fill_rwbs writes: F if the request is a preflush; the
// operation (W write, D discard, DE secure erase, F flush, R read, N any
// other); then F for FUA, A for readahead, S for sync, M for metadata.
func FlagsName(rwbs string) string {
	if i := strings.IndexByte(rwbs, 0); i >= 0 {
		rwbs = rwbs[:i]
	}
	s := rwbs
	preflush := false
	if len(s) >= 2 && s[0] == 'F' && strings.IndexByte("WDRFN", s[1]) >= 0 {
		preflush, s = true, s[1:]
	}
	op := "Unknown"
	if s != "" {
		switch s[0] {
		case 'W':
			op = "Write"
		case 'R':
			op = "Read"
		case 'F':
			op = "Flush"
		case 'N':
			op = "Unknown"
		case 'D':
			op = "Discard"
			if len(s) > 1 && s[1] == 'E' {
				op, s = "SecureErase", s[1:]
			}
		}
		s = s[1:]
	}
	var fua, ahead, sync, meta bool
	for _, c := range s {
		switch c {
		case 'F':
			fua = true
		case 'A':
			ahead = true
		case 'S':
			sync = true
		case 'M':
			meta = true
		}
	}
	// libbpf-tools' order: ReadAhead, PreFlush, FUA, Metadata, Sync, op.
	var b strings.Builder
	for _, f := range []struct {
		on   bool
		name string
	}{{ahead, "ReadAhead-"}, {preflush, "PreFlush-"}, {fua, "FUA-"}, {meta, "Metadata-"}, {sync, "Sync-"}} {
		if f.on {
			b.WriteString(f.name)
		}
	}
	b.WriteString(op)
	return b.String()
}
