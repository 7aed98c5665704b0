package auth

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"authctl/internal/store"
)

// A failed authentication must take as long whether or not the user
// exists, whatever the user's stored hash. An unknown user (and a locked
// account) costs one run of the preferred hasher; an existing user costs
// a run of whatever hasher made their hash — far less for a weak argon2 or
// an old cheap pbkdf2 hash, more for a costlier one. So every failure is
// padded, by sleeping, to the time the preferred hasher takes (or to the
// stored hasher's time, when that is larger: the check has run by then).
//
// That time is measured, never configured: each run of the preferred
// hasher on a dummy password is timed. A process that has not run it yet
// (authctl authenticates once per process) reads the last measurement
// from the database; one with neither runs it once, which measures and
// pads at the same time.

// verifyCostMeta holds "SIGNATURE NANOSECONDS": the measured time of one
// run of the preferred hasher with the parameters the signature names.
const verifyCostMeta = "verify_cost"

// maxPad bounds a pad, whatever a measurement (or a stored value) says.
const maxPad = 30 * time.Second

// costSamples is how many recent measurements the estimate is the median of.
const costSamples = 5

// costEstimate is what this process knows of the preferred hasher's time.
type costEstimate struct {
	mu      sync.Mutex
	samples []time.Duration // this process's measurements, newest last
	stored  time.Duration   // read from (or last written to) the database
}

func (c *costEstimate) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.samples = append(c.samples, d)
	if len(c.samples) > costSamples {
		c.samples = c.samples[len(c.samples)-costSamples:]
	}
}

func (c *costEstimate) setStored(d time.Duration) {
	c.mu.Lock()
	c.stored = d
	c.mu.Unlock()
}

// estimate is the median of this process's measurements, else the stored
// one; ok is false when there is neither.
func (c *costEstimate) estimate() (d time.Duration, measured, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.samples); n > 0 {
		s := slices.Clone(c.samples)
		slices.Sort(s)
		return s[n/2], true, true
	}
	return c.stored, false, c.stored > 0
}

// toStore returns the value to write to the database, if this process
// measured one that differs by more than a fifth from what is stored.
func (c *costEstimate) toStore() (time.Duration, bool) {
	d, measured, _ := c.estimate()
	if !measured {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	diff := d - c.stored
	if diff < 0 {
		diff = -diff
	}
	return d, c.stored == 0 || diff*5 > c.stored
}

// costSignature names the preferred hasher and its parameters, so that a
// measurement is not used for other parameters.
func (s *Service) costSignature() string {
	return strings.ReplaceAll(fmt.Sprintf("%s%v", s.hashers.Preferred().Algorithm(), s.hashers.Preferred()), " ", ",")
}

// loadCost reads the stored measurement, if it is for the preferred
// hasher's current parameters.
func (s *Service) loadCost(r store.Reader) error {
	v, err := r.Meta(verifyCostMeta)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	sig, ns, ok := strings.Cut(string(v), " ")
	if !ok || sig != s.costSignature() {
		return nil
	}
	if n, err := strconv.ParseInt(ns, 10, 64); err == nil && n > 0 {
		s.cost.setStored(min(time.Duration(n), maxPad))
	}
	return nil
}

// storeCost writes this process's measurement when it is new or has moved.
func (s *Service) storeCost(w store.Writer) error {
	d, ok := s.cost.toStore()
	if !ok {
		return nil
	}
	return w.PutMeta(verifyCostMeta, []byte(s.costSignature()+" "+strconv.FormatInt(int64(d), 10)))
}

// dummy runs the preferred hasher once on password and times it.
func (s *Service) dummy(password string) {
	start := time.Now()
	s.hashers.Dummy(password)
	s.cost.add(time.Since(start))
}

// padFailure makes a failed attempt that began hashing at start last as
// long as one run of the preferred hasher, or as long as it took already.
func (s *Service) padFailure(start time.Time, password string) {
	target, _, ok := s.cost.estimate()
	if !ok {
		// Nothing known: run the hasher, which measures it and pads.
		s.dummy(password)
		return
	}
	if wait := min(target, maxPad) - time.Since(start); wait > 0 {
		time.Sleep(wait)
	}
}
