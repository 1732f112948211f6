package server

import "errors"

// closers undoes what has been started, last started first. Start pushes
// each part as it starts it and unwinds the stack when a later part fails;
// Close unwinds it to stop the server.
type closers []func() error

// push adds the closer of a part just started.
func (c *closers) push(f func() error) { *c = append(*c, f) }

// pushFunc adds a closer that cannot fail.
func (c *closers) pushFunc(f func()) {
	c.push(func() error { f(); return nil })
}

// unwind runs every closer in reverse order, once, and joins their errors.
func (c *closers) unwind() error {
	var errs []error
	for i := len(*c) - 1; i >= 0; i-- {
		errs = append(errs, (*c)[i]())
	}
	*c = nil
	return errors.Join(errs...)
}
