package cmd

import (
	"reflect"
	"testing"
)

func TestNewCmdApply(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    applyOptions
		wantErr string
	}{
		{name: "file", argv: "apply -f seed.yaml", want: applyOptions{File: "seed.yaml"}},
		{name: "stdin", argv: "apply --file -", want: applyOptions{File: "-"}},
		{
			name: "every flag",
			argv: "apply -f seed.yaml --dry-run --prune --update-passwords --skip-validation --workers 4",
			want: applyOptions{File: "seed.yaml", DryRun: true, Prune: true, UpdatePasswords: true, SkipValidation: true, Workers: 4},
		},
		{name: "no file", argv: "apply --dry-run", wantErr: "-f FILE is required (use -f - for standard input)"},
		{name: "negative workers", argv: "apply -f seed.yaml --workers -1", wantErr: "--workers must not be negative"},
		{name: "bad workers", argv: "apply -f seed.yaml --workers many", wantErr: `invalid argument "many" for "--workers" flag`},
		{name: "an argument", argv: "apply seed.yaml", wantErr: "apply takes no arguments (the file is given with -f) (got 1 argument(s))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *applyOptions
			cmd := newCmdApply(tf.Factory, func(o *applyOptions) error { got = o; return nil })
			err := tf.parseCmd(nil, cmd, tt.argv)
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := *got
			g.f = nil
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("options %+v, want %+v", g, tt.want)
			}
		})
	}
}
