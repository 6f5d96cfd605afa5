package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// writeTree writes a small Linux source tree: the uapi helper list (every
// helper of the running kernel's BTF, so that the ids agree), bpf_types.h
// and one file of protos, a func_proto switch and the map compatibility
// switch.
func writeTree(t *testing.T, btfPath string) string {
	t.Helper()
	funcs, err := kernelEnum(btfPath, "bpf_func_id")
	if err != nil {
		t.Skipf("kernel BTF: %v", err)
	}
	type kv struct {
		name string
		id   int
	}
	var list []kv
	for n, id := range funcs {
		if strings.HasPrefix(n, "BPF_FUNC_") {
			list = append(list, kv{strings.TrimPrefix(n, "BPF_FUNC_"), id})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	var uapi strings.Builder
	uapi.WriteString("#define ___BPF_FUNC_MAPPER(FN, ctx...)\t\\\n")
	for _, h := range list {
		fmt.Fprintf(&uapi, "\tFN(%s, %d, ##ctx)\t\\\n", h.name, h.id)
	}
	uapi.WriteString("\t/* */\n\n")
	dir := t.TempDir()
	files := map[string]string{
		"include/uapi/linux/bpf.h": uapi.String(),
		"include/linux/bpf_types.h": "BPF_PROG_TYPE(BPF_PROG_TYPE_XDP, xdp,\n\t      struct xdp_md, struct xdp_buff)\n" +
			"BPF_PROG_TYPE(BPF_PROG_TYPE_SOCKET_FILTER, sk_filter,\n\t      struct __sk_buff, struct sk_buff)\n",
		"net/core/filter.c": `
const struct bpf_func_proto bpf_map_lookup_elem_proto = {
	.func		= bpf_map_lookup_elem,
	.ret_type	= RET_PTR_TO_MAP_VALUE_OR_NULL,
	.arg1_type	= ARG_CONST_MAP_PTR,
	.arg2_type	= ARG_PTR_TO_MAP_KEY,
};

static const struct bpf_func_proto bpf_xdp_redirect_map_proto = {
	.func           = bpf_xdp_redirect_map,
	.ret_type       = RET_INTEGER,
	.arg1_type      = ARG_CONST_MAP_PTR,
	.arg2_type      = ARG_ANYTHING,
	.arg3_type      = ARG_ANYTHING,
};

const struct bpf_func_proto bpf_strtol_proto = {
	.ret_type	= RET_INTEGER,
	.arg1_type	= ARG_PTR_TO_MEM | MEM_RDONLY,
	.arg2_type	= ARG_CONST_SIZE,
	.arg3_type	= ARG_ANYTHING,
	.arg4_type	= ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED,
	.arg4_size	= sizeof(s64),
};

const struct bpf_func_proto bpf_sk_release_proto = {
	.ret_type	= RET_INTEGER,
	.arg1_type	= ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE,
};

static const struct bpf_func_proto *
bpf_base_func_proto(enum bpf_func_id func_id)
{
	switch (func_id) {
	case BPF_FUNC_map_lookup_elem:
		return &bpf_map_lookup_elem_proto;
	case BPF_FUNC_strtol:
		return &bpf_strtol_proto;
	default:
		return NULL;
	}
}

static const struct bpf_func_proto *
xdp_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	switch (func_id) {
	case BPF_FUNC_redirect_map:
		return &bpf_xdp_redirect_map_proto;
	case BPF_FUNC_strtol:
		return NULL;
	default:
		return bpf_base_func_proto(func_id);
	}
}

static const struct bpf_func_proto *
sk_filter_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	return bpf_base_func_proto(func_id);
}

const struct bpf_verifier_ops xdp_verifier_ops = {
	.get_func_proto		= xdp_func_proto,
};

const struct bpf_verifier_ops sk_filter_verifier_ops = {
	.get_func_proto		= sk_filter_func_proto,
};
`,
		"kernel/bpf/verifier.c": `
	/* ... and second from the function itself. */
	switch (func_id) {
	case BPF_FUNC_redirect_map:
		if (map->map_type != BPF_MAP_TYPE_DEVMAP &&
		    map->map_type != BPF_MAP_TYPE_XSKMAP)
			goto error;
		break;
	default:
		break;
	}
	return 0;
error:
`,
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestGenerate(t *testing.T) {
	const btfPath = "/sys/kernel/btf/vmlinux"
	dir := writeTree(t, btfPath)
	out, err := generate([]string{dir}, btfPath)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		`1:   {Prototype{ID: 1, Name: "map_lookup_elem", Ret: RetPtrToMapValueOrNull, Args: [5]ArgType{ArgConstMapPtr, ArgPtrToMapKey}, Release: -1, Pkt: false}, "bpf_map_lookup_elem_proto", "net/core/filter.c"}`,
		// Found through the xdp_func_proto switch; map types from
		// verifier.c (BPF_MAP_TYPE_DEVMAP is 14, XSKMAP 17).
		`Name: "redirect_map", Ret: RetInteger, Args: [5]ArgType{ArgConstMapPtr, ArgAnything, ArgAnything}, MapTypes: []uint32{14, 17}, Release: -1, Pkt: false}, "bpf_xdp_redirect_map_proto"`,
		`Name: "strtol", Ret: RetInteger, Args: [5]ArgType{ArgPtrToMem, ArgConstSize, ArgAnything, ArgPtrToUninitFixedMem}, ArgSize: [5]int32{0, 0, 0, 8}, Release: -1`,
		`Name: "sk_release", Ret: RetInteger, Args: [5]ArgType{ArgPtrToBTFID}, Release: 0`,
		`"no bpf_func_proto found"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	// XDP: redirect_map and the base's map_lookup_elem, not strtol, which
	// it refuses; socket filters: the base's two.
	bit := func(id int) uint64 { return 1 << id }
	xdp := fmt.Sprintf("6: {%#x, 0x0, 0x0, 0x0}, // BPF_PROG_TYPE_XDP: xdp_func_proto", bit(1)|bit(51))
	sock := fmt.Sprintf("1: {%#x, 0x20000000000, 0x0, 0x0}, // BPF_PROG_TYPE_SOCKET_FILTER: sk_filter_func_proto", bit(1))
	for _, want := range []string{xdp, sock} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), want) {
			t.Errorf("output lacks %s", want)
		}
	}
}

func TestArgKinds(t *testing.T) {
	for in, want := range map[string]string{
		"ARG_PTR_TO_UNINIT_MEM":                              "ArgPtrToUninitMem",
		"ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY":       "ArgPtrToMemOrNull",
		"ARG_PTR_TO_MAP_VALUE_OR_NULL":                       "ArgPtrToMapValueOrNull",
		"ARG_PTR_TO_UNINIT_MAP_VALUE":                        "ArgPtrToUninitMapValue",
		"ARG_PTR_TO_LONG":                                    "ArgPtrToUninitFixedMem",
		"ARG_PTR_TO_CTX_OR_NULL":                             "ArgPtrToCtxOrNull",
		"ARG_PTR_TO_STACK_OR_NULL":                           "ArgPtrToStackOrNull",
		"ARG_PTR_TO_SOCKET_OR_NULL":                          "ArgPtrToSocketOrNull",
		"ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL | MEM_UNINIT": "ArgPtrToDynptr",
	} {
		got, _, err := argKind(in)
		if err != nil || got != want {
			t.Errorf("argKind(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, _, err := argKind("ARG_PTR_TO_NEW_THING"); err == nil {
		t.Error("an unknown kind was mapped")
	}
	for in, want := range map[string]string{
		"RET_PTR_TO_BTF_ID_OR_NULL":     "RetPtrToBTFIDOrNull",
		"RET_PTR_TO_SOCKET_OR_NULL":     "RetPtrToBTFIDOrNull",
		"RET_PTR_TO_MAP_VALUE":          "RetPtrToMapValue",
		"RET_PTR_TO_DYNPTR_MEM_OR_NULL": "RetPtrToAllocMemOrNull",
		"RET_VOID":                      "RetVoid",
	} {
		if got, err := retKind(in); err != nil || got != want {
			t.Errorf("retKind(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := retKind("RET_PTR_TO_ALLOC_MEM"); err == nil {
		t.Error("non-NULL allocated memory was mapped")
	}
}
