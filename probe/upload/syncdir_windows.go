//go:build windows

package upload

// syncDir does nothing on Windows, where directories cannot be opened for
// syncing; NTFS journals renames.
func syncDir(string) error { return nil }
