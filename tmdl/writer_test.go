package tmdl

import "testing"

func TestWriterExpr(t *testing.T) {
	tests := []struct {
		name  string
		depth int
		text  string
		want  string
	}{
		{"single_line", 1, "SUM(x)", "measure m = SUM(x)\n"},
		{"single_line_trimmed", 1, "  1 ", "measure m = 1\n"},
		{"multi_line_two_deeper", 1, "let\n    a = 1\nin\n    a", "measure m =\n\t\t\tlet\n\t\t\t    a = 1\n\t\t\tin\n\t\t\t    a\n"},
		{"blank_line_keeps_indent", 0, "a\n\nb", "measure m =\n\t\ta\n\t\t\n\t\tb\n"},
		{"fence_for_trailing_space", 1, "let \nin", "measure m = ```\n\t\t\tlet \n\t\t\tin\n\t\t\t```\n"},
		{"fence_for_trailing_newline", 1, "x\ny\n", "measure m = ```\n\t\t\tx\n\t\t\ty\n\t\t\t\n\t\t\t```\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &writer{}
			w.decl(tt.depth, "measure", "m")
			w.expr(tt.depth, tt.text)
			want := tabs[:tt.depth] + tt.want
			if got := string(w.b); got != want {
				t.Errorf("expr(%q) =\n%q\nwant\n%q", tt.text, got, want)
			}
			p := &parser{file: "t", lines: splitLines(string(w.b))}
			nodes, err := p.block(0, map[*Node]int{})
			if tt.depth > 0 {
				p = &parser{file: "t", lines: splitLines(string(w.b))}
				nodes, err = p.block(tt.depth, map[*Node]int{})
			}
			if err != nil || len(nodes) != 1 {
				t.Fatalf("parse back = %v, %v", nodes, err)
			}
			wantText := tt.text
			if tt.name == "single_line_trimmed" {
				wantText = "1"
			}
			if nodes[0].Value != wantText {
				t.Errorf("parsed back %q, want %q", nodes[0].Value, wantText)
			}
		})
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestWriterDescription(t *testing.T) {
	w := &writer{}
	w.desc(1, "first\n  second  \r\n\nlast\u2028x\x00y")
	want := "\t/// first\n\t/// second\n\t/// \n\t/// last\n\t/// xy\n"
	if got := string(w.b); got != want {
		t.Errorf("desc() = %q, want %q", got, want)
	}
	if got := NormalizeDescription(" a \n b"); got != "a\nb" {
		t.Errorf("NormalizeDescription() = %q", got)
	}
}

func TestWriterFenceLine(t *testing.T) {
	for _, tt := range []struct {
		text    string
		wantErr bool
	}{
		{"```x", false},
		{"a\n```\nb", false}, // unfenced block: ``` is plain text
		{"```", true},
		{"a \n```", true}, // needs a fence and holds its closing line
	} {
		w := &writer{}
		w.decl(0, "measure", "m")
		w.expr(0, tt.text)
		if (w.err != nil) != tt.wantErr {
			t.Errorf("expr(%q) err = %v, want error %v", tt.text, w.err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		p := &parser{file: "t", lines: splitLines(string(w.b))}
		nodes, err := p.block(0, map[*Node]int{})
		if err != nil || len(nodes) != 1 || nodes[0].Value != tt.text {
			t.Errorf("expr(%q) wrote %q, parsed back %v %v", tt.text, w.b, nodes, err)
		}
	}
}
