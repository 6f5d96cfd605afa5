package maps

import "fmt"

// Type is a map type, numbered as in Linux's enum bpf_map_type.
type Type uint32

// Map types. Names follow cilium/ebpf's MapType.
const (
	UnspecifiedMap      Type = 0
	Hash                Type = 1
	Array               Type = 2
	ProgramArray        Type = 3
	PerfEventArray      Type = 4
	PerCPUHash          Type = 5
	PerCPUArray         Type = 6
	StackTrace          Type = 7
	CGroupArray         Type = 8
	LRUHash             Type = 9
	LRUCPUHash          Type = 10
	LPMTrie             Type = 11
	ArrayOfMaps         Type = 12
	HashOfMaps          Type = 13
	DevMap              Type = 14
	SockMap             Type = 15
	CPUMap              Type = 16
	XSKMap              Type = 17
	SockHash            Type = 18
	CGroupStorage       Type = 19
	ReusePortSockArray  Type = 20
	PerCPUCGroupStorage Type = 21
	Queue               Type = 22
	Stack               Type = 23
	SkStorage           Type = 24
	DevMapHash          Type = 25
	StructOpsMap        Type = 26
	RingBuf             Type = 27
	InodeStorage        Type = 28
	TaskStorage         Type = 29
	BloomFilter         Type = 30
	UserRingbuf         Type = 31
	CgroupStorage       Type = 32
	Arena               Type = 33
)

var typeNames = [...]string{
	UnspecifiedMap:      "UnspecifiedMap",
	Hash:                "Hash",
	Array:               "Array",
	ProgramArray:        "ProgramArray",
	PerfEventArray:      "PerfEventArray",
	PerCPUHash:          "PerCPUHash",
	PerCPUArray:         "PerCPUArray",
	StackTrace:          "StackTrace",
	CGroupArray:         "CGroupArray",
	LRUHash:             "LRUHash",
	LRUCPUHash:          "LRUCPUHash",
	LPMTrie:             "LPMTrie",
	ArrayOfMaps:         "ArrayOfMaps",
	HashOfMaps:          "HashOfMaps",
	DevMap:              "DevMap",
	SockMap:             "SockMap",
	CPUMap:              "CPUMap",
	XSKMap:              "XSKMap",
	SockHash:            "SockHash",
	CGroupStorage:       "CGroupStorage",
	ReusePortSockArray:  "ReusePortSockArray",
	PerCPUCGroupStorage: "PerCPUCGroupStorage",
	Queue:               "Queue",
	Stack:               "Stack",
	SkStorage:           "SkStorage",
	DevMapHash:          "DevMapHash",
	StructOpsMap:        "StructOpsMap",
	RingBuf:             "RingBuf",
	InodeStorage:        "InodeStorage",
	TaskStorage:         "TaskStorage",
	BloomFilter:         "BloomFilter",
	UserRingbuf:         "UserRingbuf",
	CgroupStorage:       "CgroupStorage",
	Arena:               "Arena",
}

// String returns the type's name, such as "Hash".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint32(t))
}

// hasPerCPUValues reports whether values exist once per CPU.
func (t Type) hasPerCPUValues() bool {
	return t == PerCPUHash || t == PerCPUArray || t == LRUCPUHash || t == PerCPUCGroupStorage
}

// canStoreMap reports whether values are inner maps.
func (t Type) canStoreMap() bool { return t == ArrayOfMaps || t == HashOfMaps }
