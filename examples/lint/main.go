// Command lint checks ODCS data contracts and prints one line per
// problem:
//
//	FILE:LINE:COL: SEVERITY: PATH: MESSAGE
//
// Usage:
//
//	go run ./examples/lint [-json] FILE...
//
// With -json it prints the diagnostics of all files as one JSON array of
// objects with the fields severity, file, line, column, path and
// message. It exits 0 when no file has errors (warnings are fine), 1
// when one has, and 2 on a usage error.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pbipublish/pbipublish/odcs"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run lints the files named in args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the diagnostics as a JSON array")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: lint [-json] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}

	all := odcs.Diagnostics{}
	for _, path := range fs.Args() {
		all = append(all, lintFile(path)...)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			fmt.Fprintln(stderr, "lint:", err)
			return 2
		}
	} else {
		for _, d := range all {
			fmt.Fprintln(stdout, d)
		}
	}
	if all.HasErrors() {
		return 1
	}
	return 0
}

// lintFile reads and lints one file. A file that cannot be read is one
// error diagnostic, so the other files are still checked.
func lintFile(path string) odcs.Diagnostics {
	f, err := os.Open(path)
	if err != nil {
		return odcs.Diagnostics{{Severity: odcs.SeverityError, File: path, Message: "cannot read file: " + unwrapPath(err)}}
	}
	defer f.Close()
	// Read one byte past the limit so an oversized file is reported by
	// the parser with the limit in the message.
	data, err := io.ReadAll(io.LimitReader(f, odcs.DefaultMaxBytes+1))
	if err != nil {
		return odcs.Diagnostics{{Severity: odcs.SeverityError, File: path, Message: "cannot read file: " + unwrapPath(err)}}
	}
	_, ds := odcs.Lint(data, &odcs.ParseOptions{Filename: path})
	return ds
}

// unwrapPath drops the path from an *os.PathError; the diagnostic
// already names the file.
func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
