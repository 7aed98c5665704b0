package cmd

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Cobra and pflag word their usage errors in their own way, some over
// several lines. usageMessage rewrites the ones a person meets into one line
// in the tool's words, with a suggestion for a mistyped command or flag;
// anything else is kept, joined onto one line.
func usageMessage(c *cobra.Command, err error) string {
	msg := strings.TrimSpace(err.Error())
	for _, rw := range usageRewrites() {
		if m := rw.re.FindStringSubmatch(msg); m != nil {
			return rw.fn(c, m)
		}
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
}

type usageRewrite struct {
	re *regexp.Regexp
	fn func(c *cobra.Command, m []string) string
}

// usageRewrites are compiled on the first usage error, not at start-up:
// every process (a one-shot check above all) would pay for them otherwise.
var usageRewrites = sync.OnceValue(func() []usageRewrite {
	return []usageRewrite{
		{regexp.MustCompile(`(?s)^unknown command "([^"]*)" for "([^"]*)"`), func(c *cobra.Command, m []string) string {
			msg := fmt.Sprintf("unknown command %q for %q", m[1], m[2])
			if c != nil {
				if c.SuggestionsMinimumDistance <= 0 {
					c.SuggestionsMinimumDistance = 2
				}
				if s := c.SuggestionsFor(m[1]); len(s) > 0 {
					msg += "; did you mean " + quoteAll(s, "") + "?"
				}
			}
			return msg
		}},
		{regexp.MustCompile(`^unknown flag: --([^\s=]+)`), func(c *cobra.Command, m []string) string {
			msg := "unknown flag --" + m[1]
			if s := similarFlags(c, m[1]); len(s) > 0 {
				msg += "; did you mean " + quoteAll(s, "--") + "?"
			}
			return msg
		}},
		{regexp.MustCompile(`^unknown shorthand flag: '(.)' in (\S+)`), func(c *cobra.Command, m []string) string {
			return fmt.Sprintf("unknown flag -%s (in %s)", m[1], m[2])
		}},
		{regexp.MustCompile(`^flag needs an argument: (?:'(.)' in -.|--(\S+))`), func(c *cobra.Command, m []string) string {
			if m[1] != "" {
				return fmt.Sprintf("flag -%s needs a value", m[1])
			}
			return fmt.Sprintf("flag --%s needs a value", m[2])
		}},
		{regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set none of the others can be`), func(c *cobra.Command, m []string) string {
			return joinFlags(strings.Fields(m[1]), "and") + " cannot be used together"
		}},
		{regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set they must all be set; missing \[([^\]]*)\]`), func(c *cobra.Command, m []string) string {
			return joinFlags(strings.Fields(m[1]), "and") + " go together: " + joinFlags(strings.Fields(m[2]), "and") + " missing"
		}},
		{regexp.MustCompile(`^at least one of the flags in the group \[([^\]]*)\] is required`), func(c *cobra.Command, m []string) string {
			return "give one of " + joinFlags(strings.Fields(m[1]), "or")
		}},
		{regexp.MustCompile(`^required flag\(s\) (.*) not set`), func(c *cobra.Command, m []string) string {
			names := strings.Split(strings.ReplaceAll(m[1], `"`, ""), ", ")
			return joinFlags(names, "and") + " required"
		}},
		{regexp.MustCompile(`^accepts at most (\d+) arg\(s\), received (\d+)`), func(c *cobra.Command, m []string) string {
			return fmt.Sprintf("%s takes at most %s argument(s), got %s", commandName(c), m[1], m[2])
		}},
		{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)`), func(c *cobra.Command, m []string) string {
			return fmt.Sprintf("%s takes %s argument(s), got %s", commandName(c), m[1], m[2])
		}},
	}
})

// commandName is the command's path without the program name ("user
// show"), since every message already starts with "authctl: ".
func commandName(c *cobra.Command) string {
	path := commandPath(c)
	if name, rest, ok := strings.Cut(path, " "); ok && name == "authctl" {
		return rest
	}
	return path
}

func quoteAll(list []string, prefix string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", prefix+s)
	}
	return strings.Join(q, " or ")
}

func joinFlags(names []string, conj string) string {
	for i, n := range names {
		names[i] = "--" + n
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + conj + " " + names[len(names)-1]
}

// similarFlags are the flags of c whose names are within two edits of
// name, or start with it.
func similarFlags(c *cobra.Command, name string) []string {
	if c == nil {
		return nil
	}
	var out []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if levenshtein(f.Name, name) <= 2 || (len(name) >= 3 && strings.HasPrefix(f.Name, name)) {
			out = append(out, f.Name)
		}
	})
	return out
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
