package model

import (
	"context"
	"runtime"
	"sync"
)

// mcSpareRows is the number of rows, beyond a block's, that the draws
// of the histogram regime are written into: the draws of the next block
// run on into them while a block is merged into the bands. 16 is as
// fast as 32 at idle (10,000 draws: 14.44, 14.35 s against 14.46,
// 14.79 s) for 15 MB fewer rows (docs/SPEED.md, session 14).
const mcSpareRows = 16

// mcBlockBuf holds one block of draws as mcRunner.draw returned them:
// the rows and, per draw j, its metrics m[j·nm:(j+1)·nm], why it failed
// ("" if it did not) with the status, the candidates rejected and its
// shared prefix (mcRunner.pre). ok is the merge's to fill.
type mcBlockBuf struct {
	block int // the block it holds: draws block·mcBlock … block·mcBlock+n−1
	n     int
	done  int // draws finished (under mcPipe.mu)

	rows     [][]float64
	m        []float64
	fail     []string
	status   []Status
	rejected []int
	pre      []int
	ok       []bool
}

// mcPipe runs a Monte Carlo's draws on worker goroutines without a
// barrier between blocks, while the calling goroutine merges the
// finished blocks in block order (mcPipe.run). The workers take the
// draws in order from one counter, each with a row to write into and
// its block's buffer; a draw waits while no row is free or its block's
// buffer still holds an earlier block that is not merged. Merging the
// blocks in order, each block's draws in order, keeps every result
// bit-identical whatever the number of workers and however the draws
// interleave.
type mcPipe struct {
	draws, nm int
	// exact are the rows of every draw in the exact regime (store.exact),
	// which a draw writes into, and the ring has a buffer per block: no
	// draw waits. In the histogram regime exact is nil and the rows are
	// mcBlock + mcSpareRows rows that go back to free once their block
	// is merged; two block buffers take turns.
	exact [][]float64
	ring  []*mcBlockBuf

	mu   sync.Mutex
	cond sync.Cond   // a block finished, rows were freed, or stop
	free [][]float64 // the histogram regime's rows not in use
	next int         // the next draw to start
	stop bool        // the run ends: the workers return
	err  error       // why a worker stopped it (the context's error)
}

// newMCPipe returns the pipeline of draws draws with nm metrics each and
// rows of 2·cells values, kept in exact (one per draw) when it is not nil.
func newMCPipe(draws, nm, cells int, exact [][]float64) *mcPipe {
	p := &mcPipe{draws: draws, nm: nm, exact: exact}
	p.cond.L = &p.mu
	blocks := (draws + mcBlock - 1) / mcBlock
	nring := blocks
	if exact == nil {
		nring = min(2, blocks)
		n := min(mcBlock+mcSpareRows, draws)
		buf := make([]float64, n*2*cells)
		p.free = make([][]float64, n)
		for j := range p.free {
			p.free[j] = buf[j*2*cells : (j+1)*2*cells : (j+1)*2*cells]
		}
	}
	p.ring = make([]*mcBlockBuf, nring)
	for k := range p.ring {
		b := &mcBlockBuf{
			rows:     make([][]float64, mcBlock),
			m:        make([]float64, mcBlock*nm),
			fail:     make([]string, mcBlock),
			status:   make([]Status, mcBlock),
			rejected: make([]int, mcBlock),
			pre:      make([]int, mcBlock),
			ok:       make([]bool, mcBlock),
		}
		p.ring[k] = b
		p.assign(b, k)
	}
	return p
}

// assign makes b the buffer of block k (which may be past the last).
func (p *mcPipe) assign(b *mcBlockBuf, k int) {
	d0 := k * mcBlock
	b.block, b.n, b.done = k, max(min(mcBlock, p.draws-d0), 0), 0
	if p.exact != nil && b.n > 0 {
		copy(b.rows, p.exact[d0:d0+b.n])
	}
}

// run simulates the draws on one goroutine per runner and calls merge
// with each block, in block order, on the calling goroutine once the
// block's draws are done; draws go on meanwhile. It returns ctx's error
// if ctx is cancelled before the last block is merged. When run returns,
// every worker has returned and nothing writes into the rows any more.
func (p *mcPipe) run(ctx context.Context, runners []*mcRunner, merge func(b *mcBlockBuf)) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	defer p.halt()
	for _, r := range runners[:min(len(runners), p.draws)] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx, r)
		}()
	}
	for k := 0; k*mcBlock < p.draws; k++ {
		b := p.ring[k%len(p.ring)]
		p.mu.Lock()
		for b.done < b.n && !p.stop {
			p.cond.Wait()
		}
		stopped, err := p.stop, p.err
		p.mu.Unlock()
		if stopped {
			return err
		}
		// A draw cut short by the cancellation failed for that reason
		// alone: the run fails, as when the cancellation comes first.
		if err := ctx.Err(); err != nil {
			return err
		}
		merge(b)
		p.mu.Lock()
		if p.exact == nil {
			p.free = append(p.free, b.rows[:b.n]...)
		}
		p.assign(b, k+len(p.ring))
		p.cond.Broadcast()
		p.mu.Unlock()
	}
	return nil
}

// halt stops the workers: each returns before its next draw.
func (p *mcPipe) halt() {
	p.mu.Lock()
	p.stop = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

// work runs draws with r until none is left or the run stops; it stops
// the run when ctx is cancelled.
func (p *mcPipe) work(ctx context.Context, r *mcRunner) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.next < p.draws && !p.stop {
		d := p.next
		k, j := d/mcBlock, d%mcBlock
		b := p.ring[k%len(p.ring)]
		if b.block != k || (p.exact == nil && len(p.free) == 0) {
			p.cond.Wait()
			continue
		}
		if err := ctx.Err(); err != nil {
			p.stop, p.err = true, err
			p.cond.Broadcast()
			return
		}
		p.next++
		if p.exact == nil {
			b.rows[j] = p.free[len(p.free)-1]
			p.free = p.free[:len(p.free)-1]
		}
		p.mu.Unlock()
		b.fail[j], b.status[j] = r.draw(ctx, d, b.rows[j], b.m[j*p.nm:(j+1)*p.nm])
		b.rejected[j], b.pre[j] = r.rejected, r.pre
		p.mu.Lock()
		if b.done++; b.done == b.n {
			p.cond.Broadcast()
			// Let the merge start now rather than at this goroutine's
			// next preemption: it is woken onto this P.
			p.mu.Unlock()
			runtime.Gosched()
			p.mu.Lock()
		}
	}
}
