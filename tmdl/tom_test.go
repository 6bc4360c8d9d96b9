package tmdl_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pbipublish/pbipublish/internal/tomtest"
	"github.com/pbipublish/pbipublish/tmdl"
)

// TestTOM is the acceptance test against Microsoft's Tabular Object
// Model: every golden model loads and TOM writes back the same bytes,
// and the reference models decode, encode and load. It starts TOM once.
func TestTOM(t *testing.T) {
	if testing.Short() {
		t.Skip("TOM acceptance test skipped in -short mode")
	}
	tom := tomtest.Start(t)
	for _, gc := range goldenCases {
		t.Run("golden/"+gc.name, func(t *testing.T) {
			_, db, _ := build(t, gc)
			dir, err := tmdl.WriteFolder(t.TempDir(), db)
			if err != nil {
				t.Fatal(err)
			}
			res, err := tom.Check(dir)
			if err != nil {
				t.Fatalf("TOM: %v", err)
			}
			if len(res.Diff) > 0 {
				for _, d := range res.Diff {
					if name, ok := strings.CutPrefix(d, "differs: "); ok {
						t.Errorf("%s (-ours +TOM):\n%s", name, cmp.Diff(readFile(t, filepath.Join(dir, "definition", name)), string(res.Export[name])))
						continue
					}
					t.Error(d)
				}
			}
			cols, parts := 0, 0
			for _, tab := range db.Model.Tables {
				cols += len(tab.Columns)
				parts += len(tab.Partitions)
			}
			want := [4]int{len(db.Model.Tables), cols, parts, len(db.Model.Relationships)}
			got := [4]int{res.Tables, res.Columns, res.Partitions, res.Relationships}
			if want != got {
				t.Errorf("TOM loaded tables, columns, partitions, relationships = %v, want %v", got, want)
			}
		})
	}
	for _, name := range []string{"ABC", "Sales"} {
		t.Run("reference/"+name, func(t *testing.T) {
			db, err := tmdl.ReadFolder(filepath.Join("testdata", "reference", name+".SemanticModel"))
			if err != nil {
				t.Fatal(err)
			}
			parts, err := db.Parts()
			if err != nil {
				t.Fatal(err)
			}
			// Written part by part: ABC's database has no name, which
			// WriteFolder needs for the folder name.
			dir := filepath.Join(t.TempDir(), name+".SemanticModel")
			for _, p := range parts {
				path := filepath.Join(dir, filepath.FromSlash(p.Path))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, p.Payload, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := tom.Check(dir)
			if err != nil {
				t.Fatalf("TOM cannot load our encoding of %s: %v", name, err)
			}
			if res.Tables != len(db.Model.Tables) {
				t.Errorf("TOM loaded %d tables, want %d", res.Tables, len(db.Model.Tables))
			}
			if name == "ABC" && len(res.Diff) > 0 {
				t.Errorf("ABC (TOM-canonical input) is no longer TOM-canonical after decode and encode: %v", res.Diff)
			}
			// Sales holds columns with isDataTypeInferred, whose dataType
			// TOM drops on export; nothing else may differ.
			for _, d := range res.Diff {
				file, ok := strings.CutPrefix(d, "differs: ")
				if !ok {
					t.Errorf("%s: %s", name, d)
					continue
				}
				ours := strings.Split(readFile(t, filepath.Join(dir, "definition", file)), "\n")
				theirs := strings.Split(string(res.Export[file]), "\n")
				onlyOurs, onlyTheirs := multisetDiff(ours, theirs)
				for _, l := range onlyOurs {
					if k := strings.TrimSpace(l); !strings.HasPrefix(k, "dataType: ") && k != "isDataTypeInferred" {
						t.Errorf("%s: %s: TOM dropped %q", name, file, l)
					}
				}
				for _, l := range onlyTheirs {
					t.Errorf("%s: %s: TOM added %q", name, file, l)
				}
			}
		})
	}
}

// multisetDiff returns the lines only in a and only in b, counting
// repeats.
func multisetDiff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		if count[l] > 0 {
			count[l]--
			continue
		}
		onlyB = append(onlyB, l)
	}
	for _, l := range a {
		if count[l] > 0 {
			count[l]--
			onlyA = append(onlyA, l)
		}
	}
	return onlyA, onlyB
}
