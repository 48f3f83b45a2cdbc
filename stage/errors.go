package stage

// A SettingError reports an invalid value of one setting of a block a
// kind builds something from (a system's or a network's settings), so
// that the diagnostic can point at that setting rather than the block.
type SettingError struct {
	Setting string // the setting's name within its block
	Err     error
}

func (e *SettingError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *SettingError) Unwrap() error { return e.Err }
