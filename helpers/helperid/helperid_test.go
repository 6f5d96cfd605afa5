package helperid

import "testing"

func TestNames(t *testing.T) {
	for id, want := range map[ID]string{MapLookupElem: "bpf_map_lookup_elem", UserRingbufDrain: "bpf_user_ringbuf_drain", Unspec: "helper#0", MaxID: "helper#212", -3: "helper#-3"} {
		if got := id.String(); got != want {
			t.Errorf("ID(%d).String() = %q, want %q", id, got, want)
		}
	}
	if Name(TailCall) != "tail_call" || Name(MaxID) != "" || Name(Unspec) != "" {
		t.Errorf("Name: %q %q %q", Name(TailCall), Name(MaxID), Name(Unspec))
	}
}
