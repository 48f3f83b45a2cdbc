package pipeline

import "fmt"

// A WorkspaceError is a workspace directory that sdapipe cannot use: a
// file where the directory should be, or a symbolic link in place of one
// of the directories inside it. It is the user's to fix, not a failed run.
type WorkspaceError struct {
	Dir string
	Msg string // a full sentence
}

func (e *WorkspaceError) Error() string { return fmt.Sprintf("workspace %s: %s", e.Dir, e.Msg) }

// A RecordError is a run record that cannot be used: it is not a regular
// file, is too large, is not JSON, or contradicts its own name. A runner
// treats the record as absent, moves it aside and reruns the stage.
type RecordError struct {
	Path   string // the record file
	Reason string // what is wrong, a phrase
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("run record %s is unreadable: %s", e.Path, e.Reason)
}
