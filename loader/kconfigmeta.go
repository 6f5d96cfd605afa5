package loader

import (
	"reflect"

	"github.com/cilium/ebpf/asm"
)

// kconfigOffset returns the offset into .kconfig that an extern __kconfig
// load refers to. cilium/ebpf records it only in instruction metadata under
// an unexported key (the load names no symbol), so it is read by reflection:
// the element whose value is a *kconfigMeta{Map, Offset}. The loader's tests
// catch a change of that representation.
func kconfigOffset(ins *asm.Instruction) (uint32, bool) {
	v := reflect.ValueOf(&ins.Metadata).Elem()
	if v.Kind() != reflect.Struct || v.NumField() == 0 {
		return 0, false
	}
	for e := v.Field(0); e.Kind() == reflect.Pointer && !e.IsNil(); {
		el := e.Elem()
		if el.Kind() != reflect.Struct || el.NumField() < 3 {
			return 0, false
		}
		val := el.Field(2)
		if val.Kind() == reflect.Interface && !val.IsNil() {
			m := val.Elem()
			if m.Kind() == reflect.Pointer && !m.IsNil() && m.Elem().Kind() == reflect.Struct &&
				m.Elem().Type().Name() == "kconfigMeta" {
				if off := m.Elem().FieldByName("Offset"); off.IsValid() && off.Kind() == reflect.Uint32 {
					return uint32(off.Uint()), true
				}
			}
		}
		e = el.Field(0)
	}
	return 0, false
}
