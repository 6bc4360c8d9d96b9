package fabric_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/fabric"
)

var parts = []fabric.DefinitionPart{{Path: "definition.pbism", Payload: []byte("{}")}}

// lroServer answers POST with 202, then `running` polls Running, then
// final; /result answers the item.
func lroServer(t *testing.T, running int, final string, finalHeaders func(base string) []string) (*recorder, *fabric.Client) {
	var polls atomic.Int32
	var rec *recorder
	var c *fabric.Client
	rec, c = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		base := rec.srv.URL
		switch {
		case r.Method == "POST":
			jsonHandler(202, ``, "Location", base+"/v1/operations/op1", "x-ms-operation-id", "op1", "Retry-After", "0")(w, r)
		case r.URL.Path == "/v1/operations/op1":
			if int(polls.Add(1)) <= running {
				jsonHandler(200, `{"status":"Running","percentComplete":10}`, "Location", base+"/v1/operations/op1", "Retry-After", "0")(w, r)
				return
			}
			jsonHandler(200, final, finalHeaders(base)...)(w, r)
		case r.URL.Path == "/v1/operations/op1/result":
			jsonHandler(200, `{"id":"m1","displayName":"Orders","type":"SemanticModel","workspaceId":"w1"}`)(w, r)
		default:
			jsonHandler(404, `{"errorCode":"EntityNotFound"}`)(w, r)
		}
	})
	return rec, c
}

func paths(reqs []seen) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func TestLROSucceededWithResult(t *testing.T) {
	rec, c := lroServer(t, 2, `{"status":"Succeeded","percentComplete":100}`, func(base string) []string {
		return []string{"Location", base + "/v1/operations/op1/result"}
	})
	ctx := context.Background()
	p, err := c.BeginCreateSemanticModel(ctx, "w1", fabric.CreateSemanticModelRequest{DisplayName: "Orders", Parts: parts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	item, err := p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
	if err != nil {
		t.Fatalf("PollUntilDone: %v", err)
	}
	if item.ID != "m1" {
		t.Errorf("item = %+v, want id m1", item)
	}
	want := []string{"POST /v1/workspaces/w1/semanticModels", "GET /v1/operations/op1", "GET /v1/operations/op1", "GET /v1/operations/op1", "GET /v1/operations/op1/result"}
	if diff := cmp.Diff(want, paths(rec.requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestLROSucceededWithoutResult(t *testing.T) {
	rec, c := lroServer(t, 0, `{"status":"Succeeded"}`, func(string) []string { return nil })
	ctx := context.Background()
	p, err := c.BeginUpdateSemanticModelDefinition(ctx, "w1", "m1", parts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond}); err != nil {
		t.Fatalf("PollUntilDone: %v", err)
	}
	for _, r := range rec.requests() {
		if strings.HasSuffix(r.Path, "/result") {
			t.Errorf("poller fetched %s although the success carried no Location", r.Path)
		}
	}
}

func TestLROFailed(t *testing.T) {
	for _, tc := range []struct{ name, body, code string }{
		{"failed", `{"status":"Failed","error":{"errorCode":"Workload_FailedToParseFile","message":"tables/Orders.tmdl:3: bad"}}`, "Workload_FailedToParseFile"},
		{"undefined", `{"status":"Undefined"}`, "OperationUndefined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := lroServer(t, 1, tc.body, func(string) []string { return nil })
			ctx := context.Background()
			p, err := c.BeginCreateSemanticModel(ctx, "w1", fabric.CreateSemanticModelRequest{DisplayName: "Orders", Parts: parts}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
			var re *fabric.ResponseError
			if !errors.As(err, &re) || re.ErrorCode != tc.code || re.OperationID != "op1" {
				t.Fatalf("PollUntilDone = %v, want a ResponseError with code %s and operation op1", err, tc.code)
			}
			if !errors.Is(err, fabric.ErrOperationFailed) {
				t.Errorf("errors.Is(%v, ErrOperationFailed) = false", err)
			}
		})
	}
}

func TestLROStopsOnContext(t *testing.T) {
	_, c := lroServer(t, 1<<30, `{}`, func(string) []string { return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	p, err := c.BeginCreateSemanticModel(ctx, "w1", fabric.CreateSemanticModelRequest{DisplayName: "Orders", Parts: parts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 5 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PollUntilDone = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("PollUntilDone took %v after the context ended", d)
	}
}

func TestLROResume(t *testing.T) {
	rec, c := lroServer(t, 1, `{"status":"Succeeded"}`, func(base string) []string {
		return []string{"Location", base + "/v1/operations/op1/result"}
	})
	ctx := context.Background()
	p, err := c.BeginCreateSemanticModel(ctx, "w1", fabric.CreateSemanticModelRequest{DisplayName: "Orders", Parts: parts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	tok, err := p.ResumeToken()
	if err != nil {
		t.Fatalf("ResumeToken: %v", err)
	}
	// A new poller (as after a restart) from the token; no new POST.
	p2, err := c.BeginCreateSemanticModel(ctx, "", fabric.CreateSemanticModelRequest{}, &fabric.BeginCreateSemanticModelOptions{ResumeToken: tok})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	item, err := p2.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
	if err != nil || item.ID != "m1" {
		t.Fatalf("resumed PollUntilDone = %+v, %v; want item m1", item, err)
	}
	posts := 0
	for _, r := range rec.requests() {
		if r.Method == "POST" {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("%d POSTs, want 1", posts)
	}
	// A token of another result type is refused.
	if _, err := c.BeginGetSemanticModelDefinition(ctx, "", "", &fabric.BeginGetSemanticModelDefinitionOptions{ResumeToken: tok}); err == nil {
		t.Error("resuming a create token as getDefinition succeeded, want an error")
	}
}

func TestForeignURLsRefused(t *testing.T) {
	_, c := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/workspaces":
			jsonHandler(200, `{"value":[],"continuationUri":"https://evil.example.com/steal"}`)(w, r)
		default:
			jsonHandler(202, ``, "Location", "https://evil.example.com/op")(w, r)
		}
	})
	ctx := context.Background()
	p := c.NewListWorkspacesPager(nil)
	if _, err := p.NextPage(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.NextPage(ctx); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("second page error = %v, want a refusal", err)
	}
	if _, err := c.BeginCreateSemanticModel(ctx, "w", fabric.CreateSemanticModelRequest{DisplayName: "m", Parts: parts}, nil); err == nil {
		t.Error("a Location on another host was followed")
	}
}

func TestPagerContinuation(t *testing.T) {
	var rec *recorder
	rec, c := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("continuationToken") {
		case "":
			jsonHandler(200, `{"value":[{"id":"a"}],"continuationToken":"t1","continuationUri":"`+rec.srv.URL+`/v1/connections?continuationToken=t1"}`)(w, r)
		case "t1":
			jsonHandler(200, `{"value":[{"id":"b"}],"continuationToken":"t 2"}`)(w, r)
		default:
			jsonHandler(200, `{"value":[{"id":"c"}]}`)(w, r)
		}
	})
	var ids []string
	p := c.NewListConnectionsPager()
	for p.More() {
		pg, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range pg.Value {
			ids = append(ids, v.ID)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if q := rec.requests()[2].Query; q != "continuationToken=t+2" {
		t.Errorf("third request query = %q, want the token from the body", q)
	}
}
