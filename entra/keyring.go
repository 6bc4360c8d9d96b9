package entra

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// EnvEncryptionKeys names the environment variable that holds the keys
// for [KeyringFromEnv]: one or more keys of 64 hexadecimal characters
// (32 bytes), separated by commas. The first key encrypts; every key
// decrypts.
const EnvEncryptionKeys = "APPLICATION_ENCRYPTION_KEYS"

// Purpose names what a sealed record holds. It selects the subkey and is
// part of the associated data, so a record sealed for one purpose does
// not open for another.
type Purpose string

// Purposes used by this package.
const (
	PurposeTokenCache   Purpose = "token-cache"
	PurposeClientSecret Purpose = "client-secret"
)

const (
	recordVersion = 1
	keyIDLen      = 8
	headerLen     = 1 + keyIDLen
)

// ErrRecordInvalid reports a sealed record that cannot be opened: it is
// truncated, altered, sealed for another organization, user or purpose,
// or sealed under a key the keyring no longer holds.
var ErrRecordInvalid = errors.New("entra: sealed record cannot be opened")

// Keyring seals and opens records with AES-256-GCM under one or more
// keys. The first key seals; any key opens. Each record carries the ID
// of its key (derived from the key, never the key itself), so keys can
// be rotated: put the new key first, let records be re-sealed as they
// are written, and drop the old key once nothing refers to it.
//
// A Keyring is safe for concurrent use. The zero value holds no key and
// refuses to seal or open; build one with [NewKeyring] or
// [KeyringFromEnv].
type Keyring struct {
	keys []*ringKey // keys[0] seals
}

type ringKey struct {
	id     [keyIDLen]byte
	secret []byte

	mu    sync.Mutex
	aeads map[Purpose]cipher.AEAD
}

// KeyringFromEnv builds a Keyring from the environment variable
// [EnvEncryptionKeys]. It fails when the variable is unset or malformed;
// there is no unencrypted fallback.
func KeyringFromEnv() (*Keyring, error) {
	v, ok := os.LookupEnv(EnvEncryptionKeys)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("entra: %s is not set: give one or more 64-character hex keys, comma separated", EnvEncryptionKeys)
	}
	return NewKeyring(v)
}

// NewKeyring parses keys written as [EnvEncryptionKeys] expects them:
// 64 hexadecimal characters each, comma separated, spaces around commas
// ignored. Error messages name the position of a bad key, never its
// characters.
func NewKeyring(keys string) (*Keyring, error) {
	parts := strings.Split(keys, ",")
	kr := &Keyring{}
	seen := map[[keyIDLen]byte]int{}
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if len(p) != 64 {
			return nil, fmt.Errorf("entra: %s key %d: want 64 hex characters (32 bytes), got %d characters", EnvEncryptionKeys, i+1, len(p))
		}
		secret, err := hex.DecodeString(p)
		if err != nil {
			return nil, fmt.Errorf("entra: %s key %d is not hexadecimal", EnvEncryptionKeys, i+1)
		}
		k, err := newRingKey(secret)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[k.id]; dup {
			return nil, fmt.Errorf("entra: %s key %d repeats key %d", EnvEncryptionKeys, i+1, j)
		}
		seen[k.id] = i + 1
		kr.keys = append(kr.keys, k)
	}
	return kr, nil
}

func newRingKey(secret []byte) (*ringKey, error) {
	idBytes, err := hkdf.Key(sha256.New, secret, nil, "pbipublish entra key id", keyIDLen)
	if err != nil {
		return nil, fmt.Errorf("entra: cannot derive key id: %w", err)
	}
	k := &ringKey{secret: secret, aeads: map[Purpose]cipher.AEAD{}}
	copy(k.id[:], idBytes)
	return k, nil
}

func (k *ringKey) aead(p Purpose) (cipher.AEAD, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if a, ok := k.aeads[p]; ok {
		return a, nil
	}
	sub, err := hkdf.Key(sha256.New, k.secret, nil, "pbipublish entra purpose "+string(p), 32)
	if err != nil {
		return nil, fmt.Errorf("entra: cannot derive subkey: %w", err)
	}
	block, err := aes.NewCipher(sub)
	if err != nil {
		return nil, fmt.Errorf("entra: cannot build cipher: %w", err)
	}
	a, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("entra: cannot build cipher: %w", err)
	}
	k.aeads[p] = a
	return a, nil
}

// PrimaryKeyID returns the hex ID of the key that seals new records, or
// "" for an empty keyring.
func (kr *Keyring) PrimaryKeyID() string {
	if kr == nil || len(kr.keys) == 0 {
		return ""
	}
	return hex.EncodeToString(kr.keys[0].id[:])
}

// RecordKeyID returns the hex ID of the key a record was sealed with,
// or "" when the record is too short to carry one.
func RecordKeyID(record []byte) string {
	if len(record) < headerLen {
		return ""
	}
	return hex.EncodeToString(record[1:headerLen])
}

// Seal encrypts plaintext for one purpose, organization and user under
// the primary key. The record is: format version (1 byte), key ID
// (8 bytes), nonce (12 bytes), ciphertext and tag (16 bytes). Version,
// key ID, organization, user and purpose are authenticated.
func (kr *Keyring) Seal(p Purpose, org, user string, plaintext []byte) ([]byte, error) {
	if kr == nil || len(kr.keys) == 0 {
		return nil, errors.New("entra: keyring holds no key")
	}
	k := kr.keys[0]
	a, err := k.aead(p)
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerLen, headerLen+a.NonceSize()+len(plaintext)+a.Overhead())
	out[0] = recordVersion
	copy(out[1:], k.id[:])
	ad := associatedData(out[:headerLen], p, org, user)
	return a.Seal(out, nil, plaintext, ad), nil
}

// Open decrypts a record made by Seal with the same purpose,
// organization and user. Any mismatch, alteration or unknown key yields
// an error wrapping [ErrRecordInvalid].
func (kr *Keyring) Open(p Purpose, org, user string, record []byte) ([]byte, error) {
	if kr == nil || len(kr.keys) == 0 {
		return nil, errors.New("entra: keyring holds no key")
	}
	if len(record) < headerLen {
		return nil, fmt.Errorf("%w: truncated", ErrRecordInvalid)
	}
	if record[0] != recordVersion {
		return nil, fmt.Errorf("%w: unknown format version %d", ErrRecordInvalid, record[0])
	}
	var k *ringKey
	for _, c := range kr.keys {
		if string(c.id[:]) == string(record[1:headerLen]) {
			k = c
			break
		}
	}
	if k == nil {
		return nil, fmt.Errorf("%w: sealed under key %s, which the keyring does not hold", ErrRecordInvalid, RecordKeyID(record))
	}
	a, err := k.aead(p)
	if err != nil {
		return nil, err
	}
	if len(record) < headerLen+a.NonceSize()+a.Overhead() {
		return nil, fmt.Errorf("%w: truncated", ErrRecordInvalid)
	}
	ad := associatedData(record[:headerLen], p, org, user)
	plain, err := a.Open(nil, nil, record[headerLen:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrRecordInvalid)
	}
	return plain, nil
}

// NeedsReseal reports whether a record was sealed under a key other
// than the primary one, so that writing it again would rotate it.
func (kr *Keyring) NeedsReseal(record []byte) bool {
	if kr == nil || len(kr.keys) == 0 || len(record) < headerLen {
		return false
	}
	return string(record[1:headerLen]) != string(kr.keys[0].id[:])
}

// associatedData binds a record to its header and to what it is for.
// Each variable field is length-prefixed so that no two different
// (org, user, purpose) triples encode the same way.
func associatedData(header []byte, p Purpose, org, user string) []byte {
	ad := make([]byte, 0, len(header)+12+len(org)+len(user)+len(p))
	ad = append(ad, header...)
	for _, s := range []string{string(p), org, user} {
		n := len(s)
		ad = append(ad, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		ad = append(ad, s...)
	}
	return ad
}
