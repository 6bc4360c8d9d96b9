package fabrictest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	oid := caller(r.Context()).OID
	q := r.URL.Query()
	skip, _ := strconv.Atoi(q.Get("$skip"))
	top, err := strconv.Atoi(q.Get("$top"))
	if q.Get("$top") == "" {
		top, err = 5000, nil
	}
	if err != nil || top < 1 || skip < 0 {
		s.writeError(w, r, http.StatusBadRequest, "InvalidRequest", "$top and $skip must be non-negative integers")
		return
	}
	type group struct {
		ID                    string `json:"id"`
		Name                  string `json:"name"`
		Type                  string `json:"type"`
		IsReadOnly            bool   `json:"isReadOnly"`
		IsOnDedicatedCapacity bool   `json:"isOnDedicatedCapacity"`
	}
	s.mu.Lock()
	var all []group
	for _, id := range s.wsOrder {
		ws := s.workspaces[id]
		if role := ws.roles[oid]; role != "" {
			all = append(all, group{ID: ws.id, Name: ws.name, Type: "Workspace", IsReadOnly: role == Viewer})
		}
	}
	s.mu.Unlock()
	start := min(skip, len(all))
	end := min(start+top, len(all))
	writeJSON(w, http.StatusOK, map[string]any{"value": nonNil(all[start:end])})
}

// dataset resolves the group and dataset with at least role min.
func (s *Server) dataset(w http.ResponseWriter, r *http.Request, min Role) (*item, string, bool) {
	ws, oid, ok := s.workspaceFor(w, r, min)
	if !ok {
		return nil, oid, false
	}
	it, ok := s.itemIn(w, r, ws)
	return it, oid, ok
}

func (s *Server) getDatasources(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, _, ok := s.dataset(w, r, Viewer)
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, src := range s.visibleSources(it) {
		server, _, _ := strings.Cut(src.Path, ";")
		d := map[string]any{"datasourceType": src.Type,
			"connectionDetails": map[string]string{"server": server, "path": src.Path}}
		if c := s.conns[it.bindings[src]]; c != nil {
			d["datasourceId"], d["gatewayId"] = c.id, c.gatewayID
		}
		out = append(out, d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) bindToGateway(w http.ResponseWriter, r *http.Request) {
	var body struct {
		GatewayObjectID     string   `json:"gatewayObjectId"`
		DatasourceObjectIDs []string `json:"datasourceObjectIds"`
	}
	if !s.decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, oid, ok := s.dataset(w, r, Contributor)
	if !ok {
		return
	}
	if it.owner != oid {
		s.writeError(w, r, http.StatusForbidden, "InsufficientPrivileges", "only the dataset's owner can bind it; take it over first")
		return
	}
	bound := 0
	for _, id := range body.DatasourceObjectIDs {
		c := s.conns[id]
		if c == nil || c.owner != oid || c.gatewayID != body.GatewayObjectID {
			s.writeError(w, r, http.StatusBadRequest, "DMTS_DatasourceNotFoundInGateway",
				fmt.Sprintf("data source %q is not in gateway %q", id, body.GatewayObjectID))
			return
		}
		src := DataSource{Type: c.typ, Path: c.path}
		if it.listsBeforeVisible == 0 && containsSource(it.sources, src) {
			it.bindings[src] = c.id
			bound++
		}
	}
	if bound == 0 {
		s.writeError(w, r, http.StatusBadRequest, "DMTS_DatasourceHasNoMatchingGatewayDatasource",
			"none of the dataset's data sources matches the given gateway data sources")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) startRefresh(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, _, ok := s.dataset(w, r, Contributor)
	if !ok {
		return
	}
	for _, rf := range it.refreshes {
		if rf.Status == "Unknown" {
			s.writeError(w, r, http.StatusBadRequest, "RefreshInProgress", "a refresh of this dataset is already in progress")
			return
		}
	}
	rf := &refresh{RequestID: newID(), ID: int64(len(it.refreshes) + 1), Start: s.now(), Status: "Unknown"}
	it.refreshes = append(it.refreshes, rf)
	w.Header().Set("RequestId", rf.RequestID)
	w.Header().Set("Location", s.ts.URL+r.URL.Path+"/"+rf.RequestID)
	w.WriteHeader(http.StatusAccepted)
}

// finishRefresh ends a running refresh: it completes when every data
// source is bound to a connection, and fails otherwise (an Import model
// cannot read its sources without credentials).
func (s *Server) finishRefresh(it *item, rf *refresh) {
	rf.End = s.now()
	for _, src := range it.sources {
		if _, ok := it.bindings[src]; !ok {
			rf.Status = "Failed"
			rf.Exception = fmt.Sprintf(`{"errorCode":"ModelRefreshFailed_CredentialsNotSpecified","errorDescription":"data source %s %s has no credentials"}`, src.Type, src.Path)
			return
		}
	}
	rf.Status = "Completed"
}

func (s *Server) listRefreshes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, _, ok := s.dataset(w, r, Viewer)
	if !ok {
		return
	}
	top := len(it.refreshes)
	if t := r.URL.Query().Get("$top"); t != "" {
		if n, err := strconv.Atoi(t); err == nil && n >= 0 && n < top {
			top = n
		}
	}
	var out []map[string]any
	for i := len(it.refreshes) - 1; i >= 0 && len(out) < top; i-- {
		rf := it.refreshes[i]
		entry := map[string]any{"requestId": rf.RequestID, "id": rf.ID, "refreshType": "ViaApi",
			"startTime": rf.Start.UTC().Format(time.RFC3339), "status": rf.Status}
		if rf.Status != "Unknown" {
			entry["endTime"] = rf.End.UTC().Format(time.RFC3339)
		}
		if rf.Exception != "" {
			entry["serviceExceptionJson"] = rf.Exception
		}
		out = append(out, entry)
		// A refresh reports Unknown (in progress) once, then ends.
		if rf.Status == "Unknown" {
			s.finishRefresh(it, rf)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": nonNil(out)})
}

func (s *Server) takeOver(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, oid, ok := s.dataset(w, r, Contributor)
	if !ok {
		return
	}
	it.owner = oid
	w.WriteHeader(http.StatusOK)
}

func (s *Server) deleteDataset(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, _, ok := s.dataset(w, r, Contributor)
	if !ok {
		return
	}
	s.deleteItem(it)
	w.WriteHeader(http.StatusOK)
}
