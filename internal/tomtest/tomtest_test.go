package tomtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiffTrees(t *testing.T) {
	in := map[string][]byte{"a.tmdl": []byte("x"), "b.tmdl": []byte("y"), "c.tmdl": []byte("z")}
	out := map[string][]byte{"a.tmdl": []byte("x"), "b.tmdl": []byte("Y"), "d.tmdl": []byte("w")}
	want := []string{"differs: b.tmdl", "only in TOM export: d.tmdl", "only in input: c.tmdl"}
	if diff := cmp.Diff(want, DiffTrees(in, out)); diff != "" {
		t.Errorf("DiffTrees (-want +got):\n%s", diff)
	}
}

func TestBinaryFromEnv(t *testing.T) {
	t.Setenv("PBIPUBLISH_TOM_BIN", filepath.Join(t.TempDir(), "missing"))
	if got := Binary(); got != "" {
		t.Errorf("Binary() = %q with a missing PBIPUBLISH_TOM_BIN, want \"\"", got)
	}
	bin := filepath.Join(t.TempDir(), "tom")
	if err := os.WriteFile(bin, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PBIPUBLISH_TOM_BIN", bin)
	if got := Binary(); got != bin {
		t.Errorf("Binary() = %q, want %q", got, bin)
	}
}

// writeFolder writes a definition folder from path → content.
func writeFolder(t *testing.T, files map[string]string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "M.SemanticModel")
	for p, s := range files {
		path := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestCheck(t *testing.T) {
	tom := Start(t)
	canonical := map[string]string{
		"definition.pbism":         "{\n  \"version\": \"4.0\",\n  \"settings\": {}\n}",
		"definition/database.tmdl": "database M\n\tcompatibilityLevel: 1601\n\n",
		"definition/model.tmdl":    "model Model\n\tculture: en-US\n\nref table T\n\n",
		"definition/tables/T.tmdl": "table T\n\tlineageTag: t\n\n\tcolumn a\n\t\tdataType: int64\n\t\tlineageTag: c\n\t\tsourceColumn: a\n\n\tpartition T = m\n\t\tmode: directQuery\n\t\tsource = 1\n\n",
	}
	res, err := tom.Check(writeFolder(t, canonical))
	if err != nil {
		t.Fatalf("Check() = %v", err)
	}
	if len(res.Diff) != 0 || res.Tables != 1 || res.Columns != 1 || res.Partitions != 1 || strings.Join(res.Modes, ",") != "DirectQuery" {
		t.Errorf("Check() = %+v, want one identical DirectQuery table with one column", res)
	}

	// TOM orders column properties itself: a different order is a diff.
	swapped := map[string]string{}
	for k, v := range canonical {
		swapped[k] = v
	}
	swapped["definition/tables/T.tmdl"] = strings.Replace(canonical["definition/tables/T.tmdl"], "\t\tdataType: int64\n\t\tlineageTag: c\n", "\t\tlineageTag: c\n\t\tdataType: int64\n", 1)
	res, err = tom.Check(writeFolder(t, swapped))
	if err != nil {
		t.Fatalf("Check() = %v", err)
	}
	if diff := cmp.Diff([]string{"differs: tables/T.tmdl"}, res.Diff); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}

	broken := map[string]string{}
	for k, v := range canonical {
		broken[k] = v
	}
	broken["definition/model.tmdl"] = "model Model\n\tdescription: no such property\n"
	if _, err := tom.Check(writeFolder(t, broken)); err == nil || !strings.Contains(err.Error(), "description") {
		t.Errorf("Check(broken) = %v, want TOM's parse error naming the property", err)
	}
}
