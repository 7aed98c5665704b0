package seed

import (
	"bytes"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// UnmarshalYAMLDocument decodes data, which must hold one YAML document or
// none, into root. yaml.Unmarshal reads the first document and ignores
// what follows it (a second document after "---", or a second flow
// mapping: two JSON files joined), which would drop what the rest
// declares without a word. Errors read as yaml.v3's do ("yaml: line N:
// ...").
func UnmarshalYAMLDocument(data []byte, root *yaml.Node) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(root); err != nil {
		if err == io.EOF {
			return nil // no document: as yaml.Unmarshal
		}
		return err
	}
	for {
		var more yaml.Node
		err := dec.Decode(&more)
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		case !emptyDocument(&more):
			return fmt.Errorf("yaml: line %d: a second document starts here; a file holds one", documentLine(&more))
		}
	}
}

// emptyDocument reports whether n is a document with nothing in it (a
// "---" at the end of a file).
func emptyDocument(n *yaml.Node) bool {
	return n.Kind == yaml.DocumentNode && (len(n.Content) == 0 || n.Content[0].Tag == "!!null" && n.Content[0].Value == "")
}

// documentLine is the line where document n's content starts.
func documentLine(n *yaml.Node) int {
	if len(n.Content) > 0 && n.Content[0].Line > 0 {
		return n.Content[0].Line
	}
	return max(n.Line, 1)
}
