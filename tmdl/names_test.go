package tmdl

import (
	"strings"
	"testing"
)

// The rules below were found by loading folders into TOM with
// ../shared/tools/tomcheck --roundtrip and reading what it wrote back.

func TestQuoteName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Orders", "Orders"},
		{"Order Date", "'Order Date'"},
		{"a.b", "'a.b'"},
		{"a=b", "'a=b'"},
		{"Customer's Name", "'Customer''s Name'"},
		{"trail.", "'trail.'"},
		{"col:1", "col:1"},
		{"a-b", "a-b"},
		{"2020", "2020"},
		{"[x]", "[x]"},
		{"Größe", "Größe"},
		{`a"b`, `a"b`},
		{"a`b", "a`b"},
		{"#", "#"},
		{"a//b", "a//b"},
		{"k[y]", "k[y]"},
		{"a<b", "a<b"},
		{"", "''"},
	}
	for _, tt := range tests {
		if got := QuoteName(tt.name); got != tt.want {
			t.Errorf("QuoteName(%q) = %s, want %s", tt.name, got, tt.want)
		}
		if tt.name == "" {
			continue
		}
		got, rest, err := parseName(tt.want)
		if err != nil || got != tt.name || rest != "" {
			t.Errorf("parseName(%s) = %q, %q, %v; want %q", tt.want, got, rest, err, tt.name)
		}
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Orders", "Orders"},
		{"a/b:c*d", "a%2Fb%3Ac%2Ad"},
		{`a"b`, "a%22b"},
		{"a<b", "a%3Cb"},
		{"a>b", "a%3Eb"},
		{"a|b", "a%7Cb"},
		{"a?b", "a%3Fb"},
		{`a\b`, "a%5Cb"},
		{"a%b", "a%b"}, // TOM leaves '%' alone
		{"a b", "a b"},
		{" lead", "%20lead"},
		{"trail ", "trail "},
		{"..", ".."},
		{"trail.", "trail."},
		{"a'b", "a'b"},
		{"x=y", "x=y"},
		{"Ünï", "Ünï"},
		{"con", "con"},
		{"a#b&c;d,e@f+g$h~i{j}!k^l`m", "a#b&c;d,e@f+g$h~i{j}!k^l`m"},
	}
	for _, tt := range tests {
		if got := FileName(tt.name); got != tt.want {
			t.Errorf("FileName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValueQuoting(t *testing.T) {
	tests := []struct{ value, want string }{
		{"x0", "x0"},
		{" lead", `" lead"`},
		{"trail ", `"trail "`},
		{"  ", `"  "`},
		{`"`, `""""`},
		{`q"uote`, `q"uote`},
		{`"), Web.Contents("http://evil")`, `"), Web.Contents("http://evil")`},
		{`"TRUE";"TRUE";"FALSE"`, `"""TRUE"";""TRUE"";""FALSE"""`},
		{"'apos", "'apos"},
		{"x: y", "x: y"},
		{"#hash", "#hash"},
		{"///x", "///x"},
		{`a\b`, `a\b`},
	}
	for _, tt := range tests {
		if got := string(appendValue(nil, tt.value)); got != tt.want {
			t.Errorf("appendValue(%q) = %s, want %s", tt.value, got, tt.want)
		}
		if got := unquoteValue(tt.want); got != tt.value {
			t.Errorf("unquoteValue(%s) = %q, want %q", tt.want, got, tt.value)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, bad := range []string{"", "a\tb", "a\nb", "a\rb", "a\x00", "a\u2028b", "a\x7f", "\xff"} {
		if err := CheckName(bad); err == nil {
			t.Errorf("CheckName(%q) = nil, want an error", bad)
		}
	}
	for _, good := range []string{"a", "Größe", "a b", `'";:=.[]`, strings.Repeat("x", 500)} {
		if err := CheckName(good); err != nil {
			t.Errorf("CheckName(%q) = %v", good, err)
		}
	}
}
