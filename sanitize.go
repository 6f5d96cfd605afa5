package gbpf

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/progtype"
)

// compileSanitized compiles prog for the checked interpreter with the leak
// sanitizer (Options.Sanitize), which checks helper calls against hs and
// knows the pointer fields of info's context.
func compileSanitized(prog isa.Program, info *progtype.Info, hs *helpers.Set) (engine.Program, Engine, error) {
	var fields []interp.PtrField
	for _, f := range info.Fields {
		if f.Kind != progtype.Scalar {
			// The packet's data, data_end and data_meta: one object.
			fields = append(fields, interp.PtrField{Off: f.Off, Size: f.Size})
		}
	}
	code, err := interp.Compile(prog, interp.Options{Sanitize: true, Helpers: hs, CtxPointers: fields})
	return code, EngineChecked, err
}
