package kernel

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Where tracefs lives: its own mount point, or the tracing directory of
// debugfs on older systems.
const (
	tracefsPath = "/sys/kernel/tracing"
	debugfsPath = "/sys/kernel/debug"
)

var tracefs struct {
	once sync.Once
	dir  string
	err  error
}

// TracefsDir returns the directory of tracefs, mounting it at
// /sys/kernel/tracing (or debugfs at /sys/kernel/debug) when it is not
// mounted yet. Mounting needs root.
func TracefsDir() (string, error) {
	tracefs.once.Do(func() { tracefs.dir, tracefs.err = findTracefs() })
	return tracefs.dir, tracefs.err
}

func findTracefs() (string, error) {
	if dir, ok := mountedTracefs(); ok {
		return dir, nil
	}
	errTrace := mount(tracefsPath, "tracefs")
	if errTrace == nil || errors.Is(errTrace, errBusy) {
		if isTracefs(tracefsPath) {
			return tracefsPath, nil
		}
	}
	errDebug := mount(debugfsPath, "debugfs")
	if errDebug == nil || errors.Is(errDebug, errBusy) {
		if dir := filepath.Join(debugfsPath, "tracing"); isTracefs(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("tracefs: not mounted, and mounting failed: %s: %v; %s: %v", tracefsPath, errTrace, debugfsPath, errDebug)
}

// isTracefs reports whether dir holds the tracing event tree.
func isTracefs(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "events"))
	return err == nil
}

// mountedTracefs finds a mounted tracefs (or debugfs with tracing in it) in
// /proc/self/mounts.
func mountedTracefs() (string, bool) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return "", false
	}
	defer f.Close()
	var debug string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 3 {
			continue
		}
		switch fields[2] {
		case "tracefs":
			if isTracefs(fields[1]) {
				return fields[1], true
			}
		case "debugfs":
			if dir := filepath.Join(fields[1], "tracing"); isTracefs(dir) {
				debug = dir
			}
		}
	}
	return debug, debug != ""
}

// checkEventName rejects names that could leave the events directory.
func checkEventName(group, name string) error {
	for _, s := range []string{group, name} {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\x00") {
			return fmt.Errorf("tracepoint %q:%q: invalid name", group, name)
		}
	}
	return nil
}

// eventDir returns the tracefs directory of tracepoint group:name.
func eventDir(group, name string) (string, error) {
	if err := checkEventName(group, name); err != nil {
		return "", err
	}
	dir, err := TracefsDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "events", group, name), nil
}

// TracepointID returns the id of tracepoint group:name (its tracefs
// events/<group>/<name>/id), the config of a PERF_TYPE_TRACEPOINT event.
func TracepointID(group, name string) (uint64, error) {
	dir, err := eventDir(group, name)
	if err != nil {
		return 0, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "id"))
	if err != nil {
		return 0, fmt.Errorf("tracepoint %s:%s: %w", group, name, err)
	}
	id, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("tracepoint %s:%s: id: %w", group, name, err)
	}
	return id, nil
}

// TracepointFormat reads and parses the record layout of tracepoint
// group:name from its tracefs format file.
func TracepointFormat(group, name string) (*Format, error) {
	dir, err := eventDir(group, name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "format"))
	if err != nil {
		return nil, fmt.Errorf("tracepoint %s:%s: %w", group, name, err)
	}
	f, err := ParseFormat(b)
	if err != nil {
		return nil, fmt.Errorf("tracepoint %s:%s: %w", group, name, err)
	}
	f.Group = group
	return f, nil
}
