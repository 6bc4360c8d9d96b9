package odcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// invalidExamples pins the official examples that do not validate
// against their declared apiVersion, with the reason. Every other
// official example must validate with no errors.
var invalidExamples = map[string]string{
	"all-data-types.odcs.yaml":      "declares v3.0.2 but uses 3.1 logical types (timestamp, time) and numeric exclusiveMinimum/Maximum",
	"basic-four-dpo.odcs.yaml":      "declares v3.0.2 but writes team in the 3.1 object form",
	"column-completeness.odcs.yaml": "declares v3.0.2 but writes a quality check with metric (3.1) instead of rule",
}

func TestOfficialExamples(t *testing.T) {
	dirs := []string{filepath.Join("testdata", "examples"), filepath.Join("testdata", "examples", "v3.0.2")}
	n := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.odcs.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			n++
			name := filepath.Base(file)
			reason, invalid := invalidExamples[name]
			invalid = invalid && !strings.Contains(file, "v3.0.2")
			t.Run(filepath.ToSlash(file), func(t *testing.T) {
				c, err := ParseFile(file)
				if err != nil {
					t.Fatalf("ParseFile(%q) = %v", file, err)
				}
				if c.APIVersion == "" || c.ID == "" || c.Kind != "DataContract" {
					t.Errorf("ParseFile(%q): apiVersion %q, id %q, kind %q; want all set", file, c.APIVersion, c.ID, c.Kind)
				}
				ds := Validate(c)
				switch {
				case invalid && !ds.HasErrors():
					t.Errorf("Validate(%q) has no errors; pinned as invalid: %s", file, reason)
				case invalid:
					// The hint names the version that accepts it.
					if !strings.Contains(ds.String(), "is valid ODCS v3.1.0") {
						t.Errorf("Validate(%q) lacks the newer-version hint:\n%s", file, ds)
					}
				case ds.HasErrors():
					t.Errorf("Validate(%q) =\n%s\nwant no errors", file, ds)
				}
			})
		}
	}
	if n != 36 {
		t.Errorf("found %d official examples, want 36 (18 at main, 18 at v3.0.2)", n)
	}
}

// TestOfficialExamples_shared checks that the copies under testdata are
// still byte-identical to the reference folder, when it is present: the
// shared/ folder beside the repository, or PBIPUBLISH_SHARED.
func TestOfficialExamples_shared(t *testing.T) {
	root := os.Getenv("PBIPUBLISH_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "shared")
	}
	shared := filepath.Join(root, "odcs", "examples")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("reference examples not present (%s); testdata copies are used", shared)
	}
	for _, sub := range []string{"", "v3.0.2"} {
		files, _ := filepath.Glob(filepath.Join(shared, sub, "*.odcs.yaml"))
		for _, f := range files {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join("testdata", "examples", sub, filepath.Base(f)))
			if err != nil || string(got) != string(want) {
				t.Errorf("testdata copy of %s differs or is missing (%v)", f, err)
			}
		}
	}
}
