package fabrictest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

func (s *Server) routes(mux *http.ServeMux) {
	// Fabric.
	mux.HandleFunc("GET /v1/workspaces", s.listWorkspaces)
	mux.HandleFunc("GET /v1/workspaces/{ws}/items", s.listItems)
	mux.HandleFunc("GET /v1/workspaces/{ws}/semanticModels", s.listItems)
	mux.HandleFunc("POST /v1/workspaces/{ws}/semanticModels", s.createSemanticModel)
	mux.HandleFunc("POST /v1/workspaces/{ws}/semanticModels/{id}/getDefinition", s.getDefinition)
	mux.HandleFunc("POST /v1/workspaces/{ws}/semanticModels/{id}/updateDefinition", s.updateDefinition)
	mux.HandleFunc("DELETE /v1/workspaces/{ws}/semanticModels/{id}", s.deleteSemanticModel)
	mux.HandleFunc("GET /v1/workspaces/{ws}/items/{id}/connections", s.listItemConnections)
	mux.HandleFunc("POST /v1/workspaces/{ws}/semanticModels/{id}/bindConnection", s.bindConnection)
	mux.HandleFunc("GET /v1/operations/{op}", s.getOperation)
	mux.HandleFunc("GET /v1/operations/{op}/result", s.getOperationResult)
	mux.HandleFunc("GET /v1/connections", s.listConnections)
	mux.HandleFunc("POST /v1/connections", s.createConnection)
	mux.HandleFunc("GET /v1/connections/supportedConnectionTypes", s.supportedConnectionTypes)
	mux.HandleFunc("GET /v1/connections/{id}", s.getConnection)
	mux.HandleFunc("DELETE /v1/connections/{id}", s.deleteConnection)
	mux.HandleFunc("POST /v1/connections/{id}/testConnection", s.testConnection)

	// Power BI.
	mux.HandleFunc("GET /v1.0/myorg/groups", s.listGroups)
	mux.HandleFunc("GET /v1.0/myorg/groups/{ws}/datasets/{id}/datasources", s.getDatasources)
	mux.HandleFunc("POST /v1.0/myorg/groups/{ws}/datasets/{id}/Default.BindToGateway", s.bindToGateway)
	mux.HandleFunc("POST /v1.0/myorg/groups/{ws}/datasets/{id}/refreshes", s.startRefresh)
	mux.HandleFunc("GET /v1.0/myorg/groups/{ws}/datasets/{id}/refreshes", s.listRefreshes)
	mux.HandleFunc("POST /v1.0/myorg/groups/{ws}/datasets/{id}/Default.TakeOver", s.takeOver)
	mux.HandleFunc("DELETE /v1.0/myorg/groups/{ws}/datasets/{id}", s.deleteDataset)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusNotFound, "EntityNotFound", "no such route in fabrictest: "+r.Method+" "+r.URL.Path)
	})
}

// page answers one page of a Fabric list: entries from the offset in
// continuationToken, with continuationToken and continuationUri when
// more remain.
func page[T any](s *Server, w http.ResponseWriter, r *http.Request, all []T) {
	off := 0
	if t := r.URL.Query().Get("continuationToken"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(all) {
			s.writeError(w, r, http.StatusBadRequest, "InvalidContinuationToken", "the continuation token is not valid")
			return
		}
		off = n
	}
	end := min(off+s.opts.PageSize, len(all))
	body := map[string]any{"value": nonNil(all[off:end])}
	if end < len(all) {
		tok := strconv.Itoa(end)
		q := r.URL.Query()
		q.Set("continuationToken", tok)
		body["continuationToken"] = tok
		body["continuationUri"] = s.ts.URL + r.URL.Path + "?" + q.Encode()
	}
	writeJSON(w, http.StatusOK, body)
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// decode reads a JSON body into v, answering 400 on failure.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		s.writeError(w, r, http.StatusBadRequest, "InvalidInput", "the request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

func (s *Server) operationURL(id string) string {
	return s.ts.URL + "/v1/operations/" + url.PathEscape(id)
}
