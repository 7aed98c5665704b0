package seed

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDecodeWithAssert: the assert section comes back from the decoder's
// own pass, as YAML nodes with the file's lines, from YAML and from JSON —
// including JSON the YAML parser refuses (tabs between tokens, "\/").
func TestDecodeWithAssert(t *testing.T) {
	type check struct {
		User    string   `yaml:"user"`
		Allowed []string `yaml:"allowed"`
		N       int      `yaml:"n"`
		On      bool     `yaml:"on"`
		None    *string  `yaml:"none"`
	}
	for _, c := range []struct{ name, data string }{
		{"s.yaml", "users:\n  - username: erin\nassert:\n  - user: erin\n    allowed: [wiki/edit]\n    n: 3\n    on: true\n    none: null\n"},
		{"s.json", "{\n\t\"users\": [{\"username\": \"erin\"}],\n\t\"assert\": [\n\t\t{\"user\":\t\"erin\", \"allowed\": [\"wiki\\/edit\"], \"n\": 3, \"on\": true, \"none\": null}\n\t]\n}\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, node, err := DecodeWithAssert([]byte(c.data), DecodeOptions{Name: c.name})
			if err != nil || len(doc.AllUsers()) != 1 {
				t.Fatalf("decode: %v", err)
			}
			if node == nil || node.Kind != yaml.SequenceNode || len(node.Content) != 1 {
				t.Fatalf("assert section %+v", node)
			}
			if node.Content[0].Line != 4 {
				t.Errorf("the check is at line %d, want 4", node.Content[0].Line)
			}
			var got []check
			if err := node.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].User != "erin" || len(got[0].Allowed) != 1 || got[0].Allowed[0] != "wiki/edit" || got[0].N != 3 || !got[0].On || got[0].None != nil {
				t.Errorf("got %+v", got)
			}
		})
	}
	if _, node, err := DecodeWithAssert([]byte(`{"users": []}`), DecodeOptions{}); err != nil || node != nil {
		t.Errorf("no assert section: %v, %v", node, err)
	}
}
