package odcs

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestLint_golden lints each contract under testdata/lint and compares
// the output with its .golden file. Run with -update to rewrite them.
func TestLint_golden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "lint", "*.odcs.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lint test files: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".odcs.yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, ds := Lint(data, &ParseOptions{Filename: filepath.Base(file)})
			got := ds.String()
			golden := filepath.Join("testdata", "lint", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./odcs -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Lint(%s) mismatch (-want +got):\n%s", file, diff)
			}
		})
	}
}
