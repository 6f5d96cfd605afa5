package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// TestServeReplay runs gbpf serve --replay on the tools' recordings and
// reads its page and state until the tools have counted events.
func TestServeReplay(t *testing.T) {
	args := []string{"serve", "--replay", "../../tools/testdata", "--speed", "4", "--interval", "100ms", "--listen", "127.0.0.1:0"}
	cmd, _, err := rootCmd.Find(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		f.Value.Set(f.DefValue)
		f.Changed = false
	})
	var stderr syncBuffer
	rootCmd.SetOut(io.Discard)
	rootCmd.SetErr(&stderr)
	rootCmd.SetArgs(args)
	ctx, cancel := context.WithCancel(context.Background())
	// Cobra gives a command the root's context only if it has none, and an
	// earlier completion request may have given it one.
	cmd.SetContext(ctx)
	done := make(chan error, 1)
	go func() { done <- rootCmd.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gbpf serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("gbpf serve did not stop when its context ended")
		}
	}()
	addr := regexp.MustCompile(`page at http://([^/]+)/`)
	deadline := time.Now().Add(30 * time.Second)
	var m []string
	for m = addr.FindStringSubmatch(stderr.String()); m == nil; m = addr.FindStringSubmatch(stderr.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("gbpf serve said no address: %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "replaying ../../tools/testdata") {
		t.Errorf("banner: %q", stderr.String())
	}
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) []byte {
		resp, err := client.Get("http://" + m[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %v", path, resp.Status, err)
		}
		return b
	}
	if page := string(get("/")); !strings.Contains(page, "<title>gbpf serve</title>") {
		t.Errorf("GET /: %.200s", page)
	}
	for {
		var st struct {
			Tools []struct {
				Tool  string `json:"tool"`
				Mode  string `json:"mode"`
				Total uint64 `json:"total"`
			} `json:"tools"`
		}
		if err := json.Unmarshal(get("/api/state"), &st); err != nil {
			t.Fatal(err)
		}
		counted := len(st.Tools) == 2
		for _, ts := range st.Tools {
			counted = counted && ts.Total > 0 && ts.Mode == "copy"
		}
		if counted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tools counted nothing: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if metrics := string(get("/metrics")); !strings.Contains(metrics, "gbpf_biolatency_usecs_bucket") {
		t.Errorf("/metrics lacks biolatency:\n%.500s", metrics)
	}
}
