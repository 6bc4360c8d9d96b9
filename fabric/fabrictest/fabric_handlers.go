package fabrictest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pbipublish/pbipublish/fabric"
)

// workspaceFor returns the workspace if the caller has at least role
// min, else answers 404 (no role) or 403 (too weak a role).
func (s *Server) workspaceFor(w http.ResponseWriter, r *http.Request, min Role) (*workspace, string, bool) {
	oid := caller(r.Context()).OID
	ws := s.workspaces[r.PathValue("ws")]
	if ws == nil || ws.roles[oid] == "" {
		s.writeError(w, r, http.StatusNotFound, "WorkspaceNotFound", "the workspace does not exist or the caller has no role in it")
		return nil, oid, false
	}
	if ws.roles[oid].rank() < min.rank() {
		s.writeError(w, r, http.StatusForbidden, "InsufficientPrivileges",
			fmt.Sprintf("the caller's role %s is below %s", ws.roles[oid], min))
		return nil, oid, false
	}
	return ws, oid, true
}

// itemIn returns a non-pending item of the workspace, else answers 404.
func (s *Server) itemIn(w http.ResponseWriter, r *http.Request, ws *workspace) (*item, bool) {
	s.settleDue()
	it := s.items[r.PathValue("id")]
	if it == nil || it.ws != ws.id || it.pending {
		s.writeError(w, r, http.StatusNotFound, "ItemNotFound", "the item does not exist")
		return nil, false
	}
	return it, true
}

func (s *Server) listWorkspaces(w http.ResponseWriter, r *http.Request) {
	oid := caller(r.Context()).OID
	var filter map[string]bool
	if roles := r.URL.Query().Get("roles"); roles != "" {
		filter = map[string]bool{}
		for _, role := range strings.Split(roles, ",") {
			filter[strings.TrimSpace(role)] = true
		}
	}
	s.mu.Lock()
	var out []fabric.Workspace
	for _, id := range s.wsOrder {
		ws := s.workspaces[id]
		role := ws.roles[oid]
		if role == "" || filter != nil && !filter[string(role)] {
			continue
		}
		out = append(out, fabric.Workspace{ID: ws.id, DisplayName: ws.name, Description: ws.description, Type: "Workspace"})
	}
	s.mu.Unlock()
	page(s, w, r, out)
}

func (it *item) wire() fabric.Item {
	return fabric.Item{ID: it.id, DisplayName: it.name, Description: it.description, Type: it.typ, WorkspaceID: it.ws}
}

func (s *Server) listItems(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ws, _, ok := s.workspaceFor(w, r, Viewer)
	if !ok {
		s.mu.Unlock()
		return
	}
	s.settleDue()
	typ := r.URL.Query().Get("type")
	if strings.HasSuffix(r.URL.Path, "/semanticModels") {
		typ = fabric.ItemTypeSemanticModel
	}
	var out []fabric.Item
	for _, id := range s.itemOrder {
		it := s.items[id]
		if it == nil || it.ws != ws.id || it.pending || typ != "" && it.typ != typ {
			continue
		}
		out = append(out, it.wire())
	}
	s.mu.Unlock()
	page(s, w, r, out)
}

type wireDefinition struct {
	Format string `json:"format"`
	Parts  []struct {
		Path        string `json:"path"`
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
	} `json:"parts"`
}

// parts decodes a definition's parts; a bad payload is CorruptedPayload.
func (s *Server) parts(w http.ResponseWriter, r *http.Request, d *wireDefinition) ([]fabric.DefinitionPart, bool) {
	if d == nil || len(d.Parts) == 0 {
		s.writeError(w, r, http.StatusBadRequest, "InvalidDefinition", "the definition has no parts")
		return nil, false
	}
	if d.Format != "" && !strings.EqualFold(d.Format, "TMDL") {
		s.writeError(w, r, http.StatusBadRequest, "InvalidDefinitionFormat", "fabrictest accepts TMDL definitions only")
		return nil, false
	}
	out := make([]fabric.DefinitionPart, len(d.Parts))
	seen := map[string]bool{}
	for i, p := range d.Parts {
		if p.PayloadType != "InlineBase64" {
			s.writeError(w, r, http.StatusBadRequest, "InvalidPayloadType", fmt.Sprintf("part %q: payloadType must be InlineBase64", p.Path))
			return nil, false
		}
		b, err := base64.StdEncoding.DecodeString(p.Payload)
		if err != nil || p.Path == "" {
			s.writeError(w, r, http.StatusBadRequest, "CorruptedPayload", fmt.Sprintf("part %q: the payload is not valid base64", p.Path))
			return nil, false
		}
		if seen[p.Path] {
			s.writeError(w, r, http.StatusBadRequest, "DuplicateDefinitionParts", fmt.Sprintf("part %q appears twice", p.Path))
			return nil, false
		}
		seen[p.Path] = true
		out[i] = fabric.DefinitionPart{Path: p.Path, Payload: b}
	}
	return out, true
}

func (s *Server) createSemanticModel(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DisplayName string          `json:"displayName"`
		Description string          `json:"description"`
		Definition  *wireDefinition `json:"definition"`
	}
	if !s.decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, oid, ok := s.workspaceFor(w, r, Contributor)
	if !ok {
		return
	}
	switch {
	case strings.TrimSpace(body.DisplayName) == "":
		s.writeError(w, r, http.StatusBadRequest, "InvalidInput", "displayName is required")
		return
	case len([]rune(body.Description)) > 256:
		s.writeError(w, r, http.StatusBadRequest, "InvalidInput", "description is longer than 256 characters")
		return
	}
	for _, id := range s.itemOrder {
		if it := s.items[id]; it != nil && it.ws == ws.id && lower(it.name) == lower(body.DisplayName) {
			s.writeError(w, r, http.StatusConflict, "ItemDisplayNameAlreadyInUse",
				fmt.Sprintf("an item named %q already exists in the workspace", body.DisplayName))
			return
		}
	}
	if until, ok := s.freedNames[ws.id+"\x00"+lower(body.DisplayName)]; ok && s.now().Before(until) {
		s.writeError(w, r, http.StatusBadRequest, "ItemDisplayNameNotAvailableYet",
			fmt.Sprintf("the name %q was used by a recently deleted item; try again later", body.DisplayName))
		return
	}
	parts, ok := s.parts(w, r, body.Definition)
	if !ok {
		return
	}
	sources, perr := parseSources(parts)
	it := &item{id: newID(), ws: ws.id, name: body.DisplayName, description: body.Description,
		typ: fabric.ItemTypeSemanticModel, owner: oid, created: s.now(), parts: parts, sources: sources,
		listsBeforeVisible: s.opts.ItemConnectionsAfter, bindings: map[DataSource]string{}, pending: true}
	s.items[it.id] = it
	s.itemOrder = append(s.itemOrder, it.id)

	complete := func() (any, string, string) {
		if perr != nil {
			delete(s.items, it.id)
			return nil, "Workload_FailedToParseFile", perr.Error()
		}
		it.pending = false
		return it.wire(), "", ""
	}
	if s.opts.Synchronous {
		res, code, msg := complete()
		if code != "" {
			s.writeError(w, r, http.StatusBadRequest, code, msg)
			return
		}
		writeJSON(w, http.StatusCreated, res)
		return
	}
	s.startOperation(w, oid, true, func() (any, string, string) {
		res, code, msg := complete()
		if code != "" {
			delete(s.items, it.id)
		}
		return res, code, msg
	}, func() { delete(s.items, it.id) })
}

// startOperation answers 202 for a new operation. complete runs when the
// operation ends successfully (unless a programmed failure applies, in
// which case cleanup runs instead).
func (s *Server) startOperation(w http.ResponseWriter, oid string, hasResult bool, complete func() (any, string, string), cleanup func()) {
	op := &operation{id: newID(), owner: oid, pollsLeft: s.opts.OperationPolls, status: "NotStarted",
		hasResult: hasResult, created: s.now(), complete: complete}
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		code := f.Code
		if code == "" {
			code = "InternalError"
		}
		status := "Failed"
		if f.Undefined {
			status = "Undefined"
		}
		op.complete = func() (any, string, string) {
			if cleanup != nil {
				cleanup()
			}
			op.status = status
			return nil, code, f.Message
		}
	}
	s.ops[op.id] = op
	w.Header().Set("Location", s.operationURL(op.id))
	w.Header().Set("x-ms-operation-id", op.id)
	setRetryAfter(w.Header(), s.opts.RetryAfter)
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) getOperation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op := s.ops[r.PathValue("op")]
	if op == nil || op.owner != caller(r.Context()).OID {
		s.writeError(w, r, http.StatusNotFound, "OperationNotFound", "the operation does not exist")
		return
	}
	if !op.ended() {
		if op.pollsLeft > 0 && !s.due(op) {
			op.pollsLeft--
			op.status = "Running"
		} else {
			op.finish()
		}
	}
	body := map[string]any{"status": op.status, "createdTimeUtc": op.created.UTC().Format(time.RFC3339),
		"lastUpdatedTimeUtc": s.now().UTC().Format(time.RFC3339)}
	w.Header().Set("x-ms-operation-id", op.id)
	switch op.status {
	case "Running":
		body["percentComplete"] = 50
		w.Header().Set("Location", s.operationURL(op.id))
		setRetryAfter(w.Header(), s.opts.RetryAfter)
	case "Succeeded":
		body["percentComplete"] = 100
		if op.hasResult {
			w.Header().Set("Location", s.operationURL(op.id)+"/result")
		}
	default:
		body["error"] = map[string]any{"errorCode": op.errCode, "message": op.errMessage}
	}
	writeJSON(w, http.StatusOK, body)
}

// ended reports whether op has reached a final status.
func (op *operation) ended() bool { return op.status != "NotStarted" && op.status != "Running" }

// finish ends op: it runs the operation's work and records the outcome.
func (op *operation) finish() {
	res, code, msg := op.complete()
	switch {
	case code != "":
		if op.status != "Undefined" {
			op.status = "Failed"
		}
		op.errCode, op.errMessage = code, msg
	default:
		op.status = "Succeeded"
		op.result = res
	}
}

// due reports whether op has run for Options.OperationDuration and so
// ends without waiting for more polls.
func (s *Server) due(op *operation) bool {
	return s.opts.OperationDuration > 0 && !s.now().Before(op.created.Add(s.opts.OperationDuration))
}

// settleDue ends every operation that is due. The caller holds s.mu.
func (s *Server) settleDue() {
	if s.opts.OperationDuration <= 0 {
		return
	}
	for _, op := range s.ops {
		if !op.ended() && s.due(op) {
			op.finish()
		}
	}
}

func (s *Server) getOperationResult(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op := s.ops[r.PathValue("op")]
	switch {
	case op == nil || op.owner != caller(r.Context()).OID:
		s.writeError(w, r, http.StatusNotFound, "OperationNotFound", "the operation does not exist")
	case op.status != "Succeeded":
		s.writeError(w, r, http.StatusBadRequest, "OperationNotSucceeded", "the operation has not succeeded")
	case !op.hasResult:
		s.writeError(w, r, http.StatusBadRequest, "OperationHasNoResult", "the operation has no result")
	default:
		writeJSON(w, http.StatusOK, op.result)
	}
}

func definitionBody(parts []fabric.DefinitionPart) map[string]any {
	wp := make([]map[string]string, len(parts))
	for i, p := range parts {
		wp[i] = map[string]string{"path": p.Path, "payload": base64.StdEncoding.EncodeToString(p.Payload), "payloadType": "InlineBase64"}
	}
	return map[string]any{"definition": map[string]any{"format": "TMDL", "parts": wp}}
}

func (s *Server) getDefinition(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, oid, ok := s.workspaceFor(w, r, Contributor)
	if !ok {
		return
	}
	it, ok := s.itemIn(w, r, ws)
	if !ok {
		return
	}
	if f := r.URL.Query().Get("format"); f != "" && !strings.EqualFold(f, "TMDL") {
		s.writeError(w, r, http.StatusBadRequest, "InvalidDefinitionFormat", "fabrictest serves TMDL definitions only")
		return
	}
	body := definitionBody(it.parts)
	if s.opts.Synchronous {
		writeJSON(w, http.StatusOK, body)
		return
	}
	s.startOperation(w, oid, true, func() (any, string, string) { return body, "", "" }, nil)
}

func (s *Server) updateDefinition(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Definition *wireDefinition `json:"definition"`
	}
	if !s.decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, oid, ok := s.workspaceFor(w, r, Contributor)
	if !ok {
		return
	}
	it, ok := s.itemIn(w, r, ws)
	if !ok {
		return
	}
	parts, ok := s.parts(w, r, body.Definition)
	if !ok {
		return
	}
	sources, perr := parseSources(parts)
	apply := func() (any, string, string) {
		if perr != nil {
			return nil, "Workload_FailedToParseFile", perr.Error()
		}
		it.parts, it.sources = parts, sources
		for src := range it.bindings {
			if !containsSource(sources, src) {
				delete(it.bindings, src)
			}
		}
		return nil, "", ""
	}
	if s.opts.Synchronous {
		if _, code, msg := apply(); code != "" {
			s.writeError(w, r, http.StatusBadRequest, code, msg)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	s.startOperation(w, oid, false, apply, nil)
}

func containsSource(list []DataSource, src DataSource) bool {
	for _, s := range list {
		if s == src {
			return true
		}
	}
	return false
}

func (s *Server) deleteSemanticModel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, _, ok := s.workspaceFor(w, r, Contributor)
	if !ok {
		return
	}
	it, ok := s.itemIn(w, r, ws)
	if !ok {
		return
	}
	s.deleteItem(it)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) deleteItem(it *item) {
	delete(s.items, it.id)
	if s.opts.NameReuseDelay > 0 {
		s.freedNames[it.ws+"\x00"+lower(it.name)] = s.now().Add(s.opts.NameReuseDelay)
	}
}

// visibleSources returns the model's data sources as the listing APIs
// see them, counting one listing toward their late appearance.
func (s *Server) visibleSources(it *item) []DataSource {
	switch {
	case it.listsBeforeVisible < 0:
		return nil
	case it.listsBeforeVisible > 0:
		it.listsBeforeVisible--
		return nil
	}
	return it.sources
}

func (s *Server) listItemConnections(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ws, _, ok := s.workspaceFor(w, r, Viewer)
	if !ok {
		s.mu.Unlock()
		return
	}
	it, ok := s.itemIn(w, r, ws)
	if !ok {
		s.mu.Unlock()
		return
	}
	var out []fabric.ItemConnection
	for _, src := range s.visibleSources(it) {
		ic := fabric.ItemConnection{ConnectivityType: "Automatic", ConnectionDetails: fabric.ConnectionDetails{Type: src.Type, Path: src.Path}}
		if id, ok := it.bindings[src]; ok {
			if c := s.conns[id]; c != nil {
				ic.ID, ic.DisplayName, ic.ConnectivityType = c.id, c.name, fabric.ConnectivityShareableCloud
			}
		}
		out = append(out, ic)
	}
	s.mu.Unlock()
	page(s, w, r, out)
}

func (s *Server) bindConnection(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ConnectionBinding *fabric.ConnectionBinding `json:"connectionBinding"`
	}
	if !s.decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, oid, ok := s.workspaceFor(w, r, Contributor)
	if !ok {
		return
	}
	it, ok := s.itemIn(w, r, ws)
	if !ok {
		return
	}
	b := body.ConnectionBinding
	if b == nil {
		s.writeError(w, r, http.StatusBadRequest, "InvalidInput", "connectionBinding is required")
		return
	}
	if it.owner != oid {
		s.writeError(w, r, http.StatusForbidden, "InsufficientPrivileges", "only the semantic model's owner can bind its connections; take it over first")
		return
	}
	src := DataSource{Type: b.ConnectionDetails.Type, Path: b.ConnectionDetails.Path}
	visible := it.listsBeforeVisible == 0
	if !visible || !containsSource(it.sources, src) {
		s.writeError(w, r, http.StatusBadRequest, "BindConnectionDetailNotFound",
			fmt.Sprintf("the semantic model has no data source of type %q and path %q", src.Type, src.Path))
		return
	}
	if b.ID == "" {
		delete(it.bindings, src)
		w.WriteHeader(http.StatusOK)
		return
	}
	c := s.conns[b.ID]
	if c == nil || c.owner != oid {
		s.writeError(w, r, http.StatusNotFound, "ConnectionNotFound", "the connection does not exist or the caller cannot use it")
		return
	}
	if b.ConnectivityType != "" && b.ConnectivityType != fabric.ConnectivityShareableCloud {
		s.writeError(w, r, http.StatusBadRequest, "InvalidConnectivityType", "the connection is ShareableCloud")
		return
	}
	if c.typ != src.Type || c.path != src.Path {
		s.writeError(w, r, http.StatusBadRequest, "BindConnectionDetailNotFound",
			fmt.Sprintf("the connection (type %q, path %q) does not match the data source", c.typ, c.path))
		return
	}
	it.bindings[src] = c.id
	w.WriteHeader(http.StatusOK)
}
