package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/bpftool"
	"github.com/gbpf/gbpf/maps"
)

func init() { addCommand(newMapCmd()) }

// kernelMap runs the kernel form of a map verb; set on Linux
// (kmap_linux.go).
var kernelMap = func(io.Writer, string, []string) error { return errNoKernel }

// mapSelectors are the words that designate loaded maps.
var mapSelectors = []string{"id", "name", "pinned"}

// newMapCmd returns "map": bpftool's verbs on the maps loaded in the
// kernel, and dump and list of an ELF object's maps.
func newMapCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Inspect and change kernel maps (as bpftool map), dump and list an ELF object's",
	}
	out.register(cmd)
	cmd.AddCommand(newMapDumpCmd(), newMapListCmd("list"), newMapListCmd("show"))
	for _, v := range []struct{ verb, use, short string }{
		{"lookup", "lookup MAP key BYTES", "Print the value of a key"},
		{"update", "update MAP key BYTES value BYTES [any|exist|noexist]", "Set the value of a key (value id N/pinned PATH for program and map arrays)"},
		{"delete", "delete MAP key BYTES", "Delete a key"},
		{"getnext", "getnext MAP [key BYTES]", "Print the key after a key (the first key without one)"},
		{"pin", "pin MAP PATH", "Pin a map on a BPF file system"},
	} {
		cmd.AddCommand(&cobra.Command{
			Use:   v.use,
			Short: v.short + ", as bpftool map " + v.verb,
			Long: v.short + `, as bpftool map ` + v.verb + ` does. MAP is id N, name NAME or
pinned PATH. BYTES are numbers (0x.. for hex) or "hex" and hex digits:
key 1 0 0 0, key hex 01 00 00 00.`,
			Example: "  gbpf map " + strings.Replace(v.use, "MAP", "id 7", 1),
			Args:    cobra.MinimumNArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				return kernelMap(cmd.OutOrStdout(), v.verb, args)
			},
		})
	}
	jsonErrors(cmd)
	return cmd
}

func newMapDumpCmd() *cobra.Command {
	var of objectFlags
	var rf progRunFlags
	var name string
	cmd := &cobra.Command{
		Use:   "dump id N|name NAME|pinned PATH | dump OBJ --map NAME [--prog NAME [--data @FILE] [--ctx @FILE] [--repeat N]] [--json]",
		Short: "Dump a map's elements, like bpftool map dump",
		Long: `With a selector (id N, name NAME, pinned PATH), print the elements of
maps loaded in the kernel as bpftool map dump does: hex bytes, or the
values formatted from the map's BTF ({"packets": 3, "bytes": 126}); -j
and -p print bpftool's JSON, with the formatted value in "formatted".

With a file OBJ, load it and print the elements of map NAME in hex. With
--prog, the program runs first (with --data, --ctx and --repeat, as in
"gbpf prog run"), so the dump shows what it left in the map.`,
		Example: `  gbpf map dump id 7 -p
  gbpf map dump examples/bpf/hash_counter.o --prog count_sources --data @examples/packet.bin --map sources`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if isSelectorWord(args[0], mapSelectors...) {
				return kernelMap(cmd.OutOrStdout(), "dump", args)
			}
			if len(args) != 1 {
				return fmt.Errorf("expected id, name, pinned or one object file, got: %s", strings.Join(args, " "))
			}
			if name == "" {
				return fmt.Errorf("dumping a map of an object file needs --map NAME")
			}
			asJSON := out.jsonOut()
			of.log, rf.stdin = cmd.ErrOrStderr(), cmd.InOrStdin()
			coll, err := of.load(args[0], nil)
			if err != nil {
				return err
			}
			defer coll.Close()
			m := coll.Maps[name]
			if m == nil {
				return fmt.Errorf("no map %q (have %s)", name, sortedNames(coll.Maps))
			}
			if rf.prog != "" {
				if _, err := rf.run(coll); err != nil {
					return err
				}
			}
			var b *bpftool.BTF
			var keyID, valueID uint32
			if spec, err := gbpf.LoadCollectionSpec(args[0]); err == nil {
				b, keyID, valueID = objectMapBTF(spec, name)
			}
			return dumpMap(cmd.OutOrStdout(), m, dumpFormat{json: asJSON, pretty: out.pretty, btf: b, keyID: keyID, valueID: valueID})
		},
	}
	of.register(cmd)
	rf.register(cmd)
	cmd.Flags().StringVar(&name, "map", "", "map of the object file to dump")
	return cmd
}

// element is one element of a dump.
type element struct {
	key    []byte
	value  []byte   // one value
	perCPU [][]byte // or one per CPU
}

// elements reads every element of m; queues and stacks are peeked without
// being drained (their elements are listed in pop order).
func elements(m *gbpf.Map) ([]element, error) {
	sp := m.Spec()
	perCPU := sp.Type == maps.PerCPUArray || sp.Type == maps.PerCPUHash || sp.Type == maps.LRUCPUHash
	switch sp.Type {
	case maps.Queue, maps.Stack, maps.RingBuf, maps.PerfEventArray, maps.ProgramArray:
		return nil, fmt.Errorf("map %s: dumping a %s is not supported", m.Name(), sp.Type)
	}
	var out []element
	key := make([]byte, sp.KeySize)
	var val []byte
	it := m.Iterate()
	for it.Next(key, &val) {
		e := element{key: slices.Clone(key)}
		if perCPU {
			stride := int(sp.ValueSize+7) &^ 7
			for off := 0; off+stride <= len(val); off += stride {
				e.perCPU = append(e.perCPU, slices.Clone(val[off:off+int(sp.ValueSize)]))
			}
		} else {
			e.value = slices.Clone(val)
		}
		out = append(out, e)
	}
	return out, it.Err()
}

// dumpFormat is how dumpMap prints: JSON (pretty or not) or text, with
// values formatted from BTF when btf is set (keyID 0: no key type).
type dumpFormat struct {
	json, pretty   bool
	btf            *bpftool.BTF
	keyID, valueID uint32
}

// dumpMap prints m's elements as bpftool map dump does: hex bytes, or with
// BTF the values formatted from their types (in JSON, the "formatted"
// member).
func dumpMap(w io.Writer, m *gbpf.Map, f dumpFormat) error {
	elems, err := elements(m)
	if err != nil {
		return err
	}
	formatted := func(j *bpftool.JSONWriter, v *bpftool.ValueFormatter, e element) error {
		j.StartObject()
		defer j.EndObject()
		if f.keyID != 0 {
			j.Name("key")
			if err := v.Format(j, f.keyID, e.key); err != nil {
				return err
			}
		}
		if e.perCPU == nil {
			j.Name("value")
			return v.Format(j, f.valueID, e.value)
		}
		j.Name("values")
		j.StartArray()
		defer j.EndArray()
		for cpu, val := range e.perCPU {
			j.StartObject()
			j.IntField("cpu", int64(cpu))
			j.Name("value")
			err := v.Format(j, f.valueID, val)
			j.EndObject()
			if err != nil {
				return err
			}
		}
		return nil
	}
	switch {
	case f.json:
		j := bpftool.NewJSONWriter(w, f.pretty)
		j.StartArray()
		for _, e := range elems {
			j.StartObject()
			j.Name("key")
			j.HexBytes(e.key)
			if e.perCPU == nil {
				j.Name("value")
				j.HexBytes(e.value)
			} else {
				j.Name("values")
				j.StartArray()
				for cpu, v := range e.perCPU {
					j.StartObject()
					j.IntField("cpu", int64(cpu))
					j.Name("value")
					j.HexBytes(v)
					j.EndObject()
				}
				j.EndArray()
			}
			if f.btf != nil {
				j.Name("formatted")
				if err := formatted(j, &bpftool.ValueFormatter{BTF: f.btf}, e); err != nil {
					return err
				}
			}
			j.EndObject()
		}
		j.EndArray()
		return j.Close()
	case f.btf != nil:
		j := bpftool.NewJSONWriter(w, true)
		j.StartArray()
		for _, e := range elems {
			if err := formatted(j, &bpftool.ValueFormatter{BTF: f.btf, Plain: true}, e); err != nil {
				return err
			}
		}
		j.EndArray()
		return j.Close()
	}
	for _, e := range elems {
		if e.perCPU == nil {
			fmt.Fprintf(w, "key: %s  value: %s\n", hexBytes(e.key), hexBytes(e.value))
			continue
		}
		fmt.Fprintf(w, "key:\n%s\n", hexBytes(e.key))
		for cpu, v := range e.perCPU {
			fmt.Fprintf(w, "value (CPU %02d): %s\n", cpu, hexBytes(v))
		}
	}
	s := "s"
	if len(elems) == 1 {
		s = ""
	}
	_, err = fmt.Fprintf(w, "Found %d element%s\n", len(elems), s)
	return err
}

func hexBytes(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}

func newMapListCmd(verb string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   verb + " [id N|name NAME|pinned PATH] | " + verb + " OBJ",
		Short: "List loaded maps, as bpftool map " + verb + ", or the maps of an ELF object",
		Long: `Without an argument, or with a selector (id N, name NAME, pinned PATH),
list the maps loaded in the kernel as bpftool map show does; -j and -p
print bpftool's JSON. With a file OBJ, list the maps of that ELF object.`,
		Example: `  gbpf map ` + verb + `
  gbpf map ` + verb + ` examples/bpf/hash_counter.o`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 || isSelectorWord(args[0], mapSelectors...) {
				return kernelMap(cmd.OutOrStdout(), verb, args)
			}
			if len(args) != 1 {
				return fmt.Errorf("expected id, name, pinned or one object file, got: %s", strings.Join(args, " "))
			}
			asJSON := out.jsonOut()
			spec, err := gbpf.LoadCollectionSpec(args[0])
			if err != nil {
				return err
			}
			type entry struct {
				ID         int    `json:"id"`
				Type       string `json:"type"`
				Name       string `json:"name"`
				KeySize    uint32 `json:"bytes_key"`
				ValueSize  uint32 `json:"bytes_value"`
				MaxEntries uint32 `json:"max_entries"`
				Flags      uint32 `json:"flags"`
			}
			var list []entry
			for i, name := range spec.MapNames() {
				m := spec.Maps[name]
				list = append(list, entry{i, strings.ToLower(m.Type.String()), name, m.KeySize, m.ValueSize, m.MaxEntries, m.Flags})
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(list)
			}
			for _, e := range list {
				fmt.Fprintf(w, "%d: %s  name %s  flags 0x%x\n\tkey %dB  value %dB  max_entries %d\n",
					e.ID, e.Type, e.Name, e.Flags, e.KeySize, e.ValueSize, e.MaxEntries)
			}
			return nil
		},
	}
	return cmd
}
