package nets

// A ConfigError reports a network configuration that no model can be built
// from; Arch names the architecture.
type ConfigError struct {
	Arch string
	Msg  string
}

func (e *ConfigError) Error() string {
	return e.Arch + ": invalid network configuration: " + e.Msg
}
