package odcs

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema/*.json
var schemaFS embed.FS

// schemaVersion is one supported apiVersion and its official schema.
type schemaVersion struct {
	apiVersion string
	file       string

	once     sync.Once
	compiled *compiledSchema
	err      error
}

// compiledSchema is a schema ready for validation.
type compiledSchema struct {
	root *jsonschema.Schema
	// property is #/$defs/SchemaProperty, the schema of each item of a
	// schema object's properties list. Validate checks those items on
	// their own so identical ones are validated once (see
	// propertyKey).
	property *jsonschema.Schema
	// plainText are the fields of a property whose only constraint is
	// "a string", so their text cannot change the verdict.
	plainText map[string]bool
	names     map[string]bool // every property name the schema defines
}

// versions lists the supported apiVersions, oldest first.
var versions = []*schemaVersion{
	{apiVersion: "v3.0.0", file: "schema/odcs-json-schema-v3.0.0.json"},
	{apiVersion: "v3.0.1", file: "schema/odcs-json-schema-v3.0.1.json"},
	{apiVersion: "v3.0.2", file: "schema/odcs-json-schema-v3.0.2.json"},
	{apiVersion: "v3.1.0", file: "schema/odcs-json-schema-v3.1.0-20260505.json"},
}

// SupportedVersions returns the apiVersions this package validates,
// oldest first.
func SupportedVersions() []string {
	out := make([]string, len(versions))
	for i, v := range versions {
		out[i] = v.apiVersion
	}
	return out
}

// lookupVersion returns the schema for apiVersion, or nil.
func lookupVersion(apiVersion string) *schemaVersion {
	for _, v := range versions {
		if v.apiVersion == apiVersion {
			return v
		}
	}
	return nil
}

// compiled compiles the schema on first use; later calls, from any
// goroutine, share the result.
func (v *schemaVersion) compile() (*compiledSchema, error) {
	v.once.Do(func() {
		v.compiled, v.err = compileSchema(v.file)
	})
	return v.compiled, v.err
}

func compileSchema(file string) (*compiledSchema, error) {
	data, err := schemaFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("odcs: cannot read embedded schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("odcs: cannot decode schema %s: %w", file, err)
	}
	url := "urn:odcs:" + strings.TrimPrefix(file, "schema/")
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("odcs: cannot load schema %s: %w", file, err)
	}
	cs := &compiledSchema{names: make(map[string]bool)}
	if cs.root, err = c.Compile(url); err != nil {
		return nil, fmt.Errorf("odcs: cannot compile schema %s: %w", file, err)
	}
	collectNames(doc, cs.names)
	if propertiesAreItems(doc) {
		if cs.property, err = c.Compile(url + "#/$defs/SchemaProperty"); err != nil {
			return nil, fmt.Errorf("odcs: cannot compile schema %s: %w", file, err)
		}
		cs.plainText = plainTextFields(doc)
	}
	return cs, nil
}

// propertiesAreItems checks the shape the split validation relies on:
// schema is a list of SchemaObject, whose properties field is a list of
// SchemaProperty with no constraint across items.
func propertiesAreItems(doc any) bool {
	get := func(v any, keys ...string) any {
		for _, k := range keys {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		}
		return v
	}
	props, ok := get(doc, "$defs", "SchemaObject", "properties", "properties").(map[string]any)
	if !ok || len(props) > 3 {
		return false
	}
	for k := range props {
		if k != "type" && k != "description" && k != "items" {
			return false
		}
	}
	return get(doc, "properties", "schema", "items", "$ref") == "#/$defs/SchemaObject" &&
		get(props, "items", "$ref") == "#/$defs/SchemaProperty" &&
		get(props, "type") == "array"
}

// candidateText are fields of a property that hold free text.
var candidateText = []string{
	"name", "physicalName", "businessName", "description", "physicalType",
	"classification", "encryptedName", "transformLogic", "transformDescription",
}

// plainTextFields returns the candidateText fields that every property
// definition in the schema constrains to "a string" and nothing else,
// and that no if condition looks at.
func plainTextFields(doc any) map[string]bool {
	defs, _ := doc.(map[string]any)["$defs"].(map[string]any)
	plain, banned := map[string]bool{}, map[string]bool{}
	var walk func(v any, inIf bool)
	walk = func(v any, inIf bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				props, ok := c.(map[string]any)
				if k != "properties" || !ok {
					walk(c, inIf || k == "if")
					continue
				}
				// A map of field name to field schema.
				for name, fs := range props {
					if inIf || !isPlainString(fs) {
						banned[name] = true
					} else {
						plain[name] = true
					}
					walk(fs, inIf)
				}
			}
		case []any:
			for _, c := range v {
				walk(c, inIf)
			}
		}
	}
	for _, d := range []string{"SchemaElement", "SchemaBaseProperty", "SchemaProperty", "SchemaItemProperty"} {
		walk(defs[d], false)
	}
	out := map[string]bool{}
	for _, k := range candidateText {
		if plain[k] && !banned[k] {
			out[k] = true
		}
	}
	return out
}

func isPlainString(s any) bool {
	m, ok := s.(map[string]any)
	if !ok || m["type"] != "string" {
		return false
	}
	for k := range m {
		switch k {
		case "type", "description", "examples", "default", "deprecated", "title", "$comment":
		default:
			return false
		}
	}
	return true
}

// collectNames gathers the keys of every "properties" object in a
// schema document, for "did you mean" hints.
func collectNames(v any, names map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			for k := range props {
				names[k] = true
			}
		}
		for _, c := range v {
			collectNames(c, names)
		}
	case []any:
		for _, c := range v {
			collectNames(c, names)
		}
	}
}
