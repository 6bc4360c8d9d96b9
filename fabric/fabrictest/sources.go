package fabrictest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/pbipublish/pbipublish/fabric"
)

// parseSources checks a TMDL definition the way the service does on
// upload and derives the model's data sources from its partitions' M
// sources. An error becomes the operation's Workload_FailedToParseFile.
func parseSources(parts []fabric.DefinitionPart) ([]DataSource, error) {
	var pbism, model bool
	for _, p := range parts {
		switch p.Path {
		case "definition.pbism":
			var v map[string]any
			if err := json.Unmarshal(p.Payload, &v); err != nil {
				return nil, fmt.Errorf("definition.pbism: not valid JSON: %v", err)
			}
			pbism = true
		case "definition/model.tmdl":
			model = true
		}
	}
	if !pbism {
		return nil, fmt.Errorf("the definition has no definition.pbism part")
	}
	if !model {
		return nil, fmt.Errorf("the definition has no definition/model.tmdl part")
	}
	srcs, err := partitionSources(parts)
	if err != nil {
		return nil, err
	}
	var out []DataSource
	for _, m := range srcs {
		for _, ds := range mSources(m) {
			if !containsSource(out, ds) {
				out = append(out, ds)
			}
		}
	}
	return out, nil
}

var (
	// mString is an M text literal: "…" with "" for a quote.
	mString        = `"((?:[^"]|"")*)"`
	snowflakeCall  = regexp.MustCompile(`\bSnowflake\.Databases\s*\(\s*` + mString + `\s*,\s*` + mString)
	databricksCall = regexp.MustCompile(`\bDatabricks\.Catalogs\s*\(\s*` + mString + `\s*,\s*` + mString)
)

// mSources finds Snowflake.Databases and Databricks.Catalogs calls in an
// M expression and returns their data sources (see DataSource for the
// path format).
func mSources(m string) []DataSource {
	unq := func(s string) string { return strings.ReplaceAll(s, `""`, `"`) }
	var out []DataSource
	for _, c := range snowflakeCall.FindAllStringSubmatch(m, -1) {
		out = append(out, DataSource{Type: "Snowflake", Path: unq(c[1]) + ";" + unq(c[2])})
	}
	for _, c := range databricksCall.FindAllStringSubmatch(m, -1) {
		out = append(out, DataSource{Type: "Databricks", Path: unq(c[1]) + ";" + unq(c[2])})
	}
	return out
}
