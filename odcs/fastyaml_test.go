package odcs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameTree compares two node trees: kinds, text, plain flags, positions.
func sameTree(a, b *node, path string) error {
	if a.kind != b.kind || a.text != b.text || a.plain != b.plain || a.pos != b.pos {
		return fmt.Errorf("%s: fast %+v, yaml.v3 %+v", path, *a, *b)
	}
	if len(a.keys) != len(b.keys) || len(a.items) != len(b.items) {
		return fmt.Errorf("%s: fast has %d keys %d items, yaml.v3 %d keys %d items", path, len(a.keys), len(a.items), len(b.keys), len(b.items))
	}
	for i := range a.keys {
		if err := sameTree(a.keys[i], b.keys[i], path+".key("+b.keys[i].text+")"); err != nil {
			return err
		}
		if err := sameTree(a.vals[i], b.vals[i], path+"."+b.keys[i].text); err != nil {
			return err
		}
	}
	for i := range a.items {
		if err := sameTree(a.items[i], b.items[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkFast parses data both ways; when the fast parser accepts it, the
// trees and notes must match yaml.v3's. It reports whether the fast
// parser accepted the input.
func checkFast(t *testing.T, name string, data []byte) bool {
	t.Helper()
	fast, fnotes, ok := fastParse(data)
	if !ok {
		return false
	}
	slow, _, snotes, perr := parseYAML(data, "")
	if perr != nil {
		t.Fatalf("%s: fast parser accepted input yaml.v3 rejects (%v):\n%s", name, perr, data)
	}
	if err := sameTree(fast, slow, "$"); err != nil {
		t.Fatalf("%s: trees differ: %v\ninput:\n%s", name, err, data)
	}
	if fmt.Sprint(fnotes) != fmt.Sprint(snotes) {
		t.Fatalf("%s: notes differ: fast %v, yaml.v3 %v", name, fnotes, snotes)
	}
	return true
}

func TestFastParse_matchesYAML(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/examples/*.yaml", "testdata/examples/v3.0.2/*.yaml", "testdata/lint/*.yaml", "testdata/parse/*.yaml"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	accepted := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkFast(t, f, data) {
			accepted++
		}
	}
	t.Logf("fast parser accepted %d of %d files", accepted, len(files))
	if !checkFast(t, "large", large()) {
		t.Errorf("fast parser rejected the generated large contract")
	}
	cases := []string{
		"a: 1\nb: [x, 2, true]\nc: []\nd: 'it''s'\ne: \"q\" # c\n",
		"a:\n- 1\n- x: y\n  z: w\nb: c\n",
		"a:\n  - - x\n",
		"a: b: c\n",
		"a: |\n  text\n",
		"a: x\n  y\n",
		"a:\nb: 1\n",
		"a: é\nné: 2\n",
		"- a\n- b\n",
		"a: 1\na: 2\n",
		"a: &x 1\nb: *x\n",
		"a: 2024-01-01\nb: 0x1F\nc: 1_000\nd: .inf\ne: ~\nf: yes\ng: 1e3\nh: -1.5\n",
		"a:   spaced   \nkey with space: v\n",
		"a: x#y\nb: x #y\nc: 'x' #y\n",
		"a: [a b, c]\n",
		"---\na: 1\n",
		"a: 1\n...\n",
		"a: \"x\\ty\"\n",
		"? a\n: b\n",
		"a:\n  b:\n    c: 1\n  d: 2\n",
		"a:\n    b: 1\n  c: 2\n",
		"- a: 1\n  - b\n",
		"a: -1\nb: - x\n",
		"a: 'unterminated\n",
		"a: [1, 2\n",
		"a: x: y\n",
		"<<: {a: 1}\n",
		"a: {b: 1}\n",
		"a:\n  -\n    b: 1\n",
		"a:\n  - # c\n    b: 1\n",
		"a: 1 # c\n# c\nb: 2\n",
		"a:b\n",
		"k: v:\n",
		"\"k\": v\n",
		"a: @x\n",
		"a: %x\n",
		"a: `x`\n",
		"a: ['x', \"y\", z]\nb: [ 'p q' ]\nc: {}\nd: { }\ne: {a: 1}\nf: ['a,b']\n",
		"a: |\n  one\n  two\n\n  four\n\nb: 1\n",
		"a: |-\n  one\n  two\nb: 1\n",
		"a: |+\n  one\n\n\nb: 1\n",
		"a: >\n  one\n  two\n\n  four\n\nb: 1\n",
		"a: >-\n  one\n  two\n\n\n  five\nb: 1\n",
		"a: >\n  one\n    more\nb: 1\n",
		"a: |2\n  one\nb: 1\n",
		"a: | # c\n  # not a comment\n  x\nb: 1\n",
		"- |\n  item\n- >-\n  folded\n  item\n- x\n",
		"a:\n  - |\n    x\n  - y\nb: 1\n",
		"a: |\n  x\n",
		"a: |\n\n  x\nb: 1\n",
		"a: |\n  x\n   \nb: 1\n",
		"a: |\nb: 1\n",
		"a: |\n  x\n y\nb: 1\n",
		"a: |\n   x\n  y\nb: 1\n",
		"a: |x\n  y\nb: 1\n",
	}
	for i, c := range cases {
		checkFast(t, fmt.Sprintf("case %d %q", i, c), []byte(c))
	}
}

// FuzzFastParse checks that the fast parser, whenever it accepts an
// input, builds the tree yaml.v3 builds.
func FuzzFastParse(f *testing.F) {
	for _, pattern := range []string{"testdata/examples/*.yaml", "testdata/lint/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("a:\n- 1\n- x: y\n  z: [a, 'b']\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 || !strings.Contains(string(data), ":") {
			return
		}
		if checkText(data) != nil {
			return
		}
		checkFast(t, "fuzz", data)
	})
}
