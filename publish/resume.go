package publish

import (
	"context"
	"fmt"
)

// Resume continues an unfinished job from its record.
func (p *publisher) Resume(ctx context.Context, id string) (*Job, error) {
	j, err := p.o.Jobs.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case j.Spec == nil, j.State == StateSucceeded,
		j.State == StateFailed && (j.Failure == nil || j.Failure.Code != CodeInterrupted && j.Failure.Code != CodeModelUncertain),
		j.ModelID == "" && j.ResumeToken == "" && !j.CreateSent:
		return nil, fmt.Errorf("%w: job %s is %s in stage %s", ErrNotResumable, id, j.State, j.Stage)
	}

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if _, running := p.runs[id]; running {
		p.mu.Unlock()
		return p.o.Jobs.Get(ctx, id)
	}
	j.State, j.Failure = StateRunning, nil
	r, rctx := p.startLocked(j, "")
	close(r.stored)
	p.mu.Unlock()

	first := j.Clone()
	go func() {
		err := p.resumeSteps(rctx, r, j)
		p.end(rctx, r, j, err)
	}()
	return first, nil
}

// resumeSteps runs the stages left to a resumed job.
func (p *publisher) resumeSteps(ctx context.Context, r *run, j *Job) error {
	fc, pc, err := p.clients(j.Org, j.User)
	if err != nil {
		return p.fail(ctx, j.Stage, CodeValidation, "", err)
	}
	return p.complete(ctx, r, j, fc, pc, nil)
}
