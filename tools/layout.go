package tools

import (
	"fmt"

	"github.com/gbpf/gbpf/kernel"
)

// fieldWant is where a tool program reads a tracepoint field.
type fieldWant struct {
	name         string
	offset, size int
}

// recordLayouts lists, per tracepoint, the fields the tool programs read
// and where bpf/block.h puts them. checkLayout compares them with the
// running kernel's format files, so a kernel that moved a field is an
// error, not a wrong histogram.
var recordLayouts = map[Tracepoint][]fieldWant{
	{"block", "block_rq_issue"}:       {{"dev", 8, 4}, {"sector", 16, 8}, {"bytes", 28, 4}, {"rwbs", 34, 10}, {"comm", 44, 16}},
	{"block", "block_rq_insert"}:      {{"dev", 8, 4}, {"sector", 16, 8}, {"bytes", 28, 4}, {"rwbs", 34, 10}, {"comm", 44, 16}},
	{"block", "block_rq_complete"}:    {{"dev", 8, 4}, {"sector", 16, 8}, {"rwbs", 34, 10}},
	{"syscalls", "sys_enter_getppid"}: {{"__syscall_nr", 8, 4}},
}

// checkLayout verifies that format has the fields at the places the tool
// programs expect for tracepoint tp.
func checkLayout(tp Tracepoint, format *kernel.Format) error {
	for _, w := range recordLayouts[tp] {
		f := format.Field(w.name)
		if f == nil {
			return fmt.Errorf("tracepoint %s: this kernel's record has no field %q, which the program reads", tp, w.name)
		}
		if f.Offset != w.offset || f.Size != w.size {
			return fmt.Errorf("tracepoint %s: field %s is at offset %d size %d here, the program expects offset %d size %d", tp, w.name, f.Offset, f.Size, w.offset, w.size)
		}
	}
	return nil
}
