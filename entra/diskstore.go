package entra

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// DiskStore is a durable [Store] and [SettingsStore] in a local
// directory, for a single process. Each record is one JSON file named
// by a hash of its key, written atomically (temporary file, sync,
// rename) with mode 0600 in directories with mode 0700. Token caches
// and client secrets are stored only as the sealed bytes the
// [Connector] hands over.
//
// A DiskStore is safe for concurrent use within one process; several
// processes sharing a directory need a store with real locking (a
// database). The zero value is not usable; call [NewDiskStore].
type DiskStore struct {
	dir string
	mu  sync.Mutex
}

// NewDiskStore opens (creating if needed) a store rooted at dir.
func NewDiskStore(dir string) (*DiskStore, error) {
	if dir == "" {
		return nil, errors.New("entra: disk store needs a directory")
	}
	for _, sub := range []string{"tokens", "settings"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("entra: cannot create store directory: %w", err)
		}
	}
	return &DiskStore{dir: dir}, nil
}

func (d *DiskStore) tokenPath(org, user string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s%d:%s", len(org), org, len(user), user)
	return filepath.Join(d.dir, "tokens", hex.EncodeToString(h.Sum(nil))+".json")
}

func (d *DiskStore) settingsPath(org string) string {
	h := sha256.Sum256([]byte(org))
	return filepath.Join(d.dir, "settings", hex.EncodeToString(h[:])+".json")
}

// readJSON loads path into v, mapping a missing file to ErrNotFound.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("entra: cannot read record: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("entra: cannot decode record %s: %w", filepath.Base(path), err)
	}
	return nil
}

// writeJSON replaces path atomically with the JSON encoding of v.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("entra: cannot encode record: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("entra: cannot write record: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("entra: cannot write record: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("entra: cannot write record: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("entra: cannot write record: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("entra: cannot write record: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("entra: cannot write record: %w", err)
	}
	ok = true
	return nil
}

func removeFile(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("entra: cannot delete record: %w", err)
	}
	return nil
}

// Get implements [Store].
func (d *DiskStore) Get(ctx context.Context, org, user string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var r Record
	if err := readJSON(d.tokenPath(org, user), &r); err != nil {
		return nil, err
	}
	if r.Org != org || r.User != user {
		return nil, fmt.Errorf("entra: record file does not belong to this user")
	}
	return &r, nil
}

// Put implements [Store].
func (d *DiskStore) Put(ctx context.Context, rec *Record, ifVersion int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	path := d.tokenPath(rec.Org, rec.User)
	var cur *Record
	var have Record
	switch err := readJSON(path, &have); {
	case err == nil:
		cur = &have
	case errors.Is(err, ErrNotFound):
	default:
		if ifVersion != AnyVersion {
			return 0, err
		}
	}
	v, err := nextVersion(cur, ifVersion)
	if err != nil {
		return 0, err
	}
	c := rec.clone()
	c.Version = v
	if err := writeJSON(path, c); err != nil {
		return 0, err
	}
	return v, nil
}

// Delete implements [Store].
func (d *DiskStore) Delete(ctx context.Context, org, user string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return removeFile(d.tokenPath(org, user))
}

// GetSettings implements [SettingsStore].
func (d *DiskStore) GetSettings(ctx context.Context, org string) (*SettingsRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var r SettingsRecord
	if err := readJSON(d.settingsPath(org), &r); err != nil {
		return nil, err
	}
	if r.Org != org {
		return nil, fmt.Errorf("entra: settings file does not belong to this organization")
	}
	return &r, nil
}

// PutSettings implements [SettingsStore].
func (d *DiskStore) PutSettings(ctx context.Context, rec *SettingsRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return writeJSON(d.settingsPath(rec.Org), rec)
}

// DeleteSettings implements [SettingsStore].
func (d *DiskStore) DeleteSettings(ctx context.Context, org string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return removeFile(d.settingsPath(org))
}

var (
	_ Store         = (*DiskStore)(nil)
	_ SettingsStore = (*DiskStore)(nil)
)
