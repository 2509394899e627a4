package shell

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/transcript"
)

func transcriptMetaCommand() *metaCommand {
	return &metaCommand{
		Name: "transcript", Args: "start FILE | stop | status", ArgKind: "transcript", Subs: []string{"start", "stop", "status"},
		Help: "record the session to FILE (appends, never overwrites; secrets redacted; --no-redact, --abbreviate N)",
		Run:  (*Session).metaTranscript,
	}
}

// StartTranscript begins recording the session to path.
func (s *Session) StartTranscript(path string, opts transcript.Options) error {
	if s.rec != nil {
		return fmt.Errorf("already recording to %s (:transcript stop first)", s.rec.Path())
	}
	rec, appended, err := transcript.Open(path, s.transcriptHeader(), opts)
	if err != nil {
		return fmt.Errorf("cannot record the transcript: %w", err)
	}
	s.rec = rec
	s.Attach("transcript", rec.Event)
	how := "recording to"
	if appended {
		how = "appending to the existing transcript"
	}
	s.P.Say("%s %s", how, path)
	if opts.NoRedact {
		s.P.Warn("redaction is off: passwords and SASL answers go into %s as typed", path)
	}
	return nil
}

// StopTranscript ends the recording, if any.
func (s *Session) StopTranscript() error {
	if s.rec == nil {
		return nil
	}
	s.Detach("transcript")
	rec := s.rec
	s.rec = nil
	if err := rec.Close(); err != nil {
		return fmt.Errorf("transcript %s: %w", rec.Path(), err)
	}
	s.P.Say("transcript saved to %s", rec.Path())
	return nil
}

func (s *Session) transcriptHeader() transcript.Header {
	h := transcript.Header{Version: s.Opts.Version, Target: s.Target.URL(), Started: time.Now()}
	if s.Client != nil {
		if st := s.Client.TLS(); st != nil {
			h.TLS = proto.DescribeTLS(st)
		}
	}
	return h
}

func (s *Session) metaTranscript(_ context.Context, args []string) error {
	if len(args) == 0 {
		args = []string{"status"}
	}
	switch args[0] {
	case "start":
		var opts transcript.Options
		path := ""
		for i := 1; i < len(args); i++ {
			switch a := args[i]; {
			case a == "--no-redact":
				opts.NoRedact = true
			case a == "--abbreviate" && i+1 < len(args):
				n, err := strconv.Atoi(args[i+1])
				if err != nil || n < 1 {
					return fmt.Errorf("--abbreviate takes a number of lines, not %q", args[i+1])
				}
				opts.BodyLines = n
				i++
			case path == "" && !strings.HasPrefix(a, "--"):
				path = a
			default:
				return errors.New("usage: :transcript start FILE [--no-redact] [--abbreviate N]")
			}
		}
		if path == "" {
			return errors.New("usage: :transcript start FILE [--no-redact] [--abbreviate N]")
		}
		return s.StartTranscript(path, opts)
	case "stop":
		if s.rec == nil {
			return errors.New("not recording")
		}
		return s.StopTranscript()
	case "status":
		if s.rec == nil {
			s.P.Plain("not recording (:transcript start FILE)\n")
		} else {
			s.P.Plain("recording to %s\n", s.rec.Path())
		}
		return nil
	}
	return errors.New("usage: :transcript start FILE | stop | status")
}
