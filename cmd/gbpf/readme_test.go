package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/testutil"
)

// The README's command blocks are run by TestReadme, which reads them from
// README.md itself, so a block someone adds is checked with no change here:
//
//   - A ```console block holds commands, each on a line starting with "$ "
//     (a trailing backslash continues it on the next line), each followed
//     by the output it prints, standard output and error together. The
//     output must be what the README shows, except that durations (such as
//     "22.683µs" or "271ns") and kernel addresses (0x and 9 or more hex
//     digits) may differ, and a line "..." stands for any number of lines.
//     A command whose shown output has a line starting with "gbpf: " (the
//     CLI's error prefix) must fail; any other must succeed.
//   - A ```sh (or bash, shell) block holds commands with no output shown;
//     each must succeed. A command "bash .ci/setup && X" runs X (CI runs
//     the setup; it needs root and package downloads), "go test ... ./..."
//     over the whole module is not run (it is the run this test is part
//     of), and of a fuzzing command the test checks that the package has
//     the target (go test -list), or with GBPF_README_FUZZ=1 fuzzes it for
//     20 inputs rather than -fuzztime.
//
// ./gbpf is a binary the test builds; "sudo" is dropped when the test runs
// as root, and otherwise the command is skipped (it fails under
// GBPF_REQUIRE_KERNEL=1 if the bpf() syscall is unavailable); such a
// command runs holding testutil.LockTracing. An HTML comment on the line before a block's
// opening fence, invisible in the rendered README, adds to the block:
//
//	<!-- readme-test: while COMMAND -->   runs COMMAND (sh, in a temporary
//	                                      directory) once each command of
//	                                      the block has printed its first
//	                                      line, as the workload it observes;
//	                                      such a command gets three tries, as
//	                                      other processes may add events
//	<!-- readme-test: skip REASON -->     does not run the block
//	<!-- readme-test: mask REGEXP -->     output that matches REGEXP (Go
//	                                      syntax) may differ, as process ids
//	                                      or kernel object ids do
//
// Several such comments, one a line, may stand above a block.

// readmeCmd is one command of the README.
type readmeCmd struct {
	line    int    // where the command starts in README.md
	cmd     string // the command, continuation lines joined
	console bool   // from a console block: the output is checked
	want    []string
	wantAt  []int  // README line of each want line
	while   string // workload to run alongside
	skip    string // why the command is not run
	masks   []*regexp.Regexp
}

var readmeDirective = regexp.MustCompile(`^<!--\s*readme-test:\s*(\S+)\s*(.*?)\s*-->$`)

// parseReadme returns the commands of the README's console and sh blocks.
func parseReadme(text string) ([]readmeCmd, error) {
	var (
		cmds      []readmeCmd
		inBlock   bool
		kind      string      // "console", "sh" or "" (a block of something else)
		above     []readmeCmd // what the comments above the next block say
		directive readmeCmd   // what those above this block said
		cur       *readmeCmd
		pending   string // a command continued by a backslash
		pendingAt int
	)
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		n := i + 1
		if strings.HasPrefix(line, "```") {
			if !inBlock {
				inBlock = true
				switch info := strings.TrimSpace(strings.TrimPrefix(line, "```")); info {
				case "console":
					kind = "console"
				case "sh", "bash", "shell":
					kind = "sh"
				default:
					kind = ""
				}
				directive = readmeCmd{}
				for _, d := range above {
					directive.while += d.while
					directive.skip += d.skip
					directive.masks = append(directive.masks, d.masks...)
				}
				above = nil
				cur = nil
				continue
			}
			if pending != "" {
				return nil, fmt.Errorf("README.md:%d: the block ends within a command continued by a backslash", n)
			}
			inBlock, kind = false, ""
			continue
		}
		if !inBlock {
			m := readmeDirective.FindStringSubmatch(strings.TrimSpace(line))
			if m == nil {
				if len(above) > 0 {
					return nil, fmt.Errorf("README.md:%d: a readme-test comment must stand right above a code block", n-1)
				}
				continue
			}
			var d readmeCmd
			switch m[1] {
			case "while":
				d.while = m[2]
			case "skip":
				d.skip = "README.md says: " + m[2]
			case "mask":
				re, err := regexp.Compile(m[2])
				if err != nil {
					return nil, fmt.Errorf("README.md:%d: readme-test mask: %v", n, err)
				}
				d.masks = []*regexp.Regexp{re}
			default:
				return nil, fmt.Errorf("README.md:%d: unknown readme-test comment %q: want while, skip or mask", n, m[1])
			}
			if (d.while != "" || d.skip != "") && m[2] == "" {
				return nil, fmt.Errorf("README.md:%d: readme-test %s needs a command or reason", n, m[1])
			}
			above = append(above, d)
			continue
		}
		if kind == "" {
			continue
		}
		body, isCmd := line, kind == "sh"
		if kind == "console" {
			body, isCmd = strings.CutPrefix(line, "$ ")
		}
		if pending != "" {
			body, isCmd = pending+" "+strings.TrimSpace(line), true
		} else if isCmd {
			pendingAt = n
		}
		if isCmd {
			if strings.HasSuffix(body, "\\") {
				pending = strings.TrimRight(strings.TrimSuffix(body, "\\"), " ")
				continue
			}
			pending = ""
			if strings.TrimSpace(body) == "" || strings.HasPrefix(strings.TrimSpace(body), "#") {
				continue
			}
			c := directive
			c.line, c.cmd, c.console = pendingAt, strings.TrimSpace(body), kind == "console"
			cmds = append(cmds, c)
			cur = &cmds[len(cmds)-1]
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("README.md:%d: output before the block's first command (a command line starts with \"$ \")", n)
		}
		cur.want = append(cur.want, line)
		cur.wantAt = append(cur.wantAt, n)
	}
	if inBlock {
		return nil, fmt.Errorf("README.md: a code block is not closed")
	}
	return cmds, nil
}

// Durations as the CLI prints them, and kernel addresses.
var (
	maskDuration = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h)\b`)
	maskAddress  = regexp.MustCompile(`\b0x[0-9a-f]{9,}\b`)
)

func maskLine(s string, masks []*regexp.Regexp) string {
	for _, re := range masks {
		s = re.ReplaceAllString(s, "<masked>")
	}
	s = maskDuration.ReplaceAllString(s, "<duration>")
	s = maskAddress.ReplaceAllString(s, "<address>")
	return strings.TrimRight(s, " \t")
}

// compareOutput checks got against the README's lines (with "..." lines
// as wildcards) and describes the first difference, or returns "".
func compareOutput(c readmeCmd, got []string) string {
	// Split the README's output at "..." lines into segments that must
	// appear in order: the first at the start, the last at the end.
	type segment struct {
		lines []string
		at    []int
	}
	segs := []segment{{}}
	for i, w := range c.want {
		if strings.TrimSpace(w) == "..." {
			segs = append(segs, segment{})
			continue
		}
		s := &segs[len(segs)-1]
		s.lines = append(s.lines, maskLine(w, c.masks))
		s.at = append(s.at, c.wantAt[i])
	}
	masked := make([]string, len(got))
	for i, g := range got {
		masked[i] = maskLine(g, c.masks)
	}
	describe := func(wantLine string, at int, from int) string {
		gotLine := "(no more output)"
		if from < len(got) {
			gotLine = fmt.Sprintf("%q", got[from])
		}
		return fmt.Sprintf("output line %d differs from README.md:%d\n  README: %q\n  got:    %s", from+1, at, wantLine, gotLine)
	}
	matchAt := func(s segment, from int) int { // index of the first differing line, or -1
		for j, w := range s.lines {
			if from+j >= len(masked) || masked[from+j] != w {
				return j
			}
		}
		return -1
	}
	pos := 0
	for k, s := range segs {
		last := k == len(segs)-1
		switch {
		case k == 0 || len(s.lines) == 0:
			if k == 0 {
				if j := matchAt(s, 0); j >= 0 {
					return describe(s.lines[j], s.at[j], j)
				}
				pos = len(s.lines)
				if last && pos != len(masked) {
					return fmt.Sprintf("%d more output lines than README.md shows, from line %d: %q", len(masked)-pos, pos+1, got[pos])
				}
			} else if last {
				pos = len(masked)
			}
		case last:
			start := len(masked) - len(s.lines)
			if start < pos {
				return describe(s.lines[0], s.at[0], pos)
			}
			if j := matchAt(s, start); j >= 0 {
				return describe(s.lines[j], s.at[j], start+j)
			}
			pos = len(masked)
		default:
			found := -1
			for from := pos; from+len(s.lines) <= len(masked); from++ {
				if matchAt(s, from) < 0 {
					found = from
					break
				}
			}
			if found < 0 {
				return fmt.Sprintf("no output lines after line %d match README.md:%d-%d, starting %q", pos, s.at[0], s.at[len(s.at)-1], s.lines[0])
			}
			pos = found + len(s.lines)
		}
	}
	return ""
}

// readmeRunner runs the README's commands.
type readmeRunner struct {
	root, bin string
	bpf       *bool // whether the bpf() syscall works, once probed
}

var (
	localGbpf  = regexp.MustCompile(`(^|[\s;&|(])\./gbpf\b`)
	buildGbpf  = regexp.MustCompile(`(\bgo build\b.*-o )gbpf\b`)
	fuzzTime   = regexp.MustCompile(`-fuzztime\s+\S+`)
	fuzzTarget = regexp.MustCompile(`-fuzz\s+(Fuzz\w+)`)
	wholeTest  = regexp.MustCompile(`^go test\b.*\./\.\.\.`)
)

// prepare rewrites c's command to run here, or says why it cannot run.
func (r *readmeRunner) prepare(t *testing.T, c readmeCmd) (string, string) {
	cmd := c.cmd
	if rest, ok := strings.CutPrefix(cmd, "bash .ci/setup && "); ok {
		cmd = rest
	}
	if wholeTest.MatchString(cmd) {
		return "", "it runs the module's tests, of which this is one"
	}
	if rest, ok := strings.CutPrefix(cmd, "sudo "); ok {
		if os.Geteuid() != 0 {
			return "", "needs root"
		}
		if !r.bpfWorks(t) {
			return "", "the bpf() syscall is unavailable"
		}
		// Such commands trace the kernel: keep other tests' tracing and
		// workloads out of their way.
		testutil.LockTracing(t)
		cmd = rest
	}
	if strings.Contains(cmd, "../shared") {
		if _, err := testutil.SharedPath(); err != nil {
			return "", "no shared data beside the repository: " + err.Error()
		}
	}
	if m := fuzzTarget.FindStringSubmatch(cmd); m != nil && os.Getenv("GBPF_README_FUZZ") == "" {
		// Building a package for fuzzing takes about a minute here: check
		// that the target exists where the README says, and fuzz only
		// when asked to.
		fields := strings.Fields(cmd)
		pkg := fields[len(fields)-1]
		cmd = fmt.Sprintf("go test -list '^%s$' %s | grep -qx '%s'", m[1], pkg, m[1])
	}
	cmd = fuzzTime.ReplaceAllString(cmd, "-fuzztime 20x")
	cmd = buildGbpf.ReplaceAllString(cmd, "${1}"+r.bin)
	cmd = localGbpf.ReplaceAllString(cmd, "${1}"+r.bin)
	return cmd, ""
}

// bpfWorks probes the bpf() syscall once.
func (r *readmeRunner) bpfWorks(t *testing.T) bool {
	if r.bpf == nil {
		err := exec.Command("go", "run", filepath.Join(r.root, "internal", "cmd", "bpfprobe")).Run()
		ok := err == nil
		r.bpf = &ok
	}
	if !*r.bpf && testutil.RequireKernel() {
		t.Fatal("GBPF_REQUIRE_KERNEL=1 but the bpf() syscall is unavailable")
	}
	return *r.bpf
}

// run runs cmd in the repository's root with bash, the workload while
// alongside, and returns its output lines and error.
func (r *readmeRunner) run(t *testing.T, cmd, while string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "-c", cmd)
	sh.Dir = r.root
	sh.Env = append(os.Environ(), "GBPF_README_TEST=1")
	var out lockedBuffer
	out.firstLine = make(chan struct{})
	sh.Stdout, sh.Stderr = &out, &out
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	var workload chan error
	if while != "" {
		workload = make(chan error, 1)
		go func() {
			select {
			case <-out.firstLine:
			case <-ctx.Done():
				workload <- ctx.Err()
				return
			}
			w := exec.CommandContext(ctx, "sh", "-c", while)
			w.Dir = t.TempDir()
			b, err := w.CombinedOutput()
			if err != nil {
				err = fmt.Errorf("%s: %v\n%s", while, err, b)
			}
			workload <- err
		}()
	}
	err := sh.Wait()
	if workload != nil {
		cancel()
		if werr := <-workload; werr != nil && !strings.Contains(werr.Error(), "context canceled") {
			t.Errorf("the workload: %v", werr)
		}
	}
	text := strings.TrimSuffix(out.String(), "\n")
	if text == "" {
		return nil, err
	}
	return strings.Split(text, "\n"), err
}

// TestReadme runs every command the README shows and compares its output
// with the README's.
func TestReadme(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := parseReadme(string(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) == 0 {
		t.Fatal("no commands found in README.md")
	}
	r := &readmeRunner{root: root, bin: filepath.Join(t.TempDir(), "gbpf")}
	if out, err := exec.Command("go", "build", "-o", r.bin, filepath.Join(root, "cmd", "gbpf")).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, c := range cmds {
		t.Run(fmt.Sprintf("README.md:%d", c.line), func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			cmd, why := r.prepare(t, c)
			if why != "" {
				t.Skipf("$ %s: %s", c.cmd, why)
			}
			if testing.Short() && strings.Contains(cmd, "-fuzz") {
				t.Skipf("$ %s: fuzzing, not in -short", c.cmd)
			}
			if testing.Short() && strings.HasPrefix(cmd, "go test -list") {
				t.Skipf("$ %s: builds a package's tests, not in -short", c.cmd)
			}
			// A workload's events can be joined by another process's (a
			// dd elsewhere on the machine): such a block gets three tries.
			tries := 1
			if c.while != "" {
				tries = 3
			}
			var problem string
			for try := 1; try <= tries; try++ {
				start := time.Now()
				got, err := r.run(t, cmd, c.while)
				t.Logf("$ %s (%v)", c.cmd, time.Since(start).Round(time.Millisecond))
				if problem = r.check(c, got, err); problem == "" {
					return
				}
				if try < tries {
					t.Logf("try %d of %d: %s", try, tries, problem)
				}
			}
			t.Error(problem)
		})
	}
}

// check describes how the output and status of c differ from the
// README's, or returns "".
func (r *readmeRunner) check(c readmeCmd, got []string, err error) string {
	wantFail := false
	for _, w := range c.want {
		if strings.HasPrefix(w, "gbpf: ") {
			wantFail = true
		}
	}
	switch {
	case err != nil && (!wantFail || !isExit(err)):
		return fmt.Sprintf("README.md:%d: $ %s\nfailed: %v\noutput:\n%s", c.line, c.cmd, err, strings.Join(got, "\n"))
	case err == nil && wantFail:
		return fmt.Sprintf("README.md:%d: $ %s\nsucceeded, but the README shows an error", c.line, c.cmd)
	}
	if !c.console {
		return ""
	}
	if diff := compareOutput(c, got); diff != "" {
		return fmt.Sprintf("README.md:%d: $ %s\n%s\nthe whole output:\n%s", c.line, c.cmd, diff, strings.Join(got, "\n"))
	}
	return ""
}

func isExit(err error) bool {
	_, ok := err.(*exec.ExitError)
	return ok
}

// lockedBuffer collects a command's standard output and error, and closes
// firstLine when the first line is complete.
type lockedBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	firstLine chan struct{}
	seen      bool
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if !b.seen && bytes.IndexByte(b.buf.Bytes(), '\n') >= 0 {
		b.seen = true
		close(b.firstLine)
	}
	return n, err
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestParseReadme checks the parser on blocks of each kind.
func TestParseReadme(t *testing.T) {
	text := "# T\n\n```sh\nbash .ci/setup && go run ./cmd/gbpf version\n```\n\n<!-- readme-test: while dd if=/dev/zero of=f count=1 -->\n<!-- readme-test: mask id \\d+ -->\n```console\n$ ./gbpf run \\\n  x.asm\n0x1\n...\n$ ./gbpf verify y.asm\ngbpf: rejected\n```\n\n```go\nfmt.Println()\n```\n"
	cmds, err := parseReadme(text)
	if err != nil {
		t.Fatal(err)
	}
	var described []string
	for _, c := range cmds {
		var masks []string
		for _, m := range c.masks {
			masks = append(masks, m.String())
		}
		described = append(described, fmt.Sprintf("{line:%d cmd:%s console:%v want:%q wantAt:%v while:%s skip:%s masks:%q}",
			c.line, c.cmd, c.console, c.want, c.wantAt, c.while, c.skip, masks))
	}
	got := "[" + strings.Join(described, " ") + "]"
	want := `[{line:4 cmd:bash .ci/setup && go run ./cmd/gbpf version console:false want:[] wantAt:[] while: skip: masks:[]} ` +
		`{line:10 cmd:./gbpf run x.asm console:true want:["0x1" "..."] wantAt:[12 13] while:dd if=/dev/zero of=f count=1 skip: masks:["id \\d+"]} ` +
		`{line:14 cmd:./gbpf verify y.asm console:true want:["gbpf: rejected"] wantAt:[15] while:dd if=/dev/zero of=f count=1 skip: masks:["id \\d+"]}]`
	if got != want {
		t.Errorf("parsed\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []string{"```console\nout\n$ x\n```\n", "```sh\nx \\\n```\n", "```console\n$ x\n",
		"<!-- readme-test: wait 1s -->\n```sh\nx\n```\n", "<!-- readme-test: mask ( -->\n```sh\nx\n```\n",
		"<!-- readme-test: skip why -->\n\n```sh\nx\n```\n", "<!-- readme-test: skip -->\n```sh\nx\n```\n"} {
		if _, err := parseReadme(bad); err == nil || !strings.HasPrefix(err.Error(), "README.md") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	c := readmeCmd{want: []string{"a 1.5µs", "...", "c", "d"}, wantAt: []int{10, 11, 12, 13}}
	for _, tt := range []struct {
		got  []string
		diff string
	}{
		{[]string{"a 20ns", "b", "b", "c", "d"}, ""},
		{[]string{"a 20ns", "c", "d"}, ""},
		{[]string{"x", "c", "d"}, "output line 1 differs from README.md:10"},
		{[]string{"a 1s", "c", "e"}, "output line 3 differs from README.md:13"},
		{[]string{"a 1s"}, "output line 2 differs from README.md:12"},
	} {
		if diff := compareOutput(c, tt.got); !strings.HasPrefix(diff, tt.diff) || (tt.diff == "") != (diff == "") {
			t.Errorf("%q: %q, want %q", tt.got, diff, tt.diff)
		}
	}
	masked := readmeCmd{want: []string{"prog id 12 run 3µs"}, wantAt: []int{5}, masks: []*regexp.Regexp{regexp.MustCompile(`id \d+`)}}
	if diff := compareOutput(masked, []string{"prog id 4077 run 15ns"}); diff != "" {
		t.Errorf("masked: %s", diff)
	}
	if diff := compareOutput(readmeCmd{want: []string{"a"}, wantAt: []int{5}}, []string{"a", "b"}); !strings.Contains(diff, "1 more output lines") {
		t.Errorf("extra output: %q", diff)
	}
}

// FuzzReadme parses arbitrary text as a README: no panic, and every
// command's shown output matches itself.
func FuzzReadme(f *testing.F) {
	f.Add("```console\n$ ./gbpf run x\n0x1\n1.5µs per run\n...\nend\n```\n")
	f.Add("<!-- readme-test: while dd -->\n```sh\na \\\n b\n```\n```console\n$ x\n...\n...\ny\n```\n")
	f.Fuzz(func(t *testing.T, text string) {
		cmds, err := parseReadme(text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "README.md") {
				t.Errorf("error without a place: %v", err)
			}
			return
		}
		for _, c := range cmds {
			if len(c.want) != len(c.wantAt) {
				t.Fatalf("%d output lines, %d line numbers", len(c.want), len(c.wantAt))
			}
			if diff := compareOutput(c, c.want); diff != "" {
				t.Errorf("README.md:%d: its own output differs: %s", c.line, diff)
			}
		}
	})
}
