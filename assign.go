package gbpf

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
)

// LoadAndAssign loads the programs and maps that the fields of to name and
// stores them there, as cilium/ebpf's CollectionSpec.LoadAndAssign does
// (CollectionSpec is package loader's type, so here it is a function). to
// is a pointer to a struct whose fields of type *Program and *Map carry an
// `ebpf:"name"` tag; untagged fields that are structs, or non-nil
// pointers to structs, are searched too, so the XxxObjects structs that
// bpf2go generates (XxxPrograms and XxxMaps embedded, with their Close
// methods) work with the import path changed to gbpf.
//
// Only the named programs are verified and loaded, with the maps they
// use, the named maps, and what the initial elements of those maps' name
// (the programs of a program array, the inner maps of a map-in-map).
// Those of them that to does not name stay alive as long as the process,
// because the programs that use them need them; name them to be able to
// close them. A name spec lacks, a field of another type or an object
// named twice is an error, and then nothing is loaded.
func LoadAndAssign(spec *CollectionSpec, to any, opts *Options) error {
	if spec == nil {
		return errors.New("assign: nil CollectionSpec")
	}
	fields, err := assignFields(to)
	if err != nil {
		return err
	}
	for _, f := range fields {
		var ok bool
		if f.prog {
			_, ok = spec.Programs[f.name]
		} else {
			_, ok = spec.Maps[f.name]
		}
		if !ok {
			return fmt.Errorf("assign: field %s: %w", f.path, f.missing())
		}
	}
	coll, err := NewCollection(needed(spec, fields), opts)
	if err != nil {
		return err
	}
	if err := coll.Assign(to); err != nil {
		coll.Close()
		return err
	}
	return nil
}

// needed returns the part of spec that fields need: the programs and maps
// they name, the maps those programs use, and what the initial elements
// of those maps refer to, transitively.
func needed(spec *CollectionSpec, fields []assignField) *CollectionSpec {
	out := &CollectionSpec{
		Programs:   make(map[string]*loader.ProgramSpec),
		Maps:       make(map[string]*maps.Spec),
		References: make(map[string][]loader.Reference),
		Variables:  make(map[string]*loader.VariableSpec),
		Types:      spec.Types,
		MapTypes:   spec.MapTypes,
	}
	var progs, mapNames []string
	for _, f := range fields {
		if f.prog {
			progs = append(progs, f.name)
		} else {
			mapNames = append(mapNames, f.name)
		}
	}
	for len(progs)+len(mapNames) > 0 {
		if n := len(progs); n > 0 {
			name := progs[n-1]
			progs = progs[:n-1]
			if p := spec.Programs[name]; p != nil && out.Programs[name] == nil {
				out.Programs[name] = p
				mapNames = append(mapNames, p.Maps...)
			}
			continue
		}
		name := mapNames[len(mapNames)-1]
		mapNames = mapNames[:len(mapNames)-1]
		m := spec.Maps[name]
		if m == nil || out.Maps[name] != nil {
			continue
		}
		out.Maps[name] = m
		if refs := spec.References[name]; len(refs) > 0 {
			out.References[name] = refs
			for _, r := range refs {
				if r.Program != "" {
					progs = append(progs, r.Program)
				}
				if r.Map != "" {
					mapNames = append(mapNames, r.Map)
				}
			}
		}
	}
	for name, v := range spec.Variables {
		if out.Maps[v.MapName] != nil {
			out.Variables[name] = v
		}
	}
	return out
}

// Assign stores the collection's programs and maps in the fields of to, as
// LoadAndAssign does, and removes them from c, so that c.Close no longer
// closes them: they belong to to from then on. A name c lacks, a field of
// another type or an object named twice is an error, and then nothing is
// assigned.
func (c *Collection) Assign(to any) error {
	fields, err := assignFields(to)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if f.prog && c.Programs[f.name] == nil || !f.prog && c.Maps[f.name] == nil {
			return fmt.Errorf("assign: field %s: %w", f.path, f.missing())
		}
	}
	for _, f := range fields {
		if f.prog {
			f.value.Set(reflect.ValueOf(c.Programs[f.name]))
		} else {
			f.value.Set(reflect.ValueOf(c.Maps[f.name]))
		}
	}
	for _, f := range fields {
		if f.prog {
			delete(c.Programs, f.name)
		} else {
			delete(c.Maps, f.name)
		}
	}
	return nil
}

// assignField is a tagged field of the struct given to Assign.
type assignField struct {
	path  string // the field's name, with the names of the structs it is in
	name  string // the tag: the program's or map's name
	prog  bool   // a *Program, else a *Map
	value reflect.Value
}

func (f assignField) missing() error {
	if f.prog {
		return fmt.Errorf("no program %q", f.name)
	}
	return fmt.Errorf("no map %q", f.name)
}

// assignKey identifies an object a field names.
type assignKey struct {
	name string
	prog bool
}

var (
	programPtr = reflect.TypeFor[*Program]()
	mapPtr     = reflect.TypeFor[*Map]()
)

// assignFields returns the tagged fields of the struct to points to.
func assignFields(to any) ([]assignField, error) {
	v := reflect.ValueOf(to)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("assign: %T is not a non-nil pointer to a struct", to)
	}
	var fields []assignField
	seen := make(map[assignKey]string)
	if err := collectFields(v.Elem(), "", map[reflect.Type]bool{}, seen, &fields); err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	return fields, nil
}

func collectFields(sv reflect.Value, prefix string, visiting map[reflect.Type]bool, seen map[assignKey]string, out *[]assignField) error {
	st := sv.Type()
	if visiting[st] {
		return fmt.Errorf("%s: %s contains itself", strings.TrimSuffix(prefix, "."), st)
	}
	visiting[st] = true
	defer delete(visiting, st)
	for i := range st.NumField() {
		sf, fv := st.Field(i), sv.Field(i)
		path := prefix + sf.Name
		name, tagged := sf.Tag.Lookup("ebpf")
		if !tagged || name == "" {
			switch {
			case sf.Type.Kind() == reflect.Struct:
				if err := collectFields(fv, path+".", visiting, seen, out); err != nil {
					return err
				}
			case sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct &&
				sf.Type != programPtr && sf.Type != mapPtr:
				if fv.IsNil() {
					return fmt.Errorf("field %s: nil pointer to %s", path, sf.Type.Elem())
				}
				if err := collectFields(fv.Elem(), path+".", visiting, seen, out); err != nil {
					return err
				}
			}
			continue
		}
		if strings.Contains(name, ",") {
			return fmt.Errorf("field %s: ebpf tag %q contains a comma", path, name)
		}
		f := assignField{path: path, name: name, value: fv}
		switch sf.Type {
		case programPtr:
			f.prog = true
		case mapPtr:
		default:
			return fmt.Errorf("field %s: type %s, want *gbpf.Program or *gbpf.Map", path, sf.Type)
		}
		if !fv.CanSet() {
			return fmt.Errorf("field %s: unexported", path)
		}
		key := assignKey{name, f.prog}
		if other, ok := seen[key]; ok {
			return fmt.Errorf("field %s: %s %q is already assigned to %s", path, kindName(f.prog), name, other)
		}
		seen[key] = path
		*out = append(*out, f)
	}
	return nil
}

func kindName(prog bool) string {
	if prog {
		return "program"
	}
	return "map"
}
