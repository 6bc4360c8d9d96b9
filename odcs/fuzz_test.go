package odcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLint parses and validates arbitrary input: it must never panic,
// and every diagnostic must be well formed. The seed corpus is the
// official examples, the lint test files and testdata/fuzz/FuzzLint.
func FuzzLint(f *testing.F) {
	for _, pattern := range []string{"testdata/examples/*.yaml", "testdata/lint/*.yaml", "testdata/parse/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("<<: {a: 1}\nb: 2"))
	f.Add([]byte("{\"apiVersion\": \"v3.1.0\", \"schema\": [{\"name\": 1}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, ds := Lint(data, &ParseOptions{Filename: "f.yaml", MaxBytes: 1 << 20})
		for _, d := range ds {
			if d.Message == "" || d.File != "f.yaml" || d.Line < 0 || d.Column < 0 || (d.Line == 0 && d.Column != 0) {
				t.Fatalf("malformed diagnostic %#v", d)
			}
			if strings.Contains(d.Message, "\n") {
				t.Fatalf("multi-line message %q", d.Message)
			}
		}
		if c == nil {
			if !ds.HasErrors() {
				t.Fatalf("no contract and no error: %v", ds)
			}
			return
		}
		// The lookups must not panic on whatever was parsed.
		c.ForeignKeys()
		c.Server("")
		for _, o := range c.Schema {
			o.PrimaryKey()
			c.Position(o.Path + ".name")
		}
	})
}
