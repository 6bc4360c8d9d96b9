package fabrictest

import (
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/tmdl"
)

// partitionSources decodes the definition with the project's TMDL
// decoder, as the service parses an upload, and returns the M source of
// every partition. A decoding error names the file and line.
func partitionSources(parts []fabric.DefinitionPart) ([]string, error) {
	tp := make([]tmdl.Part, len(parts))
	for i, p := range parts {
		tp[i] = tmdl.Part{Path: p.Path, Payload: p.Payload}
	}
	db, err := tmdl.Decode(tp)
	if err != nil {
		return nil, err
	}
	var out []string
	if db.Model == nil {
		return out, nil
	}
	for _, t := range db.Model.Tables {
		for _, p := range t.Partitions {
			if p.Type == "m" || p.Type == "" {
				out = append(out, p.Source)
			}
		}
	}
	return out, nil
}
