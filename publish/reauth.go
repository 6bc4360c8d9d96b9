package publish

import (
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// reauthPolicy sends a request once more after a 401 answer. azcore's
// bearer policy drops its cached token on a 401, so the second attempt
// carries a token fetched anew from the user's credential: a token that
// expired in flight, or that the service judged expired by a clock
// slightly ahead of ours, does not fail a job. A 401 is given before the
// service acts, so re-sending a POST is safe.
type reauthPolicy struct{}

func (reauthPolicy) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.RewindBody() != nil {
		return resp, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return req.Next()
}
