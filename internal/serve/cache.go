package serve

import (
	"container/list"
	"context"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sync/singleflight"
)

// lru is a small least-recently-used cache of finished runs, safe for
// concurrent use. It holds at most max runs and, beyond the most recent
// one, at most maxBytes of their estimated size (runEntry.size, which
// grows when SVGs are drawn, so it is measured at every add).
type lru struct {
	mu       sync.Mutex
	max      int
	maxBytes int64
	ll       *list.List // front: most recent; values *runEntry
	items    map[string]*list.Element
}

func newLRU(max int, maxBytes int64) *lru {
	if max < 1 {
		max = 1
	}
	return &lru{max: max, maxBytes: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) get(key string) (*runEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*runEntry), true
}

func (c *lru) add(key string, e *runEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value = e
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(e)
	for c.ll.Len() > c.max || (c.ll.Len() > 1 && c.maxBytes > 0 && c.bytes() > c.maxBytes) {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*runEntry).id)
	}
}

// bytes is the estimated size of every run held (c.mu held).
func (c *lru) bytes() int64 {
	var n int64
	for el := c.ll.Front(); el != nil; el = el.Next() {
		n += el.Value.(*runEntry).size()
	}
	return n
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// share runs fn once for key among concurrent callers of g (singleflight)
// and returns its result; a caller whose ctx ends first stops waiting (the
// computation goes on for the others, bounded by its own context). A panic
// in fn is returned as a *panicError: singleflight runs fn on a goroutine of
// its own, where a panic would end the process.
func share(ctx context.Context, g *singleflight.Group, key string, fn func() (*runEntry, error)) (*runEntry, error) {
	ch := g.DoChan(key, func() (v any, err error) {
		defer func() {
			if p := recover(); p != nil {
				buf := make([]byte, 8<<10)
				err = &panicError{value: p, stack: buf[:runtime.Stack(buf, false)]}
			}
		}()
		return fn()
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*runEntry), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// panicError is a panic recovered from a computation (a bug).
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprint(e.value) }
