package seed

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
)

// yamlLine is compiled on first use (start-up time; see django.go).
var yamlLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
})

// decodeYAML reads a YAML seeding file through its node tree, so that every
// unknown key and every value of the wrong type is reported with its own
// line (and YAML's anchors, aliases and merge keys work), into a Document
// (toDocument: password sources resolved with opts). A large users section
// is read apart from the rest (planYAMLSplit), straight into the
// document's table. err is the file's problems, one "LINE: message" a
// line.
func decodeYAML(data []byte, workers int, opts DecodeOptions) (*auth.Document, *yaml.Node, error) {
	if rest, batches, indent, keyLine, ok := planYAMLSplit(data); ok {
		if doc, assert, ok := yamlSplitDecode(rest, batches, indent, keyLine, workers, opts, heldBatch(data)); ok {
			return doc, assert, nil
		}
	}
	return decodeYAMLWhole(data, opts)
}

// heldBatch reads a batch of data, a file held whole.
func heldBatch(data []byte) func(yamlBatch, *chunkBuf) ([]byte, bool) {
	return func(b yamlBatch, _ *chunkBuf) ([]byte, bool) { return data[b.from:b.to], true }
}

// yamlSplitDecode decodes a split file: rest, the file with its users
// section left blank, first — a rest with a problem, or without the users
// key where the split found it, sends the file to the whole reading before
// any batch is decoded or any password source resolved — then the
// batches (decodeYAMLBatches, each read by read) into the document's
// table. ok is false if the file must be read whole.
func yamlSplitDecode(rest []byte, batches []yamlBatch, indent, keyLine, workers int, opts DecodeOptions, read func(yamlBatch, *chunkBuf) ([]byte, bool)) (*auth.Document, *yaml.Node, bool) {
	f, lines, assert, err := decodeYAMLTree(rest, keyLine)
	if err != nil {
		return nil, nil, false
	}
	users, ok := decodeYAMLBatches(batches, indent, workers, opts, read)
	if !ok {
		return nil, nil, false
	}
	// The rest holds no user (its section's lines are blank).
	doc := toDocument(f, lines, opts)
	doc.UserTable, doc.Problems = users.table, append(users.problems, doc.Problems...)
	return doc, assert, true
}

// decodeYAMLWhole is decodeYAML through one node tree of the whole file.
func decodeYAMLWhole(data []byte, opts DecodeOptions) (*auth.Document, *yaml.Node, error) {
	f, lines, assert, err := decodeYAMLTree(data, 0)
	if err != nil {
		return nil, nil, err
	}
	return toDocument(f, lines, opts), assert, nil
}

// notYAML is the error of a file that is not YAML at all, as opposed to
// YAML with wrong values.
type notYAML struct{ error }

// decodeYAMLTree is decodeYAML through one node tree of data. With
// splitKeyLine above 0, data is a split file's rest (planYAMLSplit): its
// users section, read apart, hangs from the users key on that line, which
// must be there, once, with its lines blank.
func decodeYAMLTree(data []byte, splitKeyLine int) (*File, sectionLines, *yaml.Node, error) {
	var (
		f        File
		lines    sectionLines
		problems problemList
		root     yaml.Node
		assert   *yaml.Node
		// splitTaken: the users key of a split file's rest was seen.
		splitTaken bool
	)
	if err := UnmarshalYAMLDocument(data, &root); err != nil {
		msg := err.Error()
		if m := yamlLine().FindStringSubmatch(msg); m != nil {
			return nil, lines, nil, notYAML{fmt.Errorf("%s: not valid YAML: %s", m[1], m[2])}
		}
		return nil, lines, nil, notYAML{fmt.Errorf("0: not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))}
	}
	top := &root
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	top = resolveAlias(top)
	if top.Kind != yaml.MappingNode {
		if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
			return &f, lines, nil, nil
		}
		return nil, lines, nil, fmt.Errorf("%d: the file must be a mapping with the keys %s", top.Line, knownKeys("top"))
	}
	var seen topKeys
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], resolveAlias(top.Content[i+1])
		// An alias as a key ("*k :") stands for its anchor's value, as
		// PyYAML reads it; the line is the key's own.
		name := resolveAlias(k).Value
		if first, again := seen.see(name, k.Line); again {
			if splitKeyLine > 0 {
				return nil, lines, nil, errSplitUncertain // the whole reading says so, with the rest
			}
			problems.add(k.Line, "%s", duplicateKey(name, first))
			continue
		}
		var (
			kind  string
			lnums *[]pos
			next  func() any
		)
		switch name {
		case "permissions":
			kind, lnums = "permission", &lines.perms
			next = func() any {
				f.Permissions = append(f.Permissions, Permission{})
				return &f.Permissions[len(f.Permissions)-1]
			}
		case "groups":
			kind, lnums = "group", &lines.groups
			next = func() any { f.Groups = append(f.Groups, Group{}); return &f.Groups[len(f.Groups)-1] }
		case "users":
			if splitKeyLine > 0 {
				// The section's lines are blank in data, so its value is
				// empty: anything else (a block scalar's "|" on the line
				// after the last item) was read with the items in the
				// whole file.
				empty := v.Kind == yaml.ScalarNode && v.Tag == "!!null"
				if k.Line != splitKeyLine || splitTaken || !empty {
					return nil, lines, nil, errSplitUncertain
				}
				splitTaken = true // its users are read apart
				continue
			}
			kind, lnums = "user", &lines.users
			next = func() any { f.Users = append(f.Users, User{}); return &f.Users[len(f.Users)-1] }
		case AssertKey:
			assert = v // read by the caller (apply checks it on the plan)
			continue
		default:
			problems.add(k.Line, "%s", unknownKey("top", name))
			continue
		}
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			continue
		case v.Kind != yaml.SequenceNode:
			problems.add(v.Line, "%ss must be a list", kind)
			continue
		}
		for _, item := range v.Content {
			*lnums = append(*lnums, pos{line: item.Line})
			yamlItem(kind, resolveAlias(item), next(), &problems)
		}
	}
	if splitKeyLine > 0 && !splitTaken {
		return nil, lines, nil, errSplitUncertain // the key was inside something else
	}
	if err := problems.err(); err != nil {
		return nil, lines, nil, err
	}
	return &f, lines, assert, nil
}

// errSplitUncertain is decodeYAMLTree's answer when the rest of a split
// file does not hold the users key where planYAMLSplit found it, exactly
// once: decodeYAML then reads the file whole.
var errSplitUncertain = errors.New("the users section could not be read apart from its file")

// yamlItem decodes one item into target, reporting unknown keys and values
// of the wrong type.
func yamlItem(kind string, item *yaml.Node, target any, problems *problemList) {
	if item.Kind != yaml.MappingNode {
		problems.add(item.Line, "a %s must be a mapping with keys (%s)", kind, knownKeys(kind))
		return
	}
	fields := fieldTypes()[kind]
	for i := 0; i+1 < len(item.Content); i += 2 {
		k := item.Content[i]
		if k.Tag == "!!merge" {
			continue
		}
		if _, known := fields[k.Value]; !known {
			problems.add(k.Line, "%s", unknownKey(kind, k.Value))
		}
	}
	if err := item.Decode(target); err == nil {
		return
	}
	// Find the values at fault, one key at a time.
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		t, known := fields[k.Value]
		if !known {
			continue
		}
		if err := v.Decode(reflect.New(t).Interface()); err != nil {
			problems.add(v.Line, "%s: %s must be %s, not %s", kind, k.Value, describe(t), yamlShow(resolveAlias(v)))
		}
	}
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// yamlShow names a YAML value for messages.
func yamlShow(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	s := n.Value
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return fmt.Sprintf("%q", s)
}
