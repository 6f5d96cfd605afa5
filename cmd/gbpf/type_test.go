package main

import (
	"strings"
	"testing"
)

// TestTypeOverride runs an iproute2 object, whose sections ("egress") name
// no program type, with --type as tc gives it, through verify and prog run.
func TestTypeOverride(t *testing.T) {
	const obj = "../../loader/testdata/tolerant/iproute2.o"
	// The commands keep flag values between runs: clear the ones set here.
	defer runGbpf(t, "prog", "run", "--type=", "--privileged=false", "--prog=", "/dev/null")
	defer runGbpf(t, "verify", "--type=", "--privileged=false", "--prog=", "/dev/null")
	out, err := runGbpf(t, "verify", "--privileged", "--type", "tc", "--prog", "emain", obj)
	if err != nil || !strings.Contains(out, "emain: accepted (SchedCLS") {
		t.Errorf("verify --type tc: %v\n%s", err, out)
	}
	out, err = runGbpf(t, "prog", "run", "--privileged", "--type", "tc", "--prog", "emain", obj, "--data", strings.Repeat("00", 64))
	if err != nil || !strings.Contains(out, "Return value: 0") {
		t.Errorf("prog run --type tc: %v\n%s", err, out)
	}
	if _, err := runGbpf(t, "prog", "run", "--type", "nonsense", obj); err == nil || !strings.Contains(err.Error(), "--type") {
		t.Errorf("prog run --type nonsense: %v", err)
	}
	if _, err := runGbpf(t, "prog", "run", "--type=", "--privileged=false", "--prog", "emain", obj, "--data", "00"); err == nil || !strings.Contains(err.Error(), "Unspec") {
		t.Errorf("prog run without --type: %v, want the section's missing type", err)
	}
}

// TestVerifyNotes checks that verify prints the loader's notes and rejects
// a program the loader could not link, verifying the object's others.
func TestVerifyNotes(t *testing.T) {
	const obj = "../../loader/testdata/tolerant/unlinked.o"
	out, err := runGbpf(t, "verify", "--type=", "--prog=", "--privileged=false", obj)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 programs") {
		t.Errorf("verify: %v, want one of two programs rejected", err)
	}
	for _, want := range []string{
		"note: program plain: no license section",
		"needs_kfunc: rejected: program needs_kfunc: instruction 1: kfunc call bpf_gbpf_missing_kfunc",
		"plain: accepted (XDP",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
