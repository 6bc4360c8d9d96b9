package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// OutputPort identifies the source of a published model: one output port of
// one data product, described by a data contract.
type OutputPort struct {
	// DataProduct is the data product's identifier in the host's catalog.
	DataProduct string `json:"dataProduct"`
	// Port is the output port's identifier or name within that product.
	Port string `json:"port"`
	// ContractID is the id of the contract that describes the port.
	ContractID string `json:"contractId,omitempty"`
}

func (p OutputPort) key() string { return p.DataProduct + "\x00" + p.Port }

func (p OutputPort) validate() error {
	if p.DataProduct == "" || p.Port == "" {
		return errors.New("publish: output port needs both a data product and a port")
	}
	return nil
}

// PublishedModel is a semantic model published from an output port, as the
// "Already connected to Power BI" list shows it.
type PublishedModel struct {
	Name        string    `json:"name"`
	WorkspaceID string    `json:"workspaceId"`
	ModelID     string    `json:"modelId"`
	Link        string    `json:"link"`
	Mode        string    `json:"mode,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	Author      string    `json:"author"`
}

// Registration is what a successful publish records in a Catalog: the new
// model as a consumer data product, reading from the source output port
// under an approved data-usage agreement.
type Registration struct {
	Source OutputPort     `json:"source"`
	Model  PublishedModel `json:"model"`
	// Purpose is the agreement's stated purpose; the default says the model
	// was published to Power BI.
	Purpose string `json:"purpose,omitempty"`
}

// ConsumerProduct is the data product a Catalog creates for a published
// model: one output port of type Power BI that links to the model, and the
// source output port as its input.
type ConsumerProduct struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Owner      string       `json:"owner"`
	OutputPort ProductPort  `json:"outputPort"`
	Inputs     []OutputPort `json:"inputs"`
	CreatedAt  time.Time    `json:"createdAt"`
}

// ProductPort is an output port of a consumer data product.
type ProductPort struct {
	Name string `json:"name"`
	// Type is always "powerbi" for ports this package creates.
	Type string `json:"type"`
	Link string `json:"link"`
}

// Agreement is a data-usage agreement between a provider output port and a
// consumer data product. Agreements made by publishing are approved at
// creation: the user who published had access to the source already.
type Agreement struct {
	ID         string     `json:"id"`
	Provider   OutputPort `json:"provider"`
	Consumer   string     `json:"consumer"`
	Purpose    string     `json:"purpose"`
	State      string     `json:"state"`
	Requester  string     `json:"requester"`
	ApprovedAt time.Time  `json:"approvedAt"`
}

// Catalog records published models for lineage. A host plugs in its own
// (a data catalog's API); [NewMemoryCatalog] and [NewFileCatalog] keep
// the records locally.
//
// Implementations must be safe for concurrent use.
type Catalog interface {
	// Register records a consumer data product for reg.Model and an
	// approved agreement with reg.Source. It is called once per successful
	// publish, after the model exists in Power BI.
	Register(ctx context.Context, reg Registration) (*ConsumerProduct, *Agreement, error)

	// Published lists the models published from port, newest first. An
	// output port with none gives an empty list and no error.
	Published(ctx context.Context, port OutputPort) ([]PublishedModel, error)
}

// catalogState is the whole content of a local catalog; the file catalog
// writes it as one JSON document.
type catalogState struct {
	Products   []ConsumerProduct `json:"products"`
	Agreements []Agreement       `json:"agreements"`
	Models     []catalogModel    `json:"models"`
}

type catalogModel struct {
	Source  OutputPort     `json:"source"`
	Product string         `json:"product"`
	Model   PublishedModel `json:"model"`
}

// localCatalog is the Catalog shared by the memory and file variants; save
// is nil for the memory one.
type localCatalog struct {
	mu    sync.Mutex
	state catalogState
	save  func(*catalogState) error
	now   func() time.Time
}

// NewMemoryCatalog returns a Catalog that keeps its records in memory, for
// tests and for hosts that have a catalog of their own to sync to later.
func NewMemoryCatalog() Catalog {
	return &localCatalog{now: time.Now}
}

// NewFileCatalog returns a Catalog that keeps its records in one JSON file,
// rewritten atomically on every change. It suits a single process; several
// processes sharing the file would overwrite each other's records.
func NewFileCatalog(path string) (Catalog, error) {
	c := &localCatalog{now: time.Now}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("publish: cannot read catalog: %w", err)
	default:
		if err := json.Unmarshal(data, &c.state); err != nil {
			return nil, fmt.Errorf("publish: catalog %s is not valid: %w", path, err)
		}
	}
	c.save = func(s *catalogState) error {
		data, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		return writeFileAtomic(path, append(data, '\n'))
	}
	return c, nil
}

func (c *localCatalog) Register(ctx context.Context, reg Registration) (*ConsumerProduct, *Agreement, error) {
	if err := reg.Source.validate(); err != nil {
		return nil, nil, err
	}
	if reg.Model.ModelID == "" || reg.Model.Name == "" {
		return nil, nil, errors.New("publish: registration needs the model's id and name")
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	now := c.now().UTC()
	product := ConsumerProduct{
		ID:    "powerbi:" + reg.Model.WorkspaceID + "/" + reg.Model.ModelID,
		Name:  reg.Model.Name,
		Owner: reg.Model.Author,
		OutputPort: ProductPort{
			Name: reg.Model.Name,
			Type: "powerbi",
			Link: reg.Model.Link,
		},
		Inputs:    []OutputPort{reg.Source},
		CreatedAt: now,
	}
	purpose := reg.Purpose
	if purpose == "" {
		purpose = "Power BI semantic model published from this output port"
	}
	agreement := Agreement{
		ID:         "agreement:" + product.ID,
		Provider:   reg.Source,
		Consumer:   product.ID,
		Purpose:    purpose,
		State:      "approved",
		Requester:  reg.Model.Author,
		ApprovedAt: now,
	}

	next := c.state
	next.Products = append(slices.Clip(next.Products), product)
	next.Agreements = append(slices.Clip(next.Agreements), agreement)
	next.Models = append(slices.Clip(next.Models), catalogModel{Source: reg.Source, Product: product.ID, Model: reg.Model})
	if c.save != nil {
		if err := c.save(&next); err != nil {
			return nil, nil, fmt.Errorf("publish: cannot save catalog: %w", err)
		}
	}
	c.state = next
	return &product, &agreement, nil
}

func (c *localCatalog) Published(ctx context.Context, port OutputPort) ([]PublishedModel, error) {
	if err := port.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	out := []PublishedModel{}
	for _, m := range c.state.Models {
		if m.Source.key() == port.key() {
			out = append(out, m.Model)
		}
	}
	slices.SortStableFunc(out, func(a, b PublishedModel) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it over path, so a reader sees the old content or the new, never half.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
