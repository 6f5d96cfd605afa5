package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/maps"
)

func init() { addCommand(newMapCmd()) }

// newMapCmd returns "map", with dump and list.
func newMapCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Inspect the maps of an ELF object, after running a program",
	}
	cmd.AddCommand(newMapDumpCmd(), newMapListCmd())
	return cmd
}

func newMapDumpCmd() *cobra.Command {
	var of objectFlags
	var rf progRunFlags
	var name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "dump OBJ --map NAME [--prog NAME [--data @FILE] [--ctx @FILE] [--repeat N]] [--json]",
		Short: "Dump a map's elements, like bpftool map dump",
		Long: `Load OBJ and print the elements of map NAME in hex, as bpftool map dump
does. With --prog, the program runs first (with --data, --ctx and --repeat,
as in "gbpf prog run"), so the dump shows what it left in the map.`,
		Example: `  gbpf map dump examples/bpf/hash_counter.o --prog count_sources --data @examples/packet.bin --map sources`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			return dumpMap(cmd.OutOrStdout(), m, asJSON)
		},
	}
	of.register(cmd)
	rf.register(cmd)
	cmd.Flags().StringVar(&name, "map", "", "map to dump")
	cmd.Flags().BoolVarP(&asJSON, "json", "j", false, "print JSON")
	_ = cmd.MarkFlagRequired("map")
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

// dumpMap prints m's elements in bpftool's plain or JSON format.
func dumpMap(w io.Writer, m *gbpf.Map, asJSON bool) error {
	elems, err := elements(m)
	if err != nil {
		return err
	}
	if asJSON {
		type cpuValue struct {
			CPU   int      `json:"cpu"`
			Value []string `json:"value"`
		}
		type jsonElem struct {
			Key    []string   `json:"key"`
			Value  []string   `json:"value,omitempty"`
			Values []cpuValue `json:"values,omitempty"`
		}
		list := []jsonElem{}
		for _, e := range elems {
			je := jsonElem{Key: hexList(e.key), Value: hexList(e.value)}
			for cpu, v := range e.perCPU {
				je.Values = append(je.Values, cpuValue{cpu, hexList(v)})
			}
			list = append(list, je)
		}
		return json.NewEncoder(w).Encode(list)
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

func hexList(b []byte) []string {
	if b == nil {
		return nil
	}
	out := make([]string, len(b))
	for i, c := range b {
		out[i] = fmt.Sprintf("0x%02x", c)
	}
	return out
}

func newMapListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list OBJ [--json]",
		Short: "List the maps of an ELF object, like bpftool map list",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
	cmd.Flags().BoolVarP(&asJSON, "json", "j", false, "print JSON")
	return cmd
}
