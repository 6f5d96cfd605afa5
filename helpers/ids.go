// The helper ids below follow the kernel's include/uapi/linux/bpf.h ___BPF_FUNC_MAPPER, entry for entry.

package helpers

// ID is a helper function id, numbered as in Linux's enum bpf_func_id: the
// Imm of a call instruction whose Src is isa.PseudoCallHelper.
type ID int32

// Helper ids, in Linux's order and numbering. The names are the kernel's
// without the bpf_ prefix, in Go style.
const (
	Unspec                     ID = iota // 0: not a helper
	MapLookupElem                        // 1: bpf_map_lookup_elem
	MapUpdateElem                        // 2: bpf_map_update_elem
	MapDeleteElem                        // 3: bpf_map_delete_elem
	ProbeRead                            // 4: bpf_probe_read
	KtimeGetNS                           // 5: bpf_ktime_get_ns
	TracePrintk                          // 6: bpf_trace_printk
	GetPrandomU32                        // 7: bpf_get_prandom_u32
	GetSmpProcessorID                    // 8: bpf_get_smp_processor_id
	SKBStoreBytes                        // 9: bpf_skb_store_bytes
	L3CsumReplace                        // 10: bpf_l3_csum_replace
	L4CsumReplace                        // 11: bpf_l4_csum_replace
	TailCall                             // 12: bpf_tail_call
	CloneRedirect                        // 13: bpf_clone_redirect
	GetCurrentPidTgid                    // 14: bpf_get_current_pid_tgid
	GetCurrentUidGid                     // 15: bpf_get_current_uid_gid
	GetCurrentComm                       // 16: bpf_get_current_comm
	GetCgroupClassid                     // 17: bpf_get_cgroup_classid
	SKBVlanPush                          // 18: bpf_skb_vlan_push
	SKBVlanPop                           // 19: bpf_skb_vlan_pop
	SKBGetTunnelKey                      // 20: bpf_skb_get_tunnel_key
	SKBSetTunnelKey                      // 21: bpf_skb_set_tunnel_key
	PerfEventRead                        // 22: bpf_perf_event_read
	Redirect                             // 23: bpf_redirect
	GetRouteRealm                        // 24: bpf_get_route_realm
	PerfEventOutput                      // 25: bpf_perf_event_output
	SKBLoadBytes                         // 26: bpf_skb_load_bytes
	GetStackid                           // 27: bpf_get_stackid
	CsumDiff                             // 28: bpf_csum_diff
	SKBGetTunnelOpt                      // 29: bpf_skb_get_tunnel_opt
	SKBSetTunnelOpt                      // 30: bpf_skb_set_tunnel_opt
	SKBChangeProto                       // 31: bpf_skb_change_proto
	SKBChangeType                        // 32: bpf_skb_change_type
	SKBUnderCgroup                       // 33: bpf_skb_under_cgroup
	GetHashRecalc                        // 34: bpf_get_hash_recalc
	GetCurrentTask                       // 35: bpf_get_current_task
	ProbeWriteUser                       // 36: bpf_probe_write_user
	CurrentTaskUnderCgroup               // 37: bpf_current_task_under_cgroup
	SKBChangeTail                        // 38: bpf_skb_change_tail
	SKBPullData                          // 39: bpf_skb_pull_data
	CsumUpdate                           // 40: bpf_csum_update
	SetHashInvalid                       // 41: bpf_set_hash_invalid
	GetNumaNodeID                        // 42: bpf_get_numa_node_id
	SKBChangeHead                        // 43: bpf_skb_change_head
	XDPAdjustHead                        // 44: bpf_xdp_adjust_head
	ProbeReadStr                         // 45: bpf_probe_read_str
	GetSocketCookie                      // 46: bpf_get_socket_cookie
	GetSocketUID                         // 47: bpf_get_socket_uid
	SetHash                              // 48: bpf_set_hash
	Setsockopt                           // 49: bpf_setsockopt
	SKBAdjustRoom                        // 50: bpf_skb_adjust_room
	RedirectMap                          // 51: bpf_redirect_map
	SkRedirectMap                        // 52: bpf_sk_redirect_map
	SockMapUpdate                        // 53: bpf_sock_map_update
	XDPAdjustMeta                        // 54: bpf_xdp_adjust_meta
	PerfEventReadValue                   // 55: bpf_perf_event_read_value
	PerfProgReadValue                    // 56: bpf_perf_prog_read_value
	Getsockopt                           // 57: bpf_getsockopt
	OverrideReturn                       // 58: bpf_override_return
	SockOpsCbFlagsSet                    // 59: bpf_sock_ops_cb_flags_set
	MsgRedirectMap                       // 60: bpf_msg_redirect_map
	MsgApplyBytes                        // 61: bpf_msg_apply_bytes
	MsgCorkBytes                         // 62: bpf_msg_cork_bytes
	MsgPullData                          // 63: bpf_msg_pull_data
	Bind                                 // 64: bpf_bind
	XDPAdjustTail                        // 65: bpf_xdp_adjust_tail
	SKBGetXfrmState                      // 66: bpf_skb_get_xfrm_state
	GetStack                             // 67: bpf_get_stack
	SKBLoadBytesRelative                 // 68: bpf_skb_load_bytes_relative
	FIBLookup                            // 69: bpf_fib_lookup
	SockHashUpdate                       // 70: bpf_sock_hash_update
	MsgRedirectHash                      // 71: bpf_msg_redirect_hash
	SkRedirectHash                       // 72: bpf_sk_redirect_hash
	LWTPushEncap                         // 73: bpf_lwt_push_encap
	LWTSeg6StoreBytes                    // 74: bpf_lwt_seg6_store_bytes
	LWTSeg6AdjustSRH                     // 75: bpf_lwt_seg6_adjust_srh
	LWTSeg6Action                        // 76: bpf_lwt_seg6_action
	RcRepeat                             // 77: bpf_rc_repeat
	RcKeydown                            // 78: bpf_rc_keydown
	SKBCgroupID                          // 79: bpf_skb_cgroup_id
	GetCurrentCgroupID                   // 80: bpf_get_current_cgroup_id
	GetLocalStorage                      // 81: bpf_get_local_storage
	SkSelectReuseport                    // 82: bpf_sk_select_reuseport
	SKBAncestorCgroupID                  // 83: bpf_skb_ancestor_cgroup_id
	SkLookupTCP                          // 84: bpf_sk_lookup_tcp
	SkLookupUDP                          // 85: bpf_sk_lookup_udp
	SkRelease                            // 86: bpf_sk_release
	MapPushElem                          // 87: bpf_map_push_elem
	MapPopElem                           // 88: bpf_map_pop_elem
	MapPeekElem                          // 89: bpf_map_peek_elem
	MsgPushData                          // 90: bpf_msg_push_data
	MsgPopData                           // 91: bpf_msg_pop_data
	RcPointerRel                         // 92: bpf_rc_pointer_rel
	SpinLock                             // 93: bpf_spin_lock
	SpinUnlock                           // 94: bpf_spin_unlock
	SkFullsock                           // 95: bpf_sk_fullsock
	TCPSock                              // 96: bpf_tcp_sock
	SKBECNSetCE                          // 97: bpf_skb_ecn_set_ce
	GetListenerSock                      // 98: bpf_get_listener_sock
	SkcLookupTCP                         // 99: bpf_skc_lookup_tcp
	TCPCheckSyncookie                    // 100: bpf_tcp_check_syncookie
	SysctlGetName                        // 101: bpf_sysctl_get_name
	SysctlGetCurrentValue                // 102: bpf_sysctl_get_current_value
	SysctlGetNewValue                    // 103: bpf_sysctl_get_new_value
	SysctlSetNewValue                    // 104: bpf_sysctl_set_new_value
	Strtol                               // 105: bpf_strtol
	Strtoul                              // 106: bpf_strtoul
	SkStorageGet                         // 107: bpf_sk_storage_get
	SkStorageDelete                      // 108: bpf_sk_storage_delete
	SendSignal                           // 109: bpf_send_signal
	TCPGenSyncookie                      // 110: bpf_tcp_gen_syncookie
	SKBOutput                            // 111: bpf_skb_output
	ProbeReadUser                        // 112: bpf_probe_read_user
	ProbeReadKernel                      // 113: bpf_probe_read_kernel
	ProbeReadUserStr                     // 114: bpf_probe_read_user_str
	ProbeReadKernelStr                   // 115: bpf_probe_read_kernel_str
	TCPSendAck                           // 116: bpf_tcp_send_ack
	SendSignalThread                     // 117: bpf_send_signal_thread
	Jiffies64                            // 118: bpf_jiffies64
	ReadBranchRecords                    // 119: bpf_read_branch_records
	GetNSCurrentPidTgid                  // 120: bpf_get_ns_current_pid_tgid
	XDPOutput                            // 121: bpf_xdp_output
	GetNetnsCookie                       // 122: bpf_get_netns_cookie
	GetCurrentAncestorCgroupID           // 123: bpf_get_current_ancestor_cgroup_id
	SkAssign                             // 124: bpf_sk_assign
	KtimeGetBootNS                       // 125: bpf_ktime_get_boot_ns
	SeqPrintf                            // 126: bpf_seq_printf
	SeqWrite                             // 127: bpf_seq_write
	SkCgroupID                           // 128: bpf_sk_cgroup_id
	SkAncestorCgroupID                   // 129: bpf_sk_ancestor_cgroup_id
	RingbufOutput                        // 130: bpf_ringbuf_output
	RingbufReserve                       // 131: bpf_ringbuf_reserve
	RingbufSubmit                        // 132: bpf_ringbuf_submit
	RingbufDiscard                       // 133: bpf_ringbuf_discard
	RingbufQuery                         // 134: bpf_ringbuf_query
	CsumLevel                            // 135: bpf_csum_level
	SkcToTCP6Sock                        // 136: bpf_skc_to_tcp6_sock
	SkcToTCPSock                         // 137: bpf_skc_to_tcp_sock
	SkcToTCPTimewaitSock                 // 138: bpf_skc_to_tcp_timewait_sock
	SkcToTCPRequestSock                  // 139: bpf_skc_to_tcp_request_sock
	SkcToUDP6Sock                        // 140: bpf_skc_to_udp6_sock
	GetTaskStack                         // 141: bpf_get_task_stack
	LoadHdrOpt                           // 142: bpf_load_hdr_opt
	StoreHdrOpt                          // 143: bpf_store_hdr_opt
	ReserveHdrOpt                        // 144: bpf_reserve_hdr_opt
	InodeStorageGet                      // 145: bpf_inode_storage_get
	InodeStorageDelete                   // 146: bpf_inode_storage_delete
	DPath                                // 147: bpf_d_path
	CopyFromUser                         // 148: bpf_copy_from_user
	SnprintfBTF                          // 149: bpf_snprintf_btf
	SeqPrintfBTF                         // 150: bpf_seq_printf_btf
	SKBCgroupClassid                     // 151: bpf_skb_cgroup_classid
	RedirectNeigh                        // 152: bpf_redirect_neigh
	PerCPUPtr                            // 153: bpf_per_cpu_ptr
	ThisCPUPtr                           // 154: bpf_this_cpu_ptr
	RedirectPeer                         // 155: bpf_redirect_peer
	TaskStorageGet                       // 156: bpf_task_storage_get
	TaskStorageDelete                    // 157: bpf_task_storage_delete
	GetCurrentTaskBTF                    // 158: bpf_get_current_task_btf
	BprmOptsSet                          // 159: bpf_bprm_opts_set
	KtimeGetCoarseNS                     // 160: bpf_ktime_get_coarse_ns
	IMAInodeHash                         // 161: bpf_ima_inode_hash
	SockFromFile                         // 162: bpf_sock_from_file
	CheckMTU                             // 163: bpf_check_mtu
	ForEachMapElem                       // 164: bpf_for_each_map_elem
	Snprintf                             // 165: bpf_snprintf
	SysBpf                               // 166: bpf_sys_bpf
	BTFFindByNameKind                    // 167: bpf_btf_find_by_name_kind
	SysClose                             // 168: bpf_sys_close
	TimerInit                            // 169: bpf_timer_init
	TimerSetCallback                     // 170: bpf_timer_set_callback
	TimerStart                           // 171: bpf_timer_start
	TimerCancel                          // 172: bpf_timer_cancel
	GetFuncIP                            // 173: bpf_get_func_ip
	GetAttachCookie                      // 174: bpf_get_attach_cookie
	TaskPtRegs                           // 175: bpf_task_pt_regs
	GetBranchSnapshot                    // 176: bpf_get_branch_snapshot
	TraceVprintk                         // 177: bpf_trace_vprintk
	SkcToUnixSock                        // 178: bpf_skc_to_unix_sock
	KallsymsLookupName                   // 179: bpf_kallsyms_lookup_name
	FindVMA                              // 180: bpf_find_vma
	Loop                                 // 181: bpf_loop
	Strncmp                              // 182: bpf_strncmp
	GetFuncArg                           // 183: bpf_get_func_arg
	GetFuncRet                           // 184: bpf_get_func_ret
	GetFuncArgCnt                        // 185: bpf_get_func_arg_cnt
	GetRetval                            // 186: bpf_get_retval
	SetRetval                            // 187: bpf_set_retval
	XDPGetBuffLen                        // 188: bpf_xdp_get_buff_len
	XDPLoadBytes                         // 189: bpf_xdp_load_bytes
	XDPStoreBytes                        // 190: bpf_xdp_store_bytes
	CopyFromUserTask                     // 191: bpf_copy_from_user_task
	SKBSetTstamp                         // 192: bpf_skb_set_tstamp
	IMAFileHash                          // 193: bpf_ima_file_hash
	KptrXchg                             // 194: bpf_kptr_xchg
	MapLookupPercpuElem                  // 195: bpf_map_lookup_percpu_elem
	SkcToMPTCPSock                       // 196: bpf_skc_to_mptcp_sock
	DynptrFromMem                        // 197: bpf_dynptr_from_mem
	RingbufReserveDynptr                 // 198: bpf_ringbuf_reserve_dynptr
	RingbufSubmitDynptr                  // 199: bpf_ringbuf_submit_dynptr
	RingbufDiscardDynptr                 // 200: bpf_ringbuf_discard_dynptr
	DynptrRead                           // 201: bpf_dynptr_read
	DynptrWrite                          // 202: bpf_dynptr_write
	DynptrData                           // 203: bpf_dynptr_data
	TCPRawGenSyncookieIPv4               // 204: bpf_tcp_raw_gen_syncookie_ipv4
	TCPRawGenSyncookieIPv6               // 205: bpf_tcp_raw_gen_syncookie_ipv6
	TCPRawCheckSyncookieIPv4             // 206: bpf_tcp_raw_check_syncookie_ipv4
	TCPRawCheckSyncookieIPv6             // 207: bpf_tcp_raw_check_syncookie_ipv6
	KtimeGetTAINS                        // 208: bpf_ktime_get_tai_ns
	UserRingbufDrain                     // 209: bpf_user_ringbuf_drain
	CgrpStorageGet                       // 210: bpf_cgrp_storage_get
	CgrpStorageDelete                    // 211: bpf_cgrp_storage_delete
)

// MaxID is one past the highest helper id gbpf knows by name.
const MaxID = CgrpStorageDelete + 1

var names = [...]string{
	Unspec:                     "unspec",
	MapLookupElem:              "map_lookup_elem",
	MapUpdateElem:              "map_update_elem",
	MapDeleteElem:              "map_delete_elem",
	ProbeRead:                  "probe_read",
	KtimeGetNS:                 "ktime_get_ns",
	TracePrintk:                "trace_printk",
	GetPrandomU32:              "get_prandom_u32",
	GetSmpProcessorID:          "get_smp_processor_id",
	SKBStoreBytes:              "skb_store_bytes",
	L3CsumReplace:              "l3_csum_replace",
	L4CsumReplace:              "l4_csum_replace",
	TailCall:                   "tail_call",
	CloneRedirect:              "clone_redirect",
	GetCurrentPidTgid:          "get_current_pid_tgid",
	GetCurrentUidGid:           "get_current_uid_gid",
	GetCurrentComm:             "get_current_comm",
	GetCgroupClassid:           "get_cgroup_classid",
	SKBVlanPush:                "skb_vlan_push",
	SKBVlanPop:                 "skb_vlan_pop",
	SKBGetTunnelKey:            "skb_get_tunnel_key",
	SKBSetTunnelKey:            "skb_set_tunnel_key",
	PerfEventRead:              "perf_event_read",
	Redirect:                   "redirect",
	GetRouteRealm:              "get_route_realm",
	PerfEventOutput:            "perf_event_output",
	SKBLoadBytes:               "skb_load_bytes",
	GetStackid:                 "get_stackid",
	CsumDiff:                   "csum_diff",
	SKBGetTunnelOpt:            "skb_get_tunnel_opt",
	SKBSetTunnelOpt:            "skb_set_tunnel_opt",
	SKBChangeProto:             "skb_change_proto",
	SKBChangeType:              "skb_change_type",
	SKBUnderCgroup:             "skb_under_cgroup",
	GetHashRecalc:              "get_hash_recalc",
	GetCurrentTask:             "get_current_task",
	ProbeWriteUser:             "probe_write_user",
	CurrentTaskUnderCgroup:     "current_task_under_cgroup",
	SKBChangeTail:              "skb_change_tail",
	SKBPullData:                "skb_pull_data",
	CsumUpdate:                 "csum_update",
	SetHashInvalid:             "set_hash_invalid",
	GetNumaNodeID:              "get_numa_node_id",
	SKBChangeHead:              "skb_change_head",
	XDPAdjustHead:              "xdp_adjust_head",
	ProbeReadStr:               "probe_read_str",
	GetSocketCookie:            "get_socket_cookie",
	GetSocketUID:               "get_socket_uid",
	SetHash:                    "set_hash",
	Setsockopt:                 "setsockopt",
	SKBAdjustRoom:              "skb_adjust_room",
	RedirectMap:                "redirect_map",
	SkRedirectMap:              "sk_redirect_map",
	SockMapUpdate:              "sock_map_update",
	XDPAdjustMeta:              "xdp_adjust_meta",
	PerfEventReadValue:         "perf_event_read_value",
	PerfProgReadValue:          "perf_prog_read_value",
	Getsockopt:                 "getsockopt",
	OverrideReturn:             "override_return",
	SockOpsCbFlagsSet:          "sock_ops_cb_flags_set",
	MsgRedirectMap:             "msg_redirect_map",
	MsgApplyBytes:              "msg_apply_bytes",
	MsgCorkBytes:               "msg_cork_bytes",
	MsgPullData:                "msg_pull_data",
	Bind:                       "bind",
	XDPAdjustTail:              "xdp_adjust_tail",
	SKBGetXfrmState:            "skb_get_xfrm_state",
	GetStack:                   "get_stack",
	SKBLoadBytesRelative:       "skb_load_bytes_relative",
	FIBLookup:                  "fib_lookup",
	SockHashUpdate:             "sock_hash_update",
	MsgRedirectHash:            "msg_redirect_hash",
	SkRedirectHash:             "sk_redirect_hash",
	LWTPushEncap:               "lwt_push_encap",
	LWTSeg6StoreBytes:          "lwt_seg6_store_bytes",
	LWTSeg6AdjustSRH:           "lwt_seg6_adjust_srh",
	LWTSeg6Action:              "lwt_seg6_action",
	RcRepeat:                   "rc_repeat",
	RcKeydown:                  "rc_keydown",
	SKBCgroupID:                "skb_cgroup_id",
	GetCurrentCgroupID:         "get_current_cgroup_id",
	GetLocalStorage:            "get_local_storage",
	SkSelectReuseport:          "sk_select_reuseport",
	SKBAncestorCgroupID:        "skb_ancestor_cgroup_id",
	SkLookupTCP:                "sk_lookup_tcp",
	SkLookupUDP:                "sk_lookup_udp",
	SkRelease:                  "sk_release",
	MapPushElem:                "map_push_elem",
	MapPopElem:                 "map_pop_elem",
	MapPeekElem:                "map_peek_elem",
	MsgPushData:                "msg_push_data",
	MsgPopData:                 "msg_pop_data",
	RcPointerRel:               "rc_pointer_rel",
	SpinLock:                   "spin_lock",
	SpinUnlock:                 "spin_unlock",
	SkFullsock:                 "sk_fullsock",
	TCPSock:                    "tcp_sock",
	SKBECNSetCE:                "skb_ecn_set_ce",
	GetListenerSock:            "get_listener_sock",
	SkcLookupTCP:               "skc_lookup_tcp",
	TCPCheckSyncookie:          "tcp_check_syncookie",
	SysctlGetName:              "sysctl_get_name",
	SysctlGetCurrentValue:      "sysctl_get_current_value",
	SysctlGetNewValue:          "sysctl_get_new_value",
	SysctlSetNewValue:          "sysctl_set_new_value",
	Strtol:                     "strtol",
	Strtoul:                    "strtoul",
	SkStorageGet:               "sk_storage_get",
	SkStorageDelete:            "sk_storage_delete",
	SendSignal:                 "send_signal",
	TCPGenSyncookie:            "tcp_gen_syncookie",
	SKBOutput:                  "skb_output",
	ProbeReadUser:              "probe_read_user",
	ProbeReadKernel:            "probe_read_kernel",
	ProbeReadUserStr:           "probe_read_user_str",
	ProbeReadKernelStr:         "probe_read_kernel_str",
	TCPSendAck:                 "tcp_send_ack",
	SendSignalThread:           "send_signal_thread",
	Jiffies64:                  "jiffies64",
	ReadBranchRecords:          "read_branch_records",
	GetNSCurrentPidTgid:        "get_ns_current_pid_tgid",
	XDPOutput:                  "xdp_output",
	GetNetnsCookie:             "get_netns_cookie",
	GetCurrentAncestorCgroupID: "get_current_ancestor_cgroup_id",
	SkAssign:                   "sk_assign",
	KtimeGetBootNS:             "ktime_get_boot_ns",
	SeqPrintf:                  "seq_printf",
	SeqWrite:                   "seq_write",
	SkCgroupID:                 "sk_cgroup_id",
	SkAncestorCgroupID:         "sk_ancestor_cgroup_id",
	RingbufOutput:              "ringbuf_output",
	RingbufReserve:             "ringbuf_reserve",
	RingbufSubmit:              "ringbuf_submit",
	RingbufDiscard:             "ringbuf_discard",
	RingbufQuery:               "ringbuf_query",
	CsumLevel:                  "csum_level",
	SkcToTCP6Sock:              "skc_to_tcp6_sock",
	SkcToTCPSock:               "skc_to_tcp_sock",
	SkcToTCPTimewaitSock:       "skc_to_tcp_timewait_sock",
	SkcToTCPRequestSock:        "skc_to_tcp_request_sock",
	SkcToUDP6Sock:              "skc_to_udp6_sock",
	GetTaskStack:               "get_task_stack",
	LoadHdrOpt:                 "load_hdr_opt",
	StoreHdrOpt:                "store_hdr_opt",
	ReserveHdrOpt:              "reserve_hdr_opt",
	InodeStorageGet:            "inode_storage_get",
	InodeStorageDelete:         "inode_storage_delete",
	DPath:                      "d_path",
	CopyFromUser:               "copy_from_user",
	SnprintfBTF:                "snprintf_btf",
	SeqPrintfBTF:               "seq_printf_btf",
	SKBCgroupClassid:           "skb_cgroup_classid",
	RedirectNeigh:              "redirect_neigh",
	PerCPUPtr:                  "per_cpu_ptr",
	ThisCPUPtr:                 "this_cpu_ptr",
	RedirectPeer:               "redirect_peer",
	TaskStorageGet:             "task_storage_get",
	TaskStorageDelete:          "task_storage_delete",
	GetCurrentTaskBTF:          "get_current_task_btf",
	BprmOptsSet:                "bprm_opts_set",
	KtimeGetCoarseNS:           "ktime_get_coarse_ns",
	IMAInodeHash:               "ima_inode_hash",
	SockFromFile:               "sock_from_file",
	CheckMTU:                   "check_mtu",
	ForEachMapElem:             "for_each_map_elem",
	Snprintf:                   "snprintf",
	SysBpf:                     "sys_bpf",
	BTFFindByNameKind:          "btf_find_by_name_kind",
	SysClose:                   "sys_close",
	TimerInit:                  "timer_init",
	TimerSetCallback:           "timer_set_callback",
	TimerStart:                 "timer_start",
	TimerCancel:                "timer_cancel",
	GetFuncIP:                  "get_func_ip",
	GetAttachCookie:            "get_attach_cookie",
	TaskPtRegs:                 "task_pt_regs",
	GetBranchSnapshot:          "get_branch_snapshot",
	TraceVprintk:               "trace_vprintk",
	SkcToUnixSock:              "skc_to_unix_sock",
	KallsymsLookupName:         "kallsyms_lookup_name",
	FindVMA:                    "find_vma",
	Loop:                       "loop",
	Strncmp:                    "strncmp",
	GetFuncArg:                 "get_func_arg",
	GetFuncRet:                 "get_func_ret",
	GetFuncArgCnt:              "get_func_arg_cnt",
	GetRetval:                  "get_retval",
	SetRetval:                  "set_retval",
	XDPGetBuffLen:              "xdp_get_buff_len",
	XDPLoadBytes:               "xdp_load_bytes",
	XDPStoreBytes:              "xdp_store_bytes",
	CopyFromUserTask:           "copy_from_user_task",
	SKBSetTstamp:               "skb_set_tstamp",
	IMAFileHash:                "ima_file_hash",
	KptrXchg:                   "kptr_xchg",
	MapLookupPercpuElem:        "map_lookup_percpu_elem",
	SkcToMPTCPSock:             "skc_to_mptcp_sock",
	DynptrFromMem:              "dynptr_from_mem",
	RingbufReserveDynptr:       "ringbuf_reserve_dynptr",
	RingbufSubmitDynptr:        "ringbuf_submit_dynptr",
	RingbufDiscardDynptr:       "ringbuf_discard_dynptr",
	DynptrRead:                 "dynptr_read",
	DynptrWrite:                "dynptr_write",
	DynptrData:                 "dynptr_data",
	TCPRawGenSyncookieIPv4:     "tcp_raw_gen_syncookie_ipv4",
	TCPRawGenSyncookieIPv6:     "tcp_raw_gen_syncookie_ipv6",
	TCPRawCheckSyncookieIPv4:   "tcp_raw_check_syncookie_ipv4",
	TCPRawCheckSyncookieIPv6:   "tcp_raw_check_syncookie_ipv6",
	KtimeGetTAINS:              "ktime_get_tai_ns",
	UserRingbufDrain:           "user_ringbuf_drain",
	CgrpStorageGet:             "cgrp_storage_get",
	CgrpStorageDelete:          "cgrp_storage_delete",
}

// Name returns the kernel's name of helper id without the bpf_ prefix, such
// as "map_lookup_elem", or "" for an id gbpf does not know.
func Name(id ID) string {
	if id <= Unspec || id >= MaxID {
		return ""
	}
	return names[id]
}

// String returns the kernel's name of the helper with the bpf_ prefix, or
// the number for an unknown id.
func (id ID) String() string {
	if n := Name(id); n != "" {
		return "bpf_" + n
	}
	return "helper#" + itoa(int64(id))
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
