package entra_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pbipublish/pbipublish/entra"
)

func TestDiskStoreFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := entra.NewDiskStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.Put(ctx, &entra.Record{Org: "o", User: "u", Sealed: []byte("x")}, 0)
	s.PutSettings(ctx, &entra.SettingsRecord{Org: "o"})
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		fi, _ := d.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", p, fi.Mode().Perm())
		}
		if filepath.Base(p)[0] == '.' {
			t.Errorf("temporary file %s left behind", p)
		}
		return nil
	})
	if n != 2 {
		t.Errorf("%d files, want 2", n)
	}
	// A second store on the same directory sees the records.
	s2, _ := entra.NewDiskStore(dir)
	if r, err := s2.Get(ctx, "o", "u"); err != nil || string(r.Sealed) != "x" {
		t.Errorf("reopened Get = %v, %v", r, err)
	}
}
