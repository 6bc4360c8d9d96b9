package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestTour(t *testing.T) {
	t.Setenv("APPLICATION_ENCRYPTION_KEYS", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	var out bytes.Buffer
	if err := tour(context.Background(), &out); err != nil {
		t.Fatalf("tour: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		`test: The credentials work for "Contoso Publisher".`,
		"landed on: connected as alice@example.com",
		"https://analysis.windows.net/powerbi/api: for alice@example.com",
		"https://api.fabric.microsoft.com: for alice@example.com",
		"next token request: entra: user has not connected to Power BI",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "demo-secret-value") || strings.Contains(got, "eyJ") {
		t.Errorf("output shows a secret or a token:\n%s", got)
	}
}
