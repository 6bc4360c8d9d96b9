package entra_test

import (
	"testing"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

func TestStoreConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		entratest.TestStore(t, func(*testing.T) entra.Store { return entra.NewMemoryStore() })
		entratest.TestSettingsStore(t, func(*testing.T) entra.SettingsStore { return entra.NewMemoryStore() })
	})
	t.Run("disk", func(t *testing.T) {
		open := func(t *testing.T) *entra.DiskStore {
			s, err := entra.NewDiskStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		entratest.TestStore(t, func(t *testing.T) entra.Store { return open(t) })
		entratest.TestSettingsStore(t, func(t *testing.T) entra.SettingsStore { return open(t) })
	})
}
