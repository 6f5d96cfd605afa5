// Command genprotos writes zlinux.go, the prototype of every Linux helper,
// from the kernel's own sources:
//
//   - include/uapi/linux/bpf.h: the helper ids and names (the
//     ___BPF_FUNC_MAPPER list);
//   - the kernel's struct bpf_func_proto definitions (*_proto = { ... } in
//     kernel/, net/, drivers/, security/): the return and argument kinds
//     the kernel's verifier checks a call against. The uapi doc comment
//     gives C types only, which do not tell a read buffer from one the
//     helper fills in, nor a socket from any pointer, so the *_proto
//     definitions are the reference;
//   - the func_proto switch statements (case BPF_FUNC_x: return &y_proto)
//     that tell which definition a helper id uses;
//   - check_map_func_compatibility in kernel/bpf/verifier.c: the map types
//     a helper's map argument accepts;
//   - the BTF of a kernel (default: the running one), whose enum
//     bpf_func_id must agree with the uapi list, and whose enum
//     bpf_map_type numbers the map types.
//
// Usage:
//
//	go run ./internal/genprotos -src LINUX_TREE[:MORE_TREE] [-btf FILE] -o zlinux.go
//
// A later -src overrides an earlier one's definitions of the same name, so
// a few files of a newer kernel can be laid over a complete older tree.
// The output is facts (names, ids, argument kinds) in Go, not the kernel's
// text.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"
)

type srcList []string

func (s *srcList) String() string { return strings.Join(*s, ",") }
func (s *srcList) Set(v string) error {
	for _, p := range filepath.SplitList(v) {
		if p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

func main() {
	var srcs srcList
	flag.Var(&srcs, "src", "Linux source `TREES`, separated as in PATH (repeatable; later trees override earlier ones)")
	btfPath := flag.String("btf", "/sys/kernel/btf/vmlinux", "kernel BTF `FILE` for enum bpf_func_id and bpf_map_type")
	out := flag.String("o", "zlinux.go", "output `FILE`")
	flag.Parse()
	if len(srcs) == 0 {
		log.Fatal("genprotos: -src LINUX_TREE is required")
	}
	g, err := generate(srcs, *btfPath)
	if err != nil {
		log.Fatalf("genprotos: %v", err)
	}
	if err := os.WriteFile(*out, g, 0o644); err != nil {
		log.Fatalf("genprotos: %v", err)
	}
}

// helper is one entry of the uapi list.
type helper struct {
	id   int
	name string
}

// proto is one struct bpf_func_proto definition.
type proto struct {
	name  string
	file  string
	ret   string
	args  [5]string
	sizes [5]string
	pkt   bool
}

func generate(srcs []string, btfPath string) ([]byte, error) {
	var uapi []byte
	for _, s := range srcs {
		if b, err := os.ReadFile(filepath.Join(s, "include/uapi/linux/bpf.h")); err == nil {
			uapi = b
		}
	}
	if uapi == nil {
		return nil, fmt.Errorf("no include/uapi/linux/bpf.h in %v", srcs)
	}
	hs, err := parseMapper(uapi)
	if err != nil {
		return nil, err
	}
	funcIDs, mapTypes, err := kernelEnums(btfPath)
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		if id, ok := funcIDs["BPF_FUNC_"+h.name]; ok && id != h.id {
			return nil, fmt.Errorf("%s: uapi id %d, kernel BTF id %d", h.name, h.id, id)
		}
	}
	for name, id := range funcIDs {
		if strings.HasPrefix(name, "BPF_FUNC_") && (id >= len(hs) || "BPF_FUNC_"+hs[id].name != name) {
			return nil, fmt.Errorf("kernel BTF has helper %s = %d, which the uapi header lacks", name, id)
		}
	}
	protos := map[string]*proto{}
	cases := map[string][]string{} // helper name -> proto names, in order of appearance
	funcs := map[string]*funcProto{}
	ops := map[string]string{} // verifier ops name -> its get_func_proto
	var compat []byte
	for _, s := range srcs {
		err := filepath.WalkDir(s, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".c") {
				return err
			}
			rel, _ := filepath.Rel(s, path)
			top := strings.SplitN(rel, string(filepath.Separator), 2)[0]
			switch top {
			case "kernel", "net", "drivers", "security", "fs":
			default:
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if rel == filepath.Join("kernel", "bpf", "verifier.c") {
				compat = b
			}
			if !bytes.Contains(b, []byte("bpf_func_proto")) && !bytes.Contains(b, []byte("bpf_verifier_ops")) {
				return nil
			}
			for _, p := range parseProtos(b, rel) {
				protos[p.name] = p
			}
			parseCases(b, cases)
			parseFuncProtos(b, funcs)
			for _, m := range opsRE.FindAllSubmatch(b, -1) {
				if f := getFuncRE.FindSubmatch(m[2]); f != nil {
					ops[string(m[1])] = string(f[1])
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	mapCompat := parseMapCompat(compat, mapTypes)
	progTypes, err := kernelEnum(btfPath, "bpf_prog_type")
	if err != nil {
		return nil, err
	}
	typeSets, err := typeHelpers(srcs, ops, funcs, progTypes, hs)
	if err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	buf.WriteString("// Code generated by genprotos from the Linux kernel's include/uapi/linux/bpf.h, struct bpf_func_proto definitions and check_map_func_compatibility; DO NOT EDIT.\n\n")
	buf.WriteString("package helpers\n\n")
	buf.WriteString("// linuxProtos holds the prototype of every helper of Linux, indexed by id,\n")
	buf.WriteString("// as the kernel's verifier checks a call (struct bpf_func_proto); Source\n")
	buf.WriteString("// names the kernel's definition.\n")
	buf.WriteString("var linuxProtos = [...]linuxProto{\n")
	var missing []string
	for _, h := range hs {
		if h.id == 0 {
			continue
		}
		p := pick(h.name, cases[h.name], protos)
		if p == nil {
			missing = append(missing, h.name)
			fmt.Fprintf(&buf, "\t%d: {Prototype{ID: %d, Name: %q, Release: -1}, \"\", \"no bpf_func_proto found\"},\n", h.id, h.id, h.name)
			continue
		}
		ret, err := retKind(p.ret)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %v", h.name, p.name, err)
		}
		var args []string
		var sizes []string
		release := -1
		for i, a := range p.args {
			if a == "" {
				break
			}
			k, rel, err := argKind(a)
			if err != nil {
				return nil, fmt.Errorf("%s (%s): arg%d: %v", h.name, p.name, i+1, err)
			}
			if rel {
				release = i
			}
			args = append(args, k)
			if p.sizes[i] != "" {
				n, err := sizeOf(p.sizes[i])
				if err != nil {
					return nil, fmt.Errorf("%s (%s): arg%d_size: %v", h.name, p.name, i+1, err)
				}
				for len(sizes) < i {
					sizes = append(sizes, "0")
				}
				sizes = append(sizes, strconv.Itoa(n))
			}
		}
		fmt.Fprintf(&buf, "\t%d: {Prototype{ID: %d, Name: %q, Ret: %s", h.id, h.id, h.name, ret)
		if len(args) > 0 {
			fmt.Fprintf(&buf, ", Args: [5]ArgType{%s}", strings.Join(args, ", "))
		}
		if len(sizes) > 0 {
			fmt.Fprintf(&buf, ", ArgSize: [5]int32{%s}", strings.Join(sizes, ", "))
		}
		if mt := mapCompat[h.name]; len(mt) > 0 {
			fmt.Fprintf(&buf, ", MapTypes: []uint32{%s}", joinInts(mt))
		}
		if strings.Contains(p.ret, "ALLOC_MEM") && !strings.Contains(p.ret, "DYNPTR") {
			buf.WriteString(", Acquire: true")
		}
		fmt.Fprintf(&buf, ", Release: %d, Pkt: %v}, %q, %q},\n", release, p.pkt, p.name, filepath.ToSlash(p.file))
	}
	buf.WriteString("}\n\n")
	buf.WriteString("// linuxTypeHelpers holds, for each program type (Linux's numbers), the\n")
	buf.WriteString("// helpers its get_func_proto offers (with its fallbacks), as a bit set\n")
	buf.WriteString("// indexed by helper id: the union over attach types and privileges.\n")
	fmt.Fprintf(&buf, "var linuxTypeHelpers = map[uint32][%d]uint64{\n", (len(hs)+63)/64)
	for _, ts := range typeSets {
		words := make([]string, (len(hs)+63)/64)
		for i := range words {
			words[i] = fmt.Sprintf("%#x", ts.bits[i])
		}
		fmt.Fprintf(&buf, "\t%d: {%s}, // %s: %s\n", ts.num, strings.Join(words, ", "), ts.name, ts.fn)
	}
	buf.WriteString("}\n")
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "genprotos: no bpf_func_proto for %d helpers: %s\n", len(missing), strings.Join(missing, " "))
	}
	return format.Source(buf.Bytes())
}

var mapperRE = regexp.MustCompile(`\bFN\((\w+)(?:, (\d+), ##ctx)?\)`)

// parseMapper reads the ___BPF_FUNC_MAPPER list of the uapi header: the
// numbered form of Linux 6.2 on, or the older list numbered by position.
func parseMapper(b []byte) ([]helper, error) {
	if i := bytes.Index(b, []byte("_BPF_FUNC_MAPPER(FN")); i >= 0 {
		b = b[i:]
		if j := bytes.Index(b, []byte("\n\n")); j > 0 {
			b = b[:j]
		}
	}
	var hs []helper
	for _, m := range mapperRE.FindAllSubmatch(b, -1) {
		id := len(hs)
		if len(m[2]) > 0 {
			id, _ = strconv.Atoi(string(m[2]))
		}
		if id != len(hs) {
			return nil, fmt.Errorf("uapi helper %s has id %d, want %d", m[1], id, len(hs))
		}
		hs = append(hs, helper{id: id, name: string(m[1])})
	}
	if len(hs) < 2 {
		return nil, fmt.Errorf("no ___BPF_FUNC_MAPPER list in the uapi header")
	}
	return hs, nil
}

var (
	funcProtoRE = regexp.MustCompile(`(?s)\n(\w+)\(enum bpf_func_id func_id[^)]*\)\n\{(.*?)\n\}\n`)
	opsRE       = regexp.MustCompile(`(?s)struct bpf_verifier_ops (\w+) = \{(.*?)\n\};`)
	getFuncRE   = regexp.MustCompile(`\.get_func_proto\s*=\s*(\w+)`)
	callRE      = regexp.MustCompile(`(\w+)\(func_id`)
	progTypeRE  = regexp.MustCompile(`BPF_PROG_TYPE\((BPF_PROG_TYPE_\w+),\s*(\w+),`)
	caseGroupRE = regexp.MustCompile(`(?s)((?:case BPF_FUNC_\w+:\s*)+)(.*?)(?:case BPF_FUNC_|default:|$)`)
)

// funcProto is what one get_func_proto function offers: the helpers its
// cases return a proto for, the ones they refuse (return NULL), and the
// functions it falls back to.
type funcProto struct {
	allow, deny map[string]bool
	calls       []string
}

// parseFuncProtos reads the func_proto functions of a file.
func parseFuncProtos(b []byte, funcs map[string]*funcProto) {
	for _, m := range funcProtoRE.FindAllSubmatch(b, -1) {
		fp := &funcProto{allow: map[string]bool{}, deny: map[string]bool{}}
		body := m[2]
		for i := 0; i < len(body); {
			loc := caseGroupRE.FindSubmatchIndex(body[i:])
			if loc == nil {
				break
			}
			names, stmt := body[i+loc[2]:i+loc[3]], body[i+loc[4]:i+loc[5]]
			refuse := strings.TrimSpace(string(stmt)) == "return NULL;"
			for _, n := range nameRE.FindAllSubmatch(names, -1) {
				if refuse {
					fp.deny[string(n[1])] = true
				} else {
					fp.allow[string(n[1])] = true
				}
			}
			i += loc[5]
			if loc[5] == loc[4] && loc[5] == loc[3] {
				break
			}
		}
		for _, c := range callRE.FindAllSubmatch(body, -1) {
			if n := string(c[1]); n != string(m[1]) && strings.HasSuffix(n, "func_proto") {
				fp.calls = append(fp.calls, n)
			}
		}
		funcs[string(m[1])] = fp
	}
}

// typeSet is the helpers of one program type.
type typeSet struct {
	num      int
	name, fn string
	bits     []uint64
}

// typeHelpers resolves, for each program type of include/linux/bpf_types.h,
// the helpers its verifier ops' get_func_proto offers.
func typeHelpers(srcs []string, ops map[string]string, funcs map[string]*funcProto, progTypes map[string]int, hs []helper) ([]typeSet, error) {
	var types []byte
	for _, s := range srcs {
		if b, err := os.ReadFile(filepath.Join(s, "include/linux/bpf_types.h")); err == nil {
			types = b
		}
	}
	if types == nil {
		return nil, fmt.Errorf("no include/linux/bpf_types.h in %v", srcs)
	}
	ids := map[string]int{}
	for _, h := range hs {
		ids[h.name] = h.id
	}
	memo := map[string]map[string]bool{}
	var resolve func(fn string, depth int) map[string]bool
	resolve = func(fn string, depth int) map[string]bool {
		if r, ok := memo[fn]; ok {
			return r
		}
		fp := funcs[fn]
		if fp == nil || depth > 16 {
			return nil
		}
		set := map[string]bool{}
		for _, c := range fp.calls {
			for n := range resolve(c, depth+1) {
				if !fp.deny[n] {
					set[n] = true
				}
			}
		}
		for n := range fp.allow {
			set[n] = true
		}
		memo[fn] = set
		return set
	}
	var out []typeSet
	for _, m := range progTypeRE.FindAllSubmatch(types, -1) {
		num, ok := progTypes[string(m[1])]
		fn := ops[string(m[2])+"_verifier_ops"]
		if !ok || fn == "" {
			continue
		}
		set := resolve(fn, 0)
		if len(set) == 0 {
			continue
		}
		ts := typeSet{num: num, name: string(m[1]), fn: fn, bits: make([]uint64, (len(hs)+63)/64)}
		for n := range set {
			if id, ok := ids[n]; ok {
				ts.bits[id/64] |= 1 << (id % 64)
			}
		}
		if len(out) > 0 && out[len(out)-1].num == num {
			continue
		}
		out = append(out, ts)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].num < out[j].num })
	return out, nil
}

// kernelEnum reads the values of one enum from the BTF at path.
func kernelEnum(path, name string) (map[string]int, error) {
	spec, err := btf.LoadSpec(path)
	if err != nil {
		return nil, err
	}
	var e *btf.Enum
	if err := spec.TypeByName(name, &e); err != nil {
		return nil, fmt.Errorf("%s: enum %s: %w", path, name, err)
	}
	m := map[string]int{}
	for _, v := range e.Values {
		m[v.Name] = int(v.Value)
	}
	return m, nil
}

// kernelEnums reads enum bpf_func_id and enum bpf_map_type from BTF.
func kernelEnums(path string) (funcs, mapTypes map[string]int, err error) {
	spec, err := btf.LoadSpec(path)
	if err != nil {
		return nil, nil, err
	}
	read := func(name string) (map[string]int, error) {
		var e *btf.Enum
		if err := spec.TypeByName(name, &e); err != nil {
			return nil, fmt.Errorf("%s: enum %s: %w", path, name, err)
		}
		m := map[string]int{}
		for _, v := range e.Values {
			if !strings.HasPrefix(v.Name, "__") {
				m[v.Name] = int(v.Value)
			}
		}
		return m, nil
	}
	if funcs, err = read("bpf_func_id"); err != nil {
		return nil, nil, err
	}
	if mapTypes, err = read("bpf_map_type"); err != nil {
		return nil, nil, err
	}
	return funcs, mapTypes, nil
}

var (
	protoRE = regexp.MustCompile(`(?s)struct bpf_func_proto (\w+_proto\w*) = \{(.*?)\n\};`)
	fieldRE = regexp.MustCompile(`\.(\w+)\s*=\s*([^,]+(?:\([^)]*\))?[^,]*),`)
	caseRE  = regexp.MustCompile(`(?s)((?:case BPF_FUNC_\w+:\s*)+)(return[^;]*;)`)
	nameRE  = regexp.MustCompile(`BPF_FUNC_(\w+)`)
	refRE   = regexp.MustCompile(`&(\w+_proto\w*)`)
)

// parseProtos finds the struct bpf_func_proto definitions of a file.
func parseProtos(b []byte, file string) []*proto {
	var ps []*proto
	for _, m := range protoRE.FindAllSubmatch(b, -1) {
		p := &proto{name: string(m[1]), file: file}
		body := string(m[2])
		for _, f := range fieldRE.FindAllStringSubmatch(body+",", -1) {
			v := strings.Join(strings.Fields(f[2]), " ")
			switch k := f[1]; {
			case k == "ret_type":
				p.ret = v
			case k == "pkt_access":
				p.pkt = v == "true"
			case len(k) == 9 && strings.HasPrefix(k, "arg") && strings.HasSuffix(k, "_type"):
				p.args[k[3]-'1'] = v
			case len(k) == 9 && strings.HasPrefix(k, "arg") && strings.HasSuffix(k, "_size"):
				p.sizes[k[3]-'1'] = v
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// parseCases records, for each "case BPF_FUNC_x: return ...;" of the
// func_proto switches, the protos the return statement names.
func parseCases(b []byte, cases map[string][]string) {
	for _, m := range caseRE.FindAllSubmatch(b, -1) {
		refs := refRE.FindAllSubmatch(m[2], -1)
		for _, n := range nameRE.FindAllSubmatch(m[1], -1) {
			for _, r := range refs {
				cases[string(n[1])] = append(cases[string(n[1])], string(r[1]))
			}
		}
	}
}

// pick chooses the definition of helper name: bpf_<name>_proto if there
// is one, else the first one a func_proto switch returns for it.
func pick(name string, refs []string, protos map[string]*proto) *proto {
	if p := protos["bpf_"+name+"_proto"]; p != nil {
		return p
	}
	for _, r := range refs {
		if p := protos[r]; p != nil {
			return p
		}
	}
	return nil
}

// parseMapCompat reads the second switch of check_map_func_compatibility:
// for each helper, the map types its map argument may have.
func parseMapCompat(verifier []byte, mapTypes map[string]int) map[string][]int {
	out := map[string][]int{}
	i := bytes.Index(verifier, []byte("and second from the function itself"))
	if i < 0 {
		return out
	}
	rest := verifier[i:]
	if j := bytes.Index(rest, []byte("\nerror:")); j > 0 {
		rest = rest[:j]
	}
	typeRE := regexp.MustCompile(`map_type != (BPF_MAP_TYPE_\w+)`)
	groupRE := regexp.MustCompile(`(?s)((?:case BPF_FUNC_\w+:\s*)+)(.*?)break;`)
	for _, m := range groupRE.FindAllSubmatch(rest, -1) {
		var types []int
		for _, t := range typeRE.FindAllSubmatch(m[2], -1) {
			if v, ok := mapTypes[string(t[1])]; ok {
				types = append(types, v)
			}
		}
		if len(types) == 0 {
			continue
		}
		sort.Ints(types)
		for _, n := range nameRE.FindAllSubmatch(m[1], -1) {
			out[string(n[1])] = types
		}
	}
	return out
}

// flags splits "ARG_PTR_TO_MEM | MEM_RDONLY" into the base kind and the
// set of flags.
func flags(v string) (string, map[string]bool) {
	fs := map[string]bool{}
	base := ""
	for _, f := range strings.Split(v, "|") {
		f = strings.TrimSpace(f)
		if strings.HasPrefix(f, "ARG_") || strings.HasPrefix(f, "RET_") {
			base = f
		} else {
			fs[f] = true
		}
	}
	return base, fs
}

// argKind maps a kernel argument kind to the name of gbpf's ArgType, and
// tells whether the argument is released (OBJ_RELEASE).
func argKind(v string) (string, bool, error) {
	base, fs := flags(v)
	null := fs["PTR_MAYBE_NULL"]
	// The kernel's aliases.
	switch base {
	case "ARG_PTR_TO_MAP_VALUE_OR_NULL", "ARG_PTR_TO_MEM_OR_NULL", "ARG_PTR_TO_CTX_OR_NULL",
		"ARG_PTR_TO_SOCKET_OR_NULL", "ARG_PTR_TO_ALLOC_MEM_OR_NULL", "ARG_PTR_TO_STACK_OR_NULL", "ARG_PTR_TO_BTF_ID_OR_NULL":
		base, null = strings.TrimSuffix(base, "_OR_NULL"), true
	case "ARG_PTR_TO_UNINIT_MEM":
		base, fs["MEM_UNINIT"] = "ARG_PTR_TO_MEM", true
	case "ARG_PTR_TO_UNINIT_MAP_VALUE":
		base, fs["MEM_UNINIT"] = "ARG_PTR_TO_MAP_VALUE", true
	case "ARG_PTR_TO_FIXED_SIZE_MEM":
		base, fs["MEM_FIXED_SIZE"] = "ARG_PTR_TO_MEM", true
	case "ARG_PTR_TO_INT", "ARG_PTR_TO_LONG":
		base, fs["MEM_FIXED_SIZE"], fs["MEM_UNINIT"] = "ARG_PTR_TO_MEM", true, true
	}
	rel := fs["OBJ_RELEASE"]
	orNull := func(k string) string {
		if null {
			return k + "OrNull"
		}
		return k
	}
	switch base {
	case "ARG_DONTCARE":
		return "ArgDontCare", rel, nil
	case "ARG_ANYTHING":
		return "ArgAnything", rel, nil
	case "ARG_CONST_MAP_PTR":
		return "ArgConstMapPtr", rel, nil
	case "ARG_PTR_TO_MAP_KEY":
		return "ArgPtrToMapKey", rel, nil
	case "ARG_PTR_TO_MAP_VALUE":
		switch {
		case fs["MEM_UNINIT"]:
			return "ArgPtrToUninitMapValue", rel, nil
		case null:
			return "ArgPtrToMapValueOrNull", rel, nil
		}
		return "ArgPtrToMapValue", rel, nil
	case "ARG_PTR_TO_MEM":
		k := "ArgPtrTo"
		if fs["MEM_UNINIT"] {
			k += "Uninit"
		}
		if fs["MEM_FIXED_SIZE"] {
			return k + "FixedMem", rel, nil
		}
		return orNull(k + "Mem"), rel, nil
	case "ARG_CONST_SIZE":
		return "ArgConstSize", rel, nil
	case "ARG_CONST_SIZE_OR_ZERO":
		return "ArgConstSizeOrZero", rel, nil
	case "ARG_CONST_ALLOC_SIZE_OR_ZERO":
		return "ArgConstAllocSizeOrZero", rel, nil
	case "ARG_PTR_TO_CTX":
		return orNull("ArgPtrToCtx"), rel, nil
	case "ARG_PTR_TO_STACK":
		return orNull("ArgPtrToStack"), rel, nil
	case "ARG_PTR_TO_FUNC":
		return "ArgPtrToFunc", rel, nil
	case "ARG_PTR_TO_CONST_STR":
		return "ArgPtrToConstStr", rel, nil
	case "ARG_PTR_TO_ALLOC_MEM":
		return "ArgPtrToAllocMem", rel, nil
	case "ARG_PTR_TO_SPIN_LOCK":
		return "ArgPtrToSpinLock", rel, nil
	case "ARG_PTR_TO_SOCK_COMMON":
		return "ArgPtrToSockCommon", rel, nil
	case "ARG_PTR_TO_SOCKET":
		return orNull("ArgPtrToSocket"), rel, nil
	case "ARG_PTR_TO_BTF_ID", "ARG_PTR_TO_BTF_ID_SOCK_COMMON", "ARG_PTR_TO_PERCPU_BTF_ID":
		return orNull("ArgPtrToBTFID"), rel, nil
	case "ARG_PTR_TO_TIMER":
		return "ArgPtrToTimer", rel, nil
	case "ARG_PTR_TO_KPTR":
		return "ArgPtrToKptr", rel, nil
	case "ARG_PTR_TO_DYNPTR":
		return "ArgPtrToDynptr", rel, nil
	}
	return "", false, fmt.Errorf("unknown argument kind %q", v)
}

// retKind maps a kernel return kind to the name of gbpf's RetType.
func retKind(v string) (string, error) {
	base, fs := flags(v)
	null := fs["PTR_MAYBE_NULL"]
	if b, ok := strings.CutSuffix(base, "_OR_NULL"); ok {
		base, null = b, true
	}
	orNull := func(k string) string {
		if null {
			return k + "OrNull"
		}
		return k
	}
	switch base {
	case "RET_INTEGER":
		return "RetInteger", nil
	case "RET_VOID":
		return "RetVoid", nil
	case "RET_PTR_TO_MAP_VALUE":
		return orNull("RetPtrToMapValue"), nil
	case "RET_PTR_TO_ALLOC_MEM":
		if !null {
			return "", fmt.Errorf("non-NULL allocated memory %q", v)
		}
		return "RetPtrToAllocMemOrNull", nil
	case "RET_PTR_TO_DYNPTR_MEM":
		return "RetPtrToAllocMemOrNull", nil
	case "RET_PTR_TO_SOCKET", "RET_PTR_TO_TCP_SOCK", "RET_PTR_TO_SOCK_COMMON", "RET_PTR_TO_BTF_ID", "RET_PTR_TO_MEM_OR_BTF_ID":
		return orNull("RetPtrToBTFID"), nil
	}
	return "", fmt.Errorf("unknown return kind %q", v)
}

var sizeofRE = regexp.MustCompile(`^sizeof\((?:struct )?(\w+)\)$`)

// sizeOf evaluates an argN_size expression.
func sizeOf(v string) (int, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return n, nil
	}
	m := sizeofRE.FindStringSubmatch(v)
	if m == nil {
		return 0, fmt.Errorf("size %q", v)
	}
	switch m[1] {
	case "u8", "s8", "__u8", "char":
		return 1, nil
	case "u16", "s16", "__u16":
		return 2, nil
	case "u32", "s32", "__u32", "int":
		return 4, nil
	case "u64", "s64", "__u64", "long", "unsigned long":
		return 8, nil
	case "bpf_dynptr":
		return 16, nil
	case "iphdr", "tcphdr":
		return 20, nil
	case "ipv6hdr":
		return 40, nil
	}
	return 0, fmt.Errorf("size of %q", m[1])
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
