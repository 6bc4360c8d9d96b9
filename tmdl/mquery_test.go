package tmdl

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pbipublish/pbipublish/odcs"
)

func TestMString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SALES", `"SALES"`},
		{`we"ird`, `"we""ird"`},
		{"a\nb", `"a#(lf)b"`},
		{"a\r\nb", `"a#(cr)#(lf)b"`},
		{"a\tb", `"a#(tab)b"`},
		{"#(lf)", `"#(#)(lf)"`},
		{`#"x"`, `"#""x"""`},
		{"a\x00b", `"a#(0000)b"`},
		{"]}[Data], Web.Contents(\"x\")", `"]}[Data], Web.Contents(""x"")"`},
		{"Größe", `"Größe"`},
	}
	for _, tt := range tests {
		if got := MString(tt.in); got != tt.want {
			t.Errorf("MString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMIdentifier(t *testing.T) {
	tests := []struct{ in, want string }{
		{"orders", "orders"},
		{"_x1", "_x1"},
		{"Order Lines", `#"Order Lines"`},
		{"1st", `#"1st"`},
		{"in", `#"in"`},
		{`#"x" = 1, Source`, `#"#""x"" = 1, Source"`},
		{"", `#""`},
	}
	for _, tt := range tests {
		if got := MIdentifier(tt.in); got != tt.want {
			t.Errorf("MIdentifier(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// parseMString reads one M text literal at the start of s, the way the M
// lexer does, and returns its value and the rest of s.
func parseMString(s string) (string, string, bool) {
	if s == "" || s[0] != '"' {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); {
		switch {
		case s[i] == '"':
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i += 2
				continue
			}
			return b.String(), s[i+1:], true
		case strings.HasPrefix(s[i:], "#("):
			end := strings.IndexByte(s[i:], ')')
			if end < 0 {
				return "", s, false
			}
			esc := s[i+2 : i+end]
			switch esc {
			case "cr":
				b.WriteByte('\r')
			case "lf":
				b.WriteByte('\n')
			case "tab":
				b.WriteByte('\t')
			case "#":
				b.WriteByte('#')
			default:
				n, err := strconv.ParseUint(esc, 16, 32)
				if err != nil || len(esc) != 4 {
					return "", s, false
				}
				b.WriteRune(rune(n))
			}
			i += end + 1
		case s[i] == '\n' || s[i] == '\r':
			return "", s, false // a literal cannot span lines
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return "", s, false
}

// FuzzMString checks that every string becomes exactly one M literal that
// reads back as the string: nothing can end it early or add code.
func FuzzMString(f *testing.F) {
	for _, s := range []string{"", "a", `"`, `""`, "#(", "#(lf)", "a\nb", `"), Web.Contents("x")`, "#\"x\"", "\x00\x7f\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit := MString(s)
		got, rest, ok := parseMString(lit)
		if !ok || rest != "" {
			t.Fatalf("MString(%q) = %s: not one M literal (rest %q)", s, lit, rest)
		}
		want := s
		if !utf8.ValidString(s) {
			want = string([]rune(s)) // each invalid byte becomes one U+FFFD
		}
		if got != want {
			t.Fatalf("MString(%q) = %s reads back as %q", s, lit, got)
		}
		id := MIdentifier(s)
		if id != s {
			if !strings.HasPrefix(id, "#") {
				t.Fatalf("MIdentifier(%q) = %s", s, id)
			}
			if back, rest, ok := parseMString(id[1:]); !ok || rest != "" || back != want {
				t.Fatalf("MIdentifier(%q) = %s does not read back", s, id)
			}
		}
	})
}

// splitM separates M text into its code (every text literal replaced by
// "") and the values of its literals, read the way the M lexer reads them.
func splitM(t *testing.T, m string) (string, []string) {
	t.Helper()
	var code strings.Builder
	var lits []string
	for i := 0; i < len(m); {
		if m[i] != '"' {
			code.WriteByte(m[i])
			i++
			continue
		}
		v, rest, ok := parseMString(m[i:])
		if !ok {
			t.Fatalf("unterminated literal at %d in\n%s", i, m)
		}
		lits = append(lits, v)
		code.WriteString(`""`)
		i = len(m) - len(rest)
	}
	return code.String(), lits
}

// TestMNoInjection builds partitions from hostile server and object
// names and checks that the M code around the literals is exactly the
// template, and that each literal reads back as the contract's value.
func TestMNoInjection(t *testing.T) {
	hostile := []string{
		`x"), Web.Contents("http://evil`,
		"line\nbreak",
		`#"step" = 1`,
		"#(lf)",
		"]}[Data], x = Schema{[",
		"tab\there",
		`""`,
	}
	for i, h := range hostile {
		for _, kind := range []string{"snowflake", "databricks"} {
			c := &odcs.Contract{ID: "id", Name: "n", Servers: []*odcs.Server{{
				Server: "s", Type: kind, Account: "acct", Host: "host" + h, Warehouse: h, Database: h, Catalog: h, Schema: h,
				CustomProperties: odcs.CustomProperties{{Property: "role", Value: h}, {Property: "httpPath", Value: h}},
			}}}
			o := &odcs.Object{Name: h, PhysicalName: h}
			b := &builder{c: c, opts: Options{}}
			b.server()
			m := b.mSource(o, []string{h, "plain"})
			code, lits := splitM(t, m)
			var wantCode string
			var wantLits []string
			step := MIdentifier(h)
			stepCode, _ := splitM(t, step)
			if kind == "snowflake" {
				wantCode = "let\n    Source = Snowflake.Databases(\"\", \"\", [Role=\"\", Implementation=\"\"]),\n" +
					"    Db = Source{[Name=\"\",Kind=\"\"]}[Data],\n    Schema = Db{[Name=\"\",Kind=\"\"]}[Data],\n"
				wantLits = []string{normalizeHost("host" + h), h, h, "2.0", h, "Database", h, "Schema"}
			} else {
				wantCode = "let\n    Source = Databricks.Catalogs(\"\", \"\", [Catalog=null, Database=null, EnableAutomaticProxyDiscovery=null]),\n" +
					"    Catalog = Source{[Name=\"\",Kind=\"\"]}[Data],\n    Schema = Catalog{[Name=\"\",Kind=\"\"]}[Data],\n"
				wantLits = []string{normalizeHost("host" + h), h, h, "Database", h, "Schema"}
			}
			wantCode += "    " + stepCode + " = Schema{[Name=\"\",Kind=\"\"]}[Data],\n    Selected = Table.SelectColumns(" + stepCode + ", {\"\", \"\"})\nin\n    Selected"
			if step != h {
				wantLits = append(wantLits, h)
			}
			wantLits = append(wantLits, h, "Table")
			if step != h {
				wantLits = append(wantLits, h)
			}
			wantLits = append(wantLits, h, "plain")
			if code != wantCode {
				t.Errorf("case %d %s: M code =\n%s\nwant\n%s", i, kind, code, wantCode)
			}
			if len(lits) != len(wantLits) {
				t.Errorf("case %d %s: literals = %q, want %q", i, kind, lits, wantLits)
				continue
			}
			for j := range lits {
				if lits[j] != wantLits[j] {
					t.Errorf("case %d %s: literal %d = %q, want %q", i, kind, j, lits[j], wantLits[j])
				}
			}
		}
	}
}
