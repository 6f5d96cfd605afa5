package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/bpftrace"
)

func init() { addCommand(newTraceCmd()) }

// newTraceCmd returns the "trace" command: bpftrace scripts compiled by
// gbpf.
func newTraceCmd() *cobra.Command {
	var program, mode, output, command string
	var dump, verbose, list bool
	cmd := &cobra.Command{
		Use:   "trace [-e PROGRAM | FILE.bt] [ARGS...]",
		Short: "Run a bpftrace script, compiled by gbpf",
		Long: `Compile a script in bpftrace's language to gbpf's BPF instructions, verify
it with gbpf's verifier and run it: in the kernel (--mode kernel, the
default), or in gbpf's runtime on hooks a Go program fires (--mode
inprocess). Output follows bpftrace's: "Attaching N probes...", printf
lines, and every map at exit.

ARGS are the positional parameters $1, $2, ... ($# counts them). -l lists
the tracepoints matching PATTERN. -d prints the generated programs with
their source lines; -v prints the verifier's statistics. -c runs CMD once
the probes are attached and stops when it exits.`,
		Example: `  gbpf trace -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' -c 'sleep 1'
  gbpf trace /usr/sbin/opensnoop.bt
  gbpf trace -l 'syscalls:sys_enter_open*'`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				pattern := ""
				if len(args) > 0 {
					pattern = args[0]
				}
				return listTracepoints(cmd.OutOrStdout(), pattern)
			}
			file, text := "stdin", program
			if program == "" {
				if len(args) == 0 {
					return errors.New("trace: give a program with -e or a script file")
				}
				b, err := os.ReadFile(args[0])
				if err != nil {
					return err
				}
				file, text, args = args[0], string(b), args[1:]
			}
			m, err := bpftrace.ParseMode(mode)
			if err != nil {
				return err
			}
			s, err := bpftrace.Compile(text, &bpftrace.Options{File: file, Args: args})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return err
				}
				defer f.Close()
				out = f
			}
			if dump {
				return dumpScript(out, s)
			}
			opts := &bpftrace.RunOptions{Mode: m, Output: out}
			if verbose {
				opts.Verbose = cmd.ErrOrStderr()
			}
			return runScript(s, opts, command)
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.StringVarP(&program, "program", "e", "", "the program to run")
	f.StringVar(&mode, "mode", "kernel", "where programs run: kernel, or inprocess (copy: the same, for tracepoint records copied from the kernel)")
	f.StringVarP(&output, "output", "o", "", "write output to FILE")
	f.StringVarP(&command, "cmd", "c", "", "run CMD and stop when it exits")
	f.BoolVarP(&dump, "dump", "d", false, "print the generated BPF programs and exit")
	f.BoolVarP(&verbose, "verbose", "v", false, "print the verifier's statistics")
	f.BoolVarP(&list, "list", "l", false, "list the tracepoints matching PATTERN")
	return cmd
}

// runScript runs s until exit(), Ctrl-C or the end of command.
func runScript(s *bpftrace.Script, opts *bpftrace.RunOptions, command string) error {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ss, err := s.Start(opts)
	if err != nil {
		return err
	}
	if command != "" {
		c := exec.Command("/bin/sh", "-c", command)
		c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := c.Start(); err != nil {
			ss.Stop()
			return err
		}
		done := make(chan struct{})
		go func() { c.Wait(); close(done) }()
		select {
		case <-done:
		case <-ss.Exited():
		case <-ctx.Done():
		}
	} else {
		ss.Wait(ctx)
	}
	return ss.Stop()
}

// dumpScript prints every program with its source lines.
func dumpScript(w io.Writer, s *bpftrace.Script) error {
	lines := strings.Split(s.Source, "\n")
	for _, p := range s.Probes {
		fmt.Fprintf(w, "%s:\n", p.Name)
		for i := 0; i < len(p.Insns.Insns); {
			if l, ok := p.Lines[i]; ok && l >= 1 && l <= len(lines) {
				fmt.Fprintf(w, "; %s\n", strings.TrimSpace(lines[l-1]))
			}
			text, n, err := asm.FormatInstruction(p.Insns, i, asm.SyntaxLLVM)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%5d:\t%s\n", i, text)
			i += max(n, 1)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// listTracepoints prints "tracepoint:group:name" for each tracepoint
// matching pattern (a glob over "group:name", or over the full name).
func listTracepoints(w io.Writer, pattern string) error {
	all, err := bpftrace.Tracefs{}.List()
	if err != nil {
		return err
	}
	pattern = strings.TrimPrefix(strings.TrimPrefix(pattern, "tracepoint:"), "t:")
	for _, n := range all {
		if pattern != "" {
			if ok, _ := path.Match(pattern, n); !ok {
				continue
			}
		}
		fmt.Fprintf(w, "tracepoint:%s\n", n)
	}
	return nil
}
