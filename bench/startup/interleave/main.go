// Command interleave times short processes against a baseline process on a
// busy machine: each iteration runs every command once, in a random order,
// and the ratios of one iteration (a command's time over the baseline's in
// the same iteration) are what it reports the median of, so that a burst
// of other work moves one iteration rather than one command's figures.
// bench/startup.sh uses it for check against the minimal reader.
//
//	interleave [-n 400] [-warmup 10] BASELINE CMD...
//	interleave './minimalread auth.db users alice' './authctl check ...'
//
// Each command is one argument, split at spaces (no quoting). For every
// command it prints the median wall time, CPU time (user + system, from
// the child's rusage) and minor page faults, and, for all but the
// baseline, the medians of the per-iteration ratios (peak RSS is left out:
// a child's rusage counts the parent's memory it was forked with):
//
//	RESULT interleave.N wall 16.2 ms cpu 12.0 ms faults 503 (CMD)
//	RATIO interleave.N wall 2.10x cpu 1.95x faults 2.05x the baseline (median of per-iteration ratios)
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type sample struct{ wall, cpu, faults float64 }

func main() {
	n := flag.Int("n", 400, "iterations")
	warmup := flag.Int("warmup", 10, "untimed iterations first")
	flag.Parse()
	if flag.NArg() < 2 {
		fmt.Fprintln(os.Stderr, "usage: interleave [-n N] [-warmup N] BASELINE CMD...")
		os.Exit(2)
	}
	cmds := make([][]string, flag.NArg())
	for i, c := range flag.Args() {
		cmds[i] = strings.Fields(c)
	}
	samples := make([][]sample, len(cmds))
	order := make([]int, len(cmds))
	for i := range order {
		order[i] = i
	}
	for it := 0; it < *warmup+*n; it++ {
		rand.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			s, err := run(cmds[i])
			if err != nil {
				fmt.Fprintf(os.Stderr, "interleave: %s: %v\n", flag.Arg(i), err)
				os.Exit(1)
			}
			if it >= *warmup {
				samples[i] = append(samples[i], s)
			}
		}
	}
	for i := range cmds {
		med := func(f func(sample) float64) float64 { return median(column(samples[i], f)) }
		fmt.Printf("RESULT interleave.%d wall %.2f ms cpu %.2f ms faults %.0f (%s)\n", i,
			med(func(s sample) float64 { return s.wall }), med(func(s sample) float64 { return s.cpu }),
			med(func(s sample) float64 { return s.faults }), flag.Arg(i))
	}
	for i := 1; i < len(cmds); i++ {
		ratio := func(f func(sample) float64) float64 {
			r := make([]float64, len(samples[i]))
			for k := range r {
				r[k] = f(samples[i][k]) / f(samples[0][k])
			}
			return median(r)
		}
		fmt.Printf("RATIO interleave.%d wall %.2fx cpu %.2fx faults %.2fx the baseline (median of %d per-iteration ratios)\n", i,
			ratio(func(s sample) float64 { return s.wall }),
			ratio(func(s sample) float64 { return s.cpu }),
			ratio(func(s sample) float64 { return s.faults }), len(samples[i]))
	}
}

// run runs one command with its output discarded; an exit code other than
// 0 or 1 (check's "denied") is an error.
func run(argv []string) (sample, error) {
	c := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	err := c.Run()
	wall := time.Since(start)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			return sample{}, err
		}
	}
	ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, fmt.Errorf("no rusage")
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return sample{wall: ms(wall), cpu: ms(cpu), faults: float64(ru.Minflt)}, nil
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func column(s []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(s))
	for i := range s {
		out[i] = f(s[i])
	}
	return out
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
