package entra

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResourceScopes(t *testing.T) {
	want := []string{
		"https://api.fabric.microsoft.com/Workspace.Read.All",
		"https://api.fabric.microsoft.com/Dataset.ReadWrite.All",
		"https://api.fabric.microsoft.com/Item.ReadWrite.All",
		"https://api.fabric.microsoft.com/Connection.ReadWrite.All",
	}
	if diff := cmp.Diff(want, Fabric.Scopes()); diff != "" {
		t.Errorf("Fabric.Scopes() (-want +got):\n%s", diff)
	}
	p := Permissions()
	p[0] = "changed"
	if Permissions()[0] != "Workspace.Read.All" {
		t.Error("Permissions() exposes the package's slice")
	}
}

func TestResourceCovers(t *testing.T) {
	tests := []struct {
		res   Resource
		scope string
		want  bool
	}{
		{PowerBI, "https://analysis.windows.net/powerbi/api/.default", true},
		{PowerBI, "https://ANALYSIS.windows.net/powerbi/api/Dataset.ReadWrite.All", true},
		{PowerBI, "https://analysis.windows.net/powerbi/api", true},
		{PowerBI, "https://analysis.windows.net/powerbi/apix/.default", false},
		{PowerBI, "https://api.fabric.microsoft.com/.default", false},
		{Fabric, "https://api.fabric.microsoft.com/.default", true},
	}
	for _, tt := range tests {
		if got := tt.res.covers(tt.scope); got != tt.want {
			t.Errorf("%s.covers(%q) = %v, want %v", tt.res, tt.scope, got, tt.want)
		}
	}
}
