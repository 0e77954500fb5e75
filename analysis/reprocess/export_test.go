package reprocess

// SetAfterBatch makes Run call f after each batch it writes.
func SetAfterBatch(c *Config, f func()) { c.afterBatch = f }
