package main

import (
	"io"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/imredis/imredis/engine/factory"
)

// printEffective writes the settings as YAML keyed by flag name, secrets
// redacted, each set value commented with where it came from.
func (l *loaded) printEffective(w io.Writer) error {
	root := &yaml.Node{Kind: yaml.MappingNode}
	for _, key := range settingKeys(l.fs, false) {
		val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: l.fs.Lookup(key).Value.String()}
		switch key {
		case "engine":
			val.Value = factory.Redact(l.cfg.Engine)
		case "requirepass":
			if l.cfg.RequirePass != "" {
				val.Value = "xxxxx"
			}
		case "user":
			val = &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, name := range sortedKeys(l.cfg.Users) {
				val.Content = append(val.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name + ":xxxxx"})
			}
		}
		if s, ok := l.sources[key]; ok {
			val.LineComment = "from " + s
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, val)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return err
	}
	return enc.Close()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
