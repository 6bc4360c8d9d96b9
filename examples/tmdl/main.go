// Command tmdl turns an ODCS data contract into a Power BI semantic model
// folder that Power BI Desktop opens as part of a PBIP project.
//
//	go run ./examples/tmdl -contract orders.odcs.yaml -out build
//	go run ./examples/tmdl -contract orders.odcs.yaml -server prod -mode directquery -name Orders -out build
//
// It writes OUT/<Name>.SemanticModel/ (definition.pbism and definition/),
// prints the folder's path, and prints the contract's diagnostics on
// standard error. Exit status: 0 written, 1 the contract cannot be turned
// into a model (diagnostics say why), 2 usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/tmdl"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tmdl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	contract := fs.String("contract", "", "the ODCS contract `file` (YAML or JSON)")
	server := fs.String("server", "", "the contract server to bind to (default: its only snowflake or databricks server)")
	mode := fs.String("mode", "import", "storage mode: import, directquery or dual")
	name := fs.String("name", "", "semantic model name (default: the contract's name)")
	out := fs.String("out", "", "output `dir`; the model is written to DIR/<Name>.SemanticModel")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tmdl -contract FILE [-server NAME] [-mode import|directquery|dual] [-name NAME] -out DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *contract == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}

	c, err := odcs.ParseFile(*contract)
	if err != nil {
		var pe *odcs.ParseError
		if errors.As(err, &pe) {
			printDiagnostics(stderr, pe.Diagnostics)
			return 1
		}
		fmt.Fprintln(stderr, err)
		return 1
	}

	db, diags, err := tmdl.FromContract(c, &tmdl.Options{Server: *server, Mode: *mode, Name: *name})
	printDiagnostics(stderr, diags)
	if err != nil {
		if len(diags) == 0 {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}

	dir, err := tmdl.WriteFolder(*out, db)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintln(stdout, dir)
	return 0
}

func printDiagnostics(w io.Writer, ds odcs.Diagnostics) {
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
}
