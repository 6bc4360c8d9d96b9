// Command published lists the semantic models already published from an
// output port: what a data product's page shows under "Already connected
// to Power BI", with each model's name, storage mode, creation time,
// author and link.
//
// Usage:
//
//	go run ./examples/published [-catalog FILE] [-product sales] [-port orders]
//
// With -catalog it reads a catalog file that examples/publish wrote
// (go run ./examples/publish -catalog FILE). Without it, it runs offline:
// it starts the Fabric and Power BI emulator and a fake Entra ID in this
// process, connects a demo user, publishes the sample contract of
// examples/publish twice (the second model gets the name "orders (2)"),
// and lists the output port's models from the Publisher.
package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/publish"
	"github.com/pbipublish/pbipublish/publish/publishtest"
)

// The sample contract is examples/publish's, copied here so that each
// example stands alone.
//
//go:embed orders.odcs.yaml
var sampleContract []byte

// The host's session would name the organization and the user; offline,
// the user is publishtest's demo user.
const (
	org  = "contoso"
	user = "u-ada"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is the program; it returns the exit code: 0 success, 1 failure,
// 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("published", flag.ContinueOnError)
	fs.SetOutput(stderr)
	catalogFile := fs.String("catalog", "", "catalog `file` written by examples/publish (default: publish offline first)")
	product := fs.String("product", "sales", "data product of the output port")
	portName := fs.String("port", "orders", "output port name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "published: unexpected arguments %q\n", fs.Args())
		return 2
	}
	port := publish.OutputPort{DataProduct: *product, Port: *portName}

	var list func(context.Context, publish.OutputPort) ([]publish.PublishedModel, error)
	if *catalogFile != "" {
		if _, err := os.Stat(*catalogFile); err != nil {
			fmt.Fprintln(stderr, "published:", err)
			return 1
		}
		c, err := publish.NewFileCatalog(*catalogFile)
		if err != nil {
			fmt.Fprintln(stderr, "published:", err)
			return 1
		}
		list = c.Published
	} else {
		pub, stop, err := publishTwice(ctx, port, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "published:", err)
			return 1
		}
		defer stop()
		list = pub.Published
	}

	models, err := list(ctx, port)
	if err != nil {
		fmt.Fprintln(stderr, "published:", err)
		return 1
	}
	fmt.Fprintf(stdout, "Already connected to Power BI (%s/%s): %d models\n", port.DataProduct, port.Port, len(models))
	for _, m := range models {
		fmt.Fprintf(stdout, "  %s (%s)\n    created %s by %s\n    %s\n",
			m.Name, m.Mode, m.CreatedAt.Local().Format("2006-01-02 15:04:05"), m.Author, m.Link)
	}
	return 0
}

// publishTwice starts the emulators, connects the demo user and
// publishes the sample contract twice.
func publishTwice(ctx context.Context, port publish.OutputPort, w io.Writer) (publish.Publisher, func(), error) {
	env, err := publishtest.Start(ctx, &publishtest.Options{Org: org})
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (publish.Publisher, func(), error) { env.Close(); return nil, nil, err }
	if err := env.Connect(ctx, publishtest.Ada); err != nil {
		return fail(err)
	}
	ws := env.AddWorkspace("Sales analytics", publishtest.Ada)

	pub, err := publish.New(env.PublisherOptions())
	if err != nil {
		return fail(err)
	}
	contract, err := odcs.Parse(sampleContract, &odcs.ParseOptions{Filename: "orders.odcs.yaml"})
	if err != nil {
		return fail(err)
	}
	for _, mode := range []publish.Mode{publish.ModeImport, publish.ModeDirectQuery} {
		job, err := pub.Publish(ctx, org, user, &publish.Request{
			Contract: contract, Source: port, Server: "snowflake-prod", WorkspaceID: ws, Mode: mode,
			NewConnection: &publish.NewConnection{Credential: fabric.BasicCredential{Username: "svc_powerbi", Password: randomHex(8)}},
		})
		if err == nil {
			job, err = pub.Wait(ctx, job.ID)
		}
		if err != nil {
			pub.Close(ctx)
			return fail(err)
		}
		fmt.Fprintf(w, "Published %q (%s) offline.\n", job.Result.ModelName, mode)
	}
	return pub, func() { pub.Close(ctx); env.Close() }, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
