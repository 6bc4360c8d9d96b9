package odcs

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDiagnostic_String(t *testing.T) {
	tests := []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{SeverityError, "c.yaml", 4, 9, "schema[0].name", "bad"}, "c.yaml:4:9: error: schema[0].name: bad"},
		{Diagnostic{SeverityWarning, "c.yaml", 4, 0, "", "w"}, "c.yaml:4: warning: w"},
		{Diagnostic{SeverityInfo, "c.yaml", 0, 0, "", "i"}, "c.yaml: info: i"},
		{Diagnostic{SeverityError, "", 2, 3, "id", "x"}, "2:3: error: id: x"},
		{Diagnostic{Severity: SeverityError, Message: "x"}, "error: x"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestDiagnostic_JSON(t *testing.T) {
	d := Diagnostic{SeverityWarning, "c.yaml", 1, 2, "id", "m"}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"severity":"warning","file":"c.yaml","line":1,"column":2,"path":"id","message":"m"}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back Diagnostic
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Errorf("Unmarshal = %+v, %v; want %+v", back, err, d)
	}
	var s Severity
	if err := json.Unmarshal([]byte(`"fatal"`), &s); err == nil {
		t.Errorf("Unmarshal(fatal) succeeded")
	}
}

func TestDiagnostics_Err(t *testing.T) {
	warn := Diagnostics{{Severity: SeverityWarning, Message: "w"}}
	if warn.HasErrors() || warn.Err() != nil {
		t.Errorf("warnings only: HasErrors=%v Err=%v; want false, nil", warn.HasErrors(), warn.Err())
	}
	ds := append(warn, Diagnostic{Severity: SeverityError, File: "f", Line: 3, Column: 1, Message: "e1"},
		Diagnostic{Severity: SeverityError, Message: "e2"})
	err := ds.Err()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Diagnostics) != 3 {
		t.Fatalf("Err() = %v, want *ValidationError with 3 diagnostics", err)
	}
	if got := err.Error(); got != "odcs: invalid contract: f:3:1: error: e1 (and 1 more errors)" {
		t.Errorf("Err().Error() = %q", got)
	}
	if s := Severity(7).String(); !strings.Contains(s, "7") {
		t.Errorf("Severity(7).String() = %q", s)
	}
}
