package cmd

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
	"authctl/internal/seed"
)

// An assertion file is YAML (or JSON, which is YAML) holding a list of
// expectations, or a mapping whose "assert" key holds it (so a seeding
// file's assert: section can be checked on its own):
//
//	- user: alice
//	  allowed: [blog.add_post]
//	  denied: [blog.delete_post]
//	  modules_allowed: [blog]
//	- group: editors          # every member
//	  allowed: [blog.change_post]
//	  modules_denied: [shop]

// yamlErrLine is compiled on first use (start-up time).
var yamlErrLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
})

// decodeAssertions reads an assertion file. Every problem is reported at
// once, each with its line, as an error matching auth.ErrInvalid.
func decodeAssertions(data []byte, name string) ([]auth.Expectation, error) {
	var root yaml.Node
	if err := seed.UnmarshalYAMLDocument(data, &root); err != nil {
		msg := err.Error()
		if m := yamlErrLine().FindStringSubmatch(msg); m != nil {
			return nil, &inputError{fmt.Sprintf("%s:%s: not valid YAML or JSON: %s", name, m[1], m[2])}
		}
		return nil, &inputError{fmt.Sprintf("%s: not valid YAML or JSON: %s", name, strings.TrimPrefix(msg, "yaml: "))}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil, &inputError{fmt.Sprintf("%s: the file is empty", name)}
	}
	list := root.Content[0]
	if list.Kind == yaml.MappingNode {
		var found *yaml.Node
		for i := 0; i+1 < len(list.Content); i += 2 {
			if list.Content[i].Value == "assert" {
				found = list.Content[i+1]
			}
		}
		if found == nil {
			return nil, &inputError{fmt.Sprintf("%s:%d: expected a list of expectations, or an assert: section holding one", name, list.Line)}
		}
		list = found
	}
	return decodeExpectations(list, name)
}

// decodeExpectations reads a YAML list of expectations (an assertion file,
// or the assert: section of a seeding file).
func decodeExpectations(list *yaml.Node, name string) ([]auth.Expectation, error) {
	if list.Kind != yaml.SequenceNode {
		return nil, &inputError{fmt.Sprintf("%s:%d: expected a list of expectations", name, list.Line)}
	}
	var exps []auth.Expectation
	probs := &problems{name: name}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			probs.add(item, "expected an expectation (user: or group:, with allowed:, denied:, modules_allowed: or modules_denied:)")
			continue
		}
		exps = append(exps, decodeExpectation(item, probs))
	}
	if len(probs.list) > 0 {
		return nil, &inputError{strings.Join(probs.list, "\n")}
	}
	if len(exps) == 0 {
		return nil, &inputError{fmt.Sprintf("%s:%d: no expectations", name, list.Line)}
	}
	return exps, nil
}

// problems collects what is wrong with a file, each with its line, so that
// every problem is reported at once.
type problems struct {
	name string
	list []string
}

func (p *problems) add(n *yaml.Node, format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf("%s:%d: ", p.name, n.Line)+fmt.Sprintf(format, args...))
}

// decodeExpectation reads one expectation (a mapping), adding what is
// wrong with it to probs.
func decodeExpectation(item *yaml.Node, probs *problems) auth.Expectation {
	e := auth.Expectation{Where: fmt.Sprintf("%s:%d", probs.name, item.Line)}
	seen := map[string]bool{}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		if seen[k.Value] {
			probs.add(k, "%s given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "user", "group":
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				probs.add(v, "%s: expected a name", k.Value)
				continue
			}
			if k.Value == "user" {
				e.User = v.Value
			} else {
				e.Group = v.Value
			}
		case "allowed":
			e.Allowed = expectedNames(k.Value, v, probs)
		case "denied":
			e.Denied = expectedNames(k.Value, v, probs)
		case "modules_allowed":
			e.ModulesAllowed = expectedNames(k.Value, v, probs)
		case "modules_denied":
			e.ModulesDenied = expectedNames(k.Value, v, probs)
		default:
			probs.add(k, "unknown key %q (want user, group, allowed, denied, modules_allowed, modules_denied)", k.Value)
		}
	}
	switch {
	case e.User == "" && e.Group == "":
		probs.add(item, "give user: or group:")
	case e.User != "" && e.Group != "":
		probs.add(item, "give user: or group:, not both")
	case len(e.Allowed)+len(e.Denied)+len(e.ModulesAllowed)+len(e.ModulesDenied) == 0:
		probs.add(item, "nothing to check: give allowed:, denied:, modules_allowed: or modules_denied:")
	}
	return e
}

// expectedNames reads the value of key (allowed:, denied:, or a modules_
// key): permissions, or app labels for the modules_ keys.
func expectedNames(key string, v *yaml.Node, probs *problems) []string {
	vals, err := scalarList(v)
	if err != nil {
		probs.add(v, "%s: %v", key, err)
		return nil
	}
	for _, s := range vals {
		if strings.HasPrefix(key, "modules_") {
			if s == "" || strings.Contains(s, ".") {
				probs.add(v, "%s: %q is not an app label", key, s)
			}
		} else if !auth.WellFormedPerm(s) {
			probs.add(v, "%s: %q is not a permission (want app_label.codename)", key, s)
		}
	}
	return vals
}

// scalarList reads a list of strings, or one string as a list of one.
func scalarList(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, errors.New("expected a list of names")
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, errors.New("expected a list of names")
}
