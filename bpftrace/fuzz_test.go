package bpftrace

import "testing"

// FuzzCompile checks that no script makes the compiler panic, and that
// every script it accepts passes gbpf's verifier.
func FuzzCompile(f *testing.F) {
	for _, tc := range runCases {
		f.Add(tc.src)
	}
	for _, tc := range errorCases {
		f.Add(tc.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Compile(src, &Options{Tracepoints: testFormats})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			return
		}
		if err := s.Verify(nil); err != nil {
			t.Fatalf("compiled program rejected: %v\n%s", err, src)
		}
	})
}
