package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type auditVerifyOptions struct {
	f *cmdutil.Factory
	// Head is --head as given: SEQ:HASH exported by an earlier verify.
	Head string
}

func newCmdAuditVerify(f *cmdutil.Factory, runF func(*auditVerifyOptions) error) *cobra.Command {
	opts := &auditVerifyOptions{f: f}
	cmd := &cobra.Command{
		Use:   "verify [--head SEQ:HASH]",
		Short: "Check the audit log's keyed hash chain (exit 0 intact, 5 tampered)",
		Long: `Walk the audit log's chain and check every record's MAC under the audit key,
the sequence numbers, and the stored head, so that an edited, inserted, moved
or missing record (middle, start or end) is found. Needs read access to the
audit key (audit_key, default the database path + ".audit-key").

-o json prints the head ("SEQ:HASH" of the newest record). Keep it somewhere
the database's holders cannot write; later, --head SEQ:HASH fails (exit 5)
unless the log still holds that very record, which shows a log cut back or
rewritten by someone holding both the database and the key.`,
		Example: `  authctl audit verify -o json | jq -r .head > /srv/audit-heads/$(date +%F)
  authctl audit verify --head "$(cat /srv/audit-heads/2026-01-02)"`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return auditVerifyRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Head, "head", "", "also require the record of a head exported earlier by -o json (`SEQ:HASH`)")
	return cmd
}

func auditVerifyRun(cmd *cobra.Command, opts *auditVerifyOptions) error {
	f := opts.f
	var vopts auth.AuditVerifyOptions
	if opts.Head != "" {
		h, err := auth.ParseAuditHead(opts.Head)
		if err != nil {
			return cmdutil.FlagErrorf("--head: %v", err)
		}
		vopts.Head = &h
	}
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	res, err := svc.AuditVerify(ctx, vopts)
	var broken *auth.AuditVerifyError
	if err != nil && !errors.As(err, &broken) {
		return err
	}
	if p.Format == output.JSON {
		v := struct {
			Intact  bool   `json:"intact"`
			Records int    `json:"records"`
			Keyed   int    `json:"keyed"`
			Head    string `json:"head,omitempty"`
			Seq     uint64 `json:"broken_at,omitempty"`
			Reason  string `json:"reason,omitempty"`
		}{Intact: broken == nil, Records: res.Records, Keyed: res.Keyed}
		if broken != nil {
			v.Seq, v.Reason = broken.Seq, broken.Reason
		} else if res.Head.Seq > 0 {
			v.Head = res.Head.String()
		}
		if err := output.WriteJSON(f.IO.Out, v); err != nil {
			return err
		}
	}
	if broken != nil {
		return &auth.InvalidError{Problems: []error{broken}}
	}
	if !p.Quiet && p.Format != output.JSON {
		fmt.Fprintf(f.IO.Out, "audit log intact: %d records\n", res.Records)
	}
	return nil
}
