package entra

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// ErrNotFound is returned by stores when no record exists for the key.
var ErrNotFound = errors.New("entra: record not found")

// ErrConflict is returned by [Store.Put] when the stored version is not
// the one the caller expected.
var ErrConflict = errors.New("entra: record changed since it was read")

// AnyVersion makes [Store.Put] write unconditionally.
const AnyVersion int64 = -1

// Record is what a [Store] keeps for one user of one organization: the
// sealed MSAL token cache and what a profile page shows about the
// connection. Only Sealed is secret, and it is encrypted by a [Keyring]
// before it reaches the store.
type Record struct {
	Org  string `json:"org"`
	User string `json:"user"`

	// HomeAccountID is the signed-in account's "<oid>.<tid>", which MSAL
	// uses to find the account in the cache.
	HomeAccountID string `json:"homeAccountId"`
	// Username is the account's user principal name.
	Username string `json:"username"`
	// Scopes are the delegated scopes granted when the user connected.
	Scopes      []string  `json:"scopes"`
	ConnectedAt time.Time `json:"connectedAt"`
	UpdatedAt   time.Time `json:"updatedAt"`

	// Version is set by the store on every write, starting at 1.
	Version int64 `json:"version"`

	// Sealed is the MSAL cache blob sealed with PurposeTokenCache.
	Sealed []byte `json:"sealed"`
}

func (r *Record) clone() *Record {
	c := *r
	c.Scopes = slices.Clone(r.Scopes)
	c.Sealed = slices.Clone(r.Sealed)
	return &c
}

// Store keeps one token [Record] per (organization, user).
//
// Contract, which every implementation must honour and which
// [github.com/pbipublish/pbipublish/entra/entratest.TestStore] checks:
//
//   - Get returns a copy the caller may modify, or an error wrapping
//     ErrNotFound.
//   - Put with ifVersion AnyVersion writes unconditionally (last write
//     wins); with 0 it creates and fails with ErrConflict if a record
//     exists; with n > 0 it replaces only a record whose Version is n,
//     and fails with ErrConflict otherwise (including when the record
//     was deleted). Put returns the new version; the store never keeps
//     a reference to rec.
//   - Delete removes the record, or returns an error wrapping
//     ErrNotFound.
//   - All methods are safe for concurrent use.
//
// The compare-and-put lets a background refresh write its rotated cache
// without resurrecting a record the user disconnected in the meantime.
type Store interface {
	Get(ctx context.Context, org, user string) (*Record, error)
	Put(ctx context.Context, rec *Record, ifVersion int64) (int64, error)
	Delete(ctx context.Context, org, user string) error
}

// SettingsRecord is an organization's application settings as stored:
// the client secret only in sealed form.
type SettingsRecord struct {
	Org          string    `json:"org"`
	Kind         AppKind   `json:"kind"`
	TenantID     string    `json:"tenantId,omitempty"`
	ClientID     string    `json:"clientId,omitempty"`
	SealedSecret []byte    `json:"sealedSecret,omitempty"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func (r *SettingsRecord) clone() *SettingsRecord {
	c := *r
	c.SealedSecret = slices.Clone(r.SealedSecret)
	return &c
}

// SettingsStore keeps one [SettingsRecord] per organization. Writes are
// last-write-wins; GetSettings returns a copy or an error wrapping
// ErrNotFound; DeleteSettings of a missing record returns ErrNotFound.
// All methods are safe for concurrent use.
// [github.com/pbipublish/pbipublish/entra/entratest.TestSettingsStore]
// checks an implementation.
type SettingsStore interface {
	GetSettings(ctx context.Context, org string) (*SettingsRecord, error)
	PutSettings(ctx context.Context, rec *SettingsRecord) error
	DeleteSettings(ctx context.Context, org string) error
}

// MemoryStore is a [Store] and [SettingsStore] held in memory, for tests
// and single-process hosts that accept losing connections on restart.
// The zero value is not usable; call [NewMemoryStore]. It is safe for
// concurrent use.
type MemoryStore struct {
	mu       sync.Mutex
	tokens   map[userKey]*Record
	settings map[string]*SettingsRecord
}

type userKey struct{ org, user string }

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{tokens: map[userKey]*Record{}, settings: map[string]*SettingsRecord{}}
}

// Get implements [Store].
func (m *MemoryStore) Get(ctx context.Context, org, user string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.tokens[userKey{org, user}]
	if !ok {
		return nil, ErrNotFound
	}
	return r.clone(), nil
}

// Put implements [Store].
func (m *MemoryStore) Put(ctx context.Context, rec *Record, ifVersion int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := userKey{rec.Org, rec.User}
	v, err := nextVersion(m.tokens[k], ifVersion)
	if err != nil {
		return 0, err
	}
	c := rec.clone()
	c.Version = v
	m.tokens[k] = c
	return v, nil
}

// nextVersion applies the compare-and-put rule of [Store.Put] to the
// current record (nil when absent).
func nextVersion(cur *Record, ifVersion int64) (int64, error) {
	var have int64
	if cur != nil {
		have = cur.Version
	}
	switch {
	case ifVersion == AnyVersion:
	case ifVersion == 0 && cur != nil:
		return 0, ErrConflict
	case ifVersion > 0 && (cur == nil || cur.Version != ifVersion):
		return 0, ErrConflict
	case ifVersion < 0:
		return 0, errors.New("entra: invalid version for put")
	}
	return have + 1, nil
}

// Delete implements [Store].
func (m *MemoryStore) Delete(ctx context.Context, org, user string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := userKey{org, user}
	if _, ok := m.tokens[k]; !ok {
		return ErrNotFound
	}
	delete(m.tokens, k)
	return nil
}

// GetSettings implements [SettingsStore].
func (m *MemoryStore) GetSettings(ctx context.Context, org string) (*SettingsRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.settings[org]
	if !ok {
		return nil, ErrNotFound
	}
	return r.clone(), nil
}

// PutSettings implements [SettingsStore].
func (m *MemoryStore) PutSettings(ctx context.Context, rec *SettingsRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settings[rec.Org] = rec.clone()
	return nil
}

// DeleteSettings implements [SettingsStore].
func (m *MemoryStore) DeleteSettings(ctx context.Context, org string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.settings[org]; !ok {
		return ErrNotFound
	}
	delete(m.settings, org)
	return nil
}

var (
	_ Store         = (*MemoryStore)(nil)
	_ SettingsStore = (*MemoryStore)(nil)
)
