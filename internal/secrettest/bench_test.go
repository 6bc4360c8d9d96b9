package secrettest

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkFindBytes scans 1 MiB of log-like text for 500 registered
// secrets (4,000 needles with their encoded forms).
func BenchmarkFindBytes(b *testing.B) {
	r := &Registry{}
	for i := range 500 {
		r.Add("token", fmt.Sprintf("eyJhbGciOi.secret-%04d.signature", i))
	}
	text := bytes.Repeat([]byte(`time=2026-12-03T18:00:00Z level=INFO msg="publish: stage" job=5d2001eb user=u-1 stage=creating_model`+"\n"), 1<<20/100)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if leaks := r.FindBytes("logs", text); len(leaks) != 0 {
			b.Fatal(leaks)
		}
	}
}
